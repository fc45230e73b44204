"""Deny by default: every route declares who may use it, and partners never reach another organisation's records."""

import re

import pytest
from flask import Flask

from portal.models import Programme, ProgrammeSession, Venue
from portal.web.auth import PUBLIC, access_rule_of
from tests.utils import page

PUBLIC_ENDPOINTS = {
    "static",
    "main.index",
    "main.accessibility",
    "main.privacy",
    "main.health",
    "auth.sign_in",
    "auth.sign_in_code",  # these two need the session of a correct password, which they check themselves
    "auth.set_up_authenticator",
    "auth.accept_invitation",
    "auth.forgot_password",
    "auth.reset_password",  # the single-use, expiring reset link is the credential
    "partners.register",
    "partners.check_your_email",
    "partners.continue_registration",  # the single-use, expiring link from the registration email is the credential
    "calendars.feed",  # the unguessable, revocable feed token is the credential
    "api.openapi",  # the JSON API's description holds no data; every other API route needs a bearer token
    # Open Referral UK 3.0 feed: open by the standard; approved programmes only, no personal data
    *(
        f"openreferral.{name}"
        for name in (
            "index",
            "openapi",
            "services",
            "service",
            "taxonomies",
            "taxonomy",
            "taxonomy_terms",
            "taxonomy_term",
        )
    ),
}


def test_every_endpoint_declares_an_access_rule(app: Flask) -> None:
    missing = [endpoint for endpoint in app.view_functions if access_rule_of(app, endpoint) is None]
    assert missing == []


def test_only_the_expected_endpoints_are_public(app: Flask) -> None:
    public = {endpoint for endpoint in app.view_functions if access_rule_of(app, endpoint) == PUBLIC}
    assert public == PUBLIC_ENDPOINTS


@pytest.mark.own_app
def test_a_view_without_a_rule_is_refused(app: Flask) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_url_paths_are_kebab_case(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        static_parts = [part for part in re.split(r"<[^>]+>", rule.rule)]
        for part in static_parts:
            assert part == part.lower() and "_" not in part, rule.rule


def signed_out_get_endpoints(app: Flask) -> list[str]:
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and access_rule_of(app, rule.endpoint) != PUBLIC
        and not rule.rule.startswith("/api/v1/")  # bearer tokens only: 401, never a sign-in page (tests/api)
    ]


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, client) -> None:
    for path in signed_out_get_endpoints(app):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/sign-in" in response.headers["Location"], path


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("partner", "/directory/"),
        ("partner", "/admin/organisations"),
        ("partner", "/admin/users"),
        ("officer", "/partner/programmes"),
        ("officer", "/partner/venues"),
        ("officer", "/admin/users"),
        ("admin", "/partner/programmes"),
        ("admin", "/directory/"),
        # Auditors read the audit log and nothing else; nobody else reads it, admins included (separation of duties)
        *[("auditor", path) for path in ("/subjects/", "/directory/", "/partner/programmes", "/admin/users")],
        *[(role, "/audit/events") for role in ("officer", "partner", "admin")],
    ],
)
def test_roles_only_reach_their_own_areas(client, sign_in, role: str, path: str) -> None:
    sign_in(client, role)
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have access to this page" in page(response).get_text()


@pytest.fixture
def other_organisation(make):
    organisation_id = make.organisation()
    venue_id = make.venue(organisation_id)
    programme_id = make.programme(organisation_id, sessions=1, venue_id=venue_id, title="Their Programme")
    session_id = make.get(Programme, programme_id) and _first_session(make, programme_id)
    return {"organisation": organisation_id, "venue": venue_id, "programme": programme_id, "session": session_id}


def _first_session(make, programme_id: int) -> int:
    from sqlalchemy import select

    from portal.extensions import db

    with make.app.app_context():
        return db.session.scalar(select(ProgrammeSession.id).where(ProgrammeSession.programme_id == programme_id))


def test_a_partner_cannot_read_another_organisations_records(client, sign_in, other_organisation) -> None:
    sign_in(client, "partner")
    ids = other_organisation
    for path in (
        f"/partner/programmes/{ids['programme']}",
        f"/partner/programmes/{ids['programme']}/edit",
        f"/partner/programmes/{ids['programme']}/edit/about",
        f"/partner/programmes/{ids['programme']}/sessions/new",
        f"/partner/sessions/{ids['session']}/edit",
        f"/partner/venues/{ids['venue']}/edit",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Their Programme" not in response.get_data(as_text=True)
    listing = client.get("/partner/programmes").get_data(as_text=True)
    assert "Their Programme" not in listing


def test_a_partner_cannot_change_another_organisations_records(client, sign_in, make, other_organisation) -> None:
    sign_in(client, "partner")
    ids = other_organisation
    attempts = [
        (f"/partner/programmes/{ids['programme']}/edit/about", {"title": "Hijacked"}),
        (f"/partner/programmes/{ids['programme']}/status/archive", {}),
        (f"/partner/programmes/{ids['programme']}/confirm-details", {}),
        (f"/partner/programmes/{ids['programme']}/sessions/new", {"weekday": "2"}),
        (f"/partner/sessions/{ids['session']}/edit", {"weekday": "3"}),
        (f"/partner/sessions/{ids['session']}/remove", {}),
        (f"/partner/venues/{ids['venue']}/edit", {"name": "Hijacked"}),
    ]
    for path, data in attempts:
        assert client.post(path, data=data).status_code == 404, path
    programme = make.get(Programme, ids["programme"])
    assert programme.title == "Their Programme" and programme.status == "active"
    assert make.get(ProgrammeSession, ids["session"]) is not None
    assert make.get(Venue, ids["venue"]).name != "Hijacked"


def test_a_partner_cannot_attach_another_organisations_venue(client, sign_in, make, other_organisation) -> None:
    own_organisation = make.organisation()
    sign_in(client, "partner", organisation_id=own_organisation)
    own_programme = make.programme(own_organisation, sessions=0)
    response = client.post(
        f"/partner/programmes/{own_programme}/sessions/new",
        data={
            "venue_id": str(other_organisation["venue"]),
            "weekday": "1",
            "start_time": "17:00",
            "end_time": "18:00",
            "term_start": ["1", "9", "2026"],
        },
    )
    assert response.status_code in (200, 404)
    assert make.count(ProgrammeSession) == 1  # only the other organisation's own session exists
