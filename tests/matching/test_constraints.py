"""One test per hard constraint: the breaking session is never suggested and the reason reads as specified."""

from datetime import date

import pytest

from matching.model import Enrolment, ExclusionZone, MatchFilters, WeeklyWindow
from tests.matching.builders import (
    HOME,
    curfew,
    match_both,
    profile,
    programme,
    programme_at,
    reasons_of,
    session,
    suggested_ids,
    venue,
)


def test_a_programme_meeting_every_rule_is_suggested():
    result = match_both(profile(), [programme()])
    assert suggested_ids(result) == [1]
    assert result.exclusions == () and result.excluded_total == 0


def test_age_outside_the_range():
    result = match_both(profile(age=15), [programme(min_age=16, max_age=18)])
    assert suggested_ids(result) == []
    assert reasons_of(result, 1) == [("age", "Ages 16–18; subject is 15")]


@pytest.mark.parametrize("age", [12, 18])
def test_age_limits_are_inclusive(age):
    assert suggested_ids(match_both(profile(age=age), [programme(min_age=12, max_age=18)])) == [1]


@pytest.mark.parametrize(
    ("offered", "gender", "allowed"),
    [("female", "male", False), ("male", "male", True), ("male", "other", False), ("any", "other", True)],
)
def test_gender(offered, gender, allowed):
    result = match_both(profile(gender=gender), [programme(gender=offered)])
    assert (suggested_ids(result) == [1]) is allowed
    if not allowed:
        assert reasons_of(result, 1) == [
            ("gender", f"For {offered} participants only; subject's gender is recorded as {gender}")
        ]


def test_unapproved_organisation():
    result = match_both(profile(), [programme(organisation_approved=False)])
    assert reasons_of(result, 1) == [("organisation_not_approved", "Bow Youth Trust is not an approved organisation")]


@pytest.mark.parametrize("status", ["paused", "archived"])
def test_inactive_programme(status):
    result = match_both(profile(), [programme(status=status)])
    assert reasons_of(result, 1) == [("programme_inactive", f"Programme is {status}")]


def test_programme_validity_before_the_range():
    result = match_both(profile(), [programme(valid_from=date(2025, 1, 1), valid_to=date(2025, 11, 23))])
    assert reasons_of(result, 1) == [
        ("not_valid_in_range", "Programme runs 1 Jan 2025 to 23 Nov 2025, outside 24 Nov 2025 to 22 Dec 2025")
    ]


def test_programme_starting_on_the_last_day_is_valid():
    assert suggested_ids(match_both(profile(), [programme(valid_from=date(2025, 12, 22))])) == [1]


def test_session_term_outside_the_range():
    late_term = session(term_start=date(2026, 1, 5), term_end=date(2026, 3, 27))
    result = match_both(profile(), [programme(sessions=(late_term,))])
    assert reasons_of(result, 1) == [
        (
            "not_valid_in_range",
            "Tuesday 16:30–18:00 term runs 5 Jan 2026 to 27 Mar 2026, outside 24 Nov 2025 to 22 Dec 2025",
        )
    ]


def test_commitment_clash():
    result = match_both(profile(), [programme(sessions=(session(weekday=1, start=900, end=990),))])
    assert reasons_of(result, 1) == [
        ("commitment_clash", "Tuesday 15:00–16:30 clashes with school (Tuesday 08:40–15:30)")
    ]


def test_a_session_starting_as_school_ends_does_not_clash():
    assert suggested_ids(match_both(profile(), [programme(sessions=(session(start=930, end=1020),))])) == [1]


def test_observance_clash():
    prayers = WeeklyWindow(4, 750, 840, "observance", "Friday prayers")
    friday = session(weekday=4, start=780, end=870)
    result = match_both(profile(commitments=(), observances=(prayers,)), [programme(sessions=(friday,))])
    assert reasons_of(result, 1) == [
        ("observance_clash", "Friday 13:00–14:30 clashes with Friday prayers (Friday 12:30–14:00)")
    ]


def test_curfew_clash_before_midnight():
    evening = session(weekday=0, start=1200, end=1320)
    result = match_both(profile(curfew=curfew(1260, 420)), [programme(sessions=(evening,))])
    assert reasons_of(result, 1) == [("curfew_clash", "Monday 20:00–22:00 runs into the curfew (21:00–07:00)")]


def test_curfew_crossing_midnight_covers_the_early_morning():
    morning = session(weekday=5, start=390, end=480)
    result = match_both(profile(curfew=curfew(1260, 420)), [programme(sessions=(morning,))])
    assert [code for code, _ in reasons_of(result, 1)] == ["curfew_clash"]


@pytest.mark.parametrize(("start", "end"), [(1140, 1260), (420, 500)])
def test_sessions_touching_the_curfew_are_allowed(start, end):
    result = match_both(profile(curfew=curfew(1260, 420)), [programme(sessions=(session(start=start, end=end),))])
    assert suggested_ids(result) == [1]


def test_same_day_curfew():
    result = match_both(profile(curfew=curfew(1080, 1200)), [programme(sessions=(session(start=1020, end=1110),))])
    assert [code for code, _ in reasons_of(result, 1)] == ["curfew_clash"]


def test_exclusion_zone():
    zone = ExclusionZone("Whitechapel Road area", HOME[0] + 500.0 + 350.0, HOME[1], 800.0)
    result = match_both(profile(exclusion_zones=(zone,)), [programme()])
    assert reasons_of(result, 1) == [
        (
            "exclusion_zone",
            "Venue Bow Boxing Club (E3 2AA) is 350 m from the centre of Whitechapel Road area, inside its 800 m radius",
        )
    ]


def test_a_venue_exactly_on_the_zone_edge_is_inside():
    on_edge = ExclusionZone("Market area", HOME[0] + 500.0, HOME[1] + 800.0, 800.0)
    result = match_both(profile(exclusion_zones=(on_edge,)), [programme()])
    assert [code for code, _ in reasons_of(result, 1)] == ["exclusion_zone"]


def test_a_venue_just_outside_the_zone_is_allowed():
    outside = ExclusionZone("Market area", HOME[0] + 500.0, HOME[1] + 800.5, 800.0)
    assert suggested_ids(match_both(profile(exclusion_zones=(outside,)), [programme()])) == [1]


def test_non_associate_never_named():
    enrolments = [Enrolment(subject_id=4242, session_id=1)]
    result = match_both(profile(non_associates=(4242,)), [programme()], enrolments)
    assert reasons_of(result, 1) == [
        ("non_associate", "A person the subject must not associate with is referred to this session")
    ]
    assert "4242" not in repr(result.exclusions)


def test_other_subjects_do_not_block():
    enrolments = [Enrolment(subject_id=7, session_id=1)]
    assert suggested_ids(match_both(profile(non_associates=(4242,)), [programme()], enrolments)) == [1]


def test_full_session():
    enrolments = [Enrolment(7, 1), Enrolment(8, 1)]
    result = match_both(profile(), [programme(capacity=2)], enrolments)
    assert reasons_of(result, 1) == [("full", "Tuesday 16:30–18:00 is full (2 of 2 places taken)")]


def test_referrals_awaiting_the_partner_do_not_take_places():
    enrolments = [Enrolment(7, 1, holds_place=False), Enrolment(8, 1, holds_place=False)]
    assert suggested_ids(match_both(profile(), [programme(capacity=2)], enrolments)) == [1]


def test_a_non_associate_awaiting_the_partner_still_blocks_the_session():
    enrolments = [Enrolment(4242, 1, holds_place=False)]
    result = match_both(profile(non_associates=(4242,)), [programme()], enrolments)
    assert [code for code, _ in reasons_of(result, 1)] == ["non_associate"]


def test_the_subjects_own_place_does_not_make_a_session_full():
    enrolments = [Enrolment(7, 1), Enrolment(100, 1)]
    assert suggested_ids(match_both(profile(), [programme(capacity=2)], enrolments)) == [1]


def test_too_far():
    far = venue(easting=HOME[0] + 6000.0)
    result = match_both(profile(max_travel_m=5000.0), [programme(venues=(far,))])
    assert reasons_of(result, 1) == [
        ("too_far", "Venue Bow Boxing Club (E3 2AA) is 6.0 km from home, beyond the 5.0 km travel limit")
    ]


def test_no_travel_limit():
    far = venue(easting=HOME[0] + 60_000.0)
    assert suggested_ids(match_both(profile(max_travel_m=None), [programme(venues=(far,))])) == [1]


def test_only_feasible_sessions_are_listed():
    clash = session(id=1, weekday=2, start=900, end=960)
    fine = session(id=2, weekday=3, start=1000, end=1060)
    result = match_both(profile(), [programme(sessions=(clash, fine))])
    assert [s.session_id for s in result.suggestions[0].sessions] == [2]


def test_programme_without_sessions_is_excluded():
    result = match_both(profile(), [programme(sessions=())])
    assert reasons_of(result, 1) == [("no_sessions", "No weekly sessions are listed")]
    assert result.exclusions[0].distance_m is None


def test_reasons_are_distinct_and_most_decisive_first():
    sessions = (
        session(id=1, weekday=0, start=900, end=960),
        session(id=2, weekday=1, start=900, end=960),
        session(id=3, weekday=1, start=1260, end=1320),
    )
    result = match_both(profile(age=11, curfew=curfew(1260, 420)), [programme(sessions=sessions)])
    exclusion = result.exclusions[0]
    assert [r.code for r in exclusion.reasons] == ["age", "commitment_clash", "commitment_clash", "curfew_clash"]
    assert exclusion.reasons[0].session_ids == (1, 2, 3)
    assert len({r.sentence for r in exclusion.reasons}) == len(exclusion.reasons)


def test_many_exclusions_list_only_nearby_ones_and_total_the_rest():
    programmes = [programme_at(i, 1000.0 * i, min_age=17) for i in range(1, 7)]
    programmes.append(programme_at(20, 20_000.0, gender="female"))
    result = match_both(profile(max_travel_m=None), programmes, exclusion_limit=3)
    assert [e.programme_id for e in result.exclusions] == [1, 2, 3]
    assert result.excluded_total == 7
    assert result.other_exclusion_totals == {"age": 3, "gender": 1}


def test_few_exclusions_are_all_listed_even_far_away():
    result = match_both(profile(max_travel_m=None), [programme_at(1, 50_000.0, min_age=17)])
    assert [e.programme_id for e in result.exclusions] == [1]
    assert result.exclusions[0].distance_m == pytest.approx(50_000.0)


def test_filters_narrow_what_is_shown_without_excluding():
    football = programme_at(2, 800.0, activity_types=("football",), tags=())
    friday = programme_at(3, 900.0, sessions=(session(id=30, venue_id=3, weekday=4),))
    far = programme_at(4, 4000.0)
    programmes = [programme(), football, friday, far]
    assert suggested_ids(match_both(profile(), programmes, filters=MatchFilters(activity_type="sport"))) == [1, 2, 3, 4]
    assert suggested_ids(match_both(profile(), programmes, filters=MatchFilters(activity_type="football"))) == [2]
    assert suggested_ids(match_both(profile(), programmes, filters=MatchFilters(weekday=4))) == [3]
    narrowed = match_both(profile(), programmes, filters=MatchFilters(max_distance_m=1000.0))
    assert sorted(suggested_ids(narrowed)) == [1, 2, 3]
    assert narrowed.excluded_total == 0
