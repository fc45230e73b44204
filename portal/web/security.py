"""Browser-facing protections: security headers with a per-request CSP nonce, the signed-session cookie
(SHA-256, key rotation through SECRET_KEY_FALLBACKS) and the trusted-proxy wiring.

Headers are set in an `after_request` hook, as GOV.UK Notify does, rather than through Flask-Talisman (lightly
maintained; its default CSP has no `base-uri` or `frame-ancestors`). Unlike Notify's policy, this one has no
`'unsafe-inline'` anywhere and `object-src 'none'`: the only inline script on a page is the GOV.UK template's
`js-enabled` one-liner, which carries the request's nonce (`cspNonce`), and no template has a `style` attribute.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, abort, current_app, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.rules.input_rules import control_character_in

P = ParamSpec("P")
R = TypeVar("R")
BODY_LIMIT = "body_limit_bytes"
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)


def csp_nonce() -> str:
    """This request's nonce: made on first use, the same for every template and for the header."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


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

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys rather than twice per request (it holds no state)."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:  # noqa: ANN001
        session = super().open_session(app, request)
        cookie = request.cookies.get(self.get_cookie_name(app))
        if session and cookie and app.config.get("SECRET_KEY_FALLBACKS"):
            if not self._signed_with_current_key(app, cookie):
                session.modified = True  # save_session writes it back under the current key
        return session

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
    for values in (request.args, request.form):
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
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    app.url_value_preprocessor(apply_view_body_limit)
    app.before_request(refuse_control_characters)
    wire_proxy(app)
