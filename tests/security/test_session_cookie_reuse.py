"""The signed session cookie is checked (signature, then age) once per process and its values kept, since a browser
sends the same cookie until its session changes (portal/security.py, RotatingSessionInterface). Its age is still
checked on every request, a changed or tampered cookie is checked afresh, and nothing a request does to its session
reaches the kept values. The CSRF token every page's sign-out form carries is the one flask-wtf makes and checks."""

from datetime import datetime, timedelta

from flask import Flask, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from freezegun import freeze_time
from itsdangerous import URLSafeTimedSerializer

from portal.web.security import csrf_token


def _cookie(app: Flask, values: dict) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(values)


def _open(app: Flask, cookie: str) -> dict:
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        return dict(app.session_interface.open_session(app, request))


def test_a_kept_cookie_opens_the_same_session_and_a_request_changing_it_changes_nothing_kept(app: Flask) -> None:
    cookie = _cookie(app, {"_user_id": "token-a", "_fresh": True, "csrf_token": "raw"})
    assert _open(app, cookie) == {"_user_id": "token-a", "_fresh": True, "csrf_token": "raw"}
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        opened = app.session_interface.open_session(app, request)
        opened["_user_id"] = "token-b"
        opened.pop("csrf_token")
    assert _open(app, cookie) == {"_user_id": "token-a", "_fresh": True, "csrf_token": "raw"}


def test_a_kept_cookie_is_refused_once_older_than_the_session_lifetime(app: Flask) -> None:
    signed_at = datetime(2026, 12, 7, 10, 30)
    with freeze_time(signed_at):
        cookie = _cookie(app, {"_user_id": "token-a"})
        assert _open(app, cookie) == {"_user_id": "token-a"}
    lifetime = app.permanent_session_lifetime
    with freeze_time(signed_at + lifetime - timedelta(seconds=1)):
        assert _open(app, cookie) == {"_user_id": "token-a"}
    with freeze_time(signed_at + lifetime + timedelta(seconds=2)):
        assert _open(app, cookie) == {}


def test_a_tampered_cookie_or_one_signed_with_another_key_is_refused(app: Flask) -> None:
    cookie = _cookie(app, {"_user_id": "token-a"})
    assert _open(app, cookie) == {"_user_id": "token-a"}
    assert _open(app, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")) == {}
    other = Flask("other")
    other.secret_key = "another key"
    other.config["SECRET_KEY_FALLBACKS"] = []
    assert _open(app, app.session_interface.get_signing_serializer(other).dumps({"_user_id": "token-a"})) == {}


def test_a_session_holding_a_list_is_never_kept_but_opens_as_before(app: Flask) -> None:
    kept = app.session_interface._verified
    cookie = _cookie(app, {"_user_id": "token-a", "_flashes": [["success", "Saved"]]})
    for _ in range(2):
        assert _open(app, cookie) == {"_user_id": "token-a", "_flashes": [["success", "Saved"]]}
    assert not any(key[1] == cookie for key in kept)


def test_the_pages_csrf_token_is_flask_wtfs_own_and_passes_its_check(app: Flask) -> None:
    raw = "0123456789abcdef0123456789abcdef01234567"
    for _ in range(2):  # the second time with the kept signer and encoded token
        with freeze_time(datetime(2026, 12, 7, 10, 30)), app.test_request_context("/"):
            session["csrf_token"] = raw
            token = csrf_token()
            assert g.csrf_token == token and generate_csrf() == token  # forms on the page get the same token
            assert token == URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)  # flask-wtf's
            validate_csrf(token)  # raises when the token is not one flask-wtf accepts
    with app.test_request_context("/"):  # no raw token in the session yet: flask-wtf makes one
        token = csrf_token()
        assert session["csrf_token"] and token == generate_csrf()
        validate_csrf(token)
