"""Dates and times on every page read the GOV.UK way ("3 March 2026", "17:05"): the filters format them by hand, for
speed on list pages, and must write exactly what the C locale's strftime wrote before."""

from datetime import date, datetime, time, timedelta

from portal.web.filters import govuk_date, govuk_time


def test_every_day_of_two_years_reads_as_strftime_wrote_it() -> None:
    first = date(2026, 1, 1)
    for offset in range(366 * 2):
        day = first + timedelta(days=offset)
        assert govuk_date(day) == f"{day.day} {day:%B %Y}"
    assert govuk_date(date(2026, 3, 3)) == "3 March 2026"
    assert govuk_date(datetime(2026, 12, 25, 23, 59)) == "25 December 2026"
    assert govuk_date(None) == ""


def test_every_minute_of_the_day_reads_on_the_24_hour_clock() -> None:
    for minute in range(24 * 60):
        moment = time(minute // 60, minute % 60)
        assert govuk_time(moment) == f"{moment:%H:%M}"
    assert govuk_time(time(7, 5)) == "07:05"
    assert govuk_time(datetime(2026, 3, 3, 17, 0, 59)) == "17:00"
    assert govuk_time(None) == ""
