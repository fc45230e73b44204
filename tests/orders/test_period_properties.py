"""Properties of the order period (issue 14): whatever the start rule, planned start, made date and length, every
place that states the period states the same days, and no requirement is expected outside them."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.rules.dates import add_months, long_date, period_end
from portal.rules.orders import check_order, court_document_sections
from portal.rules.orders.period import OrderPeriod, StartRule
from portal.rules.schedule import requirement_period
from tests.orders.builders import order, requirement

days = st.dates(min_value=date(2022, 1, 1), max_value=date(2032, 12, 31))
months = st.integers(min_value=6, max_value=24)


@st.composite
def periods(draw: st.DrawFn) -> OrderPeriod:
    rule = draw(st.sampled_from(list(StartRule)))
    planned = draw(days) if rule == StartRule.ON_DATE else None
    made_on = draw(st.none() | days)
    return OrderPeriod(rule, draw(months), planned, made_on)


def facts_for(period: OrderPeriod, **changes):
    return order(
        proposed_start=period.planned_start,
        start_on_release=period.rule == StartRule.ON_RELEASE,
        duration_months=period.duration_months,
        made_on=period.made_on,
        **changes,
    )


@settings(max_examples=200, deadline=None)
@given(periods())
def test_the_checks_the_document_and_the_registers_state_the_same_period(period: OrderPeriod) -> None:
    facts = facts_for(period)
    result = check_order(facts)
    assert (result.start, result.end) == (period.start, period.end) == (facts.start, facts.end)
    duration = dict(court_document_sections(facts, result))["Duration"][0]
    if period.start is None:
        assert "from the day the court makes it" in duration or "release from custody" in duration
        return
    assert f"from {long_date(period.start)} until {long_date(period.end)}" in duration
    assert period.wording().startswith(f"{long_date(period.start)} to {long_date(period.end)}")
    assert requirement_period(None, None, period.start, period.duration_months) == (period.start, period.end)


@settings(max_examples=200, deadline=None)
@given(days, months)
def test_a_period_runs_whole_months_and_ends_the_day_before_its_anniversary(start: date, length: int) -> None:
    end = period_end(start, length)
    assert start < end <= add_months(start, length)
    assert end >= add_months(start, length) - timedelta(days=1)
    assert period_end(end + timedelta(days=1), length) > end  # the next period begins where this one stopped


@settings(max_examples=200, deadline=None)
@given(days, months, st.none() | st.integers(-400, 800), st.none() | st.integers(-400, 800))
def test_no_requirement_is_expected_outside_its_order_and_one_that_would_be_is_a_problem(
    made_on: date, length: int, own_start: int | None, own_end: int | None
) -> None:
    starts_on = made_on + timedelta(days=own_start) if own_start is not None else None
    ends_on = made_on + timedelta(days=own_end) if own_end is not None else None
    end = period_end(made_on, length)
    expected = requirement_period(starts_on, ends_on, made_on, length)
    if expected is not None:
        assert made_on <= expected[0] <= expected[1] <= end
    facts = order(
        made_on=made_on,
        proposed_start=made_on,
        duration_months=length,
        requirements=(requirement(starts_on=starts_on, ends_on=ends_on),),
    )
    flagged = "requirement_outside_order" in [problem.code for problem in check_order(facts).problems]
    inside = (
        (starts_on or made_on) >= made_on and (ends_on or end) <= end and (starts_on or made_on) <= (ends_on or end)
    )
    assert flagged == (not inside)
