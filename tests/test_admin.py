"""Admins vet partner organisations and manage accounts."""

import re

import pytest

from portal.models import AuthSession, Organisation, OrganisationStatus, User
from tests.utils import error_summary, page, set_up_authenticator


@pytest.fixture
def admin(client, sign_in):
    sign_in(client, "admin")
    return client


def test_pending_organisations_wait_in_the_admin_queue(admin, make) -> None:
    make.organisation(status=OrganisationStatus.PENDING, name="Waiting Youth Club")
    make.organisation(name="Already Approved")
    text = page(admin.get("/admin/organisations")).get_text(" ", strip=True)
    assert "Waiting Youth Club" in text and "Already Approved" not in text
    assert "Awaiting approval (1)" in text and "Approved (1)" in text


def test_approve_then_suspend_then_reinstate(admin, make) -> None:
    organisation_id = make.organisation(status=OrganisationStatus.PENDING)
    admin.post(f"/admin/organisations/{organisation_id}", data={"action": "approve"})
    assert make.get(Organisation, organisation_id).status == "approved"
    admin.post(
        f"/admin/organisations/{organisation_id}",
        data={"action": "suspend", "reason": "Safeguarding review", "confirmed": "yes"},
    )
    suspended = make.get(Organisation, organisation_id)
    assert suspended.status == "suspended" and suspended.status_reason == "Safeguarding review"
    admin.post(f"/admin/organisations/{organisation_id}", data={"action": "reinstate"})
    assert make.get(Organisation, organisation_id).status == "approved"


@pytest.mark.parametrize(
    ("action", "message"),
    [("reject", "Enter why the organisation is rejected"), ("suspend", "Enter why the organisation is suspended")],
)
def test_rejecting_or_suspending_needs_a_reason(admin, make, action, message) -> None:
    organisation_id = make.organisation(status=OrganisationStatus.PENDING if action == "reject" else "approved")
    before = make.get(Organisation, organisation_id).status
    response = admin.post(f"/admin/organisations/{organisation_id}", data={"action": action, "reason": "  "})
    assert message in error_summary(response)
    assert make.get(Organisation, organisation_id).status == before


def test_a_stale_decision_is_not_applied(admin, make) -> None:
    organisation_id = make.organisation(status=OrganisationStatus.PENDING)
    opened_version = make.get(Organisation, organisation_id).version
    admin.post(f"/admin/organisations/{organisation_id}", data={"action": "approve", "version": opened_version})
    response = admin.post(
        f"/admin/organisations/{organisation_id}", data={"action": "approve", "version": opened_version}
    )
    assert response.status_code == 303
    assert "changed this record since you opened it" in page(admin.get(response.headers["Location"])).get_text()


def test_admin_invites_a_partner_who_sets_a_password_once(app, admin, make) -> None:
    organisation_id = make.organisation(name="Invited Org")
    response = admin.post(
        "/admin/users/new",
        data={
            "full_name": "Nadia Ali",
            "email": "nadia@example.org",
            "role": "partner",
            "organisation_id": str(organisation_id),
        },
    )
    link = re.search(r"http://localhost(/invitation/[\w-]+)", response.get_data(as_text=True)).group(1)
    visitor = app.test_client()
    assert "Nadia Ali" in visitor.get(link).get_data(as_text=True)
    set_password = visitor.post(
        link, data={"password": "nadias-long-password", "confirm_password": "nadias-long-password"}
    )
    # No second sign-in: the new password leads straight on to linking an authenticator app.
    assert set_password.status_code == 302 and set_password.headers["Location"] == "/sign-in/set-up-authenticator"
    used = visitor.get(link)  # single use
    assert (
        used.status_code == 410 and page(used).h1.get_text(strip=True) == "This invitation link has already been used"
    )
    codes, _secret = set_up_authenticator(visitor)
    assert page(codes).select_one("a.govuk-button")["href"] == "/home"
    assert visitor.get("/home").status_code == 302  # signed in: home sends the partner on to their own pages
    assert visitor.get("/partner/organisation").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "A", "email": "a@example.org", "role": "partner"}, "Select the partner organisation"),
        ({"full_name": "A", "email": "a@example.org", "role": "officer"}, "Enter the officer's unit"),
        ({"full_name": "", "email": "a@example.org", "role": "admin"}, "Enter the person's full name"),
        ({"full_name": "A", "email": "a@example.org", "role": "wizard"}, "Select a role"),
    ],
)
def test_bad_new_user_input_names_the_field(admin, make, data, message) -> None:
    before = make.count(User)
    response = admin.post("/admin/users/new", data=data)
    assert message in error_summary(response)
    assert make.count(User) == before


def test_disabling_a_user_ends_their_sessions(app, admin, make, sign_in) -> None:
    officer = app.test_client()
    officer_id = sign_in(officer, "officer")
    assert officer.get("/directory/").status_code == 200
    admin.post(f"/admin/users/{officer_id}/disable")
    assert make.get(User, officer_id).disabled_at is not None
    assert officer.get("/directory/").status_code == 302
    with app.app_context():
        from sqlalchemy import select

        from portal.extensions import db

        assert all(s.ended_at for s in db.session.scalars(select(AuthSession).where(AuthSession.user_id == officer_id)))


def test_admins_cannot_disable_themselves(admin, make) -> None:
    from sqlalchemy import select

    from portal.extensions import db

    with make.app.app_context():
        own_id = db.session.scalar(select(User.id).where(User.role == "admin"))
    admin.post(f"/admin/users/{own_id}/disable")
    assert make.get(User, own_id).disabled_at is None
