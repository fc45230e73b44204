"""Generated catalogues and subjects: nothing suggested breaks a rule, every exclusion is justified, and the
engine agrees with the naive reference."""

import math
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.reference_matcher import reference_match
from matching.catalogue import prepare
from matching.engine import match
from matching.model import (
    DailyWindow,
    Enrolment,
    ExclusionZone,
    MatchFilters,
    Programme,
    Session,
    SubjectProfile,
    Venue,
    WeeklyWindow,
)
from tests.matching.builders import DATE_FROM, DATE_TO, HOME, TODAY

SETTINGS = settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUBJECT_ID = 100
OTHER_SUBJECTS = (1, 2, 3, 4)
DATES = [TODAY + timedelta(days=d) for d in (-400, -30, -1, 0, 10, 28, 29, 90)]
WORDS = ["boxing", "footy", "football", "music", "studio", "chess", "gym", "art", "mentoring", "fotball", "youth"]
TYPES = ["boxing", "football", "sport", "music", "visual-arts", "mentoring", "gym-fitness"]

grid = st.integers(-24, 24).map(lambda k: k * 250.0)
minutes = st.integers(0, 46).map(lambda k: k * 30)


@st.composite
def windows(draw, kind):
    start = draw(minutes)
    end = draw(st.integers(start // 30 + 1, 48).map(lambda k: k * 30))
    return WeeklyWindow(draw(st.integers(0, 6)), start, end, kind, f"{kind} window")


@st.composite
def sessions_for(draw, session_id, venue_ids):
    start = draw(minutes)
    return Session(
        id=session_id,
        venue_id=draw(st.sampled_from(venue_ids)),
        weekday=draw(st.integers(0, 6)),
        start=start,
        end=min(1440, start + draw(st.sampled_from([30, 60, 90, 180]))),
        term_start=draw(st.sampled_from(DATES)),
        term_end=draw(st.none() | st.sampled_from(DATES)),
    )


@st.composite
def programmes(draw, programme_id):
    venue_ids = [programme_id * 10 + k for k in range(draw(st.integers(1, 2)))]
    venues = tuple(Venue(v, f"Venue {v}", "E1 1AA", HOME[0] + draw(grid), HOME[1] + draw(grid)) for v in venue_ids)
    count = draw(st.integers(0, 3))
    sessions = tuple(draw(sessions_for(programme_id * 100 + k, venue_ids)) for k in range(count))
    min_age = draw(st.integers(10, 18))
    valid_from = draw(st.sampled_from(DATES))
    return Programme(
        id=programme_id,
        organisation_id=1,
        organisation_name="Org",
        organisation_approved=draw(st.booleans()),
        status=draw(st.sampled_from(["active", "active", "paused", "archived"])),
        title=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
        description=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=5))),
        activity_types=tuple(draw(st.sets(st.sampled_from(TYPES), max_size=2))),
        tags=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=2))),
        min_age=min_age,
        max_age=min_age + draw(st.integers(0, 6)),
        gender=draw(st.sampled_from(["any", "any", "male", "female"])),
        capacity=draw(st.integers(0, 3)),
        languages=tuple(draw(st.sets(st.sampled_from(["en", "bn", "so"]), max_size=2))),
        provisions=tuple(draw(st.sets(st.sampled_from(["halal-food", "male-staff", "prayer-space"]), max_size=2))),
        valid_from=valid_from,
        valid_to=draw(st.none() | st.sampled_from([d for d in DATES if d >= valid_from])),
        assured_on=draw(st.sampled_from(DATES)),
        venues=venues,
        sessions=sessions,
    )


@st.composite
def profiles(draw):
    zone = st.builds(
        ExclusionZone, st.just("Zone"), grid.map(lambda x: HOME[0] + x), grid.map(lambda y: HOME[1] + y),
        st.sampled_from([250.0, 500.0, 1000.0, 2000.0]),
    )  # fmt: skip
    return SubjectProfile(
        id=SUBJECT_ID,
        age=draw(st.integers(10, 20)),
        gender=draw(st.sampled_from(["male", "female", "other"])),
        easting=HOME[0],
        northing=HOME[1],
        languages=tuple(draw(st.lists(st.sampled_from(["en", "bn", "so", "pl"]), max_size=2, unique=True))),
        interest_activity_types=tuple(draw(st.sets(st.sampled_from(TYPES), max_size=2))),
        interest_text=", ".join(draw(st.lists(st.sampled_from(WORDS + ["MMA", "musik", "boxxing"]), max_size=3))),
        needs=tuple(draw(st.sets(st.sampled_from(["halal-food", "male-staff", "interpreter-available"]), max_size=2))),
        commitments=tuple(draw(st.lists(windows("school"), max_size=3))),
        observances=tuple(draw(st.lists(windows("observance"), max_size=2))),
        curfew=draw(st.none() | st.builds(DailyWindow, minutes, minutes).filter(lambda c: c.start != c.end)),
        exclusion_zones=tuple(draw(st.lists(zone, max_size=2))),
        non_associates=tuple(draw(st.sets(st.sampled_from(OTHER_SUBJECTS), max_size=2))),
        max_travel_m=draw(st.none() | st.sampled_from([1000.0, 2500.0, 4000.0])),
    )


@st.composite
def worlds(draw):
    catalogue = tuple(draw(programmes(i)) for i in range(1, draw(st.integers(1, 7)) + 1))
    session_ids = [s.id for p in catalogue for s in p.sessions] or [0]
    enrolment = st.builds(
        Enrolment, st.sampled_from((*OTHER_SUBJECTS, SUBJECT_ID)), st.sampled_from(session_ids), st.booleans()
    )
    enrolments = draw(st.lists(enrolment, max_size=8))
    filters = draw(
        st.just(MatchFilters())
        | st.builds(MatchFilters, st.none() | st.sampled_from(TYPES), st.none() | st.integers(0, 6),
                    st.none() | st.sampled_from([1000.0, 3000.0]))
    )  # fmt: skip
    return catalogue, tuple(enrolments), draw(profiles()), filters


# ---- an independent statement of the rules, written without looking at matching.rules ----


def overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def in_curfew(subject, s):
    c = subject.curfew
    if c is None:
        return False
    if c.start < c.end:
        return overlaps(s.start, s.end, c.start, c.end)
    return overlaps(s.start, s.end, c.start, 24 * 60) or overlaps(s.start, s.end, 0, c.end)


def programme_violations(subject, p):
    found = set()
    if not p.organisation_approved:
        found.add("organisation_not_approved")
    if p.status != "active":
        found.add("programme_inactive")
    if p.valid_from > DATE_TO or (p.valid_to is not None and p.valid_to < DATE_FROM):
        found.add("not_valid_in_range")
    if subject.age < p.min_age or subject.age > p.max_age:
        found.add("age")
    if p.gender != "any" and p.gender != subject.gender:
        found.add("gender")
    return found


def session_violations(subject, p, s, enrolments):
    v = next(v for v in p.venues if v.id == s.venue_id)
    found = set()
    if s.term_start > DATE_TO or (s.term_end is not None and s.term_end < DATE_FROM):
        found.add("not_valid_in_range")
    if any(w.weekday == s.weekday and overlaps(s.start, s.end, w.start, w.end) for w in subject.commitments):
        found.add("commitment_clash")
    if any(w.weekday == s.weekday and overlaps(s.start, s.end, w.start, w.end) for w in subject.observances):
        found.add("observance_clash")
    if in_curfew(subject, s):
        found.add("curfew_clash")
    if any(math.dist((v.easting, v.northing), (z.easting, z.northing)) <= z.radius_m for z in subject.exclusion_zones):
        found.add("exclusion_zone")
    if any(e.session_id == s.id and e.subject_id in subject.non_associates for e in enrolments):
        found.add("non_associate")
    if (
        sum(1 for e in enrolments if e.session_id == s.id and e.subject_id != subject.id and e.holds_place)
        >= p.capacity
    ):
        found.add("full")
    if subject.max_travel_m is not None and math.dist((v.easting, v.northing), HOME) > subject.max_travel_m:
        found.add("too_far")
    return found


def run(catalogue, enrolments, subject, filters):
    return match(subject, prepare(catalogue), enrolments, DATE_FROM, DATE_TO, TODAY, filters=filters, limit=50)


@SETTINGS
@given(worlds())
def test_no_suggested_session_breaks_a_rule(world):
    catalogue, enrolments, subject, filters = world
    by_id = {p.id: p for p in catalogue}
    for suggestion in run(catalogue, enrolments, subject, filters).suggestions:
        p = by_id[suggestion.programme_id]
        assert programme_violations(subject, p) == set()
        for listed in suggestion.sessions:
            s = next(s for s in p.sessions if s.id == listed.session_id)
            assert session_violations(subject, p, s, enrolments) == set()


@SETTINGS
@given(worlds())
def test_every_exclusion_is_justified_and_complete(world):
    catalogue, enrolments, subject, filters = world
    by_id = {p.id: p for p in catalogue}
    result = run(catalogue, enrolments, subject, filters)
    for exclusion in result.exclusions:
        p = by_id[exclusion.programme_id]
        sessions = {s.id: s for s in p.sessions}
        expected = programme_violations(subject, p) | ({"no_sessions"} if not p.sessions else set())
        for reason in exclusion.reasons:
            for session_id in reason.session_ids:
                broken = programme_violations(subject, p) | session_violations(
                    subject, p, sessions[session_id], enrolments
                )
                assert reason.code in broken
        listed_sessions = {i for r in exclusion.reasons for i in r.session_ids}
        for session_id in listed_sessions:
            expected |= session_violations(subject, p, sessions[session_id], enrolments)
            assert programme_violations(subject, p) | session_violations(subject, p, sessions[session_id], enrolments)
        assert {r.code for r in exclusion.reasons} == expected


@SETTINGS
@given(worlds())
def test_engine_and_reference_agree(world):
    catalogue, enrolments, subject, filters = world
    engine = match(subject, prepare(catalogue), enrolments, DATE_FROM, DATE_TO, TODAY, filters=filters, limit=3,
                   exclusion_limit=2)  # fmt: skip
    reference = reference_match(subject, catalogue, enrolments, DATE_FROM, DATE_TO, TODAY, filters=filters, limit=3,
                                exclusion_limit=2)  # fmt: skip
    assert engine == reference


@SETTINGS
@given(worlds())
def test_every_programme_in_scope_is_either_suggested_or_excluded(world):
    catalogue, enrolments, subject, filters = world
    unfiltered = run(catalogue, enrolments, subject, MatchFilters())
    assert unfiltered.feasible_total + unfiltered.excluded_total == len(catalogue)
    filtered = run(catalogue, enrolments, subject, filters)
    assert filtered.feasible_total + filtered.excluded_total <= len(catalogue)


def test_dates_used_by_the_strategies_straddle_the_range():
    assert min(DATES) < DATE_FROM <= DATE_TO < max(DATES)
    assert date(2025, 11, 24) in DATES
