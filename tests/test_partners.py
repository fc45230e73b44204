"""Partner self-registration, venues, programmes and weekly sessions, including every kind of bad input."""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.models import Organisation, OutboxMessage, Programme, ProgrammeSession, User, Venue
from tests.utils import error_summary, field_error, h1, page, set_up_authenticator


def registration(**overrides: str) -> dict:
    data = {
        "name": "Mile End Youth Boxing",
        "kind": "sports-club",
        "borough": "Tower Hamlets",
        "address": "2 Mile End Road, London",
        "postcode": "e1 4ns",
        "email": "hello@mileendboxing.example.org",
        "phone": "020 7946 0123",
        "website": "",
        "description": "Boxing for young people.",
        "full_name": "Ayesha Rahman",
        "user_email": "ayesha@mileendboxing.example.org",
        "password": "a-long-enough-password",
        "confirm_password": "a-long-enough-password",
    }
    return data | overrides


def continue_from_email(client: FlaskClient, email: str = "ayesha@mileendboxing.example.org") -> TestResponse:
    """Follow the link in the registration email as the person does: open it, then press Continue."""
    with client.application.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        )
    path = re.search(r"/register-organisation/continue/[\w-]+", body).group(0)
    assert h1(client.get(path)) == "Continue your registration"
    return client.post(path)


def programme_data(**overrides) -> dict:
    data = {
        "title": "Tuesday Boxing",
        "description": "Boxing coaching with mentoring.",
        "activity_types": ["boxing"],
        "tags": "fitness, discipline",
        "min_age": "13",
        "max_age": "18",
        "gender": "any",
        "capacity": "12",
        "cost": "",
        "languages": ["en", "bn"],
        "provisions": ["halal-food"],
        "referral_process": "Email the coach.",
        "supervisor_name": "Dan Hughes",
        "supervisor_role": "Head coach",
        "supervisor_email": "dan@example.org",
        "supervisor_phone": "020 7946 0999",
        "valid_from": ["1", "9", "2026"],
        "valid_to": ["", "", ""],
    }
    return data | overrides


# The task list's sections after "About the programme" (which `/partner/programmes/new` asks first), in order.
LATER_SECTIONS = ("who-it-is-for", "cultural-and-faith-provision", "supervisor", "dates-and-places")


def add_programme(client: FlaskClient, data: dict, sessions: tuple[dict, ...] = ()) -> TestResponse:
    """Add a programme as a partner does: each section of the task list in turn, the weekly sessions, then publish.

    Each section's page reads only its own fields from `data`. Returns the first page that did not move on (one
    with errors), or the answer to "Publish programme" (a redirect to the published programme)."""
    response = client.post("/partner/programmes/new", data=data)
    if response.status_code != 302:
        return response
    draft = response.headers["Location"]
    for slug in LATER_SECTIONS:
        response = client.post(f"{draft}/{slug}", data=data)
        if response.status_code != 302:
            return response
    for session in sessions:
        response = client.post(f"{draft}/sessions/new", data=session)
        if response.status_code != 302:
            return response
    return client.post(f"{draft}/publish")


def session_data(venue: int, **overrides) -> dict:
    data = {
        "venue_id": str(venue),
        "weekday": "1",
        "start_time": "17:00",
        "end_time": "19:00",
        "term_start": ["1", "9", "2026"],
        "term_end": ["", "", ""],
        "exception_dates": "",
    }
    return data | overrides


def test_registration_creates_a_pending_organisation_and_its_first_user(client, make) -> None:
    response = client.post("/register-organisation", data=registration())
    assert response.status_code == 302 and response.headers["Location"] == "/register-organisation/check-your-email"
    assert h1(client.get(response.headers["Location"])) == "Check your email"
    continued = continue_from_email(client)
    assert continued.status_code == 302 and continued.headers["Location"] == "/sign-in/set-up-authenticator"
    assert client.get("/partner/registered").status_code == 302  # nothing until an authenticator is linked
    codes, _secret = set_up_authenticator(client)
    assert len(page(codes).select("#recovery-codes li")) == 10
    follow = client.get(page(codes).select_one("a.govuk-button")["href"])
    assert "waiting for approval" in page(follow).get_text()
    with make.app.app_context():
        organisation = db.session.scalar(select(Organisation))
        user = db.session.scalar(select(User))
        assert organisation.status == "pending" and organisation.postcode == "E1 4NS"
        assert user.role == "partner" and user.organisation_id == organisation.id
        assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postcode": "ZZ99 9ZZ"}, "postcode", "Enter a real UK postcode, like E3 2AA"),
        ({"postcode": "E3 XYZ"}, "postcode", "Enter a real UK postcode, like E3 2AA"),
        ({"name": ""}, "name", "Enter the organisation name"),
        ({"name": "x" * 161}, "name", "Organisation name must be 160 characters or fewer"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format, like name@example.org"),
        (
            {"password": "short", "confirm_password": "short"},
            "password",
            "Password must be between 12 and 1000 characters",
        ),
        ({"confirm_password": "something-else-entirely"}, "confirm_password", "Passwords must match"),
        ({"kind": "pirate-ship"}, "kind", "Select the type of organisation"),
    ],
)
def test_bad_registration_names_the_field_and_saves_nothing(client, make, overrides, field, message) -> None:
    response = client.post("/register-organisation", data=registration(**overrides))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert h1(response) == "Register your organisation"
    assert page(response).title.get_text().startswith("Error: ")
    assert make.count(Organisation) == 0 and make.count(User) == 0


def test_duplicate_registration_is_refused(client, make) -> None:
    client.post("/register-organisation", data=registration())
    other = client.application.test_client()
    response = other.post("/register-organisation", data=registration())
    assert error_summary(response) == ["An organisation with this name is already registered"]
    assert make.count(Organisation) == 1


@pytest.fixture
def partner(client, sign_in, make):
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id)
    return organisation_id


def test_partner_adds_a_programme_with_a_venue_and_two_sessions(client, partner, make) -> None:
    response = client.post(
        "/partner/venues/new", data={"name": "Roman Road Gym", "address": "12 Roman Road", "postcode": "e3 2aa"}
    )
    assert response.status_code == 302
    with make.app.app_context():
        venue = db.session.scalar(select(Venue))
        assert (venue.postcode, venue.easting, venue.northing) == ("E3 2AA", 536823, 183099)
    sessions = (
        session_data(venue.id),
        session_data(
            venue.id, weekday="3", start_time="18.30", end_time="2000", exception_dates="24/12/2026\n31 12 2026"
        ),
    )
    response = add_programme(client, programme_data(), sessions)
    assert response.status_code == 302
    programme_path = response.headers["Location"]
    programme_id = int(programme_path.rsplit("/", 1)[1])
    detail = page(client.get(programme_path)).get_text(" ", strip=True)
    assert "Tuesday 17:00–19:00" in detail and "Thursday 18:30–20:00" in detail
    listing = page(client.get("/partner/programmes")).get_text(" ", strip=True)
    assert "Tuesday Boxing" in listing and "Tuesday 17:00–19:00" in listing
    programme = make.get(Programme, programme_id)
    assert programme.tags == ["fitness", "discipline"] and programme.languages == ["en", "bn"]
    with make.app.app_context():
        sessions = db.session.scalars(select(ProgrammeSession).order_by(ProgrammeSession.weekday)).all()
        assert [s.exception_dates for s in sessions] == [[], ["2026-12-24", "2026-12-31"]]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Enter the programme title"),
        ({"title": "t" * 161}, "title", "Programme title must be 160 characters or fewer"),
        ({"description": "d" * 4001}, "description", "Description must be 4000 characters or fewer"),
        (
            {"min_age": "16", "max_age": "14"},
            "min_age",
            "Minimum age must be the same as or lower than the maximum age",
        ),
        ({"min_age": "10"}, "min_age", "Minimum age must be 12 or over"),
        ({"min_age": "twelve"}, "min_age", "Minimum age must be a whole number, like 12"),
        ({"capacity": "0"}, "capacity", "Places per session must be 1 or more"),
        ({"capacity": ""}, "capacity", "Enter the number of places per session"),
        ({"activity_types": []}, "activity_types", "Select at least one activity type"),
        ({"languages": []}, "languages", "Select at least one language"),
        ({"cost": "a lot"}, "cost", "Cost per session must be an amount in pounds, like 2.50"),
        (
            {"supervisor_email": "dan"},
            "supervisor_email",
            "Enter an email address in the correct format, like name@example.org",
        ),
        ({"valid_from": ["31", "2", "2026"]}, "valid_from", "Runs from must be a real date, like 27 3 2027"),
        ({"valid_to": ["1", "1", "2026"]}, "valid_to", "Runs until must be after runs from"),
    ],
)
def test_bad_programme_input_names_the_field_and_saves_nothing(
    client, partner, make, overrides, field, message
) -> None:
    response = add_programme(client, programme_data(**overrides))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert make.count(Programme) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_time": "19:00", "end_time": "17:00"}, "end_time", "End time must be after the start time"),
        ({"start_time": "25:00"}, "start_time", "Enter start time as a 24-hour time, like 17:00"),
        ({"end_time": ""}, "end_time", "Enter the end time"),
        ({"weekday": ""}, "weekday", "Select the day"),
        ({"venue_id": ""}, "venue_id", "Select the venue"),
        ({"term_start": ["", "", ""]}, "term_start", "Enter the date of the first session"),
        ({"term_end": ["1", "8", "2026"]}, "term_end", "Last session date must be after the first"),
        (
            {"exception_dates": "Christmas"},
            "exception_dates",
            "Enter each date with no session like 25/12/2026 (check 'Christmas')",
        ),
    ],
)
def test_bad_session_input_names_the_field_and_saves_nothing(client, partner, make, overrides, field, message) -> None:
    programme_id = make.programme(partner, sessions=0)
    venue_id = make.venue(partner)
    response = client.post(f"/partner/programmes/{programme_id}/sessions/new", data=session_data(venue_id, **overrides))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert make.count(ProgrammeSession) == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "Gym", "address": "1 Road", "postcode": "E3 9ZZ"},
            "postcode",
            "Enter a real UK postcode, like E3 2AA",
        ),
        ({"name": "", "address": "1 Road", "postcode": "E3 2AA"}, "name", "Enter the venue name"),
        (
            {"name": "Gym", "address": "a" * 301, "postcode": "E3 2AA"},
            "address",
            "Address must be 300 characters or fewer",
        ),
    ],
)
def test_bad_venue_input_names_the_field_and_saves_nothing(client, partner, make, data, field, message) -> None:
    response = client.post("/partner/venues/new", data=data)
    assert field_error(response, field) == message
    assert make.count(Venue) == 0


def test_editing_a_programme_someone_else_changed_is_refused(client, partner, make) -> None:
    programme_id = make.programme(partner, title="Original")
    stale_version = make.get(Programme, programme_id).version
    path = f"/partner/programmes/{programme_id}/edit/about"  # the "Change" link of "About the programme"
    client.post(path, data=programme_data(title="First edit", version=str(stale_version)))
    response = client.post(path, data=programme_data(title="Second edit", version=str(stale_version)))
    assert response.status_code == 303
    follow = client.get(response.headers["Location"])
    assert "changed this record since you opened it" in page(follow).get_text()
    assert make.get(Programme, programme_id).title == "First edit"


def test_pausing_and_archiving_a_programme(client, partner, make) -> None:
    programme_id = make.programme(partner)
    client.post(f"/partner/programmes/{programme_id}/status/pause")
    assert make.get(Programme, programme_id).status == "paused"
    client.post(f"/partner/programmes/{programme_id}/status/resume")
    client.post(f"/partner/programmes/{programme_id}/status/archive")
    assert make.get(Programme, programme_id).status == "archived"
    assert client.post(f"/partner/programmes/{programme_id}/status/explode").status_code == 400


def test_a_session_young_people_were_referred_to_cannot_be_removed(client, partner, make) -> None:
    programme_id = make.programme(partner)
    session_id = make.session_ids(programme_id)[0]
    make.referral(session_id)
    response = client.post(f"/partner/sessions/{session_id}/remove")
    assert response.status_code == 303
    assert "cannot be removed" in page(client.get(response.headers["Location"])).get_text()
    assert make.get(ProgrammeSession, session_id) is not None


def test_editing_a_session_keeps_its_dates_off_when_the_form_leaves_them_out(client, partner, make) -> None:
    programme_id = make.programme(partner)
    session_id = make.session_ids(programme_id)[0]
    with make.app.app_context():
        from portal.extensions import db

        stored = db.session.get(ProgrammeSession, session_id)
        stored.exception_dates = ["2026-12-25"]
        db.session.commit()
        version, venue_id = stored.version, stored.venue_id
    data = session_data(venue_id, version=str(version))
    del data["exception_dates"]
    response = client.post(f"/partner/sessions/{session_id}/edit", data=data)
    assert response.status_code == 302
    assert make.get(ProgrammeSession, session_id).exception_dates == ["2026-12-25"]


def test_the_page_and_the_api_share_one_rule_for_status_changes(client, partner, make) -> None:
    programme_id = make.programme(partner)
    client.post(f"/partner/programmes/{programme_id}/status/archive")
    refused = client.post(f"/partner/programmes/{programme_id}/status/pause", follow_redirects=True)
    assert "This programme is archived: it cannot be paused." in page(refused).get_text()
    assert make.get(Programme, programme_id).status == "archived"
    stale = make.get(Programme, programme_id).version - 1
    response = client.post(
        f"/partner/programmes/{programme_id}/status/resume", data={"version": str(stale)}, follow_redirects=True
    )
    assert "changed this record since you opened it" in page(response).get_text()
    assert make.get(Programme, programme_id).status == "archived"
