"""The hard constraints, one scalar check at a time, each finding written as (code, English sentence).

The reference matcher evaluates every check with these functions; the vectorised engine decides
feasibility with numpy and calls them only to word the exclusions it actually returns.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from matching import explain, residence
from matching.model import DailyWindow, Programme, Session, SubjectProfile, Venue, WeeklyWindow

MINUTES_PER_DAY = 1440
Finding = tuple[str, str]

PROGRAMME_CODES = (
    "organisation_not_approved",
    "programme_inactive",
    "not_valid_in_range",
    "age",
    "gender",
    "residence",
)
SESSION_CODES = (
    "not_valid_in_range",
    "commitment_clash",
    "observance_clash",
    "curfew_clash",
    "exclusion_zone",
    "non_associate",
    "too_far",
    "full",
)


@dataclass(frozen=True)
class MatchContext:
    profile: SubjectProfile
    date_from: date
    date_to: date
    taken: Mapping[int, int]  # session id -> places taken by other subjects
    blocked_session_ids: Collection[int]  # sessions a non-associate is referred to


def dates_overlap(start: date, end: date | None, date_from: date, date_to: date) -> bool:
    return start <= date_to and (end is None or end >= date_from)


def gender_allowed(programme_gender: str, subject_gender: str) -> bool:
    return programme_gender == "any" or programme_gender == subject_gender


def window_clashes(session: Session, window: WeeklyWindow) -> bool:
    return session.weekday == window.weekday and session.start < window.end and window.start < session.end


def curfew_intervals(curfew: DailyWindow) -> tuple[tuple[int, int], ...]:
    """The curfew as same-day intervals: 21:00-07:00 becomes 00:00-07:00 and 21:00-24:00."""
    if curfew.start < curfew.end:
        return ((curfew.start, curfew.end),)
    if curfew.start > curfew.end:
        return ((0, curfew.end), (curfew.start, MINUTES_PER_DAY))
    return ()


def curfew_clashes(session: Session, curfew: DailyWindow) -> bool:
    return any(session.start < end and start < session.end for start, end in curfew_intervals(curfew))


def venue_distance(venue: Venue, profile: SubjectProfile) -> float:
    return explain.distance_m(venue.easting, venue.northing, profile.easting, profile.northing)


def programme_findings(
    programme: Programme, context: MatchContext, codes: Collection[str] = PROGRAMME_CODES
) -> list[Finding]:
    findings: list[Finding] = []
    for code in PROGRAMME_CODES:
        if code in codes:
            findings.extend((code, sentence) for sentence in _PROGRAMME_CHECKS[code](programme, context))
    return findings


def _approval(programme: Programme, context: MatchContext) -> list[str]:
    return [] if programme.organisation_approved else [explain.approval_sentence(programme)]


def _status(programme: Programme, context: MatchContext) -> list[str]:
    return [] if programme.status == "active" else [explain.inactive_sentence(programme)]


def _validity(programme: Programme, context: MatchContext) -> list[str]:
    if dates_overlap(programme.valid_from, programme.valid_to, context.date_from, context.date_to):
        return []
    return [explain.programme_dates_sentence(programme, context.date_from, context.date_to)]


def _age(programme: Programme, context: MatchContext) -> list[str]:
    if programme.min_age <= context.profile.age <= programme.max_age:
        return []
    return [explain.age_sentence(programme, context.profile)]


def _gender(programme: Programme, context: MatchContext) -> list[str]:
    if gender_allowed(programme.gender, context.profile.gender):
        return []
    return [explain.gender_sentence(programme, context.profile)]


def _residence(programme: Programme, context: MatchContext) -> list[str]:
    rule = programme.residence
    if rule is None or residence.lives_in(rule, context.profile):
        return []
    return [explain.residence_sentence(rule, context.profile)]


_PROGRAMME_CHECKS = {
    "organisation_not_approved": _approval,
    "programme_inactive": _status,
    "not_valid_in_range": _validity,
    "age": _age,
    "gender": _gender,
    "residence": _residence,
}


def session_findings(
    programme: Programme,
    session: Session,
    venue: Venue,
    context: MatchContext,
    codes: Collection[str] = SESSION_CODES,
) -> list[Finding]:
    findings: list[Finding] = []
    for code in SESSION_CODES:
        if code in codes:
            findings.extend((code, sentence) for sentence in _SESSION_CHECKS[code](programme, session, venue, context))
    return findings


def _term(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    if dates_overlap(session.term_start, session.term_end, context.date_from, context.date_to):
        return []
    return [explain.term_sentence(session, context.date_from, context.date_to)]


def _commitments(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    windows = context.profile.commitments
    return [explain.window_clash_sentence(session, w) for w in windows if window_clashes(session, w)]


def _observances(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    windows = context.profile.observances
    return [explain.window_clash_sentence(session, w) for w in windows if window_clashes(session, w)]


def _curfew(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    curfew = context.profile.curfew
    if curfew is None or not curfew_clashes(session, curfew):
        return []
    return [explain.curfew_sentence(session, curfew)]


def _zones(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    sentences = []
    for zone in context.profile.exclusion_zones:
        metres = explain.distance_m(venue.easting, venue.northing, zone.easting, zone.northing)
        if metres <= zone.radius_m:
            sentences.append(explain.zone_sentence(venue, zone, metres))
    return sentences


def _non_associates(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    return [explain.NON_ASSOCIATE_SENTENCE] if session.id in context.blocked_session_ids else []


def _too_far(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    limit = context.profile.max_travel_m
    metres = venue_distance(venue, context.profile)
    if limit is None or metres <= limit:
        return []
    return [explain.too_far_sentence(venue, metres, limit)]


def _full(programme: Programme, session: Session, venue: Venue, context: MatchContext) -> list[str]:
    taken = context.taken.get(session.id, 0)
    if taken < programme.capacity:
        return []
    return [explain.full_sentence(session, taken, programme.capacity)]


_SESSION_CHECKS = {
    "not_valid_in_range": _term,
    "commitment_clash": _commitments,
    "observance_clash": _observances,
    "curfew_clash": _curfew,
    "exclusion_zone": _zones,
    "non_associate": _non_associates,
    "too_far": _too_far,
    "full": _full,
}
