"""JSON errors with one stable shape: {"error": {"code", "message", "fields"}}; never an HTML page, never a 500
for bad input. Unexpected exceptions become a JSON 500 only as a last resort, and are logged."""

from typing import Any

from flask import Blueprint, current_app, g, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from portal import data
from portal.data import EditConflict, NoResultFound
from portal.forms import CHANGED_SINCE_OPENED

HTTP_CODES = {
    400: ("bad_request", "The request could not be understood"),
    401: ("unauthenticated", "Send a valid API token as 'Authorization: Bearer <token>'"),
    403: ("forbidden", "Your role does not allow this"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "This method is not allowed here"),
    409: ("edit_conflict", CHANGED_SINCE_OPENED),
    412: ("precondition_failed", "If-Match does not name a version of this record"),
    413: ("too_large", "The request body is too large"),
    415: ("unsupported_media_type", "Send the body as application/json"),
    422: ("rule_failed", "The request breaks a rule"),
    428: ("if_match_required", "Send If-Match with the ETag you read, so you never overwrite someone else's change"),
    429: ("rate_limited", "Too many requests: slow down and try again shortly"),
    500: ("server_error", "Something went wrong on our side; it has been logged"),
}


class ApiError(Exception):
    """An error answer: the status, a stable machine-readable code, words for people, and per-field messages."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        default_code, default_message = HTTP_CODES.get(status, ("error", "Error"))
        super().__init__(message or default_message)
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.fields = fields or {}
        self.headers = headers or {}
        self.extra = extra


class ValidationFailed(ApiError):
    def __init__(self, fields: dict[str, str], message: str = "Check the fields named in 'fields'") -> None:
        super().__init__(400, "invalid", message, fields)


def error_response(error: ApiError) -> ResponseReturnValue:
    body: dict[str, Any] = {"code": error.code, "message": error.message, "fields": error.fields}
    body |= error.extra
    response = jsonify({"error": body})
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    if error.status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="kcpo-api"')
    return response


def from_http(error: HTTPException) -> ApiError:
    status = error.code or 500
    if status not in HTTP_CODES:
        status = 400 if 400 <= status < 500 else 500
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return ApiError(status, headers=headers)


def register(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def _api_error(error: ApiError) -> ResponseReturnValue:
        return error_response(error)

    @bp.errorhandler(EditConflict)
    def _conflict(_error: EditConflict) -> ResponseReturnValue:
        return error_response(ApiError(409))

    @bp.errorhandler(NoResultFound)
    def _no_result(_error: NoResultFound) -> ResponseReturnValue:
        return error_response(ApiError(404))

    @bp.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        return error_response(from_http(error))

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        data.rollback()
        current_app.logger.exception("Unhandled API error (correlation id %s)", g.get("correlation_id", "-"))
        return error_response(ApiError(500))
