"""The officer's suggestions page on the London demo: safe, explained suggestions, a weekly plan and a map."""

import re

import pytest
from sqlalchemy import func, select

from portal.blueprints.suggestions.routes import EXCLUDED_IN_TAB, SHOWN_SUGGESTIONS
from portal.extensions import db
from portal.models import AuditEvent
from tests.utils import page

SCHOOL = (8 * 60 + 40, 15 * 60 + 30)
PRAYERS = (12 * 60 + 30, 14 * 60)


@pytest.fixture
def officer(client, sign_in):
    sign_in(client, "officer")
    return client


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def session_lines(soup) -> list[tuple[str, int, int, str]]:
    lines = []
    for item in soup.select(".app-fitting-sessions li"):
        match = re.match(r"(\w+day) (\d\d:\d\d)–(\d\d:\d\d) at (.*)", item.get_text(" ", strip=True))
        if match:
            lines.append((match.group(1), minutes(match.group(2)), minutes(match.group(3)), match.group(4)))
    return lines


def overlaps(start: int, end: int, window: tuple[int, int]) -> bool:
    return start < window[1] and window[0] < end


def test_the_demo_fifteen_year_old_gets_safe_sensible_suggestions(officer, demo) -> None:
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


def excluded_rows(soup) -> list[tuple[str, str]]:
    return [
        tuple(cell.get_text(" ", strip=True) for cell in row.select("td"))
        for row in soup.select("table.govuk-table tbody tr")
    ]


def test_exclusions_say_why(officer, demo) -> None:
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    excluded = soup.select_one("#excluded").get_text(" ", strip=True)
    assert "clashes with School" in excluded
    assert "inside its 800 m radius" in excluded
    # The tab words the nearest ten; the rest (here the Friday prayers clash) are one link away.
    every = page(officer.get(soup.select_one("#excluded a.govuk-link")["href"])).get_text(" ", strip=True)
    assert "clashes with Friday prayers" in every
    assert "clashes with School" in every and "inside its 800 m radius" in every


def test_the_demo_page_is_small_and_every_exclusion_is_reachable_from_its_tab(officer, demo) -> None:
    response = officer.get(f"/subjects/{demo}/suggestions?months=12")
    assert len(response.data) < 80 * 1024
    soup = page(response)
    total = int(re.search(r"Excluded \((\d+)\)", soup.select_one(".govuk-tabs__list").get_text()).group(1))
    in_tab = excluded_rows(soup.select_one("#excluded"))
    assert 0 < len(in_tab) == min(total, EXCLUDED_IN_TAB) < total
    link = soup.select_one("#excluded a.govuk-link")
    assert link.get_text(strip=True) == "See every ruled-out programme and why"
    assert "months=12" in link["href"]
    listed, next_page = [], link["href"]
    while next_page:
        excluded_page = page(officer.get(next_page))
        assert excluded_page.select_one("h1").get_text(strip=True) == "Programmes ruled out"
        rows = excluded_rows(excluded_page)
        assert rows and all(why for _programme, why in rows)  # each one says why
        listed += rows
        following = excluded_page.select_one(".govuk-pagination__next a")
        next_page = following["href"] if following else None
    assert listed[: len(in_tab)] == in_tab  # nearest first, the tab's ten the same, with the same sentences
    assert len(listed) == len(set(listed)) == total  # the demo's are few enough to list every one
    assert excluded_page.select_one(".govuk-back-link")["href"].endswith(f"/subjects/{demo}/suggestions?months=12")


def test_the_excluded_page_is_officers_only_audited_and_sends_bad_filters_back(
    client,
    sign_in,
    demo,
    app,
):
    sign_in(client, "partner")
    assert client.get(f"/subjects/{demo}/suggestions/excluded").status_code == 403
    sign_in(client, "officer")
    bad = client.get(f"/subjects/{demo}/suggestions/excluded?starts_on=31&starts_on=2&starts_on=2026")
    assert bad.status_code == 302 and "/suggestions/excluded" not in bad.headers["Location"]
    assert "must be a real date" in page(client.get(bad.headers["Location"])).get_text()
    with app.app_context():
        before = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "combination")
        )
    assert client.get(f"/subjects/{demo}/suggestions/excluded").status_code == 200
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "combination").order_by(AuditEvent.id)
        ).all()
    assert [(e.record_type, e.record_id) for e in events[before:]] == [("subject", demo)]


def test_the_weekly_plan_has_one_to_three_non_overlapping_sessions(officer, demo) -> None:
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


def test_the_map_shows_home_zones_and_venues_with_a_text_alternative(officer, demo) -> None:
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    svg = soup.select_one("svg.app-map")
    assert svg["role"] == "img" and svg.find("title") and svg.find("desc")
    assert "Whitechapel Road area" in svg.get_text()
    assert len(svg.select("g circle")) >= 3
    assert "Contains OS data" in soup.get_text()


def test_filters_narrow_the_suggestions(officer, demo) -> None:
    soup = page(officer.get(f"/subjects/{demo}/suggestions?weekday=5"))
    assert {day for day, *_ in session_lines(soup)} <= {"Saturday"}


def test_each_match_run_is_audited_as_a_combination(officer, demo, app) -> None:
    officer.get(f"/subjects/{demo}/suggestions")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "combination", AuditEvent.user_id.is_not(None))
        ).all()
    assert [(e.record_type, e.record_id) for e in events] == [("subject", demo)]


def test_partners_cannot_see_suggestions(client, sign_in, demo) -> None:
    sign_in(client, "partner")
    assert client.get(f"/subjects/{demo}/suggestions").status_code == 403


def test_a_bad_start_date_names_the_field(officer, demo) -> None:
    response = officer.get(f"/subjects/{demo}/suggestions?starts_on=31&starts_on=2&starts_on=2026")
    assert "Order would start on must be a real date" in page(response).get_text()


def suggestion_ids(soup) -> list[str]:
    return [item["id"] for item in soup.select("#suggested .app-suggestions__item")]


def test_every_suggestion_can_be_reached_page_by_page_with_the_count(officer, demo) -> None:
    first = page(officer.get(f"/subjects/{demo}/suggestions?months=12"))
    total = int(re.search(r"Suggested \((\d+)\)", first.select_one(".govuk-tabs__list").get_text()).group(1))
    assert total > SHOWN_SUGGESTIONS
    seen, number = [], 1
    while number <= total:
        soup = page(officer.get(f"/subjects/{demo}/suggestions?months=12&page={len(seen) // SHOWN_SUGGESTIONS + 1}"))
        headings = [h.get_text(" ", strip=True) for h in soup.select("#suggested .app-suggestions__item h3")]
        assert headings and headings[0].startswith(f"{number}. ")
        assert soup.select_one("#suggestions-shown").get_text(" ", strip=True).endswith(f"of {total}, best fit first.")
        assert soup.select_one("#weekly-plan").get_text() == first.select_one("#weekly-plan").get_text()
        seen += suggestion_ids(soup)
        number += len(headings)
    assert len(seen) == len(set(seen)) == total
    assert "months=12" in first.select_one(".govuk-pagination__next a")["href"]


def test_a_suggested_programme_explains_its_ruled_out_sessions(officer, make) -> None:
    from datetime import time

    from portal.models import SubjectWindow, WindowKind

    club = make.programme(make.organisation(), title="Two-night football", sessions=2)  # Monday and Tuesday 17:00
    job = SubjectWindow(kind=WindowKind.WORK, label="Job", weekday=0, start_time=time(16), end_time=time(20))
    subject_id = make.subject(interest_activity_types=["football"], windows=[job])
    soup = page(officer.get(f"/subjects/{subject_id}/suggestions"))
    item = soup.select_one(f"#suggestion-{club}")
    (monday,) = make.session_ids(club)[:1]
    ruled_out = item.select_one(f"#ruled-out-{monday}").get_text(" ", strip=True)
    assert ruled_out.startswith("Monday 17:00–19:00 at Venue")
    assert ruled_out.endswith("Monday 17:00–19:00 clashes with Job (Monday 16:00–20:00)")
    assert [day for day, *_ in session_lines(item)] == ["Tuesday"]


def test_no_reason_on_the_page_speaks_to_the_young_person(officer, demo) -> None:
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    reasons = [cell.get_text(" ", strip=True) for cell in soup.select("#suggested details td:nth-of-type(3)")]
    assert len(reasons) >= 5 * SHOWN_SUGGESTIONS
    assert [reason for reason in reasons if re.search(r"\byour\b", reason, re.IGNORECASE)] == []
    text = soup.select_one("#suggested").get_text(" ", strip=True) + soup.select_one("#weekly-plan").get_text(" ")
    assert not re.search(r"\(([A-Z0-9 ]+)\) \(\1\)", text)  # no postcode said twice


MARKER = 12


def test_no_two_map_markers_overlap_and_labels_are_on_top(officer, demo) -> None:
    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    svg = soup.select_one("svg.app-map")
    markers = [(float(c["cx"]), float(c["cy"])) for c in svg.select("g.app-map__marker circle")]
    assert len(markers) == len(soup.select("#suggested .app-suggestions__item"))
    for index, (x, y) in enumerate(markers):
        assert MARKER <= x <= 600 - MARKER and MARKER <= y <= 600 - MARKER
        for other_x, other_y in markers[index + 1 :]:
            assert ((x - other_x) ** 2 + (y - other_y) ** 2) ** 0.5 >= 2 * MARKER
    drawn = list(svg.find_all(["g", "text"]))
    last_marker = max(i for i, element in enumerate(drawn) if "app-map__marker" in element.get("class", []))
    labels = [i for i, element in enumerate(drawn) if "app-map__label" in element.get("class", [])]
    assert labels and min(labels) > last_marker
    caption = soup.select_one("figcaption").get_text(" ", strip=True)
    assert "Contains OS data" in caption and not re.search(r"(^|\s)\.", caption)


def test_the_map_is_fitted_to_what_it_shows(officer, demo) -> None:
    svg = page(officer.get(f"/subjects/{demo}/suggestions")).select_one("svg.app-map")
    xs = [float(c["cx"]) for c in svg.select("g.app-map__marker circle")]
    ys = [float(c["cy"]) for c in svg.select("g.app-map__marker circle")]
    assert max(max(xs) - min(xs), max(ys) - min(ys)) > 0.75 * 600  # no half-empty picture


def test_an_add_button_sends_its_own_session_only(officer, demo, app) -> None:
    from portal.models import Order

    soup = page(officer.get(f"/subjects/{demo}/suggestions"))
    form = soup.select_one("#suggested form[method=post]")
    buttons = form.select('button[name="session_id"]')
    assert len(buttons) == len(session_lines(soup)) > 1  # one add button for each session that fits
    assert form.select('input[name="session_id"]') == []  # the pressed button alone names the session
    pressed = buttons[1]
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    response = officer.post(form["action"], data=data | {"session_id": pressed["value"]})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.get(Order, int(response.headers["Location"].rsplit("/", 1)[1]))
        assert [r.session_id for r in order.requirements] == [int(pressed["value"])]
    after = page(officer.get(f"/subjects/{demo}/suggestions"))
    assert (
        "In the draft order"
        in after.select_one(f"#{pressed.find_parent('li', class_='app-suggestions__item')['id']}").get_text()
    )


# The page's match is kept (portal.data.matching.suggestions_page) -------------------------------------------------


def _matcher_runs(monkeypatch) -> list[int]:
    import portal.data.matching as matching_data

    runs: list[int] = []
    match = matching_data.match

    def counted(profile, *args, **kwargs):
        runs.append(profile.id)
        return match(profile, *args, **kwargs)

    monkeypatch.setattr(matching_data, "match", counted)
    return runs


def _combinations(app, subject_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "combination", AuditEvent.record_id == subject_id)
        )


def _suggested_titles(officer, subject_id: int) -> list[str]:
    soup = page(officer.get(f"/subjects/{subject_id}/suggestions"))
    return [item.select_one("h3 a").get_text(strip=True) for item in soup.select("#suggested .app-suggestions__item")]


def test_the_page_is_kept_between_views_and_each_view_is_still_recorded(app, officer, make, monkeypatch) -> None:
    make.programme(make.organisation(), title="Kept Football")
    subject_id = make.subject(interest_activity_types=["football"])
    runs = _matcher_runs(monkeypatch)
    first = page(officer.get(f"/subjects/{subject_id}/suggestions")).select_one("main").get_text(" ", strip=True)
    second = page(officer.get(f"/subjects/{subject_id}/suggestions")).select_one("main").get_text(" ", strip=True)
    assert "Kept Football" in first and first == second
    assert runs == [subject_id]  # the second view showed what the first worked out
    assert _combinations(app, subject_id) == 2  # and both combined the subject's data with the catalogue
    officer.get(f"/subjects/{subject_id}/suggestions?page=2")
    assert runs == [subject_id, subject_id]  # another page is another match


def test_a_change_to_the_subject_gives_fresh_suggestions_on_the_next_view(app, officer, make, monkeypatch) -> None:
    from datetime import time

    from portal.models import SubjectWindow, WindowKind

    make.programme(make.organisation(), title="Monday Football")  # Mondays 17:00-19:00
    subject_id = make.subject(interest_activity_types=["football"])
    runs = _matcher_runs(monkeypatch)
    assert "Monday Football" in _suggested_titles(officer, subject_id)
    with app.app_context():  # the subject now works when it meets; the catalogue is unchanged
        db.session.add(
            SubjectWindow(
                subject_id=subject_id,
                kind=WindowKind.WORK,
                label="Job",
                weekday=0,
                start_time=time(16),
                end_time=time(20),
            )
        )
        db.session.commit()
    assert "Monday Football" not in _suggested_titles(officer, subject_id)
    assert runs == [subject_id, subject_id]


def test_a_catalogue_change_gives_fresh_suggestions_on_the_next_view(officer, make, monkeypatch) -> None:
    organisation_id = make.organisation()
    make.programme(organisation_id, title="First Football")
    subject_id = make.subject(interest_activity_types=["football"])
    runs = _matcher_runs(monkeypatch)
    assert "Newer Football" not in _suggested_titles(officer, subject_id)
    make.programme(organisation_id, title="Newer Football")  # the catalogue's version moves on
    assert "Newer Football" in _suggested_titles(officer, subject_id)
    assert runs == [subject_id, subject_id]


def test_a_place_taken_by_someone_else_gives_fresh_suggestions_on_the_next_view(officer, make, monkeypatch) -> None:
    club = make.programme(make.organisation(), title="One-place Football", capacity=1)
    subject_id = make.subject(interest_activity_types=["football"])
    runs = _matcher_runs(monkeypatch)
    assert "One-place Football" in _suggested_titles(officer, subject_id)
    make.referral(make.session_ids(club)[0], status="accepted")  # another young person takes the only place
    assert "One-place Football" not in _suggested_titles(officer, subject_id)
    assert runs == [subject_id, subject_id]
