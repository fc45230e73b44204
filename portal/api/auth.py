"""Bearer-token authentication and a per-token rate limit counted across all workers. Cookies are never read here:
the API blueprint sets the request's user itself, so Flask-Login never loads a session for an API request."""

from flask import current_app, g, request
from flask_login import AnonymousUserMixin

from portal.api.errors import ApiError
from portal.data import tokens
from portal.infra import throttle
from portal.models import OrganisationStatus, Role
from portal.web.auth import SignedInUser, organisation_status_refused

DEFAULT_RATE_LIMIT_PER_MINUTE = 300
WINDOW_SECONDS = 60
RATE_LIMIT_SCOPE = "api-token"


class ApiUser(SignedInUser):
    """The token's owner, seen by the data layer exactly as a signed-in user (audit, organisation scoping)."""

    def __init__(self, user, token_id: int) -> None:
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
        raise ApiError(401, message="The API token is not valid, has expired or has been revoked")
    token, user = found
    api_user = ApiUser(user, token.id)
    g._login_user = api_user
    rate_limit(token.id)
    return api_user


def require_role(user: ApiUser, roles: tuple[Role, ...]) -> None:
    if not user.has_role(*roles):
        raise ApiError(403)


def require_organisation_status(user: ApiUser, statuses: frozenset[OrganisationStatus]) -> None:
    refused_status = organisation_status_refused(user, statuses)
    if refused_status is not None:
        raise ApiError(
            403,
            code="organisation-not-approved",
            message=f"Your organisation is {refused_status}: this operation needs an approved one",
        )


def rate_limit(token_id: int) -> None:
    """Count one call for the token in the shared counters (`portal.infra.throttle`: Redis when configured, so the limit
    holds across every worker); over `API_RATE_LIMIT_PER_MINUTE` in any 60 seconds is 429 (0 turns it off)."""
    per_minute = int(current_app.config.get("API_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE))
    if per_minute <= 0:
        return
    limit = throttle.Limit(RATE_LIMIT_SCOPE, per_minute, WINDOW_SECONDS)
    key = str(token_id)
    allowed = throttle.hit(limit, key)
    window = throttle.window(limit, key)
    g.rate_limit_headers = {"X-RateLimit-Limit": str(per_minute), "X-RateLimit-Remaining": str(window.remaining)}
    if not allowed:
        raise ApiError(429, headers={"Retry-After": str(window.retry_after_seconds)} | g.rate_limit_headers)
