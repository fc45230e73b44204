"""The API blueprint and its operations. Each view is declared once, with who may call it and what it takes and
returns; the OpenAPI document is built from these declarations, and a test checks every URL rule has one."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.routing import IntegerConverter

from portal.api import auth
from portal.api.errors import ApiError
from portal.api.inputs import FormInput
from portal.models import OrganisationStatus, Role
from portal.web import access_reason, need_to_know
from portal.web.auth import ACCESS_RULE, APPROVED_ONLY, ORGANISATION_RULE, PUBLIC

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class IdConverter(IntegerConverter):
    """A record id in a path: 1 to 999999999. Anything longer matches no route ('not found'), so a huge number
    never reaches the database as an overflow."""

    regex = r"[1-9][0-9]{0,8}"


MAX_ID = 999_999_999
ID = "id"
bp.record_once(lambda state: state.app.url_map.converters.setdefault(ID, IdConverter))
API_TOKEN_RULE = "api-token"  # the name of an access rule  # nosec B105


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    roles: tuple[Role, ...]
    public: bool = False
    body: FormInput | dict[str, Any] | None = None
    partial: bool = False
    query: tuple[dict[str, Any], ...] = ()
    response: str | None = None  # component schema name
    status: int = 200
    paged: bool = False
    if_match: str | None = None  # "required" | "optional"
    etag: bool = False
    rule_failures: tuple[str, ...] = ()  # 422 codes
    description: str = ""
    extra_statuses: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        return "/api/v1" + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str,
    *,
    roles: tuple[Role, ...] = (),
    public: bool = False,
    organisations: frozenset[OrganisationStatus] = APPROVED_ONLY,
    **details: Any,
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Declare an API view: its URL, method, the roles that may call it (a token is always needed unless public) and,
    for partners, the statuses of their organisation that allow it (as for pages: `portal.web.auth`)."""

    def decorator(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not public:
                user = auth.authenticate()
                auth.require_role(user, roles)
                auth.require_organisation_status(user, organisations)
                access_reason.require_api_purpose(request.endpoint or "")
                need_to_know.require_api_break_glass()
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_RULE, PUBLIC if public else (API_TOKEN_RULE, *roles))
        setattr(wrapper, ORGANISATION_RULE, organisations)
        # No automatic OPTIONS answer: without a token it is 401 like everything else, with one 405 naming the
        # methods (the API sends no CORS headers, so there is no preflight to answer).
        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method], provide_automatic_options=False)
        OPERATIONS.append(Operation(rule, method, f"api.{view.__name__}", roles=roles, public=public, **details))
        return wrapper

    return decorator


# Answers


def plain(value: Any) -> Any:
    """JSON-ready values: ISO dates and times (not Flask's HTTP dates), enums as their values, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + ("Z" if value.tzinfo is None else "")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def respond(body: Any, status: int = 200, *, etag: str | None = None, location: str | None = None) -> Any:
    response = jsonify(plain(body))
    response.status_code = status
    if etag is not None:
        response.headers["ETag"] = etag
    if location is not None:
        response.headers["Location"] = location
    return response


def page_of(items: list[Any], page: int, per_page: int, total: int | None = None) -> dict[str, Any]:
    """A page of items; when `total` is None the items are all of them and are sliced here."""
    if total is None:
        total, items = len(items), items[(page - 1) * per_page : page * per_page]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def make_etag(kind: str, record_id: int | str, version: int | str) -> str:
    return f'"{kind}-{record_id}-v{version}"'


def expected_version(kind: str, record_id: int | str, *, required: bool = True) -> int | None:
    """The version named by If-Match: 428 when missing (and required), 412 when it is not this record's ETag.
    A stale version is passed on to the data layer, whose EditConflict answers 409."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise ApiError(428)
        return None
    if header.startswith("W/"):
        header = header[2:]
    match = re.fullmatch(rf'"{re.escape(kind)}-{re.escape(str(record_id))}-v(\d{{1,10}})"', header)
    if match is None:
        raise ApiError(412)
    return int(match.group(1))


@bp.after_request
def _api_headers(response: Any) -> Any:
    for name, value in (g.get("rate_limit_headers") or {}).items():
        response.headers.setdefault(name, value)
    response.headers["Cache-Control"] = "no-store"
    return response
