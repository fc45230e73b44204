"""Issue 16's account findings: every door that takes a password or a code counts towards one lock, API tokens and
calendar feeds die with the credentials behind them, reset links are single-use as a set, sensitive changes ask for
the current password and a code, and registration and forgotten-password say nothing about which addresses exist."""

import statistics
import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import event, select

from portal.data import accounts
from portal.extensions import db
from portal.models import ApiToken, AuditEvent, CalendarFeed, Organisation, OutboxMessage, Role, User, utcnow
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.security.test_accounts import _reset_link, age_reauthentication, password_form, stored, without_nonce
from tests.test_calendars import make_link
from tests.utils import current_code, error_summary, field_error, h1, page, sign_in_with_code

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


def confirm_identity(client, password: str = TEST_PASSWORD, code: str | None = None):
    return client.post(
        "/account/confirm-identity", data={"password": password, "code": code or current_code(TEST_TOTP_SECRET)}
    )


# Item 2: re-authentication shares the sign-in lock ----------------------------------------------------------------


def test_wrong_answers_on_confirming_identity_lock_the_account_like_sign_in(app: Flask, client, sign_in, make) -> None:
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
    still_unconfirmed = client.post("/account/api-tokens", data={"name": "x"}, headers={"Referer": "/account"})
    assert still_unconfirmed.headers["Location"].startswith("/account/confirm-identity")
    elsewhere = app.test_client().post("/sign-in", data={"email": email, "password": TEST_PASSWORD})
    assert elsewhere.status_code == 429  # the same lock as signing in


def test_failed_sign_ins_count_towards_the_lock_on_confirming_identity(app: Flask, client, sign_in, make) -> None:
    user_id = sign_in(client, "officer")
    email = make.get(User, user_id).email
    for attempt in range(10):
        app.test_client().post("/sign-in", data={"email": email, "password": f"a wrong guess {attempt}"})
    right = confirm_identity(client)
    assert right.status_code == 429


# Item 8: codes typed in other scripts' digits ---------------------------------------------------------------------


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC, EXTENDED_ARABIC_INDIC])
def test_a_code_in_other_digits_is_a_clear_counted_and_audited_failure(app: Flask, make, digits: str) -> None:
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


def test_setting_up_an_authenticator_with_other_digits_is_a_clear_error(app: Flask, make) -> None:
    user = make.get(User, make.user("officer", totp_secret=None))
    client = app.test_client()
    assert client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    response = client.post("/sign-in/set-up-authenticator", data={"code": FULL_WIDTH})
    assert response.status_code == 200
    assert field_error(response, "code") == "Enter the code using the digits 0 to 9"
    assert stored(app, User, id=user.id).totp_secret is None


# Item 3: API tokens expire, die with the password or access behind them, and need re-authentication to make -------


def bearer(app: Flask, plain: str, path: str = "/api/v1/me"):
    return app.test_client().get(path, headers={"Authorization": f"Bearer {plain}"})


def test_an_api_token_expires_after_ninety_days_and_the_list_shows_when(app: Flask, client, sign_in) -> None:
    sign_in(client, "officer")
    created = client.post("/account/api-tokens", data={"name": "Case sync"})
    plain = page(created).select_one("#token-value").get_text(strip=True)
    expires = (utcnow() + timedelta(days=90)).strftime("%d/%m/%Y")
    row = [cell.get_text(" ", strip=True) for cell in page(client.get("/account")).select("tbody tr td")]
    assert row[3] == "Never" and row[4].startswith(expires)
    assert bearer(app, plain).status_code == 200
    assert row[3] != page(client.get("/account")).select("tbody tr td")[3].get_text(strip=True)  # last use shown
    with freeze_time(utcnow() + timedelta(days=90, minutes=1)):
        expired = bearer(app, plain)
        assert expired.status_code == 401
        assert expired.json["error"]["message"] == "The API token is not valid, has expired or has been revoked"


def test_the_api_token_lifetime_is_configurable(app: Flask, make) -> None:
    from tests.api.conftest import issue_token

    app.config["API_TOKEN_LIFETIME"] = timedelta(days=7)
    plain = issue_token(app, make.user("officer"))
    with freeze_time(utcnow() + timedelta(days=6)):
        assert bearer(app, plain).status_code == 200
    with freeze_time(utcnow() + timedelta(days=7, minutes=1)):
        assert bearer(app, plain).status_code == 401


def test_creating_an_api_token_needs_recent_re_authentication(app: Flask, client, sign_in) -> None:
    user_id = sign_in(client, "officer")
    age_reauthentication(app)
    refused = client.post(
        "/account/api-tokens", data={"name": "Case sync"}, headers={"Referer": "http://localhost/account"}
    )
    assert refused.headers["Location"].startswith("/account/confirm-identity")
    assert stored(app, ApiToken, user_id=user_id) is None
    confirm_identity(client)
    assert client.post("/account/api-tokens", data={"name": "Case sync"}).status_code == 201


def _change_password(app: Flask, client, email: str) -> None:
    client.post(
        "/account/change-password",
        data={
            "current_password": TEST_PASSWORD,
            "current_code": current_code(TEST_TOTP_SECRET, 1),
            "password": "a new and long passphrase",
            "confirm_password": "a new and long passphrase",
        },
    )


def _reset_password(app: Flask, client, email: str) -> None:
    with app.app_context():
        token = _reset_link(app, email)
    app.test_client().post(f"/reset-password/{token}", data=password_form("a fresh long passphrase"))


def _disable(app: Flask, client, email: str) -> None:
    with app.app_context():
        accounts.set_disabled(accounts.get_user_by_email(email), True)
        db.session.commit()


def _change_role(app: Flask, client, email: str) -> None:
    with app.test_request_context():
        accounts.change_role(accounts.get_user_by_email(email), Role.AUDITOR, None)
        db.session.commit()


@pytest.mark.parametrize("change", [_change_password, _reset_password, _disable, _change_role])
def test_api_tokens_stop_working_when_the_password_or_access_changes(app: Flask, client, sign_in, make, change) -> None:
    from tests.api.conftest import issue_token

    user_id = sign_in(client, "officer")
    email = make.get(User, user_id).email
    plain = issue_token(app, user_id)
    assert bearer(app, plain).status_code == 200
    change(app, client, email)
    assert bearer(app, plain).status_code == 401
    assert stored(app, ApiToken, user_id=user_id).revoked_at is not None


# Item 10: one reset link used, or a sign-in, spends every other --------------------------------------------------


def test_using_one_reset_link_spends_every_other_link_of_the_account(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    with app.app_context():
        first, second, third = (_reset_link(app, user.email) for _ in range(3))
    client = app.test_client()
    assert client.post(f"/reset-password/{second}", data=password_form("a fresh long passphrase")).status_code == 302
    for other in (first, third):
        refused = client.post(f"/reset-password/{other}", data=password_form("an attackers passphrase"))
        assert refused.status_code == 410 and h1(refused) == "This password reset link no longer works"
    assert sign_in_with_code(client, user.email, "a fresh long passphrase", TEST_TOTP_SECRET).status_code == 302


def test_signing_in_spends_every_reset_link_of_the_account(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    with app.app_context():
        links = [_reset_link(app, user.email) for _ in range(2)]
    assert sign_in_with_code(app.test_client(), user.email, TEST_PASSWORD, TEST_TOTP_SECRET).status_code == 302
    for link in links:
        assert app.test_client().get(f"/reset-password/{link}").status_code == 410


# Item 11: changing the password or the authenticator always asks for the current password and a code -------------

NEW_PASSWORD = {"password": "a new and long passphrase", "confirm_password": "a new and long passphrase"}


def test_changing_the_password_asks_for_the_current_one_and_a_code_even_just_after_sign_in(
    app: Flask, client, sign_in, make
) -> None:
    user_id = sign_in(client, "officer")  # signed in this minute: the re-authentication window is open
    before = stored(app, User, id=user_id).password_hash
    form = page(client.get("/account/change-password"))
    assert {"current_password", "current_code", "password"} <= {field["name"] for field in form.select("input")}
    missing = client.post("/account/change-password", data=NEW_PASSWORD)
    assert missing.status_code == 200
    assert error_summary(missing)[:2] == [
        "Enter your password",
        "Enter the 6-digit code from your authenticator app, or a recovery code",
    ]
    wrong = client.post(
        "/account/change-password",
        data=NEW_PASSWORD | {"current_password": "someone elses guess", "current_code": current_code(TEST_TOTP_SECRET)},
    )
    assert error_summary(wrong) == ["Enter your correct password and a current code"]
    assert stored(app, User, id=user_id).password_hash == before
    changed = client.post(
        "/account/change-password",
        data=NEW_PASSWORD | {"current_password": TEST_PASSWORD, "current_code": current_code(TEST_TOTP_SECRET, 1)},
    )
    assert changed.headers["Location"] == "/account"
    assert stored(app, User, id=user_id).password_hash != before


def test_moving_to_a_new_phone_asks_for_the_password_and_an_old_code_even_just_after_sign_in(
    app: Flask, client, sign_in
) -> None:
    user_id = sign_in(client, "officer")
    new_phone = page(client.get("/account/authenticator")).select_one("#secret-key").get_text().replace(" ", "")
    refused = client.post("/account/authenticator", data={"code": current_code(new_phone)})
    assert error_summary(refused) == [
        "Enter your password",
        "Enter a code from the app on your old phone, or a recovery code",
    ]
    wrong = client.post(
        "/account/authenticator",
        data={
            "code": current_code(new_phone),
            "current_password": "a guess",
            "current_code": current_code(TEST_TOTP_SECRET),
        },
    )
    assert error_summary(wrong) == ["Enter your correct password and a current code"]
    assert stored(app, User, id=user_id).totp_secret == TEST_TOTP_SECRET
    replaced = client.post(
        "/account/authenticator",
        data={
            "code": current_code(new_phone),
            "current_password": TEST_PASSWORD,
            "current_code": current_code(TEST_TOTP_SECRET, 1),
        },
    )
    assert h1(replaced) == "Save your recovery codes"
    assert stored(app, User, id=user_id).totp_secret == new_phone


# Item 5: registration says nothing about which addresses have accounts, and is throttled --------------------------


def _outbox(app: Flask, email: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == email)))


def test_registration_answers_the_same_whether_or_not_the_address_has_an_account(app: Flask, make) -> None:
    from tests.test_partners import registration

    taken = make.get(User, make.user("officer", email="taken@example.org"))
    answers = []
    for number, email in enumerate((taken.email, "free@example.org")):
        client = app.test_client()
        posted = client.post("/register-organisation", data=registration(name=f"Club {number}", user_email=email))
        answers.append(
            (posted.status_code, posted.headers.get("Location"), without_nonce(client.get(posted.headers["Location"])))
        )
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, "/register-organisation/check-your-email")
    assert _outbox(app, taken.email) == ["You already have an account"]
    assert _outbox(app, "free@example.org") == ["Continue your registration"]
    with app.app_context():
        assert list(db.session.scalars(select(Organisation.name))) == ["Club 1"]  # nothing made for the taken one
        assert db.session.scalar(select(User).where(User.email == taken.email)).role == "officer"


def test_registration_is_throttled_per_address_typed_and_per_machine(app: Flask) -> None:
    from tests.test_partners import registration

    client = app.test_client()
    for number in range(3):
        assert client.post("/register-organisation", data=registration(name=f"Club {number}")).status_code == 302
    fourth = client.post("/register-organisation", data=registration(name="Club 3"))
    assert fourth.status_code == 429 and h1(fourth) == "Too many attempts"
    for number in range(4, 10):  # the refused fourth counts towards the ten a machine may make
        email = f"person{number}@example.org"
        assert (
            client.post(
                "/register-organisation", data=registration(name=f"Club {number}", user_email=email)
            ).status_code
            == 302
        )
    eleventh = client.post("/register-organisation", data=registration(name="Club 11", user_email="last@example.org"))
    assert eleventh.status_code == 429


# Item 13: forgotten-password does the same work for known and unknown addresses ------------------------------------


def _work_done(app: Flask, email: str) -> tuple[int, int, int]:
    """Statements the request ran, emails it queued and events it recorded. Only the request's own thread is counted:
    the audit chain's linker links events after commit in a thread of its own, whenever it wakes."""
    statements = []
    with app.app_context():
        engine = db.engine
    request_thread = threading.get_ident()

    def listen(*args) -> None:
        if threading.get_ident() == request_thread:
            statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listen)
    try:
        app.test_client().post("/forgot-password", data={"email": email})
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    with app.app_context():
        emails = len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).all())
        events = len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.detail["change"].as_string().like("password reset%"))
            ).all()
        )
    return len(statements), emails, events


def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(app: Flask, make) -> None:
    known = make.get(User, make.user("officer"))
    known_statements, known_emails, _ = _work_done(app, known.email)
    unknown_statements, unknown_emails, events = _work_done(app, "nobody@example.org")
    assert known_emails == unknown_emails == 1 and events == 2
    assert abs(known_statements - unknown_statements) <= 1  # the reset link's own row, in the same transaction


def test_forgot_password_takes_as_long_for_known_and_unknown_addresses(app: Flask, make) -> None:
    rounds = 25  # a new address each time, so the per-address email limit never answers instead
    known = [make.get(User, make.user("officer")).email for _ in range(rounds)]
    unknown = [f"nobody-{number}@example.org" for number in range(rounds)]
    client = app.test_client()
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for pair in zip(known, unknown, strict=True):  # interleaved, so a busy moment on the machine slows both alike
        for kind, email in zip(times, pair, strict=True):
            started = time.perf_counter()
            client.post("/forgot-password", data={"email": email})
            times[kind].append(time.perf_counter() - started)
    known_median, unknown_median = (statistics.median(samples) for samples in times.values())
    assert 0.67 < known_median / unknown_median < 1.5, (known_median, unknown_median)


# Calendar feeds: revoked with the credentials, and a feed without names ------------------------------------------


@pytest.mark.parametrize("change", [_reset_password, _disable, _change_password])
def test_calendar_feeds_stop_for_good_when_the_password_is_reset_or_the_account_disabled(
    app: Flask, client, sign_in, make, change
) -> None:
    user_id = sign_in(client, "officer")
    email = make.get(User, user_id).email
    feed = make_link(client, f"/calendars/subjects/{make.subject()}")
    assert app.test_client().get(feed).status_code == 200
    change(app, client, email)
    with app.app_context():
        accounts.set_disabled(db.session.get(User, user_id), False)  # even once enabled again
        db.session.commit()
    assert app.test_client().get(feed).status_code == 404
    assert stored(app, CalendarFeed, user_id=user_id).revoked_at is not None


def test_a_registered_password_signs_in_only_after_the_emailed_link_is_followed(app: Flask) -> None:
    from tests.test_partners import continue_from_email, registration

    client = app.test_client()
    client.post("/register-organisation", data=registration())
    email, password = registration()["user_email"], registration()["password"]
    too_soon = app.test_client().post("/sign-in", data={"email": email, "password": password})
    wrong = app.test_client().post("/sign-in", data={"email": email, "password": "not the right password"})
    assert too_soon.status_code == 200 and without_nonce(too_soon) == without_nonce(wrong)
    continue_from_email(client)
    assert app.test_client().post("/sign-in", data={"email": email, "password": password}).status_code == 302
