"""The OpenAPI 3.1 document, built from the declared operations and the serialisers' schemas.

Outside `portal.api`: the API serves it as /api/openapi.json and the account page renders it as the API docs, and
no page imports the API package."""

from typing import Any

from flask import current_app

from portal.api.inputs import FormInput, public_schema
from portal.api.registry import MAX_ID, OPERATIONS, Operation
from portal.api.serialisers import SCHEMAS, ref
from portal.data.audit import PURPOSE_MAX_LENGTH
from portal.models import Role
from portal.web.access_reason import API_HEADER, SUBJECT_RECORD_ARGUMENTS, reads_subject_data
from portal.web.need_to_know import API_HEADER as BREAK_GLASS_HEADER

ERROR_WORDS = {
    400: "Bad input: `error.fields` names each field with its message",
    401: "No valid API token (cookies are never accepted)",
    403: "Your role may not do this",
    404: "Not found, or not yours (existence is not revealed)",
    409: "Edit conflict: the record changed since the ETag you sent; read it again",
    412: "If-Match is not an ETag of this record",
    413: "The body is too large",
    415: "The body must be application/json",
    422: "A rule stops this (see `error.code`)",
    428: "If-Match is required: send the ETag you read",
    429: "Rate limited: wait for Retry-After seconds",
}
PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
DESCRIPTION = """The KCPO partner portal's JSON API: the same rules, permissions and audit as the pages.

* **Authentication**: `Authorization: Bearer <token>`. Create and revoke tokens on your account page; a token is
  shown once and stored only as a hash. It acts as you, with your role. Cookies are never read: a request with only
  a session cookie gets 401. This document is public; everything else needs a token.
* **Errors** always look like `{"error": {"code": "...", "message": "...", "fields": {"name": "message"}}}`.
  400 names each bad field with the same message as the page's form; 401, 403 and 404 as usual (another
  organisation's records are 'not found'); 422 when a rule stops the change (for example `not_ready_for_court`,
  `session_full`, `referral_closed`, `order_locked`, `register_not_open`); 429 when rate limited.
* **Concurrency**: single resources carry an `ETag`. Every change to one needs `If-Match` with the ETag you read:
  without it the answer is 428; an If-Match that is not an ETag of this record is 412; a stale one (someone changed
  the record since) is **409 `edit_conflict`**, and nothing is saved.
* **Pagination**: lists take `page` and `per_page` (at most 100) and answer `items`, `page`, `per_page`, `total`.
* **Rate limit**: per token, per minute (`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `Retry-After` on 429).
* **Privacy**: searches that could carry a postcode or a name are POSTed, never put in a URL. Partners see only the
  allow-listed referral fields. Every read or write of personal data is audited exactly as in the pages.
"""


def _error(status: int) -> dict[str, Any]:
    return {"description": ERROR_WORDS.get(status, "Error"), "content": {"application/json": {"schema": ref("Error")}}}


def _answer(status: int, success: dict[str, Any]) -> dict[str, Any]:
    """Another success status (say 200 beside 201) has the same body as the main one; the rest are errors."""
    return success | {"description": "OK"} if status < 400 else _error(status)


def _asks_purpose(op: Operation) -> bool:
    return Role.OFFICER in op.roles and reads_subject_data(current_app, op.endpoint)


def _statuses(op: Operation) -> list[int]:
    statuses = set(op.extra_statuses)
    if not op.public:
        statuses |= {401, 429}
        if set(op.roles) != set(Role):
            statuses.add(403)
    if "{" in op.path:
        statuses.add(404)
    if op.body is not None or op.query or op.paged or _asks_purpose(op):
        statuses.add(400)
    if op.body is not None:
        statuses |= {413, 415}
    if op.if_match:
        statuses |= {409, 412}
    if op.if_match == "required":
        statuses.add(428)
    if op.rule_failures:
        statuses.add(422)
    return sorted(statuses)


def _parameters(op: Operation) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for name in _path_names(op.path):
        kind = (
            {"type": "string", "format": "date"}
            if name == "on_date"
            else {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": kind})
    if op.paged:
        parameters += PAGE_PARAMETERS
    parameters += list(op.query)
    if _asks_purpose(op):
        parameters.append(
            {
                "name": API_HEADER,
                "in": "header",
                # Not required in test configurations, which do not ask for the reason (as with CSRF).
                "required": False,
                "description": "Why you are consulting this record (DPA 2018 s.62), up to "
                f"{PURPOSE_MAX_LENGTH} characters, no names; without it the portal answers 400 `purpose-required`",
                "schema": {"type": "string", "minLength": 1, "maxLength": PURPOSE_MAX_LENGTH},
            }
        )
    if _asks_purpose(op) and set(SUBJECT_RECORD_ARGUMENTS) & set(_path_names(op.path)):
        parameters.append(
            {
                "name": BREAK_GLASS_HEADER,
                "in": "header",
                "required": False,
                "description": "For a subject of another borough: why you need the record (recorded, and told to the "
                "officers in charge); without it the portal answers 403 `outside-your-borough`",
                "schema": {"type": "string", "minLength": 1, "maxLength": PURPOSE_MAX_LENGTH},
            }
        )
    if op.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": op.if_match == "required",
                "description": "The ETag you read",
                "schema": {"type": "string"},
            }
        )
    return parameters


def _path_names(path: str) -> list[str]:
    import re

    return re.findall(r"{([^}]+)}", path)


def _body_schema(op: Operation) -> dict[str, Any]:
    if isinstance(op.body, FormInput):
        return public_schema(op.body.schema(partial=op.partial))
    if callable(op.body):
        return public_schema(op.body())
    return public_schema(op.body or {})


def _operation(op: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "OK" if op.status != 201 else "Created"}
    if op.response:
        success["content"] = {"application/json": {"schema": ref(op.response)}}
    if op.etag:
        success["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "Send it back as If-Match"}}
    if op.status == 204:
        success = {"description": "Done"}
    document: dict[str, Any] = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": {str(op.status): success} | {str(status): _answer(status, success) for status in _statuses(op)},
    }
    description = op.description
    if op.rule_failures:
        description += ("\n\n" if description else "") + "422 codes: " + ", ".join(f"`{c}`" for c in op.rule_failures)
    if description:
        document["description"] = description
    document["security"] = [] if op.public else [{"bearerToken": []}]
    document["x-roles"] = [str(role) for role in op.roles] if not op.public else ["public"]
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body_schema(op)}},
        }
    return document


def build_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "KCPO partner portal API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerToken": []}],
    }
