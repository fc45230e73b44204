"""Issue 14, observation 8: partners reach any register of their referrals, however old, from the registers list:
filtered by date (GOV.UK date inputs) and programme, a page at a time, and corrected the same way as a new one."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests.test_registers import attended, audit_events, marks, text_of, url
from tests.utils import error_summary, h1, page


@dataclass(frozen=True)
class Days:
    today: date
    made_on: date  # on the session's weekday: 30 registers up to today
    old: date  # well before the registers list's 14 days


@pytest.fixture
def days(today: date) -> Days:
    return Days(today, today - timedelta(weeks=29), today - timedelta(days=35))


def boxes(name: str, day) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def shown_dates(response) -> list[str]:
    return [row["data-date"] for row in page(response).select("table[data-group=history] tbody tr")]


@pytest.fixture
def session_id(make, partner_organisation, days) -> int:
    return make.weekly_session(partner_organisation, days.today.weekday(), term_start=days.made_on, term_end=None)


@pytest.fixture
def ayaan(make, session_id, days) -> int:
    return make.active_requirement(session_id, days.made_on, make.subject(first_name="Ayaan", last_name="Khan"))


def test_an_old_register_is_reached_from_the_list_and_corrected_like_a_new_one(
    client, app, session_id, ayaan, days
) -> None:
    listed = page(client.get("/partner/registers/"))
    link = listed.find("a", string="Find an older register")
    assert link is not None
    history = client.get(link["href"], query_string=boxes("from", days.old) | boxes("to", days.old))
    assert history.status_code == 200 and h1(history) == "Past registers"
    assert shown_dates(history) == [days.old.isoformat()]
    register_link = page(history).select_one(f"tr[data-date='{days.old.isoformat()}'] a")["href"]
    assert register_link == url(session_id, days.old)

    assert client.post(register_link, data=attended(ayaan)).status_code == 302
    correction = {
        f"r{ayaan}-revision": "1",
        f"r{ayaan}-status": "late",
        f"r{ayaan}-minutes_late": "10",
        f"r{ayaan}-correction_reason": "Arrived after the register was taken",
    }
    assert client.post(register_link, data=correction).status_code == 302
    first, second = marks(app, ayaan)
    assert (first.status, first.is_current) == ("attended", False)
    assert (second.status, second.revision, second.correction_reason) == (
        "late",
        2,
        "Arrived after the register was taken",
    )
    again = client.get("/partner/registers/history", query_string=boxes("from", days.old) | boxes("to", days.old))
    assert "Complete" in page(again).select_one("table[data-group=history] tbody tr").get_text()


def test_every_past_register_newest_first_a_page_at_a_time(client, session_id, ayaan, days) -> None:
    first_page = client.get("/partner/registers/history")
    dates = shown_dates(first_page)
    assert len(dates) == 20 and dates[0] == days.today.isoformat() and dates == sorted(dates, reverse=True)
    expected_total = len(range(0, (days.today - days.made_on).days + 1, 7))
    assert f"{expected_total} registers" in text_of(first_page)
    next_link = page(first_page).select_one(".govuk-pagination__next a")["href"]
    second_page = shown_dates(client.get(next_link))
    assert len(second_page) == expected_total - 20 and second_page[-1] == days.made_on.isoformat()
    assert not set(second_page) & set(dates)


def test_filtered_by_date_and_programme_and_kept_from_page_to_page(
    client, make, partner_organisation, session_id, ayaan, days
) -> None:
    other_session = make.weekly_session(
        partner_organisation, days.today.weekday(), term_start=days.made_on, term_end=None
    )
    make.active_requirement(other_session, days.made_on, make.subject(first_name="Bilal"))
    with make.app.app_context():
        from portal.extensions import db
        from portal.models import ProgrammeSession

        programme_id = db.session.get(ProgrammeSession, session_id).programme_id
    between = boxes("from", days.old - timedelta(days=14)) | boxes("to", days.old)
    both = client.get("/partner/registers/history", query_string=between)
    assert len(shown_dates(both)) == 6  # three dates, two sessions each
    one = client.get("/partner/registers/history", query_string=between | {"programme": str(programme_id)})
    rows = page(one).select("table[data-group=history] tbody tr")
    assert [row["data-date"] for row in rows] == [(days.old - timedelta(days=back)).isoformat() for back in (0, 7, 14)]
    assert {row["data-session"] for row in rows} == {str(session_id)}
    chosen = page(one).select_one("select#programme option[selected]")
    assert chosen["value"] == str(programme_id)
    assert page(one).select_one("input#from-day")["value"] == str((days.old - timedelta(days=14)).day)

    paged = client.get("/partner/registers/history", query_string={"programme": str(programme_id)})
    next_link = page(paged).select_one(".govuk-pagination__next a")["href"]
    assert f"programme={programme_id}" in next_link
    assert {row["data-session"] for row in page(client.get(next_link)).select("tbody tr")} == {str(session_id)}


def test_only_the_organisations_own_registers(client, make, session_id, ayaan, days) -> None:
    stranger = make.organisation()
    their_session = make.weekly_session(stranger, days.today.weekday(), term_start=days.made_on, term_end=None)
    make.active_requirement(their_session, days.made_on, make.subject(first_name="Zara"))
    with make.app.app_context():
        from portal.extensions import db
        from portal.models import ProgrammeSession

        their_programme = db.session.get(ProgrammeSession, their_session).programme_id
    shown = client.get("/partner/registers/history", query_string=boxes("from", days.old) | boxes("to", days.old))
    assert {row["data-session"] for row in page(shown).select("tbody tr")} == {str(session_id)}
    assert "Zara" not in text_of(shown)
    refused = client.get("/partner/registers/history", query_string={"programme": str(their_programme)})
    assert refused.status_code == 400 and error_summary(refused) == ["Select a programme from the list"]


@pytest.mark.parametrize(
    ("query", "message", "box"),
    [
        ({"from-day": "1", "from-year": "2026"}, "From must include a month", "from-day"),
        ({"from-day": "31", "from-month": "2", "from-year": "2026"}, "From must be a real date", "from-day"),
        ({"to-day": "31", "to-month": "12", "to-year": "9999"}, "To must be between", "to-day"),
        (
            boxes("from", date(2026, 11, 2)) | boxes("to", date(2026, 11, 1)),
            "To must be the same as or after from",
            "to-day",
        ),
    ],
)
def test_a_date_that_cannot_be_used_is_a_field_error(client, session_id, ayaan, query, message, box) -> None:
    response = client.get("/partner/registers/history", query_string=query)
    assert response.status_code == 400
    summary = page(response).select(".govuk-error-summary__list a")
    assert len(summary) == 1 and summary[0].get_text(strip=True).startswith(message)
    assert summary[0]["href"] == f"#{box}"
    assert page(response).find(id=box) is not None
    assert page(response).title.get_text().startswith("Error:")
    assert not page(response).select("table[data-group=history]")


def test_reading_the_history_is_recorded(client, app, partner_organisation, session_id, ayaan, days) -> None:
    client.get("/partner/registers/history", query_string=boxes("from", days.old) | boxes("to", days.old))
    event = audit_events(app, "register-list", "consultation")[-1]
    assert event.organisation_id == partner_organisation and event.user_id
    assert event.detail["date_from"] == event.detail["date_to"] == days.old.isoformat()
    assert event.detail["results"] == 1


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_only_partners_see_registers_history(app, sign_in, role) -> None:
    other = app.test_client()
    sign_in(other, role)
    assert other.get("/partner/registers/history").status_code == 403
