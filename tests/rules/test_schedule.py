"""Which dates a weekly requirement is expected, and when a register becomes overdue: pure calendar arithmetic."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.rules.schedule import (
    expected_dates,
    is_overdue,
    london_today,
    order_end,
    requirement_period,
    session_end,
)

TUESDAY = 1


def test_weekly_dates_run_on_through_the_autumn_clock_change() -> None:
    # British Summer Time ends on Sunday 25 October 2026: the Tuesdays either side are a week apart as ever.
    found = expected_dates(TUESDAY, date(2026, 10, 13), date(2026, 11, 3), date(2026, 9, 1), None, [], [])
    assert found == [date(2026, 10, 13), date(2026, 10, 20), date(2026, 10, 27), date(2026, 11, 3)]


def test_holidays_and_provider_cancellations_are_not_expected() -> None:
    found = expected_dates(
        TUESDAY,
        date(2026, 12, 1),
        date(2027, 1, 12),
        date(2026, 9, 1),
        date(2027, 7, 20),
        ["2026-12-22", "2026-12-29"],  # Christmas closure, as the session stores it
        [date(2027, 1, 5)],  # the provider cancelled
    )
    assert found == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2027, 1, 12)]


def test_period_and_term_boundaries_are_inclusive() -> None:
    assert expected_dates(TUESDAY, date(2026, 12, 1), date(2026, 12, 15), None, None) == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
    ]
    # the term narrows the period, its own first and last days included
    assert expected_dates(TUESDAY, date(2026, 11, 1), date(2027, 1, 31), date(2026, 12, 8), date(2026, 12, 15)) == [
        date(2026, 12, 8),
        date(2026, 12, 15),
    ]
    assert expected_dates(TUESDAY, date(2026, 12, 2), date(2026, 12, 7), None, None) == []


def test_any_day_requirements_and_open_periods_have_no_register_dates() -> None:
    assert expected_dates(None, date(2026, 12, 1), date(2027, 1, 1), None, None) == []
    assert expected_dates(TUESDAY, None, date(2027, 1, 1), None, None) == []
    assert expected_dates(TUESDAY, date(2027, 1, 1), date(2026, 12, 1), None, None) == []


def test_the_requirement_period_is_its_own_dates_else_the_orders() -> None:
    made = date(2026, 12, 1)
    assert order_end(made, 12) == date(2027, 11, 30)
    assert order_end(date(2026, 8, 31), 6) == date(2027, 2, 28)  # the same last day as the order page and document
    assert requirement_period(None, None, made, 12) == (made, date(2027, 11, 30))
    assert requirement_period(date(2027, 1, 5), date(2027, 3, 30), made, 12) == (date(2027, 1, 5), date(2027, 3, 30))
    # never outside the order: nothing before the court made it, nothing after it ends
    assert requirement_period(date(2026, 10, 6), date(2028, 3, 1), made, 12) == (made, date(2027, 11, 30))
    assert requirement_period(date(2026, 10, 6), date(2027, 3, 30), None, 12) is None


@pytest.mark.parametrize(("hours", "overdue"), [(23, False), (24, False), (25, True)])
def test_a_register_is_overdue_more_than_24_hours_after_the_session_ends(hours: int, overdue: bool) -> None:
    ended = session_end(date(2026, 12, 1), time(19, 0))
    assert ended == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)  # GMT in winter
    assert is_overdue(date(2026, 12, 1), time(19, 0), ended + timedelta(hours=hours)) is overdue


def test_overdue_counts_real_hours_across_the_clock_change() -> None:
    # Saturday 24 October 2026 19:00 is BST (18:00 UTC); the clocks go back overnight.
    ended = session_end(date(2026, 10, 24), time(19, 0))
    assert ended == datetime(2026, 10, 24, 18, 0, tzinfo=UTC)
    # 19:00 on Sunday by the London clock is 25 real hours later
    assert is_overdue(date(2026, 10, 24), time(19, 0), datetime(2026, 10, 25, 19, 0, tzinfo=UTC))
    assert not is_overdue(date(2026, 10, 24), time(19, 0), datetime(2026, 10, 25, 17, 0))  # naive means UTC: 23h


def test_today_is_the_date_in_london() -> None:
    assert london_today(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == date(2026, 7, 2)  # 00:30 BST
    assert london_today(datetime(2026, 12, 1, 23, 30)) == date(2026, 12, 1)
