"""Calendar arithmetic the way courts and registers count it. Pure Python: used by the order checks too."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

# A time of day as people type it: 17:00, 17.00 or 1700 (the forms and the directory search read it alike).
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")


def add_months(day: date, months: int) -> date:
    """The same day of the month, `months` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not date.min.year <= year <= date.max.year:  # a date stored before dates were bounded must not break a page
        return date.max if year > date.max.year else date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """The last day of a period of `months` months that includes its first day (the corresponding date rule).

    It ends the day before the same day of the month `months` later: 12 months from 1 March 2026 ends on 28 February
    2027. When that month has no such day it ends on the month's last day, so 6 months from 31 August ends on the
    last day of February and a period is never shorter than `months` calendar months.
    """
    corresponding = add_months(start, months)
    if corresponding.day < start.day:
        return corresponding
    return corresponding - timedelta(days=1)


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years on `day` (someone born on 29 February turns a year older on 1 March in other years)."""
    birthday_not_reached = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - birthday_not_reached


def minutes(value: time) -> int:
    """A time of day as minutes since midnight: 17:00 -> 1020."""
    return value.hour * 60 + value.minute


def add_years(day: date, years: int) -> date:
    """The same day `years` later or earlier (28 February for 29 February), held inside the calendar's range."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def long_date(day: date) -> str:
    """'1 March 2026', the way the portal writes dates in sentences."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class DateWindow:
    """The dates the portal accepts for one kind of date, counted in years back and ahead from today.

    A date outside it is a typing slip (31/12/9999, 1/1/1900): refused with a message naming the field, never stored.
    """

    years_back: int
    years_ahead: int
    today_allowed: bool = True

    def earliest(self, today: date) -> date:
        return add_years(today, -self.years_back)

    def latest(self, today: date) -> date:
        latest = add_years(today, self.years_ahead)
        return latest if self.today_allowed or self.years_ahead else latest - timedelta(days=1)

    def contains(self, day: date, today: date) -> bool:
        return self.earliest(today) <= day <= self.latest(today)

    def problem(self, label: str, day: date, today: date) -> str | None:
        """The GOV.UK message for a date outside the window, or None when it is inside."""
        if day > self.latest(today):
            if self.years_ahead == 0:
                return f"{label} must be today or in the past" if self.today_allowed else f"{label} must be in the past"
            return f"{label} must be on or before {long_date(self.latest(today))}"
        if day < self.earliest(today):
            return f"{label} must be on or after {long_date(self.earliest(today))}"
        return None


BIRTH_DATES = DateWindow(years_back=100, years_ahead=0, today_allowed=False)
PAST_EVENTS = DateWindow(years_back=10, years_ahead=0)  # occasions, convictions, consultations, incidents, courts
ORDER_DATES = DateWindow(years_back=5, years_ahead=10)  # proposed starts, requirement and prohibition dates
PROGRAMME_DATES = DateWindow(years_back=10, years_ahead=10)  # programmes, terms and session dates
LEGAL_BASIS_DATES = DateWindow(years_back=20, years_ahead=20)
REVIEW_DATES = DateWindow(years_back=5, years_ahead=10)  # retention reviews
SEARCH_DATES = DateWindow(years_back=20, years_ahead=5)  # dates typed to filter lists
