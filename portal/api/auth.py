"""Bearer-token authentication and a per-token rate limit. Cookies are never read here: the API blueprint sets
the request's user itself, so Flask-Login never loads a session for an API request."""

import threading
import time
from dataclasses import dataclass

from flask import current_app, g, request
from flask_login import AnonymousUserMixin

from portal.api import tokens
from portal.api.errors import ApiError
from portal.auth import SignedInUser
from portal.models import Role

DEFAULT_RATE_LIMIT_PER_MINUTE = 300
WINDOW_SECONDS = 60


class ApiUser(SignedInUser):
    """The token's owner, seen by the data layer exactly as a signed-in user (audit, organisation scoping)."""

    def __init__(self, user, token_id: int) -> None:  # noqa: ANN001
        super().__init__(user, f"api-token:{token_id}")
        self.token_id = token_id


def start_anonymous() -> None:
    """Every API request starts with no user, whatever cookies it carries."""
    g._login_user = AnonymousUserMixin()


def authenticate() -> ApiUser:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or len(credential) > 200:
        raise ApiError(401)
    found = tokens.user_for_token(credential)
    if found is None:
        raise ApiError(401, message="The API token is not valid, or has been revoked")
    token, user = found
    api_user = ApiUser(user, token.id)
    g._login_user = api_user
    limiter.hit(token.id)
    return api_user


def require_role(user: ApiUser, roles: tuple[Role, ...]) -> None:
    if not user.has_role(*roles):
        raise ApiError(403)


@dataclass
class _Window:
    started: float
    count: int


class RateLimiter:
    """A fixed one-minute window per token, held in this process (`API_RATE_LIMIT_PER_MINUTE`; 0 turns it off).

    Each gunicorn worker counts on its own, so the effective limit is this times the number of workers."""

    def __init__(self) -> None:
        self._windows: dict[int, _Window] = {}
        self._lock = threading.Lock()

    def hit(self, token_id: int, now: float | None = None) -> None:
        limit = int(current_app.config.get("API_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE))
        if limit <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._windows.get(token_id)
            if window is None or now - window.started >= WINDOW_SECONDS:
                window = self._windows[token_id] = _Window(now, 0)
            window.count += 1
            remaining = limit - window.count
            retry_after = max(1, int(WINDOW_SECONDS - (now - window.started)) + 1)
        g.rate_limit_headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, remaining))}
        if remaining < 0:
            raise ApiError(429, headers={"Retry-After": str(retry_after)} | g.rate_limit_headers)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


limiter = RateLimiter()
