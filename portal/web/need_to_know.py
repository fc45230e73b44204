"""Need to know between officers, in front of every page and API operation that reads one subject's record: an
officer outside the subject's borough is stopped until they give a "break glass" reason for that subject (pages: the
question at break_glass.question, kept for the rest of the signed-in session; API: a `Break-Glass-Reason` header on the
call). The rule itself is in portal/data/need_to_know.py; the decision is described in docs/security.md."""

from flask import current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.data import audit
from portal.data import need_to_know as rule
from portal.models import Role
from portal.web.access_reason import header_reason, reads_subject_data
from portal.web.safety import same_site_referrer

API_HEADER = "Break-Glass-Reason"
_SESSION_KEY = "break_glass"
_KEPT = 30  # the most recent subjects opened this way; the cookie holds only ids


def _subject_outside_borough() -> int | None:
    """The subject this request reads, when the signed-in officer is outside its borough."""
    endpoint = request.endpoint
    if endpoint is None or not reads_subject_data(current_app, endpoint):
        return None
    if not current_user.is_authenticated or not current_user.has_role(Role.OFFICER):
        return None
    subject_id = rule.subject_named_by(request.view_args or {})
    if subject_id is None or not rule.outside_borough(rule.owning_borough(subject_id), current_user.borough):
        return None
    return subject_id


def _given_this_session() -> dict[int, int]:
    stored = session.get(_SESSION_KEY)
    if isinstance(stored, list) and len(stored) == 2 and stored[0] == audit.session_fingerprint():
        return {int(subject_id): int(event_id) for subject_id, event_id in stored[1]}
    return {}


def has_broken_glass(subject_id: int) -> bool:
    event_id = _given_this_session().get(subject_id)
    return event_id is not None and rule.given_break_glass(event_id, subject_id, current_user.id)


def give_break_glass_reason(subject_id: int, reason: str) -> None:
    """Record the officer's reason (and tell the officers in charge); the record stays open for this session."""
    event = rule.break_glass(subject_id, reason, current_user.account)
    given = _given_this_session()
    given.pop(subject_id, None)
    given[subject_id] = event.id
    session[_SESSION_KEY] = [audit.session_fingerprint(), [[s, e] for s, e in list(given.items())[-_KEPT:]]]


def stop_outside_borough() -> ResponseReturnValue | None:
    """Pages: an officer outside the subject's borough answers the break-glass question first."""
    if request.endpoint is None or request.endpoint.startswith("api."):
        return None
    subject_id = _subject_outside_borough()
    if subject_id is None or has_broken_glass(subject_id):
        return None
    target = request.full_path.removesuffix("?") if request.method in ("GET", "HEAD") else same_site_referrer()
    return redirect(url_for("break_glass.question", subject=subject_id, next=target or None), 303)


def require_api_break_glass() -> None:
    """API: a call about a subject outside the officer's borough carries its reason, recorded and told each time."""
    from portal.api.errors import ApiError

    reason = header_reason(API_HEADER, "invalid")
    subject_id = _subject_outside_borough()
    if subject_id is None:
        return
    if not reason:
        raise ApiError(
            403,
            code="outside-your-borough",
            message=f"This subject belongs to another borough: say why you need the record in the {API_HEADER} "
            "header. Your reason is recorded and the officers in charge are told.",
        )
    rule.break_glass(subject_id, reason, current_user.account)


def init_app(app: object) -> None:
    app.before_request(stop_outside_borough)  # type: ignore[attr-defined]
