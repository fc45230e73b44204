"""Accounts to ASVS 5.0 L2 (security bar checks 1-5, 7, 9 and 13): password storage and rules, throttling shared
across workers, multi-factor sign-in, single-use links, session rotation and revocation, re-authentication."""

import re
import uuid
from datetime import timedelta

import pytest
import redis
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.extensions import db
from portal.infra import mfa
from portal.models import AuditEvent, AuthSession, Invitation, OutboxMessage, RecoveryCode, User, utcnow
from portal.web.auth import PUBLIC, access_rule_of
from tests.conftest import _test_config
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.security.conftest import get_rules, path_for
from tests.utils import current_code, error_summary, field_error, h1, page, set_up_authenticator, sign_in_with_code

REDIS_URL = "redis://127.0.0.1:6379/3"


def password_form(password: str) -> dict[str, str]:
    return {"password": password, "confirm_password": password}


def stored(app: Flask, model: type, **where: object):
    with app.app_context():
        return db.session.scalar(select(model).filter_by(**where))


def without_nonce(response) -> str:
    """The page as a person sees it: each response carries its own CSP nonce."""
    return re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True))


def age_reauthentication(app: Flask, minutes: int = 6) -> None:
    with app.app_context():
        for auth_session in db.session.scalars(select(AuthSession)):
            auth_session.reauthenticated_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


# 1. Password hashing ---------------------------------------------------------------------------------------------


def test_stored_passwords_are_argon2id_at_asvs_appendix_c_strength(app: Flask, make) -> None:
    app.config["ARGON2_FAST"] = False  # the production profile, not the suite's cheap one
    user = make.get(User, make.user("officer"))
    with app.app_context():
        token = _reset_link(app, user.email)
    app.test_client().post(f"/reset-password/{token}", data=password_form("a brand new passphrase"))
    stored_hash = stored(app, User, id=user.id).password_hash
    assert stored_hash.startswith("$argon2id$")
    memory_kib, time_cost, parallelism = map(int, re.search(r"m=(\d+),t=(\d+),p=(\d+)", stored_hash).groups())
    # ASVS 5.0 Appendix C: m >= 46 MiB at t=1, >= 19 MiB at t=2, >= 12 MiB at t >= 3.
    minimum_mib = {1: 46, 2: 19}.get(time_cost, 12)
    assert memory_kib >= minimum_mib * 1024 and time_cost >= 1 and parallelism >= 1
    assert not _meets_appendix_c("scrypt:32768:8:1$salt$hash")  # Werkzeug's default would fail this check


def _meets_appendix_c(password_hash: str) -> bool:
    found = re.search(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+", password_hash)
    if not found:
        return False
    memory_kib, time_cost = int(found[1]), int(found[2])
    return memory_kib >= {1: 46, 2: 19}.get(time_cost, 12) * 1024


def test_a_legacy_werkzeug_hash_is_rehashed_with_argon2id_at_sign_in(app: Flask, client, make) -> None:
    legacy = generate_password_hash(TEST_PASSWORD, method="scrypt")
    user = make.get(User, make.user("officer", password_hash=legacy))
    assert sign_in_with_code(client, user.email, TEST_PASSWORD, TEST_TOTP_SECRET).status_code == 302
    assert stored(app, User, id=user.id).password_hash.startswith("$argon2id$")


# 2. Password rules -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "x" * 64 + "-long",
        "ceci n'est pas une pipe",  # spaces
        "пароль-для-портала-Ж",  # Cyrillic
        "自転車に乗るのが好きです",  # 12 CJK characters, 36 bytes
        "all lower case words here",  # no composition rules
        "ça-va-très-bien-merci-" * 4,  # 88 characters, beyond bcrypt's 72 bytes
    ],
)
def test_long_unicode_and_spaced_passwords_are_accepted_and_checked_exactly(app: Flask, make, password: str) -> None:
    user = make.get(User, make.user("officer"))
    with app.app_context():
        token = _reset_link(app, user.email)
    response = app.test_client().post(f"/reset-password/{token}", data=password_form(password))
    assert response.status_code == 302, error_summary(response)
    client = app.test_client()
    assert sign_in_with_code(client, user.email, password, TEST_TOTP_SECRET).status_code == 302
    # Exactly that password: one character changed at the very end is refused (no truncation anywhere).
    wrong = app.test_client().post("/sign-in", data={"email": user.email, "password": password[:-1] + "?"})
    assert error_summary(wrong) == ["Enter a correct email address and password"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "Password must be between 12 and 1000 characters"),
        ("password1234", "This password is too easy to guess"),
        ("Qwertyuiop123!", "This password is too easy to guess"),
        ("iloveyou2024!", "This password is too easy to guess"),
        ("123456789012", "This password is too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "This password is too easy to guess"),
        ("KCPO!!20262026", "This password is too easy to guess"),
    ],
)
def test_short_and_common_passwords_are_refused_and_nothing_changes(app: Flask, make, password, message) -> None:
    user = make.get(User, make.user("officer"))
    before = user.password_hash
    with app.app_context():
        token = _reset_link(app, user.email)
    response = app.test_client().post(f"/reset-password/{token}", data=password_form(password))
    assert response.status_code == 200 and field_error(response, "password").startswith(message)
    assert stored(app, User, id=user.id).password_hash == before
    assert stored(app, Invitation, user_id=user.id).used_at is None  # the link still works for a better password


# 3. Throttling ---------------------------------------------------------------------------------------------------


def test_the_eleventh_guess_in_five_minutes_is_refused_even_with_the_right_password(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    client = app.test_client()
    start = utcnow()
    with freeze_time(start) as clock:
        for attempt in range(10):
            wrong = client.post(
                "/sign-in",
                data={"email": user.email, "password": f"wrong-guess-number-{attempt}"},
                headers={"X-Forwarded-For": f"203.0.113.{attempt}"},  # a new address each time changes nothing
            )
            assert wrong.status_code == 200
        right = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
        assert right.status_code == 429 and h1(right) == "Too many attempts"
        assert stored(app, AuthSession, user_id=user.id) is None
        clock.move_to(start + timedelta(minutes=5, seconds=1))
        assert sign_in_with_code(client, user.email, TEST_PASSWORD, TEST_TOTP_SECRET).status_code == 302


def test_unknown_wrong_and_disabled_accounts_get_identical_answers(app: Flask, make) -> None:
    known = make.get(User, make.user("officer", email="known@example.org"))
    make.user("officer", email="disabled@example.org", disabled_at=utcnow())

    def answer(email: str, password: str) -> tuple[int, str]:
        response = app.test_client().post("/sign-in", data={"email": email, "password": password})
        return response.status_code, without_nonce(response).replace(email, "EMAIL")

    unknown = answer("nobody@example.org", "wrong-password-here")
    assert answer(known.email, "wrong-password-here") == unknown
    assert answer("disabled@example.org", TEST_PASSWORD) == unknown
    for _ in range(10):  # and once throttled, an account that exists looks like one that does not
        answer("known@example.org", "wrong-password-here")
        answer("nobody@example.org", "wrong-password-here")
    assert answer("known@example.org", TEST_PASSWORD) == answer("nobody@example.org", TEST_PASSWORD)
    assert answer("known@example.org", TEST_PASSWORD)[0] == 429


def _redis_unavailable() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis is not reachable at {REDIS_URL}: {type(error).__name__}"
    return None


def test_two_workers_sharing_redis_share_one_guess_count(app: Flask, make) -> None:
    reason = _redis_unavailable()
    if reason:
        pytest.skip(reason)
    user = make.get(User, make.user("officer"))
    shared = {
        **_test_config(),
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATE_LIMIT_STORAGE_URI": REDIS_URL,
        "RATE_LIMIT_KEY_PREFIX": f"kcpo-test-{uuid.uuid4().hex}",
    }
    worker_a, worker_b = create_app(shared), create_app(shared)
    for attempt in range(10):
        worker = worker_a if attempt % 2 else worker_b  # the load balancer alternates
        worker.test_client().post("/sign-in", data={"email": user.email, "password": f"guess-{attempt}-wrong"})
    for worker in (worker_a, worker_b):
        response = worker.test_client().post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 429
    for worker in (worker_a, worker_b):
        with worker.app_context():
            db.engine.dispose()


# 4. Multi-factor sign-in -----------------------------------------------------------------------------------------


def test_a_password_only_session_reaches_no_endpoint(app: Flask, client, make) -> None:
    user = make.get(User, make.user("admin"))
    assert client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    reached = []
    for rule in get_rules(app):
        if access_rule_of(app, rule.endpoint) == PUBLIC:
            continue
        path = path_for(rule, {})
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(path, method=method)
            if response.status_code < 300 or response.status_code not in (302, 303, 401, 403, 404, 405, 400):
                reached.append(f"{method} {path} -> {response.status_code}")
            elif response.status_code in (302, 303):
                assert "/sign-in" in response.headers["Location"], f"{method} {path}"
    assert reached == []
    assert client.get("/sign-in/code").status_code == 200  # still on its way to the code page


@freeze_time(utcnow())  # the clock must not cross a 30-second step in the middle of the test
def test_a_code_works_once_and_only_within_one_step_of_now(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    now = mfa.current_step()
    for refused_step in (now - 2, now + 2):
        client = app.test_client()
        client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
        response = client.post("/sign-in/code", data={"code": mfa.code_at(TEST_TOTP_SECRET, refused_step)})
        assert field_error(response, "code").startswith("Enter a correct code")
    first = app.test_client()
    assert sign_in_with_code(first, user.email, TEST_PASSWORD, TEST_TOTP_SECRET).status_code == 302
    replay = app.test_client()
    replay.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    reused = replay.post("/sign-in/code", data={"code": current_code(TEST_TOTP_SECRET)})
    assert reused.status_code == 200 and field_error(reused, "code").startswith("Enter a correct code")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("mfa-failed") == 3


def test_recovery_codes_each_sign_in_once(app: Flask, make) -> None:
    make.user("partner", email="new-partner@example.org", totp_secret=None)
    client = app.test_client()
    client.post("/sign-in", data={"email": "new-partner@example.org", "password": TEST_PASSWORD})
    codes_page, _secret = set_up_authenticator(client)
    codes = [item.get_text(strip=True) for item in page(codes_page).select("#recovery-codes li")]
    assert len(codes) == len(set(codes)) == 10
    client.post("/sign-out")
    for attempt in range(2):
        visitor = app.test_client()
        visitor.post("/sign-in", data={"email": "new-partner@example.org", "password": TEST_PASSWORD})
        response = visitor.post("/sign-in/code", data={"code": codes[0].upper().replace("-", " ")})
        assert (response.status_code == 302) is (attempt == 0)
    with app.app_context():
        stored_hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert not any(code in stored_hashes or code.replace("-", "") in stored_hashes for code in codes)


def test_first_sign_in_links_an_authenticator_before_anything_else(app: Flask, make) -> None:
    make.user("officer", email="first@example.org", totp_secret=None)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "first@example.org", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/set-up-authenticator"
    assert client.get("/directory/").status_code == 302
    set_up = page(client.get("/sign-in/set-up-authenticator"))
    assert set_up.select_one(".app-qr-code svg") is not None
    wrong = client.post("/sign-in/set-up-authenticator", data={"code": "123456"})
    assert field_error(wrong, "code") == "Enter the code your authenticator app shows now for this account"
    assert stored(app, User, email="first@example.org").totp_secret is None
    set_up_authenticator(client)
    assert client.get("/directory/").status_code == 200
    assert stored(app, User, email="first@example.org").totp_secret is not None


def test_new_recovery_codes_need_re_authentication(app: Flask, client, sign_in) -> None:
    sign_in(client, "officer")
    age_reauthentication(app)
    codes_before = client.post("/account/recovery-codes", headers={"Referer": "http://localhost/account"})
    assert codes_before.headers["Location"].startswith("/account/confirm-identity")
    wrong = client.post(
        "/account/confirm-identity?next=/account",
        data={"password": "not-my-password", "code": current_code(TEST_TOTP_SECRET)},
    )
    assert error_summary(wrong) == ["Enter your correct password and a current code"]
    confirmed = client.post(
        "/account/confirm-identity?next=/account",
        data={"password": TEST_PASSWORD, "code": current_code(TEST_TOTP_SECRET)},
    )
    assert confirmed.headers["Location"] == "/account"
    assert h1(client.post("/account/recovery-codes")) == "Save your recovery codes"


# 5. Reset and invitation links -----------------------------------------------------------------------------------


def _reset_link(app: Flask, email: str) -> str:
    """Ask for a reset as the person would, and read the link out of the email waiting in the outbox."""
    app.test_client().post("/forgot-password", data={"email": email})
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
    )
    return re.search(r"/reset-password/([\w-]+)", message.body).group(1)


def test_forgot_password_answers_the_same_for_unknown_addresses(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    known = app.test_client().post("/forgot-password", data={"email": user.email})
    unknown = app.test_client().post("/forgot-password", data={"email": "nobody@example.org"})
    assert without_nonce(known) == without_nonce(unknown)
    assert h1(known) == "Check your email"
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id)).all()
    assert recipients == [user.email, "nobody@example.org"]  # a link for one, "no account here" for the other


def test_a_reset_link_works_once_then_never_again(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    with app.app_context():
        token = _reset_link(app, user.email)
    client = app.test_client()
    assert client.post(f"/reset-password/{token}", data=password_form("first new passphrase")).status_code == 302
    second = client.post(f"/reset-password/{token}", data=password_form("second new passphrase"))
    assert second.status_code == 410 and h1(second) == "This password reset link no longer works"
    assert sign_in_with_code(client, user.email, "first new passphrase", TEST_TOTP_SECRET).status_code == 302


def test_a_reset_link_expires_after_an_hour(app: Flask, make) -> None:
    user = make.get(User, make.user("officer"))
    with app.app_context():
        token = _reset_link(app, user.email)
    with freeze_time(utcnow() + timedelta(minutes=61)):
        response = app.test_client().post(f"/reset-password/{token}", data=password_form("too late passphrase"))
    assert response.status_code == 410 and h1(response) == "This password reset link has expired"
    assert stored(app, User, id=user.id).password_hash != "too late passphrase"


def test_an_invitation_link_is_refused_by_the_reset_page_and_the_other_way_round(app: Flask, make) -> None:
    from portal.data import accounts

    user = make.get(User, make.user("officer", password_hash=None))
    with app.app_context():
        invitation = accounts.create_invitation(db.session.get(User, user.id), user.id, timedelta(days=1))
        db.session.commit()
    client = app.test_client()
    assert client.get(f"/reset-password/{invitation}").status_code == 404
    assert client.get(f"/invitation/{invitation}").status_code == 200
    make.user("officer", email="reset-me@example.org")
    with app.app_context():
        reset = _reset_link(app, "reset-me@example.org")
    assert client.get(f"/invitation/{reset}").status_code == 404


def test_a_reset_signs_out_everywhere_and_does_not_skip_the_code(app: Flask, client, sign_in, make) -> None:
    user_id = sign_in(client, "officer")
    email = make.get(User, user_id).email
    assert client.get("/directory/").status_code == 200
    with app.app_context():
        token = _reset_link(app, email)
    visitor = app.test_client()
    response = visitor.post(f"/reset-password/{token}", data=password_form("a fresh long passphrase"))
    assert response.headers["Location"] == "/sign-in"
    assert visitor.get("/directory/").status_code == 302  # the reset signed nobody in
    assert client.get("/directory/").status_code == 302  # and the old session has ended
    after = visitor.post("/sign-in", data={"email": email, "password": "a fresh long passphrase"})
    assert after.headers["Location"] == "/sign-in/code"


# 7. Rotation at sign-in ------------------------------------------------------------------------------------------


def test_the_session_is_new_after_the_password_and_again_after_the_code(app: Flask, client, make) -> None:
    user = make.get(User, make.user("officer"))
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    planted_cookie = client.get_cookie(cookie_name).value
    client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        pending_token = session["pending_sign_in"]
    after_password = client.get_cookie(cookie_name).value
    client.post("/sign-in/code", data={"code": current_code(TEST_TOTP_SECRET)})
    with client.session_transaction() as session:
        assert "planted" not in session and "pending_sign_in" not in session
        assert session["_user_id"] != pending_token
    assert len({planted_cookie, after_password, client.get_cookie(cookie_name).value}) == 3


# 9. Revocation on password change --------------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_a_code_and_ends_other_sessions(
    app: Flask, sign_in, make
) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    user_id = sign_in(here, "officer")
    email = make.get(User, user_id).email
    sign_in_with_code(elsewhere, email, TEST_PASSWORD, TEST_TOTP_SECRET)
    copied = elsewhere.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    current = {"current_password": TEST_PASSWORD, "current_code": current_code(TEST_TOTP_SECRET, 1)}
    common = here.post("/account/change-password", data=password_form("password12345") | current)
    assert field_error(common, "password").startswith("This password is too easy to guess")
    changed = here.post("/account/change-password", data=password_form("a new and long passphrase") | current)
    assert changed.headers["Location"] == "/account"
    assert here.get("/directory/").status_code == 200  # this browser carries on
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert replay.get("/directory/").status_code == 302  # a copy of the other session's cookie is refused


# 13. Roles change only by an admin who has just re-authenticated -------------------------------------------------


def test_roles_change_only_by_a_recently_re_authenticated_admin(app: Flask, sign_in, make) -> None:
    admin, officer, target_client = app.test_client(), app.test_client(), app.test_client()
    sign_in(admin, "admin")
    sign_in(officer, "officer")
    target_id = sign_in(target_client, "officer")
    assert officer.post(f"/admin/users/{target_id}/sign-in-and-role", data={"role": "admin"}).status_code == 403
    age_reauthentication(app)
    stale = admin.post(f"/admin/users/{target_id}/sign-in-and-role", data={"role": "admin"})
    assert stale.headers["Location"].startswith("/account/confirm-identity")
    assert stored(app, User, id=target_id).role == "officer"
    admin.post("/account/confirm-identity", data={"password": TEST_PASSWORD, "code": current_code(TEST_TOTP_SECRET)})
    changed = admin.post(
        f"/admin/users/{target_id}/sign-in-and-role", data={"role": "auditor", "is_admin": "y", "id": "1"}
    )
    assert changed.headers["Location"] == "/admin/users"
    assert stored(app, User, id=target_id).role == "auditor"
    assert target_client.get("/directory/").status_code == 302  # signed out: their access changed under them


def test_an_admin_cannot_change_their_own_role(app: Flask, client, sign_in) -> None:
    admin_id = sign_in(client, "admin")
    assert client.post(f"/admin/users/{admin_id}/sign-in-and-role", data={"role": "officer"}).status_code == 403
    assert stored(app, User, id=admin_id).role == "admin"


def test_a_partner_role_needs_an_organisation(app: Flask, client, sign_in, make) -> None:
    sign_in(client, "admin")
    target_id = make.user("officer")
    response = client.post(f"/admin/users/{target_id}/sign-in-and-role", data={"role": "partner"})
    assert error_summary(response) == ["Select the partner organisation"]
    assert stored(app, User, id=target_id).role == "officer"


def test_the_command_line_refuses_weak_passwords_too(app: Flask) -> None:
    runner = app.test_cli_runner()
    base = ["create-user", "--email", "first-admin@example.org", "--name", "First Admin", "--role", "admin"]
    for weak in ("short-one", "password12345"):
        refused = runner.invoke(args=[*base, "--password", weak])
        assert refused.exit_code != 0 and "not a commonly used one" in refused.output
    assert stored(app, User, email="first-admin@example.org") is None
    created = runner.invoke(args=[*base, "--password", "a long and unusual passphrase"])
    assert created.exit_code == 0, created.output
    assert stored(app, User, email="first-admin@example.org").totp_secret is None  # linked at first sign-in
