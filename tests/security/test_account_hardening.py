"""Issue 16's account findings: every door that takes a password or a code counts towards one lock, API tokens and
calendar feeds die with the credentials behind them, reset links are single-use as a set, sensitive changes ask for
the current password and a code, and registration and forgotten-password say nothing about which addresses exist."""

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, User
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.security.test_accounts import age_reauthentication, stored
from tests.utils import current_code, error_summary, field_error, h1

FULL_WIDTH = "１２３４５６"
ARABIC_INDIC = "١٢٣٤٥٦"
EXTENDED_ARABIC_INDIC = "۱۲۳۴۵۶"


def wrong_code() -> str:
    """Six digits that are not the code the authenticator shows now (nor a step either side)."""
    near = {current_code(TEST_TOTP_SECRET, step) for step in (-1, 0, 1, 2)}
    return next(f"{guess:06d}" for guess in range(1_000_000) if f"{guess:06d}" not in near)


def security_events(app: Flask, user_id: int, action: str) -> int:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_id == user_id, AuditEvent.action == action)
        )
        return len(events.all())


def confirm_identity(client, password: str = TEST_PASSWORD, code: str | None = None):  # noqa: ANN001, ANN201
    return client.post(
        "/account/confirm-identity", data={"password": password, "code": code or current_code(TEST_TOTP_SECRET)}
    )


# Item 2: re-authentication shares the sign-in lock ----------------------------------------------------------------


def test_wrong_answers_on_confirming_identity_lock_the_account_like_sign_in(app: Flask, client, sign_in, make) -> None:  # noqa: ANN001
    user_id = sign_in(client, "officer")
    email = make.get(User, user_id).email
    age_reauthentication(app)
    guesses = [{"password": TEST_PASSWORD, "code": wrong_code()}] * 6 + [
        {"password": "not my password at all", "code": current_code(TEST_TOTP_SECRET)}
    ] * 4
    for guess in guesses:
        wrong = client.post("/account/confirm-identity", data=guess)
        assert wrong.status_code == 200
        assert error_summary(wrong) == ["Enter your correct password and a current code"]
    right = confirm_identity(client)
    assert right.status_code == 429 and h1(right) == "Too many attempts"
    assert client.get("/account/change-password").headers["Location"].startswith("/account/confirm-identity")
    elsewhere = app.test_client().post("/sign-in", data={"email": email, "password": TEST_PASSWORD})
    assert elsewhere.status_code == 429  # the same lock as signing in


def test_failed_sign_ins_count_towards_the_lock_on_confirming_identity(app: Flask, client, sign_in, make) -> None:  # noqa: ANN001
    user_id = sign_in(client, "officer")
    email = make.get(User, user_id).email
    for attempt in range(10):
        app.test_client().post("/sign-in", data={"email": email, "password": f"a wrong guess {attempt}"})
    right = confirm_identity(client)
    assert right.status_code == 429


# Item 8: codes typed in other scripts' digits ---------------------------------------------------------------------


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC, EXTENDED_ARABIC_INDIC])
def test_a_code_in_other_digits_is_a_clear_counted_and_audited_failure(app: Flask, make, digits: str) -> None:  # noqa: ANN001
    user = make.get(User, make.user("officer"))
    client = app.test_client()
    assert client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    for _ in range(10):
        response = client.post("/sign-in/code", data={"code": digits})
        assert response.status_code == 200
        assert field_error(response, "code") == "Enter the code using the digits 0 to 9"
    assert security_events(app, user.id, "mfa-failed") == 10
    locked = client.post("/sign-in/code", data={"code": current_code(TEST_TOTP_SECRET)})
    assert locked.status_code == 429


def test_setting_up_an_authenticator_with_other_digits_is_a_clear_error(app: Flask, make) -> None:  # noqa: ANN001
    user = make.get(User, make.user("officer", totp_secret=None))
    client = app.test_client()
    assert client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    response = client.post("/sign-in/set-up-authenticator", data={"code": FULL_WIDTH})
    assert response.status_code == 200
    assert field_error(response, "code") == "Enter the code using the digits 0 to 9"
    assert stored(app, User, id=user.id).totp_secret is None
