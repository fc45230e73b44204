"""Reason codes and the English used to explain exclusions: shared by the engine and the reference."""

import math
from datetime import date
from functools import lru_cache

from matching.model import (
    DailyWindow,
    ExclusionZone,
    Programme,
    ResidenceRule,
    Session,
    SubjectProfile,
    Venue,
    WeeklyWindow,
)
from matching.taxonomy import WEEKDAYS

# Most decisive first: a reason nobody can change (approval, age) outranks one that depends on the week.
REASON_CODES: tuple[str, ...] = (
    "organisation_not_approved",
    "programme_inactive",
    "not_valid_in_range",
    "age",
    "gender",
    "residence",
    "no_sessions",
    "commitment_clash",
    "observance_clash",
    "curfew_clash",
    "exclusion_zone",
    "non_associate",
    "too_far",
    "full",
)
REASON_PRIORITY: dict[str, int] = {code: rank for rank, code in enumerate(REASON_CODES)}
CODE_BIT: dict[str, int] = {code: 1 << rank for rank, code in enumerate(REASON_CODES)}

NON_ASSOCIATE_SENTENCE = "A person the subject must not associate with is referred to this session"


def distance_m(easting_a: float, northing_a: float, easting_b: float, northing_b: float) -> float:
    """Euclidean metres, written exactly as the engine's numpy code computes it so both round identically."""
    dx = easting_a - easting_b
    dy = northing_a - northing_b
    return math.sqrt(dx * dx + dy * dy)


@lru_cache(maxsize=2048)
def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@lru_cache(maxsize=8192)
def span(start: int, end: int) -> str:
    return f"{clock(start)}–{clock(end)}"


def who(name: str) -> str:
    return name or "the subject"


def possessive(name: str) -> str:
    """ "Tyler's"; "the subject's" when the profile carries no name (an inline profile in the API)."""
    return f"{name}'s" if name else "the subject's"


@lru_cache(maxsize=8192)
def venue_label(name: str, postcode: str) -> str:
    """The venue's name with its postcode, once: imported names often carry the postcode already."""
    if not postcode or postcode.replace(" ", "").casefold() in name.replace(" ", "").casefold():
        return name
    return f"{name} ({postcode})"


def session_time(session: Session) -> str:
    return f"{WEEKDAYS[session.weekday]} {span(session.start, session.end)}"


def format_distance(metres: float) -> str:
    if metres < 1000:
        return f"{round(metres)} m"
    return f"{metres / 1000:.1f} km"


@lru_cache(maxsize=4096)
def format_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@lru_cache(maxsize=4096)
def date_range(start: date, end: date | None) -> str:
    if end is None:
        return f"from {format_date(start)} with no end date"
    return f"{format_date(start)} to {format_date(end)}"


def age_sentence(programme: Programme, profile: SubjectProfile) -> str:
    return f"Ages {programme.min_age}–{programme.max_age}; subject is {profile.age}"


def gender_sentence(programme: Programme, profile: SubjectProfile) -> str:
    return f"For {programme.gender} participants only; subject's gender is recorded as {profile.gender}"


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def residence_sentence(rule: ResidenceRule, profile: SubjectProfile) -> str:
    if rule.postcodes and not rule.polygons and profile.home_postcode:
        district = profile.home_postcode.split()[0]
        where = f"lives in {district}, outside"
        return f"{_first_upper(who(profile.name))} {where} the area this programme serves ({rule.label})"
    return f"{_first_upper(possessive(profile.name))} home is outside the area this programme serves ({rule.label})"


def approval_sentence(programme: Programme) -> str:
    return f"{programme.organisation_name} is not an approved organisation"


def inactive_sentence(programme: Programme) -> str:
    return f"Programme is {programme.status}"


def no_sessions_sentence() -> str:
    return "No weekly sessions are listed"


def programme_dates_sentence(programme: Programme, date_from: date, date_to: date) -> str:
    runs = date_range(programme.valid_from, programme.valid_to)
    return f"Programme runs {runs}, outside {date_range(date_from, date_to)}"


def term_sentence(session: Session, date_from: date, date_to: date) -> str:
    term = date_range(session.term_start, session.term_end)
    return f"{session_time(session)} term runs {term}, outside {date_range(date_from, date_to)}"


def window_clash_sentence(session: Session, window: WeeklyWindow) -> str:
    own = f"{WEEKDAYS[window.weekday]} {span(window.start, window.end)}"
    return f"{session_time(session)} clashes with {window.label} ({own})"


def curfew_sentence(session: Session, curfew: DailyWindow) -> str:
    return f"{session_time(session)} runs into the curfew ({span(curfew.start, curfew.end)})"


def zone_sentence(venue: Venue, zone: ExclusionZone, metres: float) -> str:
    return (
        f"Venue {venue_label(venue.name, venue.postcode)} is {format_distance(metres)} from the centre of "
        f"{zone.label}, inside its {format_distance(zone.radius_m)} radius"
    )


def too_far_sentence(venue: Venue, metres: float, limit_m: float) -> str:
    return (
        f"Venue {venue_label(venue.name, venue.postcode)} is {format_distance(metres)} from home, "
        f"beyond the {format_distance(limit_m)} travel limit"
    )


def full_sentence(session: Session, taken: int, capacity: int) -> str:
    return f"{session_time(session)} is full ({taken} of {capacity} places taken)"
