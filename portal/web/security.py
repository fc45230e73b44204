"""Browser-facing protections: security headers with a per-request CSP nonce, the signed-session cookie
(SHA-256, key rotation through SECRET_KEY_FALLBACKS) and the trusted-proxy wiring.

Headers are set in an `after_request` hook, as GOV.UK Notify does, rather than through Flask-Talisman (lightly
maintained; its default CSP has no `base-uri` or `frame-ancestors`). Unlike Notify's policy, this one has no
`'unsafe-inline'` anywhere and `object-src 'none'`: the only inline script on a page is the GOV.UK template's
`js-enabled` one-liner, which carries the request's nonce (`cspNonce`), and no template has a `style` attribute.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.rules.input_rules import control_character_in

P = ParamSpec("P")
R = TypeVar("R")
BODY_LIMIT = "body_limit_bytes"
HSTS = "max-age=31536000; includeSubDomains"
SESSIONS_KEPT = 4096  # verified session cookies kept per process (RotatingSessionInterface)
PLAIN_VALUES = (str, int, float, bool, type(None))
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)


def csp_nonce() -> str:
    """This request's nonce: made on first use, the same for every template and for the header."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self' 'nonce-{nonce}'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
_CSP_BEFORE_NONCE, _CSP_AFTER_NONCE = "; ".join(CSP_DIRECTIVES).split("{nonce}")  # joined once, not per response


def content_security_policy(nonce: str) -> str:
    return _CSP_BEFORE_NONCE + nonce + _CSP_AFTER_NONCE


def set_security_headers(response: Response) -> Response:
    """Every response: pages, errors, redirects, downloads and static assets."""
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Referrer-Policy", "same-origin")  # a view may ask for stricter (the calendar feed does)
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.is_secure or current_app.config.get("HSTS_ALWAYS"):
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        # Pages carry personal data: never stored by the browser or any shared cache.
        headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("Pragma", "no-cache")
    return response


class RotatingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie with HMAC-SHA-256 (ASVS 5.0 App. C lists HMAC-SHA-1 as legacy). A cookie signed with
    a key from SECRET_KEY_FALLBACKS is accepted and re-issued, signed with the current key, in the same response."""

    digest_method = staticmethod(hashlib.sha256)

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        self._verified: dict[tuple, tuple[dict, int]] = {}  # (keys, cookie) -> (session values, signed at)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys rather than twice per request (it holds no state)."""
        keys = _signing_keys(app)
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        session = self._open_verified(app, cookie) or self._verify(app, serializer, cookie)
        if session and app.config.get("SECRET_KEY_FALLBACKS"):
            if not self._signed_with_current_key(app, cookie):
                session.modified = True  # save_session writes it back under the current key
        return session

    def _open_verified(self, app: Flask, cookie: str) -> SecureCookieSession | None:
        """A browser sends the same cookie with every request until its session changes: one whose signature was
        checked before (with these keys) is not checked and decoded again. Its age still is, on every request, as
        Flask's own check does; None when the cookie was not seen before or is too old (`_verify` refuses it)."""
        kept = self._verified.get((_signing_keys(app), cookie))
        if kept is None:
            return None
        values, signed_at = kept
        age = int(time.time()) - signed_at
        if age < 0 or age > int(app.permanent_session_lifetime.total_seconds()):
            return None
        return self.session_class(values)  # a copy: the request's changes never reach the kept values

    def _verify(self, app: Flask, serializer: URLSafeTimedSerializer, cookie: str) -> SecureCookieSession:
        """Flask's own check of the cookie (signature and age). A cookie that passes is kept when its values are all
        plain: nothing a request could change in place, as the list of flashed messages."""
        try:
            values, signed_at = serializer.loads(
                cookie, max_age=int(app.permanent_session_lifetime.total_seconds()), return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if values and all(isinstance(value, PLAIN_VALUES) for value in values.values()):
            if len(self._verified) >= SESSIONS_KEPT:
                self._verified.pop(next(iter(self._verified), None), None)  # the oldest
            self._verified[(_signing_keys(app), cookie)] = (dict(values), int(signed_at.timestamp()))
        return self.session_class(values)

    def _signed_with_current_key(self, app: Flask, cookie: str) -> bool:
        current_only = URLSafeTimedSerializer(
            app.secret_key,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )
        try:
            current_only.loads(cookie)
        except BadSignature:
            return False
        return True


def _signing_keys(app: Flask) -> tuple:
    return (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))


def csrf_token() -> str:
    """This request's CSRF token, the same one flask-wtf's `generate_csrf` makes (and kept in `g`, where its forms
    find it), made for less: every signed-in page has the sign-out form. With a CSRF secret or field name of its own in
    the configuration, or no token in the session yet, flask-wtf makes it."""
    config = current_app.config
    if (
        "csrf_token" in g
        or "csrf_token" not in session
        or config.get("WTF_CSRF_SECRET_KEY") is not None
        or config.get("WTF_CSRF_FIELD_NAME", "csrf_token") != "csrf_token"
    ):
        return generate_csrf()
    g.csrf_token = _CsrfSigner.for_key(current_app.secret_key).token(session["csrf_token"])
    return g.csrf_token


class _CsrfSigner:
    """flask-wtf's serializer (URLSafeTimedSerializer, salt "wtf-csrf-token", HMAC-SHA-1), built once per key: its
    signer with hashlib's own SHA-1 (itsdangerous's default wraps it in a Python function, which sends HMAC down its
    slow path; the signature is the same), and the encoded session token, which is the same on every page, kept."""

    def __init__(self, secret_key: str | bytes) -> None:
        self.serializer = URLSafeTimedSerializer(
            secret_key, salt="wtf-csrf-token", signer_kwargs={"digest_method": hashlib.sha1}
        )
        self.signer = self.serializer.make_signer(self.serializer.salt)
        self.payloads: dict[str, bytes] = {}

    @classmethod
    @lru_cache(maxsize=8)
    def for_key(cls, secret_key: str | bytes) -> "_CsrfSigner":
        return cls(secret_key)

    def token(self, raw: str) -> str:
        payload = self.payloads.get(raw)
        if payload is None:
            if len(self.payloads) >= SESSIONS_KEPT:
                self.payloads.pop(next(iter(self.payloads), None), None)  # the oldest
            payload = self.payloads[raw] = self.serializer.dump_payload(raw)
        return self.signer.sign(payload).decode()


def accepts_bodies_up_to(limit: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A view that takes uploads larger than MAX_CONTENT_LENGTH (every other request is refused above it, with a
    413, before its body is read). Goes under the role decorator."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        setattr(view, BODY_LIMIT, limit)
        return view

    return decorator


def apply_view_body_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Runs before every before_request hook (the CSRF check reads the form), so the view's own limit applies."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    limit = getattr(view, BODY_LIMIT, None)
    if limit is not None:
        request.max_content_length = limit


def refuse_control_characters() -> None:
    """No control character (NUL and the like, see portal.rules.input_rules) in any form field or query parameter:
    refused with a 400, as the API and the ORUK import refuse them."""
    # A request with neither a body's type nor its length has no form to read (werkzeug would build an empty one);
    # any other's form is read, which also refuses a body over the limit with a 413.
    has_body = "CONTENT_TYPE" in request.environ or "CONTENT_LENGTH" in request.environ
    for values in (request.args, request.form) if has_body else (request.args,):
        if any(control_character_in(value) for _key, value in values.items(multi=True)):
            abort(400)


def wire_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto only for the configured number of proxy hops in front of the app; with none
    configured, the headers are ignored and `request.remote_addr` is the peer's own address."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    app.session_interface = RotatingSessionInterface()
    # csrf_token in place of flask-wtf's generate_csrf (its context processor comes first): the same token.
    app.context_processor(lambda: {"cspNonce": csp_nonce(), "csrf_token": csrf_token})
    app.url_value_preprocessor(apply_view_body_limit)
    app.before_request(refuse_control_characters)
    wire_proxy(app)
