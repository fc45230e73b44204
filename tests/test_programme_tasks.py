"""Adding a programme through the task list (issue 19), as a plain client with no JavaScript: each section on its own
page, statuses, saved as you go, a check-your-answers page, publishing; and a draft is never a listing."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Programme, ProgrammeDraft, ProgrammeSession
from portal.rules.schedule import london_today
from tests.test_partners import LATER_SECTIONS, programme_data, session_data
from tests.utils import error_summary, field_error, h1, page

TITLE = "Saturday Drill Studio"


@pytest.fixture
def partner(client, sign_in, make):
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id)
    return organisation_id


def statuses(client: FlaskClient, draft: str) -> dict[str, str]:
    """What the task list shows: each task's name and its status, as a person reads them."""
    soup = page(client.get(draft))
    return {
        item.select_one(".govuk-task-list__name-and-hint > :first-child").get_text(strip=True): item.select_one(
            ".govuk-task-list__status"
        ).get_text(strip=True)
        for item in soup.select(".govuk-task-list__item")
    }


def start_draft(client: FlaskClient) -> str:
    response = client.post("/partner/programmes/new", data=programme_data(title=TITLE))
    assert response.status_code == 302
    return response.headers["Location"]


def test_each_section_is_its_own_page_and_the_task_list_shows_how_far_the_partner_has_got(
    client, partner, make
) -> None:
    first = client.get("/partner/programmes/new")
    assert h1(first) == "About the programme"
    assert page(first).select_one(".govuk-caption-l").get_text(strip=True) == "Add a programme"
    draft = start_draft(client)
    assert h1(client.get(draft)) == "Add a programme"
    assert statuses(client, draft) == {
        "About the programme": "Completed",
        "Who it is for": "Not started",
        "Cultural and faith provision": "Not started",
        "Supervisor": "Not started",
        "Venue and sessions": "Not started",
        "Check and publish": "Cannot start yet",
    }
    headings = {
        "who-it-is-for": "Who the programme is for",
        "cultural-and-faith-provision": "Cultural, faith and access provision",
        "supervisor": "Who would supervise a requirement",
        "dates-and-places": "When it runs, places and cost",
    }
    for slug in LATER_SECTIONS:
        assert h1(client.get(f"{draft}/{slug}")) == headings[slug]
        assert client.post(f"{draft}/{slug}", data=programme_data()).status_code == 302
    # Dates saved, no weekly session yet: the section is under way, and publishing cannot start.
    assert statuses(client, draft)["Venue and sessions"] == "In progress"
    assert statuses(client, draft)["Check and publish"] == "Cannot start yet"
    assert client.get(f"{draft}/check-your-answers").headers["Location"] == draft
    assert page(client.get(draft)).find("a", string="Check and publish") is None  # no link until it can start

    venue_id = make.venue(partner)
    response = client.post(f"{draft}/sessions/new", data=session_data(venue_id))
    assert response.headers["Location"] == f"{draft}/sessions"
    assert "Tuesday 17:00–19:00" in page(client.get(f"{draft}/sessions")).get_text(" ", strip=True)
    sections = ("About the programme", "Who it is for", "Cultural and faith provision", "Supervisor")
    assert statuses(client, draft) == {
        **dict.fromkeys((*sections, "Venue and sessions"), "Completed"),
        "Check and publish": "Not started",
    }
    assert make.count(Programme) == 0  # all of it is still a draft


def test_a_draft_waits_on_the_programme_list_with_continue_and_keeps_every_answer(client, partner) -> None:
    draft = start_draft(client)
    client.post(f"{draft}/who-it-is-for", data=programme_data(min_age="14", max_age="17", gender="female"))
    # Signed out and back in later: the list shows the draft, and "Continue" goes back to its task list.
    listing = page(client.get("/partner/programmes"))
    row = listing.select_one("#drafts tbody tr")
    assert TITLE in row.get_text(" ", strip=True) and "Draft" in row.get_text(" ", strip=True)
    assert row.find("a").get_text(" ", strip=True) == f"Continue {TITLE}"
    assert row.find("a")["href"] == draft
    shown = page(client.get(f"{draft}/who-it-is-for"))
    assert shown.find(id="min_age")["value"] == "14" and shown.find(id="max_age")["value"] == "17"
    assert shown.find("input", {"name": "gender", "value": "female"}).has_attr("checked")
    about = page(client.get(f"{draft}/about"))
    assert about.find(id="tags")["value"] == "fitness, discipline"


def test_bad_input_in_a_section_names_the_field_and_saves_nothing_of_that_section(client, partner, make) -> None:
    draft = start_draft(client)
    response = client.post(f"{draft}/supervisor", data=programme_data(supervisor_email="dan"))
    assert response.status_code == 200
    message = "Enter an email address in the correct format, like name@example.org"
    assert error_summary(response) == [message] and field_error(response, "supervisor_email") == message
    assert page(response).title.get_text().startswith("Error: ")
    assert statuses(client, draft)["Supervisor"] == "Not started"
    with make.app.app_context():
        assert "supervisor_name" not in db.session.scalar(select(ProgrammeDraft)).answers


def test_check_your_answers_links_each_section_and_publishing_makes_the_programme_and_its_sessions(
    client, partner, make
) -> None:
    draft = start_draft(client)
    for slug in LATER_SECTIONS:
        client.post(f"{draft}/{slug}", data=programme_data(cost="2.50"))
    venue_id = make.venue(partner)
    client.post(f"{draft}/sessions/new", data=session_data(venue_id))
    client.post(f"{draft}/sessions/new", data=session_data(venue_id, weekday="3"))
    client.post(f"{draft}/sessions/remove", data={"session": "0"})  # the Tuesday one goes again

    check = page(client.get(f"{draft}/check-your-answers"))
    assert check.h1.get_text(strip=True) == "Check your answers before publishing"
    cards = {card.h2.get_text(strip=True): card for card in check.select(".govuk-summary-card")}
    assert list(cards) == [
        "About the programme",
        "Who it is for",
        "Cultural and faith provision",
        "Supervisor",
        "Venue and sessions",
    ]
    change_about = cards["About the programme"].select_one(".govuk-summary-card__actions a")["href"]
    assert change_about == f"{draft}/about?next=check"
    # A change made from here comes back here.
    response = client.post(change_about, data=programme_data(title=TITLE, tags="boxing, girls"))
    assert response.headers["Location"] == f"{draft}/check-your-answers"
    assert "Dan Hughes" in cards["Supervisor"].get_text(" ", strip=True)
    assert "£2.50" in cards["Venue and sessions"].get_text(" ", strip=True)
    sessions_text = cards["Venue and sessions"].get_text(" ", strip=True)
    assert "Thursday 17:00–19:00" in sessions_text and "Tuesday" not in sessions_text

    response = client.post(f"{draft}/publish", data={})
    assert response.status_code == 302
    programme_path = response.headers["Location"]
    programme_id = int(programme_path.rsplit("/", 1)[1])
    shown = page(client.get(programme_path))
    assert shown.h1.get_text(" ", strip=True).startswith(TITLE)
    assert "Programme published." in shown.get_text(" ", strip=True)
    programme = make.get(Programme, programme_id)
    assert (programme.cost_pence, programme.assured_on, programme.status) == (250, london_today(), "active")
    with make.app.app_context():
        assert list(db.session.scalars(select(ProgrammeSession.weekday))) == [3]
    assert make.count(ProgrammeDraft) == 0
    assert client.get(draft).status_code == 404
    assert page(client.get("/partner/programmes")).select("#drafts") == []
    with make.app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "programme").order_by(AuditEvent.id)
        ).all()
        # As when a programme was saved and then a session added: one collection, then the session.
        assert [(event.action, event.detail.get("change")) for event in events] == [
            ("collection", None),
            ("alteration", "session added"),
        ]


def test_publishing_is_refused_until_every_section_is_complete(client, partner, make) -> None:
    draft = start_draft(client)
    response = client.post(f"{draft}/publish", data={})
    assert response.status_code == 303 and response.headers["Location"] == draft
    assert "Complete every section" in page(client.get(draft)).get_text()
    assert make.count(Programme) == 0


def test_a_published_programme_is_changed_one_section_at_a_time(client, partner, make) -> None:
    programme_id = make.programme(partner, title="Original", supervisor_name="First Coach")
    summary = page(client.get(f"/partner/programmes/{programme_id}/edit"))
    assert summary.h1.get_text(strip=True) == "Change programme details"
    links = [a["href"] for a in summary.select(".govuk-summary-card__actions a")]
    assert f"/partner/programmes/{programme_id}/edit/supervisor" in links
    form = page(client.get(f"/partner/programmes/{programme_id}/edit/supervisor"))
    assert form.find(id="supervisor_name")["value"] == "First Coach"
    version = make.get(Programme, programme_id).version
    response = client.post(
        f"/partner/programmes/{programme_id}/edit/supervisor",
        data=programme_data(supervisor_name="Second Coach", title="Not this section", version=str(version)),
    )
    assert response.headers["Location"] == f"/partner/programmes/{programme_id}"
    assert "Programme updated." in page(client.get(response.headers["Location"])).get_text()
    programme = make.get(Programme, programme_id)
    assert (programme.supervisor_name, programme.title) == ("Second Coach", "Original")  # only the section changed
    assert client.get(f"/partner/programmes/{programme_id}/edit/nothing-like-this").status_code == 404


def test_a_draft_is_never_a_listing(app, client, partner, make, sign_in) -> None:
    """A complete draft, waiting only for "Publish": not in the directory, the API, the feed or the suggestions."""
    draft = start_draft(client)
    for slug in LATER_SECTIONS:
        client.post(f"{draft}/{slug}", data=programme_data())
    client.post(f"{draft}/sessions/new", data=session_data(make.venue(partner)))
    officer = app.test_client()
    sign_in(officer, "officer")
    subject_id = make.subject(interest_activity_types=["boxing"])

    def seen() -> dict[str, bool]:
        directory = officer.post("/directory/", data={"keyword": "Drill Studio"}, follow_redirects=True)
        suggestions = officer.get(f"/subjects/{subject_id}/suggestions")
        return {
            "directory": TITLE in directory.get_data(as_text=True),
            "feed": TITLE in client.get("/openreferral/services?per_page=200").get_data(as_text=True),
            "suggestions": TITLE in suggestions.get_data(as_text=True),
        }

    assert seen() == {"directory": False, "feed": False, "suggestions": False}
    client.post(f"{draft}/publish", data={})
    assert seen() == {"directory": True, "feed": True, "suggestions": True}  # the same look-ups find it once published


def test_another_organisation_cannot_see_or_change_a_draft(app, client, partner, make, sign_in) -> None:
    draft = start_draft(client)
    other = app.test_client()
    sign_in(other, "partner", organisation_id=make.organisation())
    for path in (draft, f"{draft}/about", f"{draft}/sessions", f"{draft}/check-your-answers", f"{draft}/delete"):
        response = other.get(path)
        assert response.status_code == 404 and TITLE not in response.get_data(as_text=True), path
    assert other.post(f"{draft}/about", data=programme_data(title="Hijacked")).status_code == 404
    assert other.post(f"{draft}/publish", data={}).status_code == 404
    assert TITLE not in other.get("/partner/programmes").get_data(as_text=True)
    with make.app.app_context():
        assert db.session.scalar(select(ProgrammeDraft)).answers["title"] == TITLE


def test_a_draft_can_be_deleted_after_confirming(client, partner, make) -> None:
    draft = start_draft(client)
    confirm = client.get(f"{draft}/delete")
    assert h1(confirm) == f"Delete the draft {TITLE}?"
    response = client.post(f"{draft}/delete", data={})
    assert response.headers["Location"] == "/partner/programmes"
    assert make.count(ProgrammeDraft) == 0
    assert "Draft deleted." in page(client.get("/partner/programmes")).get_text()
