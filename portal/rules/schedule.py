"""When a weekly requirement is expected, and when its register is overdue. Pure Python: no Flask, no database.

Dates are calendar dates; times of day are wall-clock times in London, so a 17:00 session is at 17:00 whether the
clocks say GMT or BST. Only "how long ago did it end" needs real elapsed time, and that is worked out in UTC.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.rules.dates import period_end

LONDON = ZoneInfo("Europe/London")
OVERDUE_AFTER = timedelta(hours=24)


def order_end(made_on: date, duration_months: int) -> date:
    """The last day an order is in force: made on 1 December for 12 months runs to 30 November next year (the same
    rule as the order's own period and court document: `period_end`)."""
    return period_end(made_on, duration_months)


def requirement_period(
    starts_on: date | None, ends_on: date | None, made_on: date | None, duration_months: int
) -> tuple[date, date] | None:
    """The days a requirement binds: its own dates when it has them, else the order's, never outside the order.

    None while the order is not made: nothing is expected of anyone under an order a court has not made.
    """
    if made_on is None:
        return None
    start = max(starts_on, made_on) if starts_on else made_on
    end = min(ends_on, order_end(made_on, duration_months)) if ends_on else order_end(made_on, duration_months)
    return (start, end) if start <= end else None


def expected_dates(
    weekday: int | None,
    period_start: date | None,
    period_end: date | None,
    term_start: date | None,
    term_end: date | None,
    exception_dates: Iterable[str | date] = (),
    cancelled_dates: Iterable[date] = (),
) -> list[date]:
    """Every `weekday` inside both the requirement period and the session's term (all bounds inclusive), except the
    session's exception dates (holidays, given as ISO strings or dates) and the dates its provider cancelled.

    A requirement for "any day" (weekday None) has no register dates; nor has a period without a start or end.
    """
    if weekday is None or period_start is None or period_end is None:
        return []
    first = max(period_start, term_start) if term_start else period_start
    last = min(period_end, term_end) if term_end else period_end
    if first > last:
        return []
    skipped = {_as_date(value) for value in exception_dates} | set(cancelled_dates)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    found: list[date] = []
    while day <= last:
        if day not in skipped:
            found.append(day)
        day += timedelta(days=7)
    return found


def session_end(on_date: date, end_time: time) -> datetime:
    """When a session ends, as a moment in UTC (a London wall-clock time on that date)."""
    return datetime.combine(on_date, end_time, tzinfo=LONDON).astimezone(UTC)


def is_overdue(on_date: date, end_time: time, now: datetime) -> bool:
    """A register is overdue once its session ended more than 24 hours ago (real hours, across clock changes)."""
    return as_utc(now) - session_end(on_date, end_time) > OVERDUE_AFTER


def london_today(now: datetime | None = None) -> date:
    """The date in London now: registers for later dates cannot be marked yet."""
    return as_utc(now or datetime.now(UTC)).astimezone(LONDON).date()


def london_wall_clock(now: datetime | None = None) -> datetime:
    """The time in London now, without a zone: the way a time someone reports ("a curfew check at 21:30") is
    entered and kept."""
    return as_utc(now or datetime.now(UTC)).astimezone(LONDON).replace(tzinfo=None)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC, as the database stores them."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _as_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
