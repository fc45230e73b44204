"""Audit events for every read or write of personal data (DPA 2018 s.62)."""

from typing import Any

from flask import g, has_request_context
from flask_login import current_user

from portal.extensions import db
from portal.models import AuditEvent

COLLECTION = "collection"
ALTERATION = "alteration"
CONSULTATION = "consultation"
DISCLOSURE = "disclosure"
COMBINATION = "combination"
ERASURE = "erasure"
SIGN_IN = "sign-in"
SIGN_OUT = "sign-out"
SIGN_IN_FAILED = "sign-in-failed"


def record(
    action: str,
    record_type: str,
    record_id: int | None = None,
    *,
    user_id: int | None = None,
    organisation_id: int | None = None,
    purpose: str = "",
    **detail: Any,
) -> AuditEvent:
    """Add an event to the current transaction, so it commits or rolls back with the change it describes."""
    actor_id, actor_organisation_id = _actor()
    event = AuditEvent(
        action=action,
        record_type=record_type,
        record_id=record_id,
        user_id=user_id if user_id is not None else actor_id,
        organisation_id=organisation_id if organisation_id is not None else actor_organisation_id,
        purpose=purpose,
        detail=detail,
        correlation_id=g.get("correlation_id", "") if has_request_context() else "",
    )
    db.session.add(event)
    return event


def _actor() -> tuple[int | None, int | None]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.organisation_id
    return None, None
