"""Security bar 25: logs hold no passwords, cookies or tokens, and CR/LF in input cannot forge a log line."""

import io
import json
from collections.abc import Iterator

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from portal.infra.logging_setup import clean
from tests.conftest import _test_config
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.utils import current_code

PASSWORD = "Zebra-Staple-Horse-9911"
FORGED = 'nobody@example.org\r\n{"level": "INFO", "message": "sign-in ok for admin"}'


@pytest.fixture
def json_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """After `app` (which prepared the database): the app logger is shared, and the last app configures it."""
    json_app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url, "LOG_JSON": True})
    yield json_app
    with json_app.app_context():
        db.engine.dispose()


def capture(app: Flask) -> io.StringIO:
    stream = io.StringIO()
    [handler] = app.logger.handlers
    handler.setStream(stream)
    return stream


def test_sign_in_failures_are_logged_without_secrets(json_app: Flask) -> None:
    from portal.models import User
    from tests.factories import Factory

    factory = Factory(json_app)
    email = factory.get(User, factory.user("officer")).email
    output = capture(json_app)
    client = json_app.test_client()
    client.set_cookie("kcpo_session", "planted-cookie-value-0123456789")
    client.post("/sign-in", data={"email": FORGED, "password": PASSWORD})
    client.post("/sign-in", data={"email": email, "password": PASSWORD})
    client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD})
    client.post("/sign-in/code", data={"code": "000000"})  # a wrong code: an MFA failure, logged without the code
    code = current_code(TEST_TOTP_SECRET)
    client.post("/sign-in/code", data={"code": code})
    with json_app.test_request_context("/sign-in", headers={"Cookie": "kcpo_session=abc123secret"}):
        json_app.logger.warning("sign-in failed for %s with password=%s", FORGED, PASSWORD)
        json_app.logger.warning("request headers: Cookie: kcpo_session=abc123secret; Authorization: Bearer tok.en.x")
    lines = output.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # one JSON object per line: nothing forged a new line
    messages = [entry["message"] for entry in entries]
    # The forged address fails validation before any account is looked up; the wrong password is the one failure.
    assert sum("security event sign-in-failed" in message for message in messages) == 1
    assert sum("security event sign-in " in message for message in messages) == 1
    assert sum("security event mfa-failed" in message for message in messages) == 1
    text = output.getvalue()
    assert not any(code in message or "000000" in message for message in messages)  # no sign-in code
    for secret in (PASSWORD, TEST_PASSWORD, "planted-cookie-value", "abc123secret", "tok.en.x"):
        assert secret not in text
    forged_line = next(message for message in messages if "sign-in failed for" in message)
    assert "\r" not in forged_line and "\n" not in forged_line and "\\r\\n" in forged_line


def test_text_logs_escape_line_breaks_too(app: Flask) -> None:
    output = capture(app)
    app.logger.warning("user typed %s", "first\nINFO forged line")
    assert output.getvalue().count("\n") == 1 and "first\\nINFO forged line" in output.getvalue()


@pytest.mark.parametrize(
    ("message", "hidden"),
    [
        ("password=hunter2", "hunter2"),
        ('{"password": "two words"}', "two words"),
        ("reset_token=abc.def", "abc.def"),
        ("Authorization: Bearer xyz", "xyz"),
        ("Set-Cookie: __Host-kcpo_session=eyJhbGci", "eyJhbGci"),
        ("totp: 123456", "123456"),
    ],
)
def test_secret_values_are_redacted(message: str, hidden: str) -> None:
    assert hidden not in clean(message) and "[redacted]" in clean(message)


def test_ordinary_text_is_left_alone() -> None:
    assert clean("Unhandled error (correlation id abc) on /subjects/5 status 404") == (
        "Unhandled error (correlation id abc) on /subjects/5 status 404"
    )
    assert clean("tab\there") == "tab\\there"
