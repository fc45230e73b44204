"""Review hearings (s.26) and the local-policy extra reviews for under-18s."""

from datetime import date

from portal.rules.dates import period_end
from portal.rules.orders import Policy, check_order
from tests.orders.builders import order, place_prohibition

ADULT = date(2000, 1, 1)


def test_the_rules_example_start_1_march_2026_has_its_window_in_february_2027():
    result = check_order(order(duration_months=13, subject_date_of_birth=ADULT))

    assert result.review_window == (date(2027, 2, 1), date(2027, 2, 28))


def test_an_order_of_exactly_12_months_needs_no_review_hearing():
    result = check_order(order(duration_months=12, subject_date_of_birth=ADULT))

    assert (result.end, result.review_window) == (date(2027, 2, 28), None)


def test_a_term_running_past_the_first_year_needs_the_review_even_when_it_is_outside_the_order():
    long_prohibition = place_prohibition(ends_on=date(2027, 3, 15))

    result = check_order(order(duration_months=12, prohibitions=(long_prohibition,)))

    assert result.review_window == (date(2027, 2, 1), date(2027, 2, 28))


def test_an_under_18_gets_extra_reviews_every_4_months_while_the_order_runs():
    result = check_order(order(duration_months=18))

    assert result.extra_reviews == (date(2026, 7, 1), date(2026, 11, 1), date(2027, 3, 1), date(2027, 7, 1))


def test_extra_reviews_inside_the_mandatory_window_are_left_out():
    result = check_order(order(duration_months=13), Policy(under18_review_every_months=11))

    assert result.extra_reviews == ()


def test_an_extra_review_on_the_day_after_the_order_ends_is_left_out():
    assert check_order(order(duration_months=12)).extra_reviews == (date(2026, 7, 1), date(2026, 11, 1))


def test_no_extra_reviews_for_adults_or_when_policy_sets_none():
    assert check_order(order(subject_date_of_birth=ADULT)).extra_reviews == ()
    assert check_order(order(), Policy(under18_review_every_months=None)).extra_reviews == ()


def test_no_review_dates_until_the_release_date_is_known():
    result = check_order(order(proposed_start=None, start_on_release=True))

    assert (result.review_window, result.extra_reviews) == (None, ())


def test_periods_end_the_day_before_the_corresponding_date_or_on_the_last_day_of_a_short_month():
    assert period_end(date(2026, 3, 1), 12) == date(2027, 2, 28)
    assert period_end(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert period_end(date(2026, 8, 15), 6) == date(2027, 2, 14)
    assert period_end(date(2028, 2, 29), 12) == date(2029, 2, 28)
