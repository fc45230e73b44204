"""Audit events for every read or write of personal data (DPA 2018 s.62).

`record()` is the single writer. It adds the event to the current transaction, so the event commits or rolls back
with the change it describes; the event's place in the tamper-evident chain (sequence, previous hash, hash) is set
shortly after it commits, by the chain's linker (portal/infra/audit_chain.py). The auditor's log pages link any still
pending first, so they show the chain as it stands.

Consultations and disclosures carry the purpose of the access (`portal/web/access_reason.py`): the reason an officer
gave for this signed-in session ("reason for access"), or with an API call, or the view's or the role's own purpose. An
officer's reason is kept on the server, as an `access-reason` event; the signed session cookie holds only that event's
id and a fingerprint of the sign-in session it belongs to. Events never change, so each process remembers the purpose
it read for a (event id, fingerprint) pair instead of reading it again on every request; a new reason is a new event.
"""

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from portal.extensions import db
from portal.infra.audit_chain import hold, install, link_in
from portal.models import AuditEvent, Organisation, RetentionDecision, Role, Subject, User, utcnow
from portal.rules.schedule import LONDON, as_utc

COLLECTION = "collection"
ALTERATION = "alteration"
CONSULTATION = "consultation"
DISCLOSURE = "disclosure"
COMBINATION = "combination"
ERASURE = "erasure"
SIGN_IN = "sign-in"
SIGN_OUT = "sign-out"
SIGN_IN_FAILED = "sign-in-failed"
MFA_FAILED = "mfa-failed"
ACCESS_REASON = "access-reason"  # the purpose a user gave for this session's access to personal data

# Events that carry the purpose of the access (s.62(3) and (4): the justification); a task the caller names is kept
# in the detail beside it.
PURPOSE_CARRYING = {CONSULTATION, DISCLOSURE, COMBINATION}
# Security events that also go to the application log, for monitoring (ASVS 16.3.1).
SECURITY_EVENTS = {SIGN_IN, SIGN_OUT, SIGN_IN_FAILED, MFA_FAILED}
PURPOSE_MAX_LENGTH = 300
# Partners, admins and auditors consult personal data only in the course of their one job; officers are asked.
ROLE_PURPOSES = {
    Role.PARTNER: "Providing the programme a young person was referred to",
    Role.ADMIN: "Administering the portal",
    Role.AUDITOR: "Checking the audit log",
}
_SESSION_KEY = "access_reason"
_PURPOSES_KEPT = 4096
_purposes: dict[tuple[int, str], tuple[int | None, str]] = {}  # (event id, fingerprint) -> (user id, purpose)

install()


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
    if action in PURPOSE_CARRYING:
        purpose, detail = _with_reason(purpose, detail)
    event = AuditEvent(
        occurred_at=utcnow(),
        action=action,
        record_type=record_type,
        record_id=record_id,
        user_id=user_id if user_id is not None else actor_id,
        organisation_id=organisation_id if organisation_id is not None else actor_organisation_id,
        purpose=purpose[:PURPOSE_MAX_LENGTH],
        detail=detail,
        correlation_id=g.get("correlation_id", "") if has_request_context() else "",
    )
    hold(db.session(), event)  # added to the session when the transaction commits (see portal/infra/audit_chain.py)
    if action in SECURITY_EVENTS and has_request_context():
        current_app.logger.info(
            "security event %s record_type=%s record_id=%s user_id=%s", action, record_type, record_id, event.user_id
        )
    return event


def _with_reason(task: str, detail: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The purpose is the reason for access when there is one; what the view was doing is kept beside it."""
    reason = session_purpose()
    if not reason:
        return task, detail
    if task and task != reason:
        detail = {**detail, "task": task}
    return reason, detail


def _actor() -> tuple[int | None, int | None]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.organisation_id
    return None, None


# Reason for access -----------------------------------------------------------------------------------------------


def session_fingerprint() -> str:
    """Ties the purpose to one signed-in session: a new sign-in asks again."""
    token = current_user.get_id() if current_user and current_user.is_authenticated else ""
    return hashlib.sha256(f"access-reason:{token}".encode()).hexdigest()[:24]


def declare_purpose(purpose: str) -> AuditEvent:
    """Record the purpose the signed-in user gave, and use it for this session's consultations from now on."""
    event = record(ACCESS_REASON, "auth-session", None, purpose=purpose.strip())
    db.session.add(event)  # needed now, for its id
    db.session.flush()
    session[_SESSION_KEY] = [event.id, session_fingerprint()]
    g.access_purpose = event.purpose
    return event


def session_purpose() -> str:
    """Why this request consults personal data: the view's own purpose or an API call's declared one; an officer's
    reason given in this signed-in session; the purpose of the other roles' work. "" if an officer gave none."""
    if not has_request_context():
        return ""
    if "access_purpose" in g:
        return g.access_purpose
    role = current_user.role if current_user and current_user.is_authenticated else None
    g.access_purpose = _officer_reason() if role == Role.OFFICER else ROLE_PURPOSES.get(role, "")
    return g.access_purpose


def _officer_reason() -> str:
    stored = session.get(_SESSION_KEY)
    if not (isinstance(stored, list) and len(stored) == 2 and isinstance(stored[0], int)):
        return ""
    fingerprint = session_fingerprint()
    if stored[1] != fingerprint:
        return ""
    key = (stored[0], fingerprint)
    known = _purposes.get(key)
    if known is None:
        with db.session.no_autoflush:
            event = db.session.get(AuditEvent, stored[0])
        if event is None or event.action != ACCESS_REASON:
            return ""
        if len(_purposes) >= _PURPOSES_KEPT:
            _purposes.clear()
        known = _purposes[key] = (event.user_id, event.purpose)
    user_id, purpose = known
    return purpose if user_id == _actor()[0] else ""


# Reading the log (auditors only) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    subject_id: int | None = None
    user_id: int | None = None
    organisation_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_query(self) -> dict[str, str]:
        return {name: str(value) for name, value in asdict(self).items() if value is not None}

    def as_detail(self) -> dict[str, str]:
        """For the audit event of reading the log (prefixed: user_id and organisation_id name the reader there)."""
        return {f"filter_{name}": value for name, value in self.as_query().items()}


def _about_subject(subject_id: int) -> ColumnElement[bool]:
    """Events about the subject's record, or naming it in their detail (notes, orders, attendance, links)."""
    dialect = db.session.get_bind(mapper=AuditEvent).dialect.name
    conditions = [and_(AuditEvent.record_type == "subject", AuditEvent.record_id == subject_id)]
    for key in ("subject_id", "other_subject_id"):
        if dialect == "postgresql":  # ->> gives text; a cast would fail on a non-numeric value elsewhere
            conditions.append(AuditEvent.detail[key].as_string() == str(subject_id))
        else:
            conditions.append(AuditEvent.detail[key].as_integer() == subject_id)
    return or_(*conditions)


def _filtered(query: Select, filters: LogFilters) -> Select:
    if filters.subject_id is not None:
        query = query.where(_about_subject(filters.subject_id))
    if filters.user_id is not None:
        query = query.where(AuditEvent.user_id == filters.user_id)
    if filters.organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == filters.organisation_id)
    if filters.date_from is not None:
        query = query.where(AuditEvent.occurred_at >= _london_midnight(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.occurred_at < _london_midnight(filters.date_to + timedelta(days=1)))
    return query


def _london_midnight(day: date) -> datetime:
    """The start of a London day as the naive UTC the log stores: a day asked for is the day the log shows."""
    return as_utc(datetime.combine(day, time.min, tzinfo=LONDON)).replace(tzinfo=None)


def subject_id_for(typed: str) -> int | None:
    """The subject an auditor means: a reference ("MPS-2026-0101"), also of a subject since erased (its retention
    decision keeps it), or the subject's ID number. None when nothing has that reference or number."""
    text = typed.strip()
    found = db.session.scalar(select(Subject.id).where(func.lower(Subject.reference) == text.lower()))
    if found is None:
        found = db.session.scalar(
            select(RetentionDecision.record_id)
            .where(RetentionDecision.record_type == "subject", func.lower(RetentionDecision.reference) == text.lower())
            .limit(1)
        )
    if found is None and text.isdigit() and len(text) <= 12:
        found = int(text)
    return found


def subject_reference(subject_id: int) -> str:
    """The reference of a subject still on record ("" once erased), to show the auditor what they filtered by."""
    return db.session.scalar(select(Subject.reference).where(Subject.id == subject_id)) or ""


@dataclass(frozen=True)
class LogRow:
    event: AuditEvent
    user_name: str
    user_email: str
    organisation_name: str
    subject_reference: str = ""  # of a subject's own record, when it still exists

    @property
    def occurred_at_london(self) -> datetime:
        return as_utc(self.event.occurred_at).astimezone(LONDON)


def _with_names() -> Select:
    return (
        select(AuditEvent, User.full_name, User.email, Organisation.name, Subject.reference)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .outerjoin(Subject, and_(AuditEvent.record_type == "subject", Subject.id == AuditEvent.record_id))
    )


def _rows(query: Select) -> list[LogRow]:
    return [
        LogRow(event, name or "", email or "", organisation or "", reference or "")
        for event, name, email, organisation, reference in db.session.execute(query).all()
    ]


def search_log(filters: LogFilters, page: int, per_page: int) -> tuple[list[LogRow], int]:
    """A page of events, newest first; reading the log is itself recorded as a consultation of the "audit-log"."""
    link_in(db.session())  # the log as it stands: events still pending (this transaction's too) linked first
    total = db.session.scalar(_filtered(select(func.count()).select_from(AuditEvent), filters)) or 0
    rows = _rows(
        _filtered(_with_names(), filters)
        .order_by(AuditEvent.sequence.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    record(CONSULTATION, "audit-log", None, page=page, results=total, **filters.as_detail())
    return rows, total


EXPORT_COLUMNS = [
    "sequence",
    "occurred_at_utc",
    "occurred_at_london",
    "action",
    "user_id",
    "user_email",
    "organisation_id",
    "organisation",
    "record_type",
    "record_id",
    "purpose",
    "detail",
    "correlation_id",
    "previous_hash",
    "hash",
]
EXPORT_LIMIT = 100_000


def export_log(filters: LogFilters) -> str:
    """The matching events as CSV, oldest first, with their chain hashes; the export is itself recorded."""
    link_in(db.session())
    rows = _rows(_filtered(_with_names(), filters).order_by(AuditEvent.sequence).limit(EXPORT_LIMIT))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        event = row.event
        writer.writerow(
            _cell(value)
            for value in (
                event.sequence,
                event.occurred_at.isoformat(timespec="seconds") + "Z",
                row.occurred_at_london.isoformat(timespec="seconds"),
                event.action,
                event.user_id,
                row.user_email,
                event.organisation_id,
                row.organisation_name,
                event.record_type,
                event.record_id,
                event.purpose,
                json.dumps(event.detail, sort_keys=True),
                event.correlation_id,
                event.previous_hash,
                event.hash,
            )
        )
    record(CONSULTATION, "audit-log", None, export="csv", results=len(rows), **filters.as_detail())
    return out.getvalue()


def _cell(value: Any) -> str:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Users and organisations to filter the log by, as (id, label) pairs."""
    users = db.session.execute(select(User.id, User.full_name, User.email).order_by(User.full_name, User.id)).all()
    organisations = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
    return [(row.id, f"{row.full_name} ({row.email})") for row in users], [(row.id, row.name) for row in organisations]
