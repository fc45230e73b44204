"""Checks a draft Knife Crime Prevention Order against the Act (OWA 2019 Part 2) and local policy.

Every rule is a function `(order, policy) -> list[Problem]` with its own reason code, so one page can list every
problem at once. Dates follow s.23: the order has effect from its start for `duration_months` months, the start day
counting as the first day, so it ends on the corresponding date of the day before the start (`period_end`): a
12-month order from 1 March 2026 ends on 28 February 2027, which is also where s.26's "first year" ends.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

from portal.rules.dates import add_months, period_end
from portal.rules.orders.facts import (
    WEEKDAY_NAMES,
    OrderFacts,
    Policy,
    ProhibitionFacts,
    RequirementFacts,
    WindowFacts,
    format_date,
)
from portal.rules.orders.wording import prohibition_label, requirement_label, session_label, session_time, time_range

QUALIFYING_LOCATIONS = frozenset({"public-place", "school-premises", "further-education"})
CONFIRMED_REFERRAL_STATES = frozenset({"accepted", "active"})
ALWAYS_WARNINGS = frozenset({"start_on_release", "requirement_ends_before_order"})
MINUTES_PER_DAY = 24 * 60
REVIEW_WINDOW_DAYS = 28  # s.26: the last four weeks of the first year
START_ON_RELEASE_MESSAGE = "Start on release: dates will be fixed when the release date is known"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None  # the order-form field to fix
    requirement_id: int | None = None
    prohibition_id: int | None = None


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    start: date | None
    end: date | None
    age_at_start: int | None
    review_window: tuple[date, date] | None
    extra_reviews: tuple[date, ...]

    @property
    def ready_for_court(self) -> bool:
        return not self.problems


Rule = Callable[[OrderFacts, Policy], list[Problem]]
DEFAULT_POLICY = Policy()


def _and_list(names: list[str]) -> str:
    """'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- the subject ---------------------------------------------------------------------------------------------


def _age_phrase(order: OrderFacts) -> str:
    day = order.making_date
    when = "today" if order.start is None else "on the start date"
    return f"The subject is {order.subject_age_on(day)} {when} ({format_date(day)})"


def _under_18_when_applying(order: OrderFacts) -> bool:
    """s.20 and the 2020 Rules look at the application, so the earlier of filing (today) and the start counts."""
    return order.subject_age_on(min(order.today, order.making_date)) < 18


def check_too_young(order: OrderFacts, policy: Policy) -> list[Problem]:
    if order.subject_age_on(order.making_date) >= 12:
        return []
    message = f"{_age_phrase(order)}; a KCPO can only be made for someone aged 12 or over"
    return [Problem("too_young", message, field="subject_date_of_birth")]


def check_under_18_positive_requirement(order: OrderFacts, policy: Policy) -> list[Problem]:
    if order.requirements or order.subject_age_on(order.making_date) >= 18:
        return []
    message = (
        f"{_age_phrase(order)}, so the order must include at least one positive requirement, not only prohibitions"
    )
    return [Problem("under_18_no_positive_requirement", message, field="requirements")]


def check_under_18_yot(order: OrderFacts, policy: Policy) -> list[Problem]:
    if not _under_18_when_applying(order):
        return []
    parts = {
        "yot_team": ("the youth offending team", order.yot_team.strip()),
        "yot_consulted_on": ("the date consulted", order.yot_consulted_on),
        "yot_outcome": ("the outcome", order.yot_outcome.strip()),
    }
    missing = [field for field, (_, value) in parts.items() if not value]
    if not missing:
        return []
    names = _and_list([parts[field][0] for field in missing])
    message = f"The subject is under 18, so the youth offending team must be consulted before applying: record {names}"
    return [Problem("under_18_no_yot", message, field=missing[0])]


def check_under_18_guardian(order: OrderFacts, policy: Policy) -> list[Problem]:
    if not _under_18_when_applying(order) or order.guardian_name.strip() or order.guardian_absent_reason.strip():
        return []
    message = "The subject is under 18: name a parent or guardian, or give the reason none is named"
    return [Problem("under_18_no_guardian", message, field="guardian_name")]


# --- the application -----------------------------------------------------------------------------------------


def check_duration(order: OrderFacts, policy: Policy) -> list[Problem]:
    if policy.min_months <= order.duration_months <= policy.max_months:
        return []
    message = (
        f"The order is {order.duration_months} months long; it must last between {policy.min_months} and "
        f"{policy.max_months} months"
    )
    return [Problem("duration", message, field="duration_months")]


def check_missing_details(order: OrderFacts, policy: Policy) -> list[Problem]:
    required = {
        "applicant": ("the applicant", order.applicant.strip()),
        "court": ("the court", order.court.strip()),
        "necessity_statement": ("the necessity statement", order.necessity_statement.strip()),
        "proposed_start": (
            "the start date (or choose start on release)",
            order.start_on_release or order.proposed_start,
        ),
        "route": ("the route (s.14 application or s.19 on conviction)", order.route in {"s14", "s19"}),
    }
    return [
        Problem("missing_details", f"Add {name}", field=field) for field, (name, value) in required.items() if not value
    ]


def _qualifying_occasion_earliest(order: OrderFacts) -> date:
    """The first day of the 2 years ending with the day the order is made (s.14(3))."""
    return add_months(order.making_date, -24) + timedelta(days=1)


def _commencement(order: OrderFacts) -> date | None:
    area = order.police_area.strip().casefold()
    starts = [basis.valid_from for basis in order.legal_bases if basis.police_area.strip().casefold() == area]
    return min(starts, default=None)


def check_s14_occasions(order: OrderFacts, policy: Policy) -> list[Problem]:
    if order.route != "s14":
        return []
    earliest, latest, commencement = _qualifying_occasion_earliest(order), order.making_date, _commencement(order)
    qualifying = [
        occasion
        for occasion in order.occasions
        if earliest <= occasion.occurred_on <= latest
        and occasion.location_type in QUALIFYING_LOCATIONS
        and (commencement is None or occasion.occurred_on >= commencement)
    ]
    if len(qualifying) >= 2:
        return []
    in_force = f", on or after the power came into force ({format_date(commencement)})" if commencement else ""
    verb = "qualifies" if len(qualifying) == 1 else "qualify"
    message = (
        f"A s.14 order needs at least 2 occasions of having a bladed article in a public place, on school premises "
        f"or on further-education premises between {format_date(earliest)} and {format_date(latest)}{in_force}; "
        f"{len(qualifying)} of the {len(order.occasions)} recorded occasions {verb}"
    )
    return [Problem("s14_occasions", message, field="occasions")]


def check_s19_conviction(order: OrderFacts, policy: Policy) -> list[Problem]:
    if order.route != "s19":
        return []
    details = {
        "conviction_offence": ("the offence", order.conviction_offence.strip()),
        "conviction_date": ("the date of conviction", order.conviction_date),
        "sentence": ("the sentence or discharge", order.sentence.strip()),
    }
    missing = [field for field, (_, value) in details.items() if not value]
    if not missing:
        return []
    names = _and_list([details[field][0] for field in missing])
    message = f"An order on conviction (s.19) is made in addition to a sentence: record {names}"
    return [Problem("s19_conviction", message, field=missing[0])]


def check_power_in_force(order: OrderFacts, policy: Policy) -> list[Problem]:
    day, area = order.making_date, order.police_area.strip().casefold()
    for basis in order.legal_bases:
        in_area = basis.police_area.strip().casefold() == area
        if in_area and basis.valid_from <= day and (basis.valid_to is None or day <= basis.valid_to):
            return []
    message = (
        f"The KCPO power is not recorded as in force in {order.police_area} on {format_date(day)}: the order cannot "
        f"go to court until an administrator records the commencement for this area in the legal basis table"
    )
    return [Problem("power_not_in_force", message, field="police_area")]


def check_start_on_release(order: OrderFacts, policy: Policy) -> list[Problem]:
    return (
        [Problem("start_on_release", START_ON_RELEASE_MESSAGE, field="start_on_release")]
        if order.start_on_release and order.start is None
        else []
    )


# --- each term's own period ----------------------------------------------------------------------------------


def _outside_order(order: OrderFacts, starts_on: date | None, ends_on: date | None) -> str | None:
    """Why a term's own dates do not fit the order, or None when they fit (or cannot be checked yet)."""
    if starts_on and ends_on and starts_on > ends_on:
        return f"starts on {format_date(starts_on)}, after it ends on {format_date(ends_on)}"
    start, end = order.start, order.end
    if start is None or end is None:
        return None
    own_start, own_end = starts_on or start, ends_on or end
    if start <= own_start <= own_end <= end:
        return None
    return (
        f"runs from {format_date(own_start)} until {format_date(own_end)}, outside the order period "
        f"({format_date(start)} to {format_date(end)})"
    )


def check_requirements_inside_order(order: OrderFacts, policy: Policy) -> list[Problem]:
    problems = []
    for requirement in order.requirements:
        reason = _outside_order(order, requirement.starts_on, requirement.ends_on)
        if reason:
            message = f"The requirement {requirement_label(requirement)} {reason}"
            problems.append(Problem("requirement_outside_order", message, requirement_id=requirement.id))
    return problems


def _programme_misfits(order: OrderFacts, requirement: RequirementFacts) -> list[str]:
    """Why the programme cannot carry the requirement over its days in the order's period (none when it can)."""
    programme = requirement.programme
    start, end = order.period.term(requirement.starts_on, requirement.ends_on)
    if programme is None or start is None or end is None:
        return []
    reasons = []
    age = order.subject_age_on(start)
    if not programme.min_age <= age <= programme.max_age:
        reasons.append(
            f"the subject would be {age} when it starts, and {programme.title} takes ages "
            f"{programme.min_age} to {programme.max_age}"
        )
    if programme.first_day > start:
        reasons.append(f"its sessions begin on {format_date(programme.first_day)}")
    last_day = programme.last_day
    if last_day is not None and (last_day < start or (requirement.ends_on and last_day < requirement.ends_on)):
        reasons.append(f"its sessions end on {format_date(last_day)}")
    return reasons


def _term_dates(order: OrderFacts, requirement: RequirementFacts) -> str:
    start, end = order.period.term(requirement.starts_on, requirement.ends_on)
    return f"{format_date(start)} to {format_date(end)}"  # type: ignore[arg-type]


def check_requirements_fit_programmes(order: OrderFacts, policy: Policy) -> list[Problem]:
    """Re-run whenever the period changes: each requirement must still fit its programme on the order's dates."""
    problems = []
    for requirement in order.requirements:
        reasons = _programme_misfits(order, requirement)
        if reasons:
            message = (
                f"The requirement {requirement_label(requirement)} no longer fits the order's dates "
                f"({_term_dates(order, requirement)}): {_and_list(reasons)}"
            )
            problems.append(Problem("requirement_outside_programme", message, requirement_id=requirement.id))
        elif _ends_with_its_programme(order, requirement):
            message = (
                f"The sessions of {requirement_label(requirement)} end on "
                f"{format_date(requirement.programme.last_day)}, before the order does: give the requirement "  # type: ignore[union-attr, arg-type]
                f"its own end date, or the court will be asked to require sessions that do not run"
            )
            problems.append(Problem("requirement_ends_before_order", message, requirement_id=requirement.id))
    return problems


def _ends_with_its_programme(order: OrderFacts, requirement: RequirementFacts) -> bool:
    last_day, end = requirement.programme and requirement.programme.last_day, order.end
    return requirement.ends_on is None and bool(last_day) and end is not None and last_day < end  # type: ignore[operator]


def check_prohibitions_inside_order(order: OrderFacts, policy: Policy) -> list[Problem]:
    problems = []
    for prohibition in order.prohibitions:
        reason = _outside_order(order, prohibition.starts_on, prohibition.ends_on)
        if reason:
            message = f"The prohibition “{prohibition_label(prohibition)}” {reason}"
            problems.append(Problem("prohibition_outside_order", message, prohibition_id=prohibition.id))
    return problems


# --- requirements against each other and the subject's life ---------------------------------------------------


def _times_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Strict overlap: one session ending as another starts is fine."""
    return a_start < b_end and b_start < a_end


def _periods_meet(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    """Whether two date ranges share a day; a missing end means the order's own, shared, end."""
    return (a_from is None or b_to is None or a_from <= b_to) and (b_from is None or a_to is None or b_from <= a_to)


def _same_day(a: int | None, b: int | None) -> bool:
    return a is None or b is None or a == b


def _distance_m(a_easting: float, a_northing: float, b_easting: float, b_northing: float) -> float:
    return math.hypot(a_easting - b_easting, a_northing - b_northing)


def _venue_distance_m(a: RequirementFacts, b: RequirementFacts) -> float | None:
    if None in (a.easting, a.northing, b.easting, b.northing):
        return None
    return _distance_m(a.easting, a.northing, b.easting, b.northing)


def _same_venue(a: RequirementFacts, b: RequirementFacts, distance_m: float | None) -> bool:
    if distance_m is not None:
        return distance_m == 0
    return (a.place_name.strip().casefold(), a.place_postcode.strip().casefold()) == (
        b.place_name.strip().casefold(),
        b.place_postcode.strip().casefold(),
    )


def _travel_minutes(distance_m: float | None, policy: Policy) -> float:
    """Time to get between two different venues; only the buffer when the distance is unknown."""
    riding = 0.0 if distance_m is None else distance_m / 1000 / policy.travel_speed_kmh * 60
    return riding + policy.travel_buffer_minutes


def _pair_conflict(a: RequirementFacts, b: RequirementFacts, policy: Policy) -> str | None:
    if not _same_day(a.weekday, b.weekday) or not _periods_meet(a.starts_on, a.ends_on, b.starts_on, b.ends_on):
        return None
    if _times_overlap(a.start, a.end, b.start, b.end):
        return f"{session_label(a)} overlaps {session_label(b)}"
    distance_m = _venue_distance_m(a, b)
    if _same_venue(a, b, distance_m):
        return None
    gap, needed = max(b.start - a.end, a.start - b.end), _travel_minutes(distance_m, policy)
    if gap >= needed:
        return None
    distance = "" if distance_m is None else f" ({distance_m / 1000:.1f} km)"
    return (
        f"{session_label(a)} and {session_label(b)} leave {gap} minutes to travel between venues{distance}; "
        f"allow at least {math.ceil(needed)} minutes"
    )


def check_requirements_overlap(order: OrderFacts, policy: Policy) -> list[Problem]:
    problems = []
    for a, b in combinations(order.requirements, 2):
        conflict = _pair_conflict(a, b, policy)
        if conflict:
            problems.append(Problem("requirements_overlap", conflict, requirement_id=a.id))
    return problems


def _window_name(window: WindowFacts) -> str:
    if window.kind == "observance":
        return f"religious observance: {window.label}" if window.label else "religious observance"
    return window.kind


def check_windows(order: OrderFacts, policy: Policy) -> list[Problem]:
    problems = []
    for requirement in order.requirements:
        for window in order.subject_windows:
            if not _same_day(requirement.weekday, window.weekday):
                continue
            if not _times_overlap(requirement.start, requirement.end, window.start, window.end):
                continue
            code = "clash_observance" if window.kind == "observance" else "clash_commitment"
            when = f"{WEEKDAY_NAMES[window.weekday]} {time_range(window.start, window.end)}"
            message = f"{session_label(requirement)} clashes with {_window_name(window)} ({when})"
            problems.append(Problem(code, message, requirement_id=requirement.id))
    return problems


def _curfew_spans(curfew: tuple[int, int]) -> list[tuple[int, int]]:
    """A curfew such as 21:00–07:00 crosses midnight, so it covers two spans of each day."""
    start, end = curfew
    if start < end:
        return [(start, end)]
    return [(start, MINUTES_PER_DAY), (0, end)] if start > end else []


def check_curfew(order: OrderFacts, policy: Policy) -> list[Problem]:
    if order.curfew is None:
        return []
    spans = _curfew_spans(order.curfew)
    return [
        Problem(
            "clash_curfew",
            f"{session_label(r)} clashes with the curfew ({time_range(*order.curfew)})",
            requirement_id=r.id,
        )
        for r in order.requirements
        if any(_times_overlap(r.start, r.end, span_start, span_end) for span_start, span_end in spans)
    ]


# --- requirements against prohibitions -----------------------------------------------------------------------


def _distance_from_zone_centre(requirement: RequirementFacts, prohibition: ProhibitionFacts) -> float | None:
    """The venue's distance from a place prohibition's centre, or None when either has no grid reference."""
    if prohibition.kind != "place" or prohibition.radius_m is None:
        return None
    points = (requirement.easting, requirement.northing, prohibition.easting, prohibition.northing)
    if None in points:
        return None
    return _distance_m(*points)


def _venue_in_zone(requirement: RequirementFacts, prohibition: ProhibitionFacts) -> str | None:
    distance_m = _distance_from_zone_centre(requirement, prohibition)
    if distance_m is None or distance_m > prohibition.radius_m:
        return None
    if not _periods_meet(requirement.starts_on, requirement.ends_on, prohibition.starts_on, prohibition.ends_on):
        return None
    return (
        f"The venue for {session_label(requirement)} is {distance_m:,.0f} metres from the centre of the "
        f"prohibited area “{prohibition_label(prohibition)}” (radius {prohibition.radius_m:,.0f} metres); "
        f"choose another venue or ask the court for an exception"
    )


def check_venues_outside_prohibited_places(order: OrderFacts, policy: Policy) -> list[Problem]:
    return [
        Problem("venue_in_prohibited_place", message, requirement_id=requirement.id, prohibition_id=prohibition.id)
        for requirement in order.requirements
        for prohibition in order.prohibitions
        if (message := _venue_in_zone(requirement, prohibition))
    ]


def _people_to_avoid(order: OrderFacts) -> set[int]:
    named = {p.person_subject_id for p in order.prohibitions if p.kind == "person" and p.person_subject_id is not None}
    return named | set(order.non_associate_ids)


def check_prohibited_people_in_sessions(order: OrderFacts, policy: Policy) -> list[Problem]:
    avoid = _people_to_avoid(order)
    problems = []
    for requirement in order.requirements:
        count = len(avoid & set(requirement.co_attendee_subject_ids))
        if not count:
            continue
        # Never name them: the other person is another subject, and this message is shown wherever the draft is.
        who = (
            "A person the subject must not associate with is"
            if count == 1
            else f"{count} people the subject must not associate with are"
        )
        message = f"{who} referred to the {session_time(requirement)} session at {requirement.place_name}"
        problems.append(Problem("prohibited_person_in_session", message, requirement_id=requirement.id))
    return problems


# --- supervision and necessity -------------------------------------------------------------------------------


def _supervision_state(requirement: RequirementFacts) -> str | None:
    """Why nobody at a partner has yet confirmed they can supervise this requirement, or None when they have."""
    status = requirement.referral_status
    if status in CONFIRMED_REFERRAL_STATES:
        return None if requirement.confirmed_by else "was accepted but nobody at the partner is recorded as confirming"
    states = {
        None: "was added by hand and has no partner referral",
        "sent": "is awaiting the partner (referral sent)",
        "viewed": "is awaiting the partner (referral viewed)",
        "declined": "was declined by the partner",
        "withdrawn": "has a withdrawn referral",
        "completed": "has a referral already marked completed",
    }
    return states.get(status, f"has a referral in state “{status}”")


def check_supervisors_confirmed(order: OrderFacts, policy: Policy) -> list[Problem]:
    problems = []
    for requirement in order.requirements:
        state = _supervision_state(requirement)
        if state:
            message = (
                f"The requirement {requirement_label(requirement)} {state}: the supervisor must confirm it is "
                f"suitable and enforceable before it goes to court"
            )
            problems.append(Problem("supervisor_not_confirmed", message, requirement_id=requirement.id))
    return problems


def check_necessity_rationales(order: OrderFacts, policy: Policy) -> list[Problem]:
    return [
        Problem(
            "necessity_rationale_missing",
            f"Explain why the requirement {requirement_label(r)} is necessary",
            requirement_id=r.id,
        )
        for r in order.requirements
        if not r.necessity_rationale.strip()
    ]


RULES: tuple[Rule, ...] = (
    check_missing_details,
    check_start_on_release,
    check_power_in_force,
    check_too_young,
    check_under_18_positive_requirement,
    check_under_18_yot,
    check_under_18_guardian,
    check_duration,
    check_s14_occasions,
    check_s19_conviction,
    check_requirements_inside_order,
    check_requirements_fit_programmes,
    check_prohibitions_inside_order,
    check_requirements_overlap,
    check_windows,
    check_curfew,
    check_venues_outside_prohibited_places,
    check_prohibited_people_in_sessions,
    check_supervisors_confirmed,
    check_necessity_rationales,
)


# --- reviews (s.26) ------------------------------------------------------------------------------------------


def _term_ends(order: OrderFacts) -> list[date]:
    own_ends = [term.ends_on for term in (*order.requirements, *order.prohibitions) if term.ends_on]
    return [order.end, *own_ends] if order.end else own_ends


def review_window(order: OrderFacts) -> tuple[date, date] | None:
    """The last four weeks of the first year, when any term runs past that year (s.26); None otherwise."""
    return review_window_of(order.start, _term_ends(order))


def review_window_of(start: date | None, term_ends: list[date]) -> tuple[date, date] | None:
    """`review_window` from the order's start and the last days of the order and of each of its own terms (the
    officer's dashboard reads only these, not every fact the checks need)."""
    if start is None:
        return None
    first_year_end = period_end(start, 12)
    if max(term_ends, default=first_year_end) <= first_year_end:
        return None
    return first_year_end - timedelta(days=REVIEW_WINDOW_DAYS - 1), first_year_end


def extra_reviews(order: OrderFacts, policy: Policy, window: tuple[date, date] | None) -> tuple[date, ...]:
    """Local-policy review dates for under-18s, every N months from the start, skipping the mandatory window."""
    every, start, end = policy.under18_review_every_months, order.start, order.end
    if not every or start is None or end is None or order.subject_age_on(start) >= 18:
        return ()
    reviews = (add_months(start, every * step) for step in range(1, order.duration_months // every + 1))
    return tuple(
        review for review in reviews if review <= end and (window is None or not window[0] <= review <= window[1])
    )


def check_order(order: OrderFacts, policy: Policy = DEFAULT_POLICY) -> CheckResult:
    """Every problem (blocking) and warning (never blocking) in a draft order, with its dates and reviews.

    The end is the last day the order has effect: the day before the same day of the month `duration_months` later
    (or that month's last day when it has no such day), as s.23 counts a fixed period from the day it starts.
    """
    findings = [problem for rule in RULES for problem in rule(order, policy)]
    as_warnings = ALWAYS_WARNINGS | policy.reported_as_warnings
    window = review_window(order)
    return CheckResult(
        problems=tuple(p for p in findings if p.code not in as_warnings),
        warnings=tuple(p for p in findings if p.code in as_warnings),
        start=order.start,
        end=order.end,
        age_at_start=None if order.start is None else order.subject_age_on(order.start),
        review_window=window,
        extra_reviews=extra_reviews(order, policy, window),
    )
