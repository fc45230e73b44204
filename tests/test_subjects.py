"""Officers' subject records: details, weekly commitments, exclusion zones, non-associations and notes."""

from datetime import date, time

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data.subjects import SECTION_TITLES
from portal.extensions import db
from portal.models import AuditEvent, ExclusionZone, NonAssociation, Subject, SubjectNote, SubjectWindow
from portal.rules.schedule import london_today
from tests.utils import error_summary, field_error, h1, page


def years_ago(years: int, days: int = 0) -> list[str]:
    today = london_today()
    born = date(today.year - years, today.month, min(today.day, 28))
    return [str(born.day - days if born.day > days else born.day), str(born.month), str(born.year)]


def subject_data(**overrides) -> dict:
    data = {
        "reference": "MPS-2026-0042",
        "first_name": "Kwame",
        "last_name": "Mensah",
        "date_of_birth": years_ago(15),
        "gender": "male",
        "home_postcode": "e3 2aa",
        "category": "suspect",
        "languages": ["en", "ak"],
        "interest_activity_types": ["football", "music"],
        "interest_text": "footy, music",
        "needs": ["halal-food", "prayer-times-respected"],
        "curfew_start": "21:00",
        "curfew_end": "07:00",
        "max_travel_km": "5",
    }
    return data | overrides


def audit_events(app: Flask, record_type: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == record_type).order_by(AuditEvent.id))
        )


def text_of(response) -> str:
    return page(response).get_text(" ", strip=True)


@pytest.fixture
def officer(client, sign_in):
    return sign_in(client, "officer")


def test_officer_adds_a_subject_and_sees_their_details(client, officer, make) -> None:
    response = client.post("/subjects/new", data=subject_data())
    assert response.status_code == 302
    subject_id = int(response.headers["Location"].rsplit("/", 1)[1])
    subject = make.get(Subject, subject_id)
    assert (subject.home_postcode, subject.home_easting, subject.home_northing) == ("E3 2AA", 536823, 183099)
    assert (subject.curfew_start, subject.curfew_end) == (time(21, 0), time(7, 0))
    assert subject.max_travel_m == 5000 and subject.languages == ["en", "ak"]
    assert subject.needs == ["halal-food", "prayer-times-respected"] and subject.interest_text == "footy, music"
    assert subject.created_by_id == officer
    detail = text_of(client.get(f"/subjects/{subject_id}"))
    assert "Kwame Mensah" in detail and "(age 15 today)" in detail
    assert "21:00 to 07:00" in detail and "5.0 km" in detail and "Halal food" in detail
    assert "Contains OS data © Crown copyright and database right" in detail


def test_officer_changes_a_subject(client, officer, make) -> None:
    subject_id = make.subject(max_travel_m=3000)
    form = page(client.get(f"/subjects/{subject_id}/edit"))
    assert form.find(id="max_travel_km")["value"] == "3"
    response = client.post(
        f"/subjects/{subject_id}/edit",
        data=subject_data(reference="MPS-NEW-1", curfew_start="", curfew_end="", max_travel_km="", version="1"),
    )
    assert response.status_code == 302
    subject = make.get(Subject, subject_id)
    assert subject.reference == "MPS-NEW-1" and subject.curfew_start is None and subject.max_travel_m is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"home_postcode": "ZZ99 9ZZ"}, "home_postcode", "Enter a real UK postcode, like E3 2AA"),
        ({"home_postcode": ""}, "home_postcode", "Enter a postcode"),
        ({"date_of_birth": years_ago(-1)}, "date_of_birth", "Date of birth must be in the past"),
        ({"date_of_birth": years_ago(8)}, "date_of_birth", "Date of birth must give an age between 10 and 25 today"),
        ({"date_of_birth": years_ago(30)}, "date_of_birth", "Date of birth must give an age between 10 and 25 today"),
        ({"date_of_birth": ["31", "2", "2010"]}, "date_of_birth", "Date of birth must be a real date, like 27 3 2027"),
        ({"date_of_birth": ["", "", ""]}, "date_of_birth", "Enter the date of birth"),
        (
            {"curfew_end": ""},
            "curfew_end",
            "Enter the curfew end time, or leave both curfew times empty",
        ),
        (
            {"curfew_start": ""},
            "curfew_start",
            "Enter the curfew start time, or leave both curfew times empty",
        ),
        ({"curfew_start": "25:00"}, "curfew_start", "Enter the curfew start time as a 24-hour time, like 21:00"),
        ({"max_travel_km": "0"}, "max_travel_km", "Maximum travel distance must be between 1 and 50 km"),
        ({"max_travel_km": "51"}, "max_travel_km", "Maximum travel distance must be between 1 and 50 km"),
        ({"max_travel_km": "far"}, "max_travel_km", "Maximum travel distance must be a whole number, like 12"),
        ({"reference": ""}, "reference", "Enter the reference"),
        ({"first_name": ""}, "first_name", "Enter the first name"),
        ({"last_name": "x" * 81}, "last_name", "Last name must be 80 characters or fewer"),
        ({"interest_text": "x" * 501}, "interest_text", "Interests in their own words must be 500 characters or fewer"),
        ({"gender": ""}, "gender", "Select the gender"),
        ({"category": "witness"}, "category", "Select the subject category"),
    ],
)
def test_bad_subject_input_names_the_field_and_saves_nothing(client, officer, make, overrides, field, message) -> None:
    response = client.post("/subjects/new", data=subject_data(**overrides))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert h1(response) == "Add a subject"
    assert page(response).title.get_text().startswith("Error: ")
    assert make.count(Subject) == 0


def test_a_reference_can_only_be_used_once(client, officer, make) -> None:
    make.subject(reference="MPS-2026-0042")
    response = client.post("/subjects/new", data=subject_data(reference="mps-2026-0042"))
    assert field_error(response, "reference") == "A subject with this reference already exists"
    assert make.count(Subject) == 1


def test_editing_a_subject_someone_else_changed_is_refused(client, officer, make) -> None:
    subject_id = make.subject(first_name="Original")
    stale = str(make.get(Subject, subject_id).version)
    client.post(f"/subjects/{subject_id}/edit", data=subject_data(first_name="First", version=stale))
    response = client.post(f"/subjects/{subject_id}/edit", data=subject_data(first_name="Second", version=stale))
    assert response.status_code == 303
    assert "changed this record since you opened it" in text_of(client.get(response.headers["Location"]))
    assert make.get(Subject, subject_id).first_name == "First"


def test_the_list_shows_age_and_postcode_district_only(client, officer, make) -> None:
    make.subject(reference="MPS-A", first_name="Amira", last_name="Hassan", home_postcode="E1 4NS")
    listing = page(client.get("/subjects/"))
    row = listing.select("tbody tr")[0]
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert cells[0] == "MPS-A" and cells[1] == "Amira Hassan" and cells[3] == "E1" and cells[4] == "Suspect"
    assert int(cells[2]) in (15, 16)
    assert "E1 4NS" not in listing.get_text()


def test_search_by_name_keeps_names_out_of_urls(client, officer, make, app) -> None:
    make.subject(reference="MPS-A", first_name="Amira", last_name="Hassan")
    make.subject(reference="MPS-B", first_name="Dwayne", last_name="Clarke")
    response = client.post("/subjects/", data={"query": "amira hass"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "amira" not in location.lower() and "hass" not in location.lower()
    results = client.get(location)
    found = text_of(results)
    assert "Amira Hassan" in found and "Dwayne" not in found
    assert page(results).find(id="query")["value"] == "amira hass"
    for link in page(results).select("a[href]"):
        assert "amira" not in link["href"].lower() and "hassan" not in link["href"].lower()
    by_reference = text_of(client.get(client.post("/subjects/", data={"query": "mps-b"}).headers["Location"]))
    assert "Dwayne Clarke" in by_reference and "Amira" not in by_reference
    events = audit_events(app, "subject-list")
    assert events and all("Amira" not in str(event.detail) for event in events)


def test_a_saved_search_belongs_to_the_officer_who_made_it(client, officer, make, sign_in) -> None:
    make.subject(first_name="Amira")
    location = client.post("/subjects/", data={"query": "amira"}).headers["Location"]
    other = client.application.test_client()
    sign_in(other, "officer")
    assert other.get(location).status_code == 404


def test_the_list_pages_through_subjects(client, officer, make, app) -> None:
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        make.subject(reference=f"MPS-P{number}")
    first = page(client.get("/subjects/"))
    assert len(first.select("tbody tr")) == 2
    assert len(page(client.get("/subjects/?page=2")).select("tbody tr")) == 1


def test_viewing_and_changing_a_subject_is_audited_without_personal_data(client, officer, make, app) -> None:
    response = client.post("/subjects/new", data=subject_data())
    subject_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.get(f"/subjects/{subject_id}")
    client.post(f"/subjects/{subject_id}/edit", data=subject_data(first_name="Kofi"))
    client.get("/subjects/")
    events = audit_events(app, "subject")
    actions = [event.action for event in events]
    assert actions.count("collection") == 1 and "alteration" in actions and "consultation" in actions
    assert all(event.record_id == subject_id and event.user_id == officer for event in events)
    for event in events:
        assert not {"Kwame", "Kofi", "Mensah", "E3 2AA"} & set(str(event.detail).split("'"))
    assert [event.action for event in audit_events(app, "subject-list")] == ["consultation"]


def test_weekly_commitments_can_be_added_and_removed(client, officer, make) -> None:
    subject_id = make.subject()
    response = client.post(
        f"/subjects/{subject_id}/windows/new",
        data={
            "kind": "observance",
            "label": "Friday prayers",
            "weekday": "4",
            "start_time": "13:00",
            "end_time": "14:00",
        },
    )
    assert response.status_code == 302
    client.post(
        f"/subjects/{subject_id}/windows/new",
        data={
            "kind": "school",
            "label": "Bow School",
            "weekday": "monday-to-friday",
            "start_time": "08:30",
            "end_time": "15:30",
        },
    )
    detail = text_of(client.get(f"/subjects/{subject_id}"))
    assert "Friday 13:00–14:00" in detail and "Friday prayers" in detail and "Monday 08:30–15:30" in detail
    with make.app.app_context():
        windows = db.session.scalars(select(SubjectWindow).order_by(SubjectWindow.weekday, SubjectWindow.id)).all()
        assert [w.weekday for w in windows] == [0, 1, 2, 3, 4, 4]
        prayers = next(w.id for w in windows if w.label == "Friday prayers")
    assert client.post(f"/subjects/{subject_id}/windows/{prayers}/remove").status_code == 302
    assert make.count(SubjectWindow) == 5
    assert "Friday prayers" not in text_of(client.get(f"/subjects/{subject_id}"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_time": "15:00", "end_time": "14:00"}, "end_time", "End time must be after the start time"),
        ({"label": ""}, "label", "Enter a description"),
        ({"label": "x" * 81}, "label", "Description must be 80 characters or fewer"),
        ({"kind": ""}, "kind", "Select the type of commitment"),
        ({"weekday": "7"}, "weekday", "Select the day"),
    ],
)
def test_bad_commitment_names_the_field_and_saves_nothing(client, officer, make, overrides, field, message) -> None:
    subject_id = make.subject()
    data = {"kind": "work", "label": "Saturday job", "weekday": "5", "start_time": "09:00", "end_time": "17:00"}
    response = client.post(f"/subjects/{subject_id}/windows/new", data=data | overrides)
    assert field_error(response, field) == message
    assert make.count(SubjectWindow) == 0


def test_exclusion_zones_can_be_added_and_removed(client, officer, make) -> None:
    subject_id = make.subject()
    response = client.post(
        f"/subjects/{subject_id}/exclusion-zones/new",
        data={"label": "Roman Road market", "postcode": "e3 2aa", "radius_m": "500"},
    )
    assert response.status_code == 302
    detail = text_of(client.get(f"/subjects/{subject_id}"))
    assert "Roman Road market" in detail and "E3 2AA" in detail and "500 m" in detail
    with make.app.app_context():
        zone = db.session.scalar(select(ExclusionZone))
        assert (zone.easting, zone.northing, zone.radius_m) == (536823, 183099, 500)
        zone_id = zone.id
    client.post(f"/subjects/{subject_id}/exclusion-zones/{zone_id}/remove")
    assert make.count(ExclusionZone) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"radius_m": "0"}, "radius_m", "Radius must be between 50 and 5000 metres"),
        ({"radius_m": "5001"}, "radius_m", "Radius must be between 50 and 5000 metres"),
        ({"radius_m": ""}, "radius_m", "Enter the radius in metres"),
        ({"postcode": "E3 9ZZ"}, "postcode", "Enter a real UK postcode, like E3 2AA"),
        ({"label": ""}, "label", "Enter the name of the place"),
    ],
)
def test_bad_exclusion_zone_names_the_field_and_saves_nothing(client, officer, make, overrides, field, message) -> None:
    subject_id = make.subject()
    data = {"label": "Market", "postcode": "E3 2AA", "radius_m": "500"}
    response = client.post(f"/subjects/{subject_id}/exclusion-zones/new", data=data | overrides)
    assert field_error(response, field) == message
    assert make.count(ExclusionZone) == 0


def test_a_non_association_holds_both_ways(client, officer, make, app) -> None:
    first = make.subject(reference="MPS-LOW", first_name="Amira", last_name="Hassan")
    second = make.subject(reference="MPS-HIGH", first_name="Dwayne", last_name="Clarke")
    response = client.post(f"/subjects/{second}/non-associations/new", data={"reference": "mps-low"})
    assert response.status_code == 302
    with app.app_context():
        link = db.session.scalar(select(NonAssociation))
        assert (link.subject_low_id, link.subject_high_id) == (first, second)
        link_id = link.id
        from portal.data.subjects import non_associate_ids

        assert non_associate_ids(first) == {second} and non_associate_ids(second) == {first}
    assert "MPS-HIGH" in text_of(client.get(f"/subjects/{first}"))
    assert "MPS-LOW" in text_of(client.get(f"/subjects/{second}"))
    duplicate = client.post(f"/subjects/{first}/non-associations/new", data={"reference": "MPS-HIGH"})
    assert field_error(duplicate, "reference") == "MPS-HIGH is already recorded as a non-associate"
    assert make.count(NonAssociation) == 1
    assert [event.action for event in audit_events(app, "subject") if event.detail.get("change")] == ["combination"]
    client.post(f"/subjects/{first}/non-associations/{link_id}/remove")
    assert make.count(NonAssociation) == 0


def test_a_non_association_needs_another_real_subject(client, officer, make) -> None:
    subject_id = make.subject(reference="MPS-SELF")
    itself = client.post(f"/subjects/{subject_id}/non-associations/new", data={"reference": "MPS-SELF"})
    assert field_error(itself, "reference") == "A subject cannot be recorded as a non-associate of themselves"
    missing = client.post(f"/subjects/{subject_id}/non-associations/new", data={"reference": "MPS-NOBODY"})
    assert field_error(missing, "reference") == "There is no subject with this reference"
    empty = client.post(f"/subjects/{subject_id}/non-associations/new", data={"reference": ""})
    assert field_error(empty, "reference") == "Enter the other subject's reference"
    assert make.count(NonAssociation) == 0


def test_a_link_from_another_subject_cannot_be_removed_through_this_one(client, officer, make) -> None:
    first, second, third = make.subject(), make.subject(), make.subject()
    client.post(f"/subjects/{first}/non-associations/new", data={"reference": make.get(Subject, second).reference})
    with make.app.app_context():
        link_id = db.session.scalar(select(NonAssociation.id))
    assert client.post(f"/subjects/{third}/non-associations/{link_id}/remove").status_code == 404
    assert make.count(NonAssociation) == 1


def test_notes_keep_facts_and_assessments_apart(client, officer, make, app) -> None:
    subject_id = make.subject()
    client.post(f"/subjects/{subject_id}/notes/new", data={"kind": "fact", "text": "Attends Bow School."})
    client.post(f"/subjects/{subject_id}/notes/new", data={"kind": "assessment", "text": "Responds well to sport."})
    missing_kind = client.post(f"/subjects/{subject_id}/notes/new", data={"kind": "", "text": "Unlabelled."})
    assert field_error(missing_kind, "kind") == "Select whether this is a fact or an assessment"
    too_long = client.post(f"/subjects/{subject_id}/notes/new", data={"kind": "fact", "text": "x" * 4001})
    assert field_error(too_long, "text") == "Note must be 4000 characters or fewer"
    with app.app_context():
        kinds = {note.text: note.kind for note in db.session.scalars(select(SubjectNote))}
    assert kinds == {"Attends Bow School.": "fact", "Responds well to sport.": "assessment"}
    notes = page(client.get(f"/subjects/{subject_id}")).select(".app-notes__item")
    shown = {item.select_one(".govuk-tag").get_text(strip=True): item.get_text(" ", strip=True) for item in notes}
    assert "Attends Bow School." in shown["Fact"] and "Responds well to sport." in shown["Assessment"]
    assert "Test User" in shown["Fact"] and london_today().strftime("%B %Y") in shown["Fact"]


def test_a_missing_subject_is_not_found(client, officer) -> None:
    assert client.get("/subjects/999").status_code == 404
    assert client.post("/subjects/999/notes/new", data={"kind": "fact", "text": "x"}).status_code == 404


def subject_routes(subject_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/subjects/"),
        ("post", "/subjects/"),
        ("get", "/subjects/new"),
        ("post", "/subjects/new"),
        ("get", f"/subjects/{subject_id}"),
        ("get", f"/subjects/{subject_id}/edit"),
        ("post", f"/subjects/{subject_id}/edit"),
        ("get", f"/subjects/{subject_id}/windows/new"),
        ("post", f"/subjects/{subject_id}/windows/new"),
        ("post", f"/subjects/{subject_id}/windows/1/remove"),
        ("get", f"/subjects/{subject_id}/exclusion-zones/new"),
        ("post", f"/subjects/{subject_id}/exclusion-zones/new"),
        ("post", f"/subjects/{subject_id}/exclusion-zones/1/remove"),
        ("get", f"/subjects/{subject_id}/non-associations/new"),
        ("post", f"/subjects/{subject_id}/non-associations/new"),
        ("post", f"/subjects/{subject_id}/non-associations/1/remove"),
        ("get", f"/subjects/{subject_id}/notes/new"),
        ("post", f"/subjects/{subject_id}/notes/new"),
    ] + [(method, f"/subjects/{subject_id}/{key}") for key in SECTION_TITLES for method in ("get", "post")]


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_only_officers_reach_subjects(client, sign_in, make, app, role) -> None:
    subject_id = make.subject(first_name="Hidden")
    sign_in(client, role)
    routes = subject_routes(subject_id)
    covered = {app.url_map.bind("").match(path, method=method.upper())[0] for method, path in routes}
    assert covered == {endpoint for endpoint in app.view_functions if endpoint.startswith("subjects.")}
    for method, path in routes:
        response = getattr(client, method)(path, data={"first_name": "Hijacked"})
        assert response.status_code == 403, (method, path)
        assert "Hidden" not in response.get_data(as_text=True)
    assert make.get(Subject, subject_id).first_name == "Hidden"
    assert audit_events(app, "subject") == []


def test_officers_see_their_dashboard_then_subjects_in_the_navigation(client, officer) -> None:
    navigation = page(client.get("/subjects/")).select(".govuk-service-navigation__link")
    links = [link.get_text(strip=True) for link in navigation]
    assert links[:3] == ["Dashboard", "Subjects", "Find programmes"]


def test_the_subject_page_leads_to_suggestions_and_to_a_draft_order(client, sign_in, make) -> None:
    sign_in(client, "officer")
    subject_id = make.subject(completed_sections=list(SECTION_TITLES))  # suggestions wait for a complete record
    soup = page(client.get(f"/subjects/{subject_id}"))
    button = soup.find("a", string=lambda s: s and "Find suggested" in s)
    assert button["href"] == f"/subjects/{subject_id}/suggestions"
    start = soup.find("button", string=lambda s: s and "Start a draft order" in s)
    response = client.post(start.find_parent("form")["action"])
    assert response.status_code == 302 and response.headers["Location"].startswith("/orders/")
    again = page(client.get(f"/subjects/{subject_id}"))
    assert again.find("a", string=lambda s: s and "Open the draft order" in s)["href"] == response.headers["Location"]


def test_every_subject_form_page_opens_and_is_audited(client, officer, make, app) -> None:
    subject_id = make.subject()
    pages = {
        "/subjects/new": "Add a subject",
        f"/subjects/{subject_id}/edit": "Change subject details",
        f"/subjects/{subject_id}/windows/new": "Add a weekly commitment or observance",
        f"/subjects/{subject_id}/exclusion-zones/new": "Add an exclusion zone",
        f"/subjects/{subject_id}/non-associations/new": "Add a non-association",
        f"/subjects/{subject_id}/notes/new": "Add a note",
    }
    for path, heading in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert h1(response) == heading
    consultations = [event for event in audit_events(app, "subject") if event.action == "consultation"]
    assert len(consultations) == 5
