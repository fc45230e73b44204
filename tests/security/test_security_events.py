"""Security bar 25 (ASVS 16.3.1-16.3.4, 16.2.5, 16.4.1): security events are logged, and logs hold no secrets.

- Failed sign-ins, refusals (403, pages and API), API calls without a valid token (401), rate-limit hits (429) and
  failed CSRF checks each leave a log line naming the event, the user id, the address and the endpoint.
- Driving the real flows (sign-in with a password and an authenticator code, API tokens, calendar feeds, invitation
  and password-reset links, a CSRF failure), neither the log output nor the audit log holds a password, a code, a
  cookie, a session, API, feed, invitation, reset or CSRF token.
- CR and LF typed into input cannot forge a log line; in production the log is JSON, one object a line.

tests/audit/test_log_hygiene.py unit-tests the cleaning itself (redaction patterns, escaping).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.infra import mfa
from portal.models import AuditEvent, OutboxMessage, User
from tests.conftest import _test_config
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, Factory
from tests.security.conftest import Collect, csrf_token_from

WRONG_PASSWORD = "Wrong-Horse-Battery-0042"
NEW_PASSWORD = "A-brand-new-passphrase-0077"
FORGED = '\r\n{"time": "2026-01-01T00:00:00", "level": "INFO", "message": "sign-in ok for admin"}'


def security_lines(log: Collect, event: str) -> list[str]:
    return [message for message in log.messages() if message.startswith(f"security event {event} ")]


# Security events ---------------------------------------------------------------------------------------------------


def test_a_refused_page_is_logged_with_who_where_and_what(client, sign_in, app_log: Collect) -> None:
    partner_id = sign_in(client, "partner")
    assert client.get("/subjects/").status_code == 403
    [line] = security_lines(app_log, "forbidden")
    assert "status=403 method=GET endpoint=subjects.subjects_list path=/subjects/" in line
    assert f"user_id={partner_id} ip=127.0.0.1" in line


def test_a_refused_api_call_and_a_missing_token_are_logged_without_the_token(
    app: Flask, make: Factory, app_log: Collect
) -> None:
    from tests.security.partners_ab import _api

    partner_id = make.user("partner")
    api, _token_id = _api(app, partner_id, "events")
    assert api.get("/subjects").status_code == 403
    [line] = security_lines(app_log, "forbidden")
    assert "endpoint=api.subjects_list" in line and f"user_id={partner_id}" in line
    wrong = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer kcpo_not-a-real-token-1234"})
    assert wrong.status_code == 401
    [line] = security_lines(app_log, "unauthenticated")
    assert "status=401 method=GET endpoint=api.me path=/api/v1/me user_id=None" in line
    assert api.token not in "\n".join(app_log.messages()) and "not-a-real-token" not in "\n".join(app_log.messages())


def test_an_api_rate_limit_hit_is_logged(app: Flask, make: Factory, app_log: Collect) -> None:
    from tests.security.partners_ab import _api

    app.config["API_RATE_LIMIT_PER_MINUTE"] = 2
    officer_id = make.user("officer")
    api, _token_id = _api(app, officer_id, "limits")
    assert [api.get("/me").status_code for _ in range(3)] == [200, 200, 429]
    [line] = security_lines(app_log, "rate-limited")
    assert "status=429 method=GET endpoint=api.me" in line and f"user_id={officer_id}" in line
    assert api.token not in line


def test_a_failed_sign_in_is_logged_by_id_not_by_address(client, make: Factory, app_log: Collect) -> None:
    user = make.get(User, make.user("officer"))
    client.post("/sign-in", data={"email": user.email, "password": WRONG_PASSWORD})
    [line] = security_lines(app_log, "sign-in-failed")
    assert f"user_id={user.id}" in line
    everything = "\n".join(app_log.messages())
    assert user.email not in everything and WRONG_PASSWORD not in everything


def test_a_failed_csrf_check_is_logged_with_who_and_where(app: Flask, client, sign_in, app_log: Collect) -> None:
    officer_id = sign_in(client, "officer")
    app.config["WTF_CSRF_ENABLED"] = True
    foreign = csrf_token_from(app.test_client().get("/sign-in"))
    for data in ({"reference": "X"}, {"reference": "X", "csrf_token": foreign}):
        assert client.post("/subjects/new", data=data).status_code == 303
    lines = [message for message in app_log.messages() if message.startswith("CSRF check failed")]
    assert len(lines) == 2
    for line in lines:
        assert "POST subjects.subject_new" in line and f"user_id={officer_id}" in line
    assert foreign not in "\n".join(app_log.messages())


def test_a_refusal_in_a_path_with_cr_lf_cannot_forge_a_log_line(client, sign_in, app_log: Collect) -> None:
    """A path is typed by the caller: an officer refused a partner register with CR/LF in the date segment."""
    sign_in(client, "officer")
    response = client.get("/partner/registers/1/2026%0D%0AINFO%20forged%20line")
    assert response.status_code == 403
    [line] = security_lines(app_log, "forbidden")
    assert "\r" not in line and "\n" not in line and "2026\\r\\nINFO forged line" in line


# Log hygiene through the real flows -----------------------------------------------------------------------------------


@pytest.fixture
def json_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The app with JSON logs on this test's database (created after `app`, which prepared the database)."""
    made = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url, "LOG_JSON": True})
    made.config["API_RATE_LIMIT_PER_MINUTE"] = 3
    yield made
    with made.app_context():
        db.engine.dispose()


def capture(app: Flask) -> io.StringIO:
    stream = io.StringIO()
    [handler] = app.logger.handlers
    handler.setStream(stream)
    return stream


def sign_in_with_code(client: FlaskClient, email: str, password: str, code: str) -> int:
    first = client.post("/sign-in", data={"email": email, "password": password})
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    return client.post("/sign-in/code", data={"code": code}).status_code


def test_no_secret_reaches_the_logs_or_the_audit_log(
    json_app: Flask, caplog: pytest.LogCaptureFixture, sign_in
) -> None:
    caplog.set_level(logging.INFO)
    app, make = json_app, Factory(json_app)
    output = capture(app)
    secrets: dict[str, str] = {"password": TEST_PASSWORD, "wrong password": WRONG_PASSWORD}

    # Sign-in: a wrong password, a wrong code, then the right ones (the code is what the authenticator shows now).
    officer = make.get(User, make.user("officer"))
    browser = app.test_client()
    browser.post("/sign-in", data={"email": officer.email + FORGED, "password": WRONG_PASSWORD})
    browser.post("/sign-in", data={"email": officer.email, "password": WRONG_PASSWORD})
    right_code = mfa.code_at(TEST_TOTP_SECRET, mfa.current_step())
    wrong_code = f"{(int(right_code) + 500_000) % 1_000_000:06d}"
    secrets |= {"right code": right_code, "wrong code": wrong_code}
    assert sign_in_with_code(browser, officer.email, TEST_PASSWORD, wrong_code) == 200
    assert browser.post("/sign-in/code", data={"code": right_code}).status_code == 302
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    secrets["session cookie"] = cookie.value
    assert browser.get("/subjects/").status_code == 200

    # API tokens: made on the account page (shown once), used, refused and rate-limited.
    made = browser.post("/account/api-tokens", data={"name": "laptop"})
    token = re.search(r"kcpo_[A-Za-z0-9_-]{20,}", made.get_data(as_text=True)).group(0)
    secrets["api token"] = token
    api = app.test_client()
    assert [api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(4)][
        -1
    ] == 429
    api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})

    # A calendar feed: its URL is the credential.
    subject_id = make.subject()
    page = browser.post(f"/calendars/subjects/{subject_id}").get_data(as_text=True)
    feed_token = re.search(r"/calendars/feed/([A-Za-z0-9_-]+)\.ics", page).group(1)
    secrets["feed token"] = feed_token
    assert app.test_client().get(f"/calendars/feed/{feed_token}.ics").status_code == 200
    assert app.test_client().get(f"/calendars/feed/{feed_token}x.ics").status_code == 404

    # An invitation link made by an admin, and a password reset link sent by email.
    admin = app.test_client()
    sign_in(admin, "admin")
    created = admin.post(
        "/admin/users/new",
        data={
            "full_name": "Nia New",
            "email": "nia.new@met.example.org",
            "role": "officer",
            "unit": "Gangs Unit",
            "borough": "Hackney",
        },
    )
    invitation = re.search(r"/invitation/([A-Za-z0-9_-]+)", created.get_data(as_text=True)).group(1)
    secrets["invitation token"] = invitation
    app.test_client().get(f"/invitation/{invitation}")
    app.test_client().post("/forgot-password", data={"email": officer.email})
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "password-reset"))
    reset = re.search(r"/reset-password/([A-Za-z0-9_-]+)", body).group(1)
    secrets["reset token"] = reset
    stranger = app.test_client()
    stranger.get(f"/reset-password/{reset}")
    stranger.post(f"/reset-password/{reset}", data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    secrets["new password"] = NEW_PASSWORD

    # A CSRF failure, with someone else's token.
    app.config["WTF_CSRF_ENABLED"] = True
    foreign = csrf_token_from(app.test_client().get("/sign-in"))
    secrets["csrf token"] = foreign
    browser.post("/subjects/new", data={"reference": "X", "csrf_token": foreign})
    app.config["WTF_CSRF_ENABLED"] = False

    logged = output.getvalue()
    assert "security event sign-in-failed" in logged and "security event rate-limited" in logged
    assert "CSRF check failed" in logged and "security event unauthenticated" in logged
    with app.app_context():
        audit_text = "\n".join(
            json.dumps([event.action, event.record_type, event.purpose, event.detail, event.correlation_id])
            for event in db.session.scalars(select(AuditEvent))
        )
    assert "sign-in-failed" in audit_text and "api token created" in audit_text
    for where, text in (("log output", logged), ("captured records", caplog.text), ("audit log", audit_text)):
        leaked = [name for name, value in secrets.items() if value and value in text]
        assert leaked == [], f"{where} holds: {leaked}"
    entries = [json.loads(line) for line in logged.splitlines()]  # one JSON object a line
    assert not any(entry["message"] == "sign-in ok for admin" for entry in entries)  # nothing typed forged a line
    assert "security event rate-limited" in caplog.text


def test_production_logs_are_json_lines_in_utc_with_the_correlation_id(production_app) -> None:
    app = production_app()
    assert app.config["LOG_JSON"] is True
    output = capture(app)
    client = app.test_client()
    response = client.get("/subjects/", headers={"X-Request-Id": "corr-id-1234567"}, base_url="https://localhost")
    assert response.status_code == 302  # signed out: to the sign-in page
    client.post(
        "/sign-in", data={"email": "nobody@example.org\r\nforged", "password": "x"}, base_url="https://localhost"
    )
    with app.test_request_context("/", headers={"X-Request-Id": "corr-id-7654321"}):
        app.preprocess_request()
        app.logger.warning("user typed %s", "first\r\nINFO forged")
    lines = output.getvalue().splitlines()
    assert lines
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert set(entry) >= {"time", "level", "logger", "message", "correlation_id"}
        assert datetime.fromisoformat(entry["time"]).utcoffset() == UTC.utcoffset(None)
    [typed] = [entry for entry in entries if entry["message"].startswith("user typed")]
    assert typed["message"] == "user typed first\\r\\nINFO forged" and typed["correlation_id"] == "corr-id-7654321"
