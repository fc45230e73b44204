"""A partner reaches young people's data only while their organisation is approved (issue 16, item 1).

Suspending or rejecting an organisation, or not having approved it yet, cuts its partners off from every page and
API operation about referrals, registers and reports at once. A pending organisation may still set up its listings;
every partner may still read their organisation's page (its status and the reason given).
The tripwire tests walk every partner route in the URL map and every partner operation in the OpenAPI document."""

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.api.registry import OPERATIONS
from portal.extensions import db
from portal.models import AuditEvent, Organisation, Referral, Role
from portal.web.auth import access_rule_of
from tests.api.conftest import Api, issue_token
from tests.factories import Factory
from tests.utils import page, pages_for, route_url

OPEN_WHATEVER_THE_STATUS = {"partners.organisation", "partners.registered", "api.me"}
LISTINGS = {
    *(
        f"partners.{name}"
        for name in (
            "programmes_list",
            "programme_new",
            "programme",
            "programme_edit",
            "programme_edit_section",
            "programme_draft",
            "programme_draft_section",
            "draft_sessions",
            "draft_session_new",
            "draft_session_remove",
            "draft_check",
            "draft_publish",
            "draft_delete_confirm",
            "draft_delete",
            "programme_status",
            "programme_archive_confirm",
            "programme_confirm",
            "programme_review",
            "session_new",
            "session_edit",
            "session_remove",
            "session_remove_confirm",
            "venues",
            "venue_new",
            "venue_edit",
        )
    ),
    *(
        f"api.{name}"
        for name in (
            "programmes_list",
            "programme_create",
            "programme",
            "programme_update",
            "programme_archive",
            "programme_confirm",
            "programme_pause",
            "programme_resume",
            "session_create",
            "session_update",
            "session_delete",
            "venues_list",
            "venue_create",
            "venue_update",
        )
    ),
}
OPEN_WHILE_PENDING = OPEN_WHATEVER_THE_STATUS | LISTINGS
NOT_APPROVED = ["suspended", "rejected", "pending"]


def open_to(status: str) -> set[str]:
    return OPEN_WHILE_PENDING if status == "pending" else OPEN_WHATEVER_THE_STATUS


def partner_world(make: Factory) -> tuple[int, dict[str, Any]]:
    """An approved organisation with a programme, a venue, a referral and a register: the values of every path."""
    organisation_id = make.organisation()
    programme_id = make.programme(organisation_id)
    session_id = make.session_ids(programme_id)[0]
    with make.app.app_context():
        venue_id = db.session.get(Organisation, organisation_id).venues[0].id
    referral_id = make.referral(session_id)
    values = {
        "programme_id": programme_id,
        "session_id": session_id,
        "venue_id": venue_id,
        "referral_id": referral_id,
        "on_date": date(2026, 10, 6).isoformat(),
        "action": "pause",
        "draft_id": 1,  # a draft of the task list (none yet: "not found", never "refused")
        "section": "about",
    }
    return organisation_id, values


def set_status(app: Flask, organisation_id: int, status: str) -> None:
    with app.app_context():
        db.session.get(Organisation, organisation_id).status = status
        db.session.commit()


def partner_pages(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, method) of every page for partners; pages for every account (account, sign-out) are not theirs."""
    every_role = tuple(Role)
    return [
        (rule.endpoint, method)
        for rule, method in pages_for(app, Role.PARTNER)
        if access_rule_of(app, rule.endpoint) != every_role
    ]


def partner_operations() -> list[tuple[str, str]]:
    return [(op.endpoint, op.method) for op in OPERATIONS if Role.PARTNER in op.roles]


def audit_count(app: Flask) -> int:
    with app.app_context():
        return db.session.query(AuditEvent).count()


def test_the_walks_find_the_partner_areas(app: Flask) -> None:
    pages, operations = dict(partner_pages(app)), dict(partner_operations())
    for endpoint in ("referrals.referral", "registers.save", "noncompliance.partner_new", "calendars.partner_feed"):
        assert endpoint in pages
    for endpoint in ("api.referral", "api.referral_accept", "api.register_save", "api.referral_report"):
        assert endpoint in operations


@pytest.mark.parametrize("status", NOT_APPROVED)
def test_every_partner_page_is_refused_unless_the_organisation_is_approved(
    app: Flask, client: FlaskClient, make: Factory, sign_in, status: str
) -> None:
    organisation_id, values = partner_world(make)
    sign_in(client, "partner", organisation_id)
    set_status(app, organisation_id, status)
    before = audit_count(app)
    for endpoint, method in partner_pages(app):
        response = client.open(route_url(app, endpoint, values), method=method, data={})
        if endpoint in open_to(status):
            assert response.status_code != 403, (endpoint, method)
        else:
            assert response.status_code == 403, (endpoint, method)
            # A pending organisation's partner is told it is waiting for approval and what happens next.
            said = (
                "Your organisation is waiting for approval" if status == "pending" else f"Your organisation is {status}"
            )
            assert said in page(response).get_text(), (endpoint, method)
    if status != "pending":
        assert audit_count(app) == before  # nothing read, nothing changed

    set_status(app, organisation_id, "approved")
    for endpoint, method in partner_pages(app):
        response = client.open(route_url(app, endpoint, values), method=method, data={})
        assert response.status_code not in (401, 403), (endpoint, method)


@pytest.mark.parametrize("status", NOT_APPROVED)
def test_every_partner_api_operation_is_refused_unless_the_organisation_is_approved(
    app: Flask, make: Factory, status: str
) -> None:
    organisation_id, values = partner_world(make)
    user_id = make.user("partner", organisation_id=organisation_id)
    api = Api(app.test_client(), issue_token(app, user_id), user_id)
    set_status(app, organisation_id, status)
    before = audit_count(app)
    for endpoint, method in partner_operations():
        path = route_url(app, endpoint, values).removeprefix("/api/v1")
        response = api._call(method, path, json={})
        if endpoint in open_to(status):
            assert response.status_code != 403, (endpoint, method)
        else:
            assert response.status_code == 403, (endpoint, method)
            assert response.get_json()["error"]["code"] == "organisation-not-approved", (endpoint, method)
    if status != "pending":
        assert audit_count(app) == before

    set_status(app, organisation_id, "approved")
    for endpoint, method in partner_operations():
        path = route_url(app, endpoint, values).removeprefix("/api/v1")
        assert api._call(method, path, json={}).status_code not in (401, 403), (endpoint, method)


def test_a_suspended_partner_can_no_longer_accept_or_read_a_referral(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    organisation_id, values = partner_world(make)
    referral_id = values["referral_id"]
    user_id = sign_in(client, "partner", organisation_id)
    api = Api(app.test_client(), issue_token(app, user_id), user_id)
    assert client.get(f"/partner/referrals/{referral_id}").status_code == 200
    assert api.get(f"/referrals/{referral_id}").status_code == 200

    set_status(app, organisation_id, "suspended")
    assert client.get(f"/partner/referrals/{referral_id}").status_code == 403
    assert api.get(f"/referrals/{referral_id}").status_code == 403
    accepted = api.post(f"/referrals/{referral_id}/accept", json={"statement": "We can take them."})
    assert accepted.status_code == 403
    assert make.get(Referral, referral_id).status == "viewed"  # opened while approved; not accepted


def test_a_suspended_partner_lands_on_their_organisation_page_with_only_its_links(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    organisation_id = make.organisation(status="suspended", status_reason="Safeguarding review under way.")
    sign_in(client, "partner", organisation_id)
    home = client.get("/home")
    assert home.status_code == 302 and home.headers["Location"] == "/partner/organisation"
    shown = page(client.get("/partner/organisation"))
    assert "Safeguarding review under way." in shown.get_text()
    links = {link.get_text(strip=True) for link in shown.select(".govuk-service-navigation__link, nav a")}
    assert "Organisation" in links
    assert not links & {"Referrals", "Registers", "Calendar", "Import", "Programmes"}


def test_a_pending_partner_sees_the_listing_links_but_not_the_referrals(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    sign_in(client, "partner", make.organisation(status="pending"))
    assert client.get("/home").headers["Location"] == "/partner/registered"  # the waiting-for-approval page
    links = {link.get_text(strip=True) for link in page(client.get("/partner/programmes")).select("nav a")}
    assert {"Programmes", "Venues", "Organisation"} <= links
    assert not links & {"Referrals", "Registers", "Calendar"}
