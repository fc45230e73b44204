"""Security bar items 6 and 10 (ASVS 3.3.1-3.3.4, 14.3.3, 11.4.1): the session cookie, in the production
configuration and over https, and what it holds; item 20 (ASVS 13.3.1, 11.2.2): key rotation with
SECRET_KEY_FALLBACKS."""

import hashlib
import uuid
from http.cookies import SimpleCookie

from flask import Flask

from portal.web.security import RotatingSessionInterface
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, Factory
from tests.utils import current_code

HTTPS = "https://localhost"


def session_set_cookie(response) -> str:
    headers = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("__Host-kcpo_session=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def sign_in_over_https(app: Flask, **user_fields):
    email = f"casey-{uuid.uuid4().hex[:8]}@example.org"
    Factory(app).user("officer", email=email, full_name="Casey Officer-Name", **user_fields)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": TEST_PASSWORD}, base_url=HTTPS)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    response = client.post("/sign-in/code", data={"code": current_code(TEST_TOTP_SECRET)}, base_url=HTTPS)
    assert response.status_code == 302 and response.headers["Location"] == "/home", response.get_data(as_text=True)
    return client, response


def test_the_session_cookie_is_host_only_secure_httponly_and_lax(production_app) -> None:
    app = production_app()
    _client, response = sign_in_over_https(app)
    header = session_set_cookie(response)
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "secure" in attributes and "httponly" in attributes
    assert "samesite=lax" in attributes or "samesite=strict" in attributes
    assert "path=/" in attributes
    assert not any(attribute.startswith("domain") for attribute in attributes)


def test_the_session_holds_only_ids_and_nonces(production_app) -> None:
    app = production_app()
    client, response = sign_in_over_https(app)
    client.get("/home", base_url=HTTPS)
    cookie = SimpleCookie()
    cookie.load(session_set_cookie(response))
    payload = app.session_interface.get_signing_serializer(app).loads(cookie["__Host-kcpo_session"].value)
    assert set(payload) <= {
        "_user_id",
        "_fresh",
        "_id",
        "csrf_token",
        "_flashes",
        "_mfa",
        "mfa_pending",
        "access_reason",
        "break_glass",  # [session fingerprint, [[subject id, audit event id], ...]]
    }
    flat = repr(payload).lower()
    for personal in ("casey", "officer-name", "@example.org", "date_of_birth"):
        assert personal not in flat


def test_the_session_is_signed_with_hmac_sha256(app: Flask) -> None:
    assert isinstance(app.session_interface, RotatingSessionInterface)
    assert app.session_interface.digest_method is hashlib.sha256


def test_a_cookie_signed_with_a_retired_key_is_accepted_and_re_signed(production_app) -> None:
    old_key, new_key = "o" * 48, "n" * 48
    old_app = production_app(SECRET_KEY=old_key)
    client, response = sign_in_over_https(old_app)
    old_cookie = SimpleCookie()
    old_cookie.load(session_set_cookie(response))
    old_value = old_cookie["__Host-kcpo_session"].value

    rotated = production_app(SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[old_key])
    visitor = rotated.test_client()
    visitor.set_cookie("__Host-kcpo_session", old_value, domain="localhost")
    response = visitor.get("/directory/", base_url=HTTPS)
    assert response.status_code == 200, "the old key's cookie should still sign the user in"
    renewed = SimpleCookie()
    renewed.load(session_set_cookie(response))
    new_value = renewed["__Host-kcpo_session"].value
    assert new_value != old_value
    only_new = production_app(SECRET_KEY=new_key)
    assert only_new.session_interface.get_signing_serializer(only_new).loads(new_value)["_user_id"]

    # Without the fallback, the old cookie is just not a session.
    refused = only_new.test_client()
    refused.set_cookie("__Host-kcpo_session", old_value, domain="localhost")
    assert "/sign-in" in refused.get("/directory/", base_url=HTTPS).headers["Location"]


def test_a_cookie_signed_with_the_current_key_is_not_re_sent(production_app) -> None:
    app = production_app(SECRET_KEY_FALLBACKS=["f" * 48])
    client, _ = sign_in_over_https(app)
    client.get("/accessibility", base_url=HTTPS)  # shows (and so removes) any message left by signing in
    response = client.get("/accessibility", base_url=HTTPS)  # a page that leaves the session as it is
    assert response.status_code == 200
    assert not [v for v in response.headers.getlist("Set-Cookie") if v.startswith("__Host-kcpo_session=")]
