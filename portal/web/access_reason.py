"""Reason for access: no page or API operation shows a subject's personal data before a purpose is recorded for it
(DPA 2018 s.62: consultation and disclosure logs). Officers give the reason once per signed-in session (the
question is at audit.reason_for_access), or with each API call in the `Access-Purpose` header; a view whose work
is itself the purpose (a retention review) declares it instead. Every consultation's audit event carries it.

Which views read a subject's data is decided here, in one place: any view whose URL names a subject's record (a
subject, an order or a non-compliance report), and the lists and boards marked `@shows_personal_data`."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from portal.data import audit
from portal.models import Role
from portal.web.safety import safe_next_url, same_site_referrer

F = TypeVar("F", bound=Callable[..., Any])

SUBJECT_RECORD_ARGUMENTS = frozenset({"subject_id", "order_id", "report_id"})
PERSONAL_DATA = "shows_personal_data"
DECLARED_PURPOSE = "declared_purpose"
API_HEADER = "Access-Purpose"
PURPOSE_REQUIRED = "purpose-required"  # the API's error code


def shows_personal_data(view: F) -> F:
    """For a view whose URL names no subject but which shows subjects' data (a list, a board)."""
    setattr(view, PERSONAL_DATA, True)
    return view


def declares_purpose(purpose: str) -> Callable[[F], F]:
    """For a view of subjects' data whose work is its own lawful purpose: its consultations carry this purpose and
    nobody is asked."""

    def decorator(view: F) -> F:
        setattr(view, DECLARED_PURPOSE, purpose)
        return view

    return decorator


def _view_attribute(app: Flask, endpoint: str, name: str) -> Any:
    view = app.view_functions.get(endpoint)
    while view is not None:  # the marker may sit under the access decorator's wrapper
        if hasattr(view, name):
            return getattr(view, name)
        view = getattr(view, "__wrapped__", None)
    return None


def reads_subject_data(app: Flask, endpoint: str) -> bool:
    """Worked out once per view: two hooks ask on every request, and views and their URLs are fixed by then."""
    known = app.extensions.setdefault("reads_subject_data", {})
    if endpoint not in known:
        known[endpoint] = _reads_subject_data(app, endpoint)
    return known[endpoint]


def _reads_subject_data(app: Flask, endpoint: str) -> bool:
    rules = app.url_map.iter_rules(endpoint) if endpoint in app.view_functions else []
    if any(SUBJECT_RECORD_ARGUMENTS & rule.arguments for rule in rules):
        return True
    return bool(_view_attribute(app, endpoint, PERSONAL_DATA) or _view_attribute(app, endpoint, DECLARED_PURPOSE))


def declared_purpose(app: Flask, endpoint: str) -> str:
    return _view_attribute(app, endpoint, DECLARED_PURPOSE) or ""


def reason_required() -> bool:
    return bool(current_app.config["ACCESS_REASON_REQUIRED"])


def ask_reason_for_access() -> ResponseReturnValue | None:
    """Before a page that reads a subject's data: an officer with no reason this session is asked for one first."""
    endpoint = request.endpoint
    if endpoint is None or endpoint.startswith("api.") or not reads_subject_data(current_app, endpoint):
        return None
    purpose = declared_purpose(current_app, endpoint)
    if purpose:
        g.access_purpose = purpose
        return None
    if not reason_required() or not current_user.is_authenticated or not current_user.has_role(Role.OFFICER):
        return None  # the view's own access rule answers anyone else
    if audit.session_purpose():
        return None
    if request.method in ("GET", "HEAD"):
        target = request.full_path.removesuffix("?")
    else:  # a form sent without a purpose (say, after signing in again): back to its page once it is given
        target = same_site_referrer() or url_for("subjects.subjects_list")
    return redirect(url_for("audit.reason_for_access", next=target), 303)


def next_page_after_reason(target: str | None) -> str:
    """Where the reason page goes on to: a page that reads subjects' data on this site, or the subjects list."""
    target = safe_next_url(target)
    if target is not None:
        try:
            endpoint, _values = current_app.url_map.bind("").match(target.partition("?")[0], method="GET")
        except HTTPException:
            endpoint = None
        if endpoint is not None and not endpoint.startswith("api.") and reads_subject_data(current_app, endpoint):
            return target
    return url_for("subjects.subjects_list")


def header_reason(name: str, code: str) -> str:
    """A reason given in a request header, its spaces tidied: "" when there is none; 400 when it is not words."""
    from portal.api.errors import ApiError

    raw = request.headers.get(name)
    if raw is None:
        return ""
    reason = " ".join(raw.split())
    if not reason or len(reason) > audit.PURPOSE_MAX_LENGTH or not reason.isprintable():
        raise ApiError(400, code=code, message=_say_why(name))
    return reason


def _say_why(name: str) -> str:
    return (
        f"Say why you need this record in the {name} header "
        f"(up to {audit.PURPOSE_MAX_LENGTH} characters, no names or other personal details)"
    )


def require_api_purpose(endpoint: str) -> None:
    """An officer's API call that reads a subject's data says why, in the Access-Purpose header (400 without)."""
    from portal.api.errors import ApiError

    if not reads_subject_data(current_app, endpoint) or not current_user.has_role(Role.OFFICER):
        return
    purpose = header_reason(API_HEADER, PURPOSE_REQUIRED)
    if purpose:
        g.access_purpose = purpose
    elif reason_required():
        raise ApiError(400, code=PURPOSE_REQUIRED, message=_say_why(API_HEADER))


def init_app(app: Flask) -> None:
    app.before_request(ask_reason_for_access)
