"""The session lookup (issue #17): one statement per signed-in request finds the session, the account and its
organisation, and whatever revokes a session (signing out, disabling the account, suspending the organisation,
changing the role) takes effect on the very next request, because nothing about a session is kept between them."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.data import accounts, organisations
from portal.extensions import db
from portal.models import Organisation, OrganisationStatus, Role, User
from tests.utils import page, statements


def test_a_partner_page_reads_the_session_account_and_organisation_in_one_statement(
    app: Flask, client: FlaskClient, sign_in, make
) -> None:
    organisation_id = make.organisation(name="Roman Road Boxing")
    sign_in(client, "partner", organisation_id=organisation_id, full_name="Ama Mensah")

    with statements(app) as seen:
        response = client.get("/accessibility")

    assert response.status_code == 200
    assert "Signed in as Ama Mensah (partner, Roman Road Boxing)" in page(response).text
    reading_accounts = [sql for sql in seen if "from auth_sessions" in sql or "from users" in sql]
    reading_organisations = [sql for sql in seen if "organisations" in sql and sql.startswith("select")]
    assert len(reading_accounts) == 1, seen
    assert reading_organisations == reading_accounts  # the header's organisation came with the session, no lazy load


def test_an_officer_page_reads_the_session_in_one_statement(app: Flask, client: FlaskClient, sign_in) -> None:
    sign_in(client, "officer", full_name="Sarah Whitlock")

    with statements(app) as seen:
        response = client.get("/accessibility")

    assert "Signed in as Sarah Whitlock (officer)" in page(response).text
    assert len([sql for sql in seen if sql.startswith("select")]) == 1, seen


def signed_in_as_partner(client: FlaskClient, sign_in, make) -> tuple[int, int]:
    organisation_id = make.organisation()
    user_id = sign_in(client, "partner", organisation_id=organisation_id)
    assert client.get("/partner/referrals/").status_code == 200
    return user_id, organisation_id


def test_signing_out_ends_the_session_at_once(app: Flask, client: FlaskClient, sign_in, make) -> None:
    signed_in_as_partner(client, sign_in, make)
    with client.session_transaction() as session:
        token = session["_user_id"]
    copied_cookie = app.test_client()
    with copied_cookie.session_transaction() as session:
        session["_user_id"], session["_fresh"] = token, True

    assert client.post("/sign-out").status_code in (302, 303)

    assert copied_cookie.get("/partner/referrals/").status_code in (302, 401)


def test_disabling_an_account_refuses_its_next_request(app: Flask, client: FlaskClient, sign_in, make) -> None:
    user_id, _ = signed_in_as_partner(client, sign_in, make)
    with app.app_context():
        accounts.set_disabled(db.session.get(User, user_id), True)
        db.session.commit()

    assert client.get("/partner/referrals/").status_code in (302, 401)


def test_disabling_an_account_without_ending_its_sessions_still_refuses_them(
    app: Flask, client: FlaskClient, sign_in, make
) -> None:
    """The lookup checks the account itself on every request, not only the session row."""
    user_id, _ = signed_in_as_partner(client, sign_in, make)
    with app.app_context():
        db.session.get(User, user_id).disabled_at = db.func.now()
        db.session.commit()

    assert client.get("/partner/referrals/").status_code in (302, 401)


def test_suspending_the_organisation_refuses_its_partners_next_request(
    app: Flask, client: FlaskClient, sign_in, make
) -> None:
    _, organisation_id = signed_in_as_partner(client, sign_in, make)
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        organisations.change_status(organisation, OrganisationStatus.SUSPENDED, "Safeguarding concern under review")
        db.session.commit()

    response = client.get("/partner/referrals/")
    assert response.status_code == 403
    assert "suspended" in page(response).text


def test_a_role_change_ends_the_session_before_the_next_request(app: Flask, client: FlaskClient, sign_in, make) -> None:
    user_id, _ = signed_in_as_partner(client, sign_in, make)
    with app.app_context():
        accounts.change_role(db.session.get(User, user_id), Role.OFFICER, None)
        db.session.commit()

    assert client.get("/partner/referrals/").status_code in (302, 401)
    assert client.get("/dashboard/").status_code in (302, 401)
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.id == user_id)) == Role.OFFICER
