"""The subject record as a GOV.UK task list: each section on its own page, saved as you go, a status for each, and
suggestions that cannot start until the record is complete. Plain test client: JavaScript off."""

from datetime import time

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data.subjects import SECTION_TITLES
from portal.extensions import db
from portal.models import AuditEvent, Subject, SubjectWindow
from tests.test_subjects import subject_data, years_ago
from tests.utils import error_summary, field_error, h1, page

EVERY_SECTION = list(SECTION_TITLES)
UNANSWERED = "Select whether you have completed this section"


@pytest.fixture
def officer(client, sign_in):
    return sign_in(client, "officer")


def statuses(client, subject_id: int, prefix: str = "record-section") -> dict[str, str]:
    """Each task's name and the status shown beside it, as the officer reads them."""
    soup = page(client.get(f"/subjects/{subject_id}"))
    shown = {}
    for item in soup.select(".govuk-task-list__item"):
        status = item.select_one(".govuk-task-list__status")
        if status["id"].startswith(prefix):
            name = item.select_one(".govuk-task-list__name-and-hint > :first-child").get_text(strip=True)
            shown[name] = status.get_text(" ", strip=True)
    return shown


def task_link(client, subject_id: int, title: str):
    soup = page(client.get(f"/subjects/{subject_id}"))
    return soup.find("a", class_="govuk-task-list__link", string=lambda s: s and s.strip() == title)


def subject_events(app: Flask, subject_id: int) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.record_type == "subject", AuditEvent.record_id == subject_id)
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_a_new_record_shows_each_section_with_what_is_done(client, officer, make) -> None:
    response = client.post("/subjects/new", data=subject_data(needs=[]))
    subject_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert statuses(client, subject_id) == {
        "Personal details": "Completed",
        "Languages and interests": "In progress",  # languages given, but nobody has said the section is done
        "Faith, culture and access needs": "Not started",
        "School, work and faith observances": "Not started",
        "Curfew and travel": "In progress",
        "Exclusion zones": "Not started",
        "Non-associations": "Not started",
    }
    soup = page(client.get(f"/subjects/{subject_id}"))
    assert "You have completed 1 of 7 sections." in soup.get_text(" ", strip=True)
    links = {link.get_text(strip=True): link["href"] for link in soup.select(".govuk-task-list__link")}
    assert links["Exclusion zones"] == f"/subjects/{subject_id}/exclusion-zones"
    assert links["Personal details"] == f"/subjects/{subject_id}/personal-details"


def test_suggestions_cannot_start_until_every_section_is_complete(client, officer, make) -> None:
    subject_id = make.subject(completed_sections=EVERY_SECTION[:-1])
    shown = statuses(client, subject_id, "record-next")
    assert shown["Find suggested requirements"] == "Cannot start yet"
    assert task_link(client, subject_id, "Find suggested requirements") is None
    hint = page(client.get(f"/subjects/{subject_id}")).select_one("#record-next-1-hint").get_text(strip=True)
    assert hint == "Complete Non-associations first"

    response = client.post(f"/subjects/{subject_id}/non-associations", data={"completed": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == f"/subjects/{subject_id}#record-tasks"
    assert statuses(client, subject_id, "record-next")["Find suggested requirements"] == "Not started"
    assert task_link(client, subject_id, "Find suggested requirements")["href"] == f"/subjects/{subject_id}/suggestions"


def test_the_draft_order_task_follows_the_order(client, officer, make) -> None:
    subject_id = make.subject()
    assert statuses(client, subject_id, "record-next")["Prepare the draft order"] == "Not started"
    order_id = make.order(subject_id)
    assert statuses(client, subject_id, "record-next")["Prepare the draft order"] == "In progress"
    assert task_link(client, subject_id, "Prepare the draft order")["href"] == f"/orders/{order_id}"


def test_a_section_is_saved_on_its_own_and_marked_complete(client, officer, make, app) -> None:
    subject_id = make.subject(languages=[], interest_text="")
    form = page(client.get(f"/subjects/{subject_id}/languages-and-interests"))
    assert h1_text(form) == "Languages and interests"
    assert form.find(id="first_name") is None and form.find(id="curfew_start") is None  # one short page
    before = len(subject_events(app, subject_id))
    response = client.post(
        f"/subjects/{subject_id}/languages-and-interests",
        data={
            "languages": ["en", "bn"],
            "interest_activity_types": ["boxing"],
            "interest_text": "boxing",
            "completed": "yes",
            "version": "1",
        },
    )
    assert response.status_code == 302
    subject = make.get(Subject, subject_id)
    assert subject.languages == ["en", "bn"] and subject.interest_activity_types == ["boxing"]
    assert subject.completed_sections == ["languages-and-interests"]
    assert subject.first_name == "Jordan"  # other sections untouched
    saved = subject_events(app, subject_id)[before:]
    assert [event.action for event in saved] == ["alteration"]
    assert saved[0].detail["fields"] == [
        "completed_sections",
        "interest_activity_types",
        "interest_text",
        "languages",
    ]
    assert statuses(client, subject_id)["Languages and interests"] == "Completed"
    again = page(client.get(f"/subjects/{subject_id}/languages-and-interests"))
    assert again.find("input", attrs={"name": "completed", "value": "yes"}).has_attr("checked")


def test_coming_back_later_leaves_the_section_in_progress(client, officer, make) -> None:
    subject_id = make.subject(completed_sections=["needs"])
    response = client.post(
        f"/subjects/{subject_id}/needs", data={"needs": ["halal-food"], "completed": "no", "version": "1"}
    )
    assert response.status_code == 302
    subject = make.get(Subject, subject_id)
    assert subject.needs == ["halal-food"] and subject.completed_sections == []
    assert statuses(client, subject_id)["Faith, culture and access needs"] == "In progress"


@pytest.mark.parametrize(
    ("section", "data", "field", "message"),
    [
        ("curfew-and-travel", {"curfew_start": "21:00", "curfew_end": "", "max_travel_km": "5"}, "curfew_end",
         "Enter the curfew end time, or leave both curfew times empty"),
        ("curfew-and-travel", {"curfew_start": "", "curfew_end": "", "max_travel_km": "51"}, "max_travel_km",
         "Maximum travel distance must be between 1 and 50 km"),
        ("curfew-and-travel", {"curfew_start": "25:00", "curfew_end": "07:00"}, "curfew_start",
         "Enter the curfew start time as a 24-hour time, like 21:00"),
        ("languages-and-interests", {"interest_text": "x" * 501}, "interest_text",
         "Interests in their own words must be 500 characters or fewer"),
        ("needs", {"needs": ["halal-food"], "completed": ""}, "completed", UNANSWERED),
        ("weekly-commitments", {"completed": ""}, "completed", UNANSWERED),
    ],
)  # fmt: skip
def test_a_section_keeps_the_whole_forms_rules_and_saves_nothing_when_wrong(  # noqa: PLR0913
    client,
    officer,
    make,
    section,
    data,
    field,
    message,
) -> None:
    subject_id = make.subject(max_travel_m=3000, interest_text="as it was")
    response = client.post(f"/subjects/{subject_id}/{section}", data={"completed": "yes", "version": "1"} | data)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert page(response).title.get_text().startswith("Error: ")
    subject = make.get(Subject, subject_id)
    assert (subject.max_travel_m, subject.interest_text, subject.completed_sections) == (3000, "as it was", [])


def test_personal_details_keep_their_rules(client, officer, make) -> None:
    make.subject(reference="MPS-TAKEN")
    subject_id = make.subject(first_name="Original")
    page_ = page(client.get(f"/subjects/{subject_id}/personal-details"))
    assert page_.find(id="first_name")["value"] == "Original" and page_.find(id="languages") is None
    base = subject_data(version="1")
    taken = client.post(f"/subjects/{subject_id}/personal-details", data=base | {"reference": "mps-taken"})
    assert field_error(taken, "reference") == "A subject with this reference already exists"
    too_young = client.post(f"/subjects/{subject_id}/personal-details", data=base | {"date_of_birth": years_ago(8)})
    assert field_error(too_young, "date_of_birth") == "Date of birth must give an age between 10 and 25 today"
    assert make.get(Subject, subject_id).first_name == "Original"
    saved = client.post(f"/subjects/{subject_id}/personal-details", data=base | {"first_name": "Kofi"})
    assert saved.status_code == 302
    subject = make.get(Subject, subject_id)
    assert subject.first_name == "Kofi" and subject.languages == ["en"]  # languages are another section's


def test_a_section_someone_else_changed_is_refused(client, officer, make) -> None:
    subject_id = make.subject()
    data = {"curfew_start": "20:00", "curfew_end": "06:00", "completed": "yes", "version": "1"}
    client.post(f"/subjects/{subject_id}/curfew-and-travel", data=data)
    response = client.post(f"/subjects/{subject_id}/curfew-and-travel", data=data | {"curfew_start": "19:00"})
    assert response.status_code == 303
    shown = page(client.get(response.headers["Location"])).get_text(" ", strip=True)
    assert "changed this record since you opened it" in shown
    assert make.get(Subject, subject_id).curfew_start == time(20, 0)


def test_a_list_section_adds_and_removes_on_its_own_page(client, officer, make) -> None:
    subject_id = make.subject()
    section = page(client.get(f"/subjects/{subject_id}/weekly-commitments"))
    assert h1_text(section) == "School, work and faith observances"
    add = section.find("a", string=lambda s: s and "Add a weekly commitment" in s)["href"]
    assert add == f"/subjects/{subject_id}/windows/new?from=weekly-commitments"
    assert page(client.get(add)).select_one(".govuk-back-link")["href"] == f"/subjects/{subject_id}/weekly-commitments"
    window = {"kind": "school", "label": "Bow School", "weekday": "0", "start_time": "08:40", "end_time": "15:30"}
    response = client.post(add, data=window)
    assert response.headers["Location"] == f"/subjects/{subject_id}/weekly-commitments"
    listed = page(client.get(f"/subjects/{subject_id}/weekly-commitments"))
    assert "Monday 08:40–15:30" in listed.get_text(" ", strip=True)
    remove = listed.select_one("table button.app-link-button").find_parent("form")["action"]
    assert client.post(remove).headers["Location"] == f"/subjects/{subject_id}/weekly-commitments"
    assert make.count(SubjectWindow) == 0
    # Straight from the record, as before: back to the record.
    assert client.post(f"/subjects/{subject_id}/windows/new", data=window).headers["Location"] == (
        f"/subjects/{subject_id}"
    )
    assert client.get(f"/subjects/{subject_id}/windows/new?from=elsewhere").status_code == 200
    elsewhere = client.post(f"/subjects/{subject_id}/windows/new?from=https://evil.example", data=window)
    assert elsewhere.headers["Location"] == f"/subjects/{subject_id}"


def test_the_record_is_the_check_page_with_a_change_link_for_every_section(client, officer, make) -> None:
    subject_id = make.subject(curfew_start=time(21), curfew_end=time(7))
    soup = page(client.get(f"/subjects/{subject_id}"))
    cards = {
        card.select_one(".govuk-summary-card__title").get_text(strip=True): card
        for card in soup.select(".govuk-summary-card")
    }
    assert list(cards) == ["Personal details", "Languages and interests", "Faith, culture and access needs",
                           "Curfew and travel"]  # fmt: skip
    for title, card in cards.items():
        change = card.select_one(".govuk-summary-card__actions a")
        assert change.get_text(" ", strip=True).startswith("Change")
        assert change["href"] == f"/subjects/{subject_id}/{dict(map(reversed, SECTION_TITLES.items()))[title]}"
    assert "21:00 to 07:00" in cards["Curfew and travel"].get_text(" ", strip=True)


def test_opening_a_section_is_one_consultation(client, officer, make, app) -> None:
    subject_id = make.subject()
    for key, title in SECTION_TITLES.items():
        response = client.get(f"/subjects/{subject_id}/{key}")
        assert response.status_code == 200 and h1(response) == title
    assert [event.action for event in subject_events(app, subject_id)] == ["consultation"] * len(SECTION_TITLES)


def h1_text(soup) -> str:
    return soup.find("h1").get_text(" ", strip=True)
