"""Calendar arithmetic the way courts count it."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day of the month, `months` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
