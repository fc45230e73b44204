"""The officer's suggestions page on the London demo: safe, explained suggestions, a weekly plan and a map."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.utils import page

SCHOOL = (8 * 60 + 40, 15 * 60 + 30)
PRAYERS = (12 * 60 + 30, 14 * 60)


@pytest.fixture
def officer(client, sign_in):  # noqa: ANN001, ANN201
    sign_in(client, "officer")
    return client


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def session_lines(soup) -> list[tuple[str, int, int, str]]:  # noqa: ANN001
    lines = []
    for item in soup.select("#suggested .app-suggestions__item li"):
        match = re.match(r"(\w+day) (\d\d:\d\d)–(\d\d:\d\d) at (.*)", item.get_text(" ", strip=True))
        if match:
            lines.append((match.group(1), minutes(match.group(2)), minutes(match.group(3)), match.group(4)))
    return lines


def overlaps(start: int, end: int, window: tuple[int, int]) -> bool:
    return start < window[1] and window[0] < end


def test_the_demo_fifteen_year_old_gets_safe_sensible_suggestions(officer, demo) -> None:  # noqa: ANN001
    response = officer.get(f"/subjects/{demo}/suggestions?starts_on=1&starts_on=12&starts_on=2026&months=12")
    assert response.status_code == 200
    soup = page(response)
    reasons = [
        item.select_one("details").get_text(" ", strip=True)
        for item in soup.select("#suggested .app-suggestions__item")
    ]
    assert len(reasons) >= 3
    assert any("Matches Ayaan's interest in Football" in reason for reason in reasons[:5])
    assert any("Matches Ayaan's interest in Music" in reason for reason in reasons[:5])
    sessions = session_lines(soup)
    for day, start, end, venue in sessions:
        if day != "Saturday" and day != "Sunday":
            assert not overlaps(start, end, SCHOOL), (day, start, end, venue)
        if day == "Friday":
            assert not overlaps(start, end, PRAYERS)
        assert end <= 21 * 60  # curfew 21:00
        assert "(E1 1" not in venue  # nothing inside the Whitechapel exclusion zone
    assert "Matches Ayaan's interest" in soup.select_one("#suggested details").get_text(" ", strip=True)


def test_exclusions_say_why(officer, demo) -> None:  # noqa: ANN001
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    excluded = soup.select_one("#excluded").get_text(" ", strip=True)
    assert "clashes with School" in excluded or "clashes with school" in excluded
    assert "clashes with Friday prayers" in excluded
    assert "inside its 800 m radius" in excluded


def test_the_weekly_plan_has_one_to_three_non_overlapping_sessions(officer, demo) -> None:  # noqa: ANN001
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    rows = soup.select("#weekly-plan tbody tr")
    assert 1 <= len(rows) <= 3
    slots = []
    for row in rows:
        match = re.match(r"(\w+day) (\d\d:\d\d)–(\d\d:\d\d)", row.select_one("td").get_text(strip=True))
        slots.append((match.group(1), minutes(match.group(2)), minutes(match.group(3))))
    for index, (day, start, end) in enumerate(slots):
        for other_day, other_start, other_end in slots[index + 1 :]:
            assert day != other_day or end <= other_start or other_end <= start


def test_the_map_shows_home_zones_and_venues_with_a_text_alternative(officer, demo) -> None:  # noqa: ANN001
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    svg = soup.select_one("svg.app-map")
    assert svg["role"] == "img" and svg.find("title") and svg.find("desc")
    assert "Whitechapel Road area" in svg.get_text()
    assert len(svg.select("g circle")) >= 3
    assert "Contains OS data" in soup.get_text()


def test_filters_narrow_the_suggestions(officer, demo) -> None:  # noqa: ANN001
    soup = page(officer.get(f"/subjects/{demo}/suggestions?weekday=5"))
    assert {day for day, *_ in session_lines(soup)} <= {"Saturday"}


def test_each_match_run_is_audited_as_a_combination(officer, demo, app) -> None:  # noqa: ANN001
    officer.get(f"/subjects/{demo}/suggestions")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "combination", AuditEvent.user_id.is_not(None))
        ).all()
    assert [(e.record_type, e.record_id) for e in events] == [("subject", demo)]


def test_partners_cannot_see_suggestions(client, sign_in, demo) -> None:  # noqa: ANN001
    sign_in(client, "partner")
    assert client.get(f"/subjects/{demo}/suggestions").status_code == 403


def test_a_bad_start_date_names_the_field(officer, demo) -> None:  # noqa: ANN001
    response = officer.get(f"/subjects/{demo}/suggestions?starts_on=31&starts_on=2&starts_on=2026")
    assert "Order would start on must be a real date" in page(response).get_text()
