"""The application itself: route, length, required details, the s.14 occasions and whether the power is in force."""

from datetime import date

import pytest

from portal.rules.orders import LegalBasisFacts, OccasionFacts, Policy, check_order
from tests.orders.builders import messages, order, problem_codes, requirement, warning_codes


@pytest.mark.parametrize("months", [6, 24])
def test_orders_of_6_and_24_months_are_allowed(months):
    assert "duration" not in problem_codes(check_order(order(duration_months=months)))


@pytest.mark.parametrize("months", [5, 25])
def test_orders_shorter_than_6_or_longer_than_24_months_are_not(months):
    result = check_order(order(duration_months=months))

    assert problem_codes(result) == ["duration"]
    assert result.problems[0].message == f"The order is {months} months long; it must last between 6 and 24 months"
    assert result.problems[0].field == "duration_months"


def test_the_duration_limits_come_from_policy():
    assert "duration" in problem_codes(check_order(order(duration_months=18), Policy(max_months=12)))


def test_each_missing_detail_is_its_own_problem_linked_to_its_field():
    result = check_order(order(applicant="", court=" ", necessity_statement="", proposed_start=None))

    fields = [problem.field for problem in result.problems if problem.code == "missing_details"]
    assert fields == ["applicant", "court", "necessity_statement", "proposed_start"]
    assert "Add the court" in messages(result, "missing_details")


def test_an_unknown_route_is_a_missing_detail():
    result = check_order(order(route=""))

    assert [p.field for p in result.problems] == ["route"]


def test_a_start_on_release_needs_no_start_date_and_warns_that_dates_wait():
    result = check_order(order(proposed_start=None, start_on_release=True))

    assert result.ready_for_court
    assert warning_codes(result) == ["start_on_release"]
    assert messages(result, "start_on_release") == [
        "Start on release: dates will be fixed when the release date is known"
    ]
    assert (result.start, result.end, result.age_at_start, result.review_window) == (None, None, None, None)


def test_a_start_on_release_skips_the_period_checks_that_need_a_start():
    early = requirement(starts_on=date(2020, 1, 1))

    result = check_order(order(proposed_start=None, start_on_release=True, requirements=(early,)))

    assert "requirement_outside_order" not in problem_codes(result)


def occasions(*days: date, location_type: str = "public-place") -> tuple[OccasionFacts, ...]:
    return tuple(OccasionFacts(day, location_type) for day in days)


def test_two_occasions_inside_the_2_years_ending_on_the_start_date_qualify():
    # The 2 years ending with 1 March 2026 begin on 2 March 2024.
    result = check_order(order(occasions=occasions(date(2024, 3, 2), date(2026, 3, 1))))

    assert "s14_occasions" not in problem_codes(result)


def test_an_occasion_2_years_and_a_day_before_the_start_does_not_count():
    result = check_order(order(occasions=occasions(date(2024, 2, 29), date(2025, 6, 14))))

    assert problem_codes(result) == ["s14_occasions"]
    assert messages(result, "s14_occasions") == [
        "A s.14 order needs at least 2 occasions of having a bladed article in a public place, on school premises or "
        "on further-education premises between 2 March 2024 and 1 March 2026, on or after the power came into force "
        "(5 July 2021); 1 of the 2 recorded occasions qualifies"
    ]
    assert result.problems[0].field == "occasions"


def test_an_occasion_on_the_same_date_2_years_earlier_is_outside_the_period():
    assert "s14_occasions" in problem_codes(
        check_order(order(occasions=occasions(date(2024, 3, 1), date(2025, 6, 14))))
    )


def test_an_occasion_after_the_start_date_does_not_count():
    assert "s14_occasions" in problem_codes(
        check_order(order(occasions=occasions(date(2025, 6, 14), date(2026, 3, 2))))
    )


def test_an_occasion_in_a_private_place_does_not_count():
    private = (OccasionFacts(date(2025, 6, 14), "public-place"), OccasionFacts(date(2025, 7, 1), "private-dwelling"))

    assert "s14_occasions" in problem_codes(check_order(order(occasions=private)))


def test_an_occasion_before_the_power_came_into_force_does_not_count():
    basis = LegalBasisFacts("Metropolitan Police", "Commencement (test data)", date(2025, 1, 1), None)

    result = check_order(order(legal_bases=(basis,), occasions=occasions(date(2024, 6, 1), date(2025, 6, 14))))

    assert "s14_occasions" in problem_codes(result)


def test_an_order_on_conviction_needs_no_occasions_but_needs_the_conviction():
    result = check_order(order(route="s19", occasions=(), conviction_offence="Possessing a bladed article"))

    [problem] = result.problems
    assert (problem.code, problem.field) == ("s19_conviction", "conviction_date")
    assert problem.message.endswith("record the date of conviction and the sentence or discharge")


def test_a_complete_order_on_conviction_passes():
    on_conviction = order(
        route="s19",
        occasions=(),
        conviction_offence="Possessing a bladed article in a public place",
        conviction_date=date(2026, 2, 20),
        sentence="12-month youth rehabilitation order",
    )

    assert check_order(on_conviction).ready_for_court


def test_a_police_area_without_the_power_in_force_is_a_problem_that_blocks_court():
    result = check_order(order(police_area="Greater Manchester Police"))

    assert not result.ready_for_court  # issue 14: the status never says "ready" beside "not in force"
    assert [problem.code for problem in result.problems] == ["power_not_in_force"] and result.warnings == ()
    assert messages(result, "power_not_in_force")[0].startswith(
        "The KCPO power is not recorded as in force in Greater Manchester Police on 1 March 2026"
    )


def test_the_police_area_is_compared_without_regard_to_case():
    assert check_order(order(police_area="METROPOLITAN police")).warnings == ()


def test_a_legal_basis_that_ended_before_the_start_does_not_cover_it():
    pilot = LegalBasisFacts("Metropolitan Police", "SI 2021/762", date(2021, 7, 5), date(2023, 3, 31))

    assert [problem.code for problem in check_order(order(legal_bases=(pilot,))).problems] == ["power_not_in_force"]
