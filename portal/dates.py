"""Calendar arithmetic the way courts and registers count it. Pure Python: used by the order checks too."""

import calendar
from datetime import date, time


def add_months(day: date, months: int) -> date:
    """The same day of the month, `months` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years on `day` (someone born on 29 February turns a year older on 1 March in other years)."""
    birthday_not_reached = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - birthday_not_reached


def minutes(value: time) -> int:
    """A time of day as minutes since midnight: 17:00 -> 1020."""
    return value.hour * 60 + value.minute
