"""One register: a session date's expected young people and their marks, saved (never overwritten: a correction adds
a revision) or cancelled for everyone at once. The expected sessions and the dataclasses pages get are in
`portal.data.attendance`."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from flask import abort
from sqlalchemy import Row, bindparam, insert, select, update

from portal.data import EditConflict, audit, noncompliance, read_rows
from portal.data.attendance import (
    MARK_FIELDS,
    MARKABLE,
    ExpectedSession,
    MarkView,
    Register,
    RegisterNotOpen,
    RegisterRow,
    _expected,
)
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    AttendanceStatus,
    ProgrammeSession,
    Referral,
    SessionCancellation,
    User,
    utcnow,
)
from portal.rules.schedule import london_today


def find_register(
    organisation_id: int, session_id: int, on_date: date, now: datetime | None = None, *, history: bool = True
) -> Register:
    """The register for one date of one session, if this organisation expects anyone there then, else 'not found'
    (whether the session exists is not revealed). Records nothing: `register` is the audited read.

    Without `history` only the current marks are read (enough to check and save the register): each row's history
    is then just its current mark, and `with_history` reads the rest when the page is shown after all."""
    views: list[MarkView] = []

    def read_statuses(requirement_ids: list[int]) -> dict[tuple[int, date], AttendanceStatus]:
        views.extend(_mark_views(requirement_ids, on_date, current_only=not history))
        return {(view.requirement_id, on_date): view.status for view in views if view.is_current}

    found = _expected(
        organisation_id=organisation_id,
        date_from=on_date,
        date_to=on_date,
        session_id=session_id,
        include_cancelled=True,
        now=now,
        read_statuses=read_statuses,
    )
    if not found:
        abort(404)
    expected = found[0]
    cancelled_by_name = ""
    if expected.cancelled:
        cancellation = _cancellation(session_id, on_date)
        cancelled_by_name = _user_names({cancellation.created_by_id}).get(cancellation.created_by_id, "")
    return Register(
        session=expected,
        rows=_register_rows(expected, views),
        today=london_today(now),
        cancelled_by_name=cancelled_by_name,
    )


def with_history(found: Register) -> Register:
    """The register read by `find_register(..., history=False)` with every revision of its marks."""
    views = _mark_views([row.attendee.requirement_id for row in found.rows], found.session.on_date)
    return Register(
        session=found.session,
        rows=_register_rows(found.session, views),
        today=found.today,
        cancelled_by_name=found.cancelled_by_name,
    )


def _register_rows(expected: ExpectedSession, views: list[MarkView]) -> tuple[RegisterRow, ...]:
    by_requirement: dict[int, list[MarkView]] = defaultdict(list)
    for view in views:
        by_requirement[view.requirement_id].append(view)
    rows = []
    for attendee in expected.attendees:
        history = tuple(by_requirement.get(attendee.requirement_id, ()))
        current = next((mark for mark in history if mark.is_current), None)
        rows.append(RegisterRow(attendee=attendee, current=current, history=history))
    return tuple(rows)


def register(organisation_id: int, session_id: int, on_date: date, now: datetime | None = None) -> Register:
    """The register opened by the partner: a consultation of each expected young person's marks."""
    found = find_register(organisation_id, session_id, on_date, now)
    record_consultation(found)
    return found


def record_consultation(found: Register) -> None:
    audit.record(
        audit.CONSULTATION,
        "register",
        found.session.session_id,
        organisation_id=found.session.organisation_id,
        on_date=found.session.on_date.isoformat(),
        requirement_ids=[row.attendee.requirement_id for row in found.rows],
    )


def save_register(found: Register, marks: list[dict[str, Any]], user_id: int | None) -> list[int]:
    """Record the register for a whole session in one go; returns the ids of the marks it added.

    `found` is the register as `find_register` gave it to the caller (which checked it is this organisation's).
    Each dict holds `requirement_id`, the MARK_FIELDS, and for a change to an existing mark a `correction_reason`;
    `expected_revision` (the revision the partner saw; 0 for none) catches someone else's change in between
    (EditConflict). A mark the same as the current one adds nothing. Raises RegisterNotOpen for a future or cancelled
    date and ValueError for an incomplete mark; either way nothing is saved.
    """
    session_id, on_date = found.session.session_id, found.session.on_date
    if found.session.cancelled:
        raise RegisterNotOpen("The provider cancelled this session")
    if found.in_future:
        raise RegisterNotOpen("A register cannot be marked before the day of the session")
    rows = {row.attendee.requirement_id: row for row in found.rows}
    unknown = {mark["requirement_id"] for mark in marks} - set(rows)
    if unknown:
        raise ValueError(f"Not expected at this session: requirements {sorted(unknown)}")
    _lock_referrals([rows[mark["requirement_id"]].attendee.referral_id for mark in marks])
    current = _current_marks(list(rows), on_date)
    changes: list[tuple[int, dict[str, Any], Row | None, str]] = []
    for submitted in marks:  # every mark checked before any is written
        requirement_id = submitted["requirement_id"]
        values = clean_mark(submitted)
        earlier = current.get(requirement_id)
        expected_revision = submitted.get("expected_revision")
        if expected_revision is not None and (earlier.revision if earlier else 0) != expected_revision:
            raise EditConflict()
        if earlier is not None and all(getattr(earlier, name) == values[name] for name in MARK_FIELDS):
            continue
        reason = (submitted.get("correction_reason") or "").strip()
        if earlier is not None and not reason:
            raise ValueError("A correction needs a reason")
        changes.append((requirement_id, values, earlier, reason))
    added = _add_marks(session_id, on_date, changes, user_id)
    _evaluate_orders({rows[requirement_id].attendee.order_id for requirement_id, *_ in changes})
    return added


def clean_mark(submitted: dict[str, Any]) -> dict[str, Any]:
    """The MARK_FIELDS for one mark, with what does not apply to its status cleared; ValueError when incomplete."""
    status = AttendanceStatus(submitted.get("status"))
    if status not in MARKABLE:
        raise ValueError(f"{status} is not a mark for one young person")
    values: dict[str, Any] = {
        "status": status,
        "minutes_late": None,
        "absence_reason": "",
        "absence_acceptable": None,
        "evidence_note": "",
        "contact_attempts": "",
    }
    if status == AttendanceStatus.LATE:
        minutes_late = submitted.get("minutes_late")
        if not isinstance(minutes_late, int) or minutes_late < 1:
            raise ValueError("A late mark needs the minutes late, 1 or more")
        values["minutes_late"] = minutes_late
    elif status == AttendanceStatus.ABSENT:
        reason, acceptable = (submitted.get("absence_reason") or "").strip(), submitted.get("absence_acceptable")
        if not reason or not isinstance(acceptable, bool):
            raise ValueError("An absence needs a reason and whether it was acceptable")
        values |= {
            "absence_reason": reason,
            "absence_acceptable": acceptable,
            "evidence_note": (submitted.get("evidence_note") or "").strip(),
            "contact_attempts": (submitted.get("contact_attempts") or "").strip(),
        }
    return values


def cancel_session(
    organisation_id: int, session_id: int, on_date: date, reason: str, user_id: int, now: datetime | None = None
) -> SessionCancellation:
    """The provider cancelled this date: no one is expected, and each young person's mark says so (a correction,
    with this reason, of any mark already recorded). Raises RegisterNotOpen when it is already cancelled."""
    if not reason.strip():
        raise ValueError("A cancellation needs a reason")
    found = find_register(organisation_id, session_id, on_date, now)
    db.session.scalar(select(ProgrammeSession).where(ProgrammeSession.id == session_id).with_for_update())
    if found.session.cancelled or _cancellation(session_id, on_date) is not None:
        raise RegisterNotOpen("This session is already recorded as cancelled")
    cancellation = SessionCancellation(
        session_id=session_id, on_date=on_date, reason=reason.strip(), created_by_id=user_id
    )
    db.session.add(cancellation)
    db.session.flush()
    audit.record(
        audit.COLLECTION,
        "session-cancellation",
        cancellation.id,
        user_id=user_id,
        organisation_id=organisation_id,
        session_id=session_id,
        on_date=on_date.isoformat(),
    )
    requirement_ids = [row.attendee.requirement_id for row in found.rows]
    _lock_referrals([row.attendee.referral_id for row in found.rows])
    current = _current_marks(requirement_ids, on_date)
    values = {"status": AttendanceStatus.CANCELLED, "minutes_late": None, "absence_reason": ""}
    values |= {"absence_acceptable": None, "evidence_note": "", "contact_attempts": ""}
    correction = f"Session cancelled by the provider: {reason.strip()}"
    changes = [(rid, values, current.get(rid), correction if rid in current else "") for rid in requirement_ids]
    _add_marks(session_id, on_date, changes, user_id)
    _evaluate_orders({row.attendee.order_id for row in found.rows})
    return cancellation


def _add_marks(
    session_id: int,
    on_date: date,
    changes: list[tuple[int, dict[str, Any], Row | None, str]],
    user_id: int,
) -> list[int]:
    """One new mark per (requirement id, values, current mark it replaces or None, correction reason), each recorded;
    returns their ids. The marks replaced stop being current in one statement, then the new ones are written
    together in the next (prebuilt Core statements: no ORM objects to build or flush)."""
    if not changes:
        return []
    replaced = [earlier.id for _, _, earlier, _ in changes if earlier is not None]
    if replaced:  # the old rows stop being current before the new ones are written
        read_rows(_REPLACED_MARKS, {"mark_ids": replaced})
    recorded_at = utcnow()
    rows = [
        {
            "requirement_id": requirement_id,
            "session_id": session_id,
            "on_date": on_date,
            "revision": earlier.revision + 1 if earlier else 1,
            "is_current": True,
            "correction_reason": correction_reason,
            "recorded_by_id": user_id,
            "recorded_at": recorded_at,
            **values,
        }
        for requirement_id, values, earlier, correction_reason in changes
    ]
    added = dict(read_rows(_NEW_MARKS, rows).all())  # requirement id -> new mark's id
    for row, (requirement_id, _values, earlier, _reason) in zip(rows, changes, strict=True):
        audit.record(
            audit.ALTERATION if earlier else audit.COLLECTION,
            "attendance-mark",
            added[requirement_id],
            user_id=user_id,
            requirement_id=requirement_id,
            session_id=session_id,
            on_date=on_date.isoformat(),
            status=str(row["status"]),
            revision=row["revision"],
            replaces_mark_id=earlier.id if earlier else None,
        )
    return [added[requirement_id] for requirement_id, *_ in changes]


_REPLACED_MARKS = (
    update(AttendanceMark.__table__)
    .where(AttendanceMark.__table__.c.id.in_(bindparam("mark_ids", expanding=True)))
    .values(is_current=False)
)
_NEW_MARKS = insert(AttendanceMark.__table__).returning(
    AttendanceMark.__table__.c.requirement_id, AttendanceMark.__table__.c.id
)


def _evaluate_orders(order_ids: set[int]) -> None:
    """Let the non-compliance rules look at each order whose register changed (portal.data.noncompliance)."""
    if order_ids:
        noncompliance.evaluate_orders(sorted(order_ids))


def _lock_referrals(referral_ids: list[int]) -> None:
    """Lock the referrals whose marks change, so two people saving one register write one after the other."""
    if referral_ids:
        read_rows(_LOCKED_REFERRALS, {"referral_ids": referral_ids}).all()


_LOCKED_REFERRALS = (
    select(Referral.id).where(Referral.id.in_(bindparam("referral_ids", expanding=True))).with_for_update()
)


def _current_marks(requirement_ids: list[int], on_date: date) -> dict[int, Row]:
    """The current marks on this date, as rows of their id, requirement id, revision and MARK_FIELDS."""
    rows = read_rows(_CURRENT_MARKS, {"requirement_ids": requirement_ids, "on_date": on_date})
    return {mark.requirement_id: mark for mark in rows}


_CURRENT_MARKS = select(
    AttendanceMark.id,
    AttendanceMark.requirement_id,
    AttendanceMark.revision,
    *(getattr(AttendanceMark, name) for name in MARK_FIELDS),
).where(
    AttendanceMark.requirement_id.in_(bindparam("requirement_ids", expanding=True)),
    AttendanceMark.on_date == bindparam("on_date"),
    AttendanceMark.is_current.is_(True),
)


def _mark_views(requirement_ids: list[int], on_date: date, *, current_only: bool = False) -> list[MarkView]:
    """The marks on this date (only the current ones if `current_only`) with who recorded them, by requirement then
    revision, read as columns in one query."""
    statement = _CURRENT_MARK_VIEWS if current_only else _MARK_VIEWS
    return [
        MarkView(
            id=row[0],
            requirement_id=row[1],
            revision=row[2],
            is_current=row[3],
            status=AttendanceStatus(row[4]),
            minutes_late=row[5],
            absence_reason=row[6],
            absence_acceptable=row[7],
            evidence_note=row[8],
            contact_attempts=row[9],
            correction_reason=row[10],
            recorded_by_name=row[11] or "",
            recorded_at=row[12],
        )
        for row in read_rows(statement, {"requirement_ids": requirement_ids, "on_date": on_date})
    ]


_MARK_VIEWS = (
    select(
        AttendanceMark.id,
        AttendanceMark.requirement_id,
        AttendanceMark.revision,
        AttendanceMark.is_current,
        AttendanceMark.status,
        AttendanceMark.minutes_late,
        AttendanceMark.absence_reason,
        AttendanceMark.absence_acceptable,
        AttendanceMark.evidence_note,
        AttendanceMark.contact_attempts,
        AttendanceMark.correction_reason,
        User.full_name,
        AttendanceMark.recorded_at,
    )
    .outerjoin(User, User.id == AttendanceMark.recorded_by_id)
    .where(
        AttendanceMark.requirement_id.in_(bindparam("requirement_ids", expanding=True)),
        AttendanceMark.on_date == bindparam("on_date"),
    )
    .order_by(AttendanceMark.requirement_id, AttendanceMark.revision)
)
_CURRENT_MARK_VIEWS = _MARK_VIEWS.where(AttendanceMark.is_current.is_(True))


def _cancellation(session_id: int, on_date: date) -> SessionCancellation | None:
    return db.session.scalar(
        select(SessionCancellation).where(
            SessionCancellation.session_id == session_id, SessionCancellation.on_date == on_date
        )
    )


def _user_names(user_ids: set[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {user_id: full_name for user_id, full_name in rows}
