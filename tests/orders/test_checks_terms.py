"""Each requirement against the order period, the other requirements, the subject's week and the prohibitions."""

from dataclasses import replace
from datetime import date

import pytest

from portal.rules.orders import Policy, check_order
from tests.orders.builders import (
    BOW,
    FRIDAY,
    MONDAY,
    SUNDAY,
    TUESDAY,
    messages,
    mile_end_requirement,
    order,
    person_prohibition,
    place_prohibition,
    problem_codes,
    requirement,
    warning_codes,
)


def with_requirements(*requirements, **changes):
    return check_order(order(requirements=requirements, **changes))


# --- own periods (the order runs from 1 March 2026 to 31 August 2027) ---


def test_a_requirement_starting_before_the_order_is_outside_it():
    result = with_requirements(requirement(starts_on=date(2026, 2, 1)))

    [problem] = result.problems
    assert (problem.code, problem.requirement_id) == ("requirement_outside_order", 1)
    assert problem.message == (
        "The requirement boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club runs from 1 February 2026 until "
        "31 August 2027, outside the order period (1 March 2026 to 31 August 2027)"
    )


def test_a_requirement_ending_after_the_order_is_outside_it():
    assert problem_codes(with_requirements(requirement(ends_on=date(2027, 9, 1)))) == ["requirement_outside_order"]


def test_a_requirement_with_its_own_period_inside_the_order_passes():
    inside = requirement(starts_on=date(2026, 12, 1), ends_on=date(2027, 8, 31))

    assert with_requirements(inside).ready_for_court


def test_a_requirement_that_ends_before_it_starts_fails():
    backwards = requirement(starts_on=date(2027, 1, 1), ends_on=date(2026, 12, 1))

    assert problem_codes(with_requirements(backwards)) == ["requirement_outside_order"]


def test_a_prohibition_ending_after_the_order_is_outside_it():
    result = check_order(order(prohibitions=(place_prohibition(ends_on=date(2027, 9, 1)),)))

    [problem] = result.problems
    assert (problem.code, problem.prohibition_id) == ("prohibition_outside_order", 1)
    assert problem.message.startswith("The prohibition “Whitechapel Road area” runs from 1 March 2026 until")


def test_a_prohibition_ending_on_the_orders_last_day_passes():
    assert check_order(order(prohibitions=(place_prohibition(ends_on=date(2027, 8, 31)),))).ready_for_court


# --- requirements against each other ---


def test_two_requirements_overlapping_on_the_same_day_fail_naming_both():
    result = with_requirements(requirement(), mile_end_requirement(start=18 * 60, end=19 * 60 + 30))

    assert messages(result, "requirements_overlap") == [
        "Tuesday 17:00–19:00 at Bow Boxing Club overlaps Tuesday 18:00–19:30 at Mile End Leisure Centre"
    ]


def test_touching_sessions_at_the_same_venue_pass():
    same_venue = requirement(id=2, activity="fitness", start=19 * 60, end=20 * 60)

    assert with_requirements(requirement(), same_venue).ready_for_court


def test_a_gap_shorter_than_the_travel_time_between_venues_fails():
    result = with_requirements(requirement(), mile_end_requirement(start=19 * 60 + 10, end=20 * 60))

    assert messages(result, "requirements_overlap") == [
        "Tuesday 17:00–19:00 at Bow Boxing Club and Tuesday 19:10–20:00 at Mile End Leisure Centre leave 10 minutes "
        "to travel between venues (3.0 km); allow at least 22 minutes"
    ]


def test_a_gap_exactly_as_long_as_the_travel_time_passes():
    assert with_requirements(requirement(), mile_end_requirement(start=19 * 60 + 22, end=20 * 60)).ready_for_court


def test_the_travel_speed_and_buffer_come_from_policy():
    slow = Policy(travel_speed_kmh=5.0)

    assert "requirements_overlap" in problem_codes(
        check_order(order(requirements=(requirement(), mile_end_requirement())), slow)
    )


def test_without_grid_references_the_buffer_alone_is_required():
    unplaced = mile_end_requirement(easting=None, northing=None, start=19 * 60 + 5)

    assert problem_codes(with_requirements(requirement(), unplaced)) == ["requirements_overlap"]


def test_requirements_on_different_days_never_overlap():
    assert with_requirements(requirement(), mile_end_requirement(weekday=MONDAY, start=17 * 60)).ready_for_court


def test_an_any_day_requirement_overlaps_any_other_at_the_same_time():
    any_day = mile_end_requirement(weekday=None, start=18 * 60, end=19 * 60 + 30)

    assert "requirements_overlap" in problem_codes(with_requirements(requirement(), any_day))


def test_requirements_whose_own_periods_do_not_meet_never_overlap():
    first = requirement(ends_on=date(2026, 6, 30))
    later = mile_end_requirement(starts_on=date(2026, 7, 1), start=17 * 60)

    assert with_requirements(first, later).ready_for_court


# --- school, college, work and observance ---


def test_a_requirement_during_school_hours_clashes():
    result = with_requirements(requirement(start=15 * 60, end=17 * 60))

    assert messages(result, "clash_commitment") == [
        "Tuesday 15:00–17:00 at Bow Boxing Club clashes with school (Tuesday 08:40–15:30)"
    ]
    assert not result.ready_for_court


def test_a_requirement_starting_as_school_ends_passes():
    assert with_requirements(requirement(start=15 * 60 + 30, end=17 * 60)).ready_for_court


def test_an_any_day_requirement_clashes_with_school_on_every_school_day():
    result = with_requirements(requirement(weekday=None, start=12 * 60, end=13 * 60))

    assert problem_codes(result) == ["clash_commitment"] * 5


def test_an_observance_clash_is_a_warning_by_default():
    result = with_requirements(requirement(weekday=SUNDAY, start=11 * 60, end=13 * 60))

    assert result.ready_for_court
    assert messages(result, "clash_observance") == [
        "Sunday 11:00–13:00 at Bow Boxing Club clashes with religious observance: Sunday service (Sunday 10:00–12:00)"
    ]


def test_policy_can_make_an_observance_clash_block():
    policy = Policy(reported_as_warnings=frozenset())

    result = check_order(order(requirements=(requirement(weekday=SUNDAY, start=11 * 60, end=13 * 60),)), policy)

    assert problem_codes(result) == ["clash_observance"]


def test_a_requirement_starting_as_the_observance_ends_passes_without_warning():
    result = with_requirements(requirement(weekday=SUNDAY, start=12 * 60, end=13 * 60))

    assert (result.problems, result.warnings) == ((), ())


def test_checks_grounded_in_statute_cannot_be_demoted_to_warnings():
    with pytest.raises(ValueError, match="duration"):
        Policy(reported_as_warnings=frozenset({"duration"}))


# --- curfew 21:00–07:00, across midnight ---


@pytest.mark.parametrize(("start", "end"), [(20 * 60, 22 * 60), (6 * 60, 8 * 60)])
def test_a_requirement_inside_the_curfew_on_either_side_of_midnight_clashes(start, end):
    result = with_requirements(requirement(weekday=FRIDAY if start > 12 * 60 else TUESDAY, start=start, end=end))

    assert "clash_curfew" in problem_codes(result)


def test_the_curfew_message_names_the_session_and_the_curfew():
    result = with_requirements(requirement(start=20 * 60, end=22 * 60))

    assert messages(result, "clash_curfew") == [
        "Tuesday 20:00–22:00 at Bow Boxing Club clashes with the curfew (21:00–07:00)"
    ]


@pytest.mark.parametrize(("start", "end"), [(19 * 60, 21 * 60), (7 * 60, 8 * 60)])
def test_a_requirement_touching_the_curfew_passes(start, end):
    assert with_requirements(requirement(start=start, end=end)).ready_for_court


def test_a_curfew_within_one_evening_clashes_only_inside_it():
    evening_curfew = (20 * 60, 22 * 60)

    assert "clash_curfew" in problem_codes(
        with_requirements(requirement(start=19 * 60, end=20 * 60 + 30), curfew=evening_curfew)
    )
    assert with_requirements(requirement(start=22 * 60, end=23 * 60), curfew=evening_curfew).ready_for_court


# --- prohibitions ---


def zone_around_bow(radius_m: float):
    # 480 m east and 640 m north: exactly 800 m from Bow Boxing Club.
    return place_prohibition(easting=BOW[0] + 480, northing=BOW[1] + 640, radius_m=radius_m)


def test_a_venue_exactly_on_the_edge_of_a_prohibited_area_is_inside_it():
    result = check_order(order(prohibitions=(zone_around_bow(800.0),)))

    [problem] = result.problems
    assert (problem.code, problem.requirement_id, problem.prohibition_id) == ("venue_in_prohibited_place", 1, 1)
    assert problem.message.startswith(
        "The venue for Tuesday 17:00–19:00 at Bow Boxing Club is 800 metres from the centre of the prohibited area "
        "“Whitechapel Road area” (radius 800 metres)"
    )


def test_a_venue_just_outside_a_prohibited_area_passes():
    assert check_order(order(prohibitions=(zone_around_bow(799.9),))).ready_for_court


def test_a_prohibited_area_that_ends_before_the_requirement_starts_does_not_clash():
    ended = replace(zone_around_bow(800.0), ends_on=date(2026, 8, 31))
    late_requirement = requirement(starts_on=date(2026, 9, 1))

    result = check_order(order(prohibitions=(ended,), requirements=(late_requirement,)))

    assert result.ready_for_court


def test_a_person_the_subject_must_not_associate_with_in_the_session_fails_without_being_named():
    result = with_requirements(requirement(co_attendee_subject_ids=(12, 77)))

    assert messages(result, "prohibited_person_in_session") == [
        "A person the subject must not associate with is referred to the Tuesday 17:00–19:00 session at Bow Boxing Club"
    ]
    assert "Jordan" not in str(result)


def test_a_recorded_non_associate_in_the_session_fails_too():
    assert problem_codes(with_requirements(requirement(co_attendee_subject_ids=(55,)))) == [
        "prohibited_person_in_session"
    ]


def test_other_young_people_in_the_session_are_fine():
    result = check_order(
        order(requirements=(requirement(co_attendee_subject_ids=(12, 13)),), prohibitions=(person_prohibition(),))
    )

    assert result.ready_for_court


# --- supervision and necessity ---


@pytest.mark.parametrize(
    ("status", "confirmed_by", "state"),
    [
        ("sent", None, "is awaiting the partner (referral sent)"),
        ("viewed", None, "is awaiting the partner (referral viewed)"),
        ("declined", None, "was declined by the partner"),
        (None, None, "was added by hand and has no partner referral"),
        ("accepted", None, "was accepted but nobody at the partner is recorded as confirming"),
    ],
)
def test_a_requirement_without_a_confirmed_supervisor_fails_and_says_why(status, confirmed_by, state):
    result = with_requirements(requirement(referral_status=status, confirmed_by=confirmed_by))

    assert messages(result, "supervisor_not_confirmed") == [
        f"The requirement boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club {state}: the supervisor must "
        "confirm it is suitable and enforceable before it goes to court"
    ]


@pytest.mark.parametrize("status", ["accepted", "active"])
def test_an_accepted_or_active_referral_with_a_named_confirmer_passes(status):
    assert with_requirements(requirement(referral_status=status, confirmed_by="Sam Patel")).ready_for_court


@pytest.mark.parametrize("rationale", ["", "   "])
def test_a_requirement_without_a_necessity_rationale_fails(rationale):
    result = with_requirements(requirement(necessity_rationale=rationale))

    [problem] = result.problems
    assert (problem.code, problem.requirement_id) == ("necessity_rationale_missing", 1)
    assert (
        problem.message
        == "Explain why the requirement boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club is necessary"
    )


def test_every_problem_is_listed_at_once():
    result = with_requirements(
        requirement(start=15 * 60, end=22 * 60, referral_status="sent", confirmed_by=None, necessity_rationale="")
    )

    assert set(problem_codes(result)) == {
        "clash_commitment",
        "clash_curfew",
        "supervisor_not_confirmed",
        "necessity_rationale_missing",
    }
    assert warning_codes(result) == []
