"""Reason for access: a subject's record asks once per signed-in session why, and every consultation carries it."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.data import audit
from portal.extensions import db
from portal.models import User
from tests.utils import page

REASON_PAGE = "/audit/reason-for-access"


@pytest.fixture(autouse=True)
def reason_required(app: Flask) -> None:
    app.config["ACCESS_REASON_REQUIRED"] = True


def give_reason(client: FlaskClient, next_path: str, **data: str):
    return client.post(f"{REASON_PAGE}?next={next_path}", data=data)


def test_the_reason_is_asked_for_everywhere_but_in_the_test_configuration() -> None:
    from portal.config import DevelopmentConfig, ProductionConfig, TestConfig

    assert DevelopmentConfig.ACCESS_REASON_REQUIRED and ProductionConfig.ACCESS_REASON_REQUIRED
    assert not TestConfig.ACCESS_REASON_REQUIRED


def test_a_subject_page_asks_for_the_reason_first(client, officer, make, events) -> None:
    subject_id = make.subject(first_name="Hidden")
    for path in (f"/subjects/{subject_id}", f"/subjects/{subject_id}/edit", f"/subjects/{subject_id}/notes/new"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == f"{REASON_PAGE}?next={path}"
    assert events(audit.CONSULTATION, "subject") == []  # nothing shown, nothing consulted
    question = client.get(f"{REASON_PAGE}?next=/subjects/{subject_id}")
    assert question.status_code == 200 and "Hidden" not in question.get_data(as_text=True)
    assert "Preparing a KCPO application" in page(question).get_text()


def test_the_reason_is_asked_once_and_kept_with_each_consultation(client, officer, make, events) -> None:
    first, second = make.subject(), make.subject()
    response = give_reason(client, f"/subjects/{first}", reason="Preparing a KCPO application")
    assert response.status_code == 303 and response.headers["Location"] == f"/subjects/{first}"
    assert client.get(f"/subjects/{first}").status_code == 200
    assert client.get(f"/subjects/{second}").status_code == 200
    assert client.get(f"/subjects/{second}/edit").status_code == 200
    client.get("/subjects/")
    consulted = events(audit.CONSULTATION)
    assert len(consulted) == 4
    assert {event.purpose for event in consulted} == {"Preparing a KCPO application"}
    [given] = events(audit.ACCESS_REASON)
    assert (given.user_id, given.purpose) == (officer, "Preparing a KCPO application")


def test_another_purpose_needs_words(client, officer, make, events) -> None:
    subject_id = make.subject()
    refused = give_reason(client, f"/subjects/{subject_id}", reason="other", other="  ")
    assert refused.status_code == 200 and "Describe the purpose" in page(refused).get_text()
    assert give_reason(client, f"/subjects/{subject_id}", reason="invented").status_code == 200
    assert events(audit.ACCESS_REASON) == []
    accepted = give_reason(client, f"/subjects/{subject_id}", reason="other", other="Court\r\nlisting check")
    assert accepted.status_code == 303
    client.get(f"/subjects/{subject_id}")
    [event] = events(audit.CONSULTATION, "subject")
    assert event.purpose == "Other: Court\r\nlisting check"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "/admin/users"])
def test_next_stays_on_subject_pages(client, officer, target: str) -> None:
    response = give_reason(client, target, reason="Reviewing compliance with an order")
    assert response.status_code == 303 and response.headers["Location"] == "/subjects/"


def test_a_new_sign_in_asks_again(app: Flask, client, make) -> None:
    from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
    from tests.utils import sign_in_with_code

    user_id, subject_id = make.user("officer"), make.subject()
    email = make.get(User, user_id).email
    sign_in_with_code(client, email, TEST_PASSWORD, TEST_TOTP_SECRET)
    give_reason(client, f"/subjects/{subject_id}", reason="Preparing a KCPO application")
    assert client.get(f"/subjects/{subject_id}").status_code == 200
    client.post("/sign-out")
    sign_in_with_code(client, email, TEST_PASSWORD, TEST_TOTP_SECRET, steps_ahead=1)
    assert client.get(f"/subjects/{subject_id}").status_code == 303


def test_a_reason_from_another_session_is_not_honoured(app: Flask, client, sign_in, make) -> None:
    subject_id = make.subject()
    sign_in(client, "officer")
    give_reason(client, f"/subjects/{subject_id}", reason="Preparing a KCPO application")
    with client.session_transaction() as session:
        carried = session["access_reason"]
    other = app.test_client()
    sign_in(other, "officer")
    with other.session_transaction() as session:
        session["access_reason"] = carried  # someone else's reason (and session) planted in this cookie
    assert other.get(f"/subjects/{subject_id}").status_code == 303


def test_the_cookie_holds_only_an_id_and_a_fingerprint(client, officer, make, app: Flask) -> None:
    give_reason(client, "/subjects/", reason="other", other="Checking an address for a warrant")
    with client.session_transaction() as session:
        stored = session["access_reason"]
    assert isinstance(stored[0], int) and len(stored[1]) == 24
    assert "warrant" not in str(dict(session))
    with app.app_context():
        assert db.session.get(audit.AuditEvent, stored[0]).purpose == "Other: Checking an address for a warrant"


@pytest.mark.parametrize("role", ["partner", "admin", "auditor"])
def test_only_officers_give_reasons(client, sign_in, role: str) -> None:
    sign_in(client, role)
    assert client.get(REASON_PAGE).status_code == 403
    assert client.post(REASON_PAGE, data={"reason": "Preparing a KCPO application"}).status_code == 403
