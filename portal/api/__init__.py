"""JSON API v1 at /api/v1: per-user bearer tokens, the same data functions, permission checks and audit as the
pages ("one rule, two doors"), JSON errors, ETags and If-Match, and an OpenAPI document built from the views."""

from flask import current_app, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from portal.api import auth, errors
from portal.api.errors import ApiError
from portal.api.registry import bp
from portal.extensions import csrf

csrf.exempt(bp)  # it never reads cookies, so there is no cross-site request to forge
errors.register(bp)

NO_CSRF_TOKEN = "api-requests-carry-no-csrf-token"  # a marker, not a secret  # nosec B105


@bp.before_request
def _start() -> None:
    auth.start_anonymous()
    # A form built during an API request must never start a cookie session for its CSRF token.
    g.csrf_token = NO_CSRF_TOKEN


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _routing_error(error: HTTPException) -> ResponseReturnValue:
    """Anything under /api/v1 that matches no route (or not with this method) answers in JSON: 401 without a
    valid token, else 404 or 405 with Allow. Every other path keeps the pages' own error handler."""
    if not request.path.startswith(bp.url_prefix + "/"):
        return current_app.error_handler_spec[None][None][HTTPException](error)
    try:
        if not isinstance(g.get("_login_user"), auth.ApiUser):
            _start()
            auth.authenticate()
        raise errors.from_http(error)
    except ApiError as api_error:
        return errors.error_response(api_error)


from portal.api import commands, meta, orders, programmes, referrals, registers, noncompliance, subjects, suggestions  # noqa: E402, F401, I001
