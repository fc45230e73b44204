"""States that say what happens next (issue 19), as a person sees them with JavaScript off: a new partner waiting
for approval, links that no longer work, an invitation that ends signed in, and empty dashboards and lists."""

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from portal.data import accounts
from portal.extensions import db
from portal.models import AuditEvent, AuthSession, Invitation, LinkPurpose, Organisation, User, utcnow
from tests.factories import Factory
from tests.test_partners import continue_from_email, registration
from tests.utils import h1, page, set_up_authenticator

NEW_PASSWORD = {"password": "a long new passphrase", "confirm_password": "a long new passphrase"}


def text(response) -> str:
    return page(response).get_text(" ", strip=True)


def buttons(response) -> dict[str, str]:
    """Link buttons on the page: their text and where they go."""
    return {link.get_text(strip=True): link["href"] for link in page(response).select("main a.govuk-button")}


# A new partner waiting for approval --------------------------------------------------------------------------------


def test_a_new_partner_waits_for_approval_wherever_they_go_then_starts_normally(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    client.post("/register-organisation", data=registration())
    continue_from_email(client)
    codes, _secret = set_up_authenticator(client)
    assert "recovery codes you had before" not in text(codes)  # they never had any
    assert page(codes).select_one("a.govuk-button")["href"] == "/partner/registered"
    assert client.get("/home").headers["Location"] == "/partner/registered"  # and wherever home would be

    waiting = client.get("/partner/registered")
    assert h1(waiting) == "Your organisation is waiting for approval"
    shown = text(waiting)
    assert "Mile End Youth Boxing" in shown
    assert "What the administrator checks" in shown and "suitable for young people on court orders" in shown
    assert "within 5 working days" in shown
    assert "portal-support@kcpo.example.org" in shown
    assert buttons(waiting) == {"Add a programme": "/partner/programmes/new"}

    for refused_path in ("/partner/referrals/", "/partner/registers/"):
        refused = client.get(refused_path)
        assert refused.status_code == 403
        assert h1(refused) == "Your organisation is waiting for approval"
        assert page(refused).title.get_text().startswith("Your organisation is waiting for approval")
    assert client.get("/partner/programmes").status_code == 200  # listings may be set up meanwhile

    admin = app.test_client()
    sign_in(admin, "admin")
    with app.app_context():
        organisation = db.session.scalar(select(Organisation))
        organisation_id, version = organisation.id, organisation.version
    approved = admin.post(f"/admin/organisations/{organisation_id}", data={"action": "approve", "version": version})
    assert approved.status_code in (302, 303)

    assert client.get("/home").headers["Location"] == "/partner/referrals/"  # their normal start
    assert client.get("/partner/registered").headers["Location"] == "/home"
    assert client.get("/partner/referrals/").status_code == 200


def test_a_rejected_partner_is_sent_to_the_reason_not_the_waiting_page(client: FlaskClient, make, sign_in) -> None:
    sign_in(client, "partner", make.organisation(status="rejected", status_reason="Not a youth service."))
    assert client.get("/home").headers["Location"] == "/partner/organisation"
    assert client.get("/partner/registered").headers["Location"] == "/home"
    assert "Not a youth service." in text(client.get("/partner/organisation"))


def test_only_replaced_recovery_codes_say_the_old_ones_no_longer_work(client: FlaskClient, sign_in) -> None:
    sign_in(client, "officer")
    replaced = client.post("/account/recovery-codes")
    assert h1(replaced) == "Save your recovery codes"
    assert "Any recovery codes you had before no longer work." in text(replaced)


# Links that no longer work ----------------------------------------------------------------------------------------


def _link(app: Flask, make: Factory, purpose: LinkPurpose, **user_fields) -> tuple[str, int]:
    """A link of this purpose for a new account whose name and address the link's pages must never show."""
    user_fields.setdefault("email", f"rowan.hidden.{make.count(User)}@example.org")
    user_id = make.user("officer", full_name="Rowan Secret-Name", **user_fields)
    with app.app_context():
        token = accounts.create_link(db.session.get(User, user_id), purpose, timedelta(hours=1))
        db.session.commit()
    return token, user_id


def _spend(app: Flask, token: str) -> None:
    from portal.infra.passwords import token_hash

    with app.app_context():
        db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token))).used_at = utcnow()
        db.session.commit()


PATHS = {
    LinkPurpose.INVITATION: "/invitation/{}",
    LinkPurpose.PASSWORD_RESET: "/reset-password/{}",
    LinkPurpose.REGISTRATION: "/register-organisation/continue/{}",
}


def _assert_leaks_nothing(response) -> None:
    shown = response.get_data(as_text=True)
    assert "rowan.hidden" not in shown and "Secret-Name" not in shown


def test_a_used_invitation_link_says_so_and_where_to_go(app: Flask, make: Factory) -> None:
    token, _user_id = _link(app, make, LinkPurpose.INVITATION, password_hash=None, totp_secret=None)
    _spend(app, token)
    response = app.test_client().get(f"/invitation/{token}")
    assert response.status_code == 410
    assert h1(response) == "This invitation link has already been used"
    assert buttons(response) == {"Sign in": "/sign-in"}
    assert "ask your portal administrator" in text(response) or "tell your portal administrator" in text(response)
    _assert_leaks_nothing(response)


def test_each_kind_of_link_says_whether_it_was_used_expired_or_never_worked(app: Flask, make: Factory) -> None:
    headings = {
        LinkPurpose.INVITATION: ("has already been used", "has expired", "does not work"),
        LinkPurpose.PASSWORD_RESET: ("no longer works", "has expired", "does not work"),
        LinkPurpose.REGISTRATION: ("has already been used", "has expired", "does not work"),
    }
    words = {LinkPurpose.INVITATION: "invitation", LinkPurpose.PASSWORD_RESET: "password reset"}
    for purpose, (used_heading, expired_heading, unknown_heading) in headings.items():
        name = words.get(purpose, "registration")
        path = PATHS[purpose]
        used, _ = _link(app, make, purpose, email_confirmed_at=None)
        _spend(app, used)
        expired, _ = _link(app, make, purpose)
        visitor = app.test_client()
        for token, status, heading, method in (
            (used, 410, used_heading, "get"),
            (used, 410, used_heading, "post"),
            ("no-such-link-at-all", 404, unknown_heading, "get"),
        ):
            response = getattr(visitor, method)(path.format(token), data=NEW_PASSWORD)
            assert response.status_code == status, (purpose, token)
            assert h1(response) == f"This {name} link {heading}", purpose
            _assert_leaks_nothing(response)
        with freeze_time(utcnow() + timedelta(hours=2)):
            late = visitor.get(path.format(expired))
        assert late.status_code == 410 and h1(late) == f"This {name} link {expired_heading}", purpose


def test_the_lifetime_each_expired_link_page_gives_is_the_real_one(app: Flask, make: Factory) -> None:
    token, user_id = _link(app, make, LinkPurpose.PASSWORD_RESET)
    with freeze_time(utcnow() + timedelta(hours=2)):
        reset = app.test_client().get(f"/reset-password/{token}")
    assert "Reset links work for 1 hour" in text(reset)
    assert buttons(reset) == {"Send a new reset link": "/forgot-password"}
    with app.app_context():
        invitation = accounts.create_invitation(
            db.session.get(User, user_id), user_id, app.config["INVITATION_LIFETIME"]
        )
        db.session.commit()
    with freeze_time(utcnow() + timedelta(days=8)):
        late = app.test_client().get(f"/invitation/{invitation}")
    assert "Invitation links work for 7 days" in text(late)
    assert "Ask the portal administrator who invited you to send you a new invitation" in text(late)


def test_a_link_for_a_disabled_account_or_another_page_never_worked_here(app: Flask, make: Factory) -> None:
    token, _ = _link(app, make, LinkPurpose.INVITATION, disabled_at=utcnow())
    disabled = app.test_client().get(f"/invitation/{token}")
    assert disabled.status_code == 404 and h1(disabled) == "This invitation link does not work"
    reset_token, _ = _link(app, make, LinkPurpose.PASSWORD_RESET)
    wrong_page = app.test_client().get(f"/invitation/{reset_token}")
    assert wrong_page.status_code == 404 and h1(wrong_page) == "This invitation link does not work"


# Invitation, password, authenticator: signed in once ----------------------------------------------------------------


def test_an_invited_officer_goes_from_the_link_to_the_dashboard_with_one_sign_in(app: Flask, make: Factory) -> None:
    admin_id = make.user("admin")
    officer_id = make.user("officer", password_hash=None, totp_secret=None, email="nia.new@met.example.org")
    with app.app_context():
        token = accounts.create_invitation(db.session.get(User, officer_id), admin_id, timedelta(days=7))
        db.session.commit()
    visitor = app.test_client()
    assert h1(visitor.get(f"/invitation/{token}")) == "Set your password"
    with visitor.session_transaction() as planted:
        planted["planted-before"] = "by someone else"  # session fixation: nothing from before survives

    set_password = visitor.post(f"/invitation/{token}", data=NEW_PASSWORD)
    assert set_password.status_code == 302 and set_password.headers["Location"] == "/sign-in/set-up-authenticator"
    with visitor.session_transaction() as after:
        assert "planted-before" not in after and "_user_id" not in after  # not signed in until the code is given
    assert visitor.get("/dashboard/").status_code == 302  # the password alone reaches nothing
    set_up = visitor.get("/sign-in/set-up-authenticator")
    assert h1(set_up) == "Set up your authenticator app"
    assert "Your password is set" in text(set_up)

    codes, _secret = set_up_authenticator(visitor)
    assert h1(codes) == "Save your recovery codes"
    assert "recovery codes you had before" not in text(codes)
    start = page(codes).select_one("a.govuk-button")["href"]
    assert start == "/home"
    assert visitor.get(start).headers["Location"] == "/dashboard/"
    dashboard = visitor.get("/dashboard/")
    assert dashboard.status_code == 200 and h1(dashboard) == "Your dashboard"

    assert visitor.get(f"/invitation/{token}").status_code == 410  # single use
    with app.app_context():
        sessions = db.session.scalars(select(AuthSession).where(AuthSession.user_id == officer_id)).all()
        pending = [s for s in sessions if s.mfa_verified_at is None]
        full = [s for s in sessions if s.mfa_verified_at is not None]
        assert len(pending) == 1 and pending[0].ended_at is not None  # the half-way session ended
        assert len(full) == 1 and full[0].ended_at is None  # under a new token
        changes = [
            (event.action, event.detail.get("change"))
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.record_id == officer_id).order_by(AuditEvent.id)
            )
            if event.record_type == "user"
        ]
    assert ("alteration", "password set") in changes
    assert ("alteration", "authenticator set up") in changes
    assert changes[-1][0] == "sign-in"


def test_a_wrong_password_pair_keeps_the_invitation_and_signs_nobody_in(app: Flask, make: Factory) -> None:
    officer_id = make.user("officer", password_hash=None, totp_secret=None)
    with app.app_context():
        token = accounts.create_invitation(db.session.get(User, officer_id), officer_id, timedelta(days=7))
        db.session.commit()
    visitor = app.test_client()
    refused = visitor.post(f"/invitation/{token}", data={"password": "a long new passphrase", "confirm_password": "x"})
    assert refused.status_code == 200 and h1(refused) == "Set your password"
    assert visitor.get("/sign-in/set-up-authenticator").status_code == 302  # no half-way sign-in began
    assert visitor.get(f"/invitation/{token}").status_code == 200  # the link still works


# Empty dashboards and lists ----------------------------------------------------------------------------------------


def test_a_new_officer_dashboard_says_what_will_appear_and_how_to_start(client: FlaskClient, sign_in) -> None:
    sign_in(client, "officer")
    dashboard = client.get("/dashboard/")
    shown = text(dashboard)
    assert "You have no court orders to follow yet." in shown
    assert "None." not in shown and "app-count" not in dashboard.get_data(as_text=True)  # no row of zeros
    assert buttons(dashboard) == {"Add a young person": "/subjects/new"}
    assert page(dashboard).find("a", string="Find a programme")["href"] == "/directory/"


def test_an_officer_with_an_order_sees_the_dashboard_not_the_first_steps(client: FlaskClient, make, sign_in) -> None:
    officer_id = sign_in(client, "officer")
    make.order(officer_id=officer_id)
    dashboard = client.get("/dashboard/")
    assert "You have no court orders to follow yet." not in text(dashboard)
    assert "Draft orders" in text(dashboard)


def test_a_partner_with_no_referrals_or_registers_is_told_what_will_appear(client: FlaskClient, make, sign_in) -> None:
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id)
    referrals = client.get("/partner/referrals/")
    assert "You have no referrals yet" in text(referrals)
    assert buttons(referrals) == {"Add a programme": "/partner/programmes/new"}
    registers = client.get("/partner/registers/")
    assert "No registers to mark" in text(registers)
    assert buttons(registers) == {"See your referrals": "/partner/referrals/"}
    make.programme(organisation_id)
    assert buttons(client.get("/partner/referrals/")) == {"Check your programmes": "/partner/programmes"}


def test_an_admin_with_no_organisation_waiting_is_told_where_partners_register(client: FlaskClient, sign_in) -> None:
    sign_in(client, "admin")
    shown = text(client.get("/admin/organisations"))
    assert "No organisations are waiting for approval." in shown
    assert re.search(r"Partners register at http://localhost/register-organisation", shown)
    assert "There are no suspended organisations." in text(client.get("/admin/organisations?status=suspended"))


def test_a_refused_link_is_logged_as_a_security_event_without_its_token(app: Flask, make: Factory) -> None:
    import io
    import logging

    token, _ = _link(app, make, LinkPurpose.INVITATION)
    _spend(app, token)
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    app.logger.addHandler(handler)
    try:
        app.test_client().get(f"/invitation/{token}")
    finally:
        app.logger.removeHandler(handler)
    logged = output.getvalue()
    assert "security event link-refused purpose=invitation reason=used" in logged
    assert token not in logged and "path=/invitation/<token>" in logged


def test_an_invitation_opened_where_someone_else_is_signed_in_ends_their_session_first(
    app: Flask, make: Factory, sign_in
) -> None:
    shared = app.test_client()
    admin_id = sign_in(shared, "admin")
    officer_id = make.user("officer", password_hash=None, totp_secret=None)
    with app.app_context():
        token = accounts.create_invitation(db.session.get(User, officer_id), admin_id, timedelta(days=7))
        db.session.commit()
    assert shared.post(f"/invitation/{token}", data=NEW_PASSWORD).headers["Location"] == "/sign-in/set-up-authenticator"
    with app.app_context():
        admin_sessions = db.session.scalars(select(AuthSession).where(AuthSession.user_id == admin_id)).all()
        assert admin_sessions and all(s.ended_at is not None for s in admin_sessions)
    assert h1(shared.get("/sign-in/set-up-authenticator")) == "Set up your authenticator app"
