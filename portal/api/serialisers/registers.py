"""Registers (partners): expected sessions and marks, from the data layer's allow-listed dataclasses."""

from typing import Any

from portal.api.serialisers.base import BOOL, DATE, DATETIME, INT, SCHEMAS, STR, TIME, arr, null, obj, ref, schema
from portal.data.attendance import ExpectedSession, MarkView, Register

MARK_TYPES: dict[str, Any] = {
    "id": INT,
    "revision": INT,
    "is_current": BOOL,
    "status": STR,
    "minutes_late": null(INT),
    "absence_reason": STR,
    "absence_acceptable": null(BOOL),
    "evidence_note": STR,
    "contact_attempts": STR,
    "correction_reason": STR,
    "recorded_by_name": STR,
    "recorded_at": DATETIME,
}
EXPECTED_TYPES: dict[str, Any] = {
    "session_id": INT,
    "on_date": DATE,
    "start_time": TIME,
    "end_time": TIME,
    "programme_title": STR,
    "venue_name": STR,
    "venue_postcode": STR,
    "expected": INT,
    "marked": INT,
    "overdue": BOOL,
    "cancelled": BOOL,
    "cancellation_reason": STR,
}
schema("ExpectedSession", EXPECTED_TYPES)
SCHEMAS["ExpectedSessionList"] = obj({"items": arr(ref("ExpectedSession")), "date_from": DATE, "date_to": DATE})
schema(
    "Register",
    {
        "session": ref("ExpectedSession"),
        "markable": BOOL,
        "in_future": BOOL,
        "rows": arr(
            obj(
                {
                    "requirement_id": INT,
                    "subject_name": STR,
                    "current": null(obj(MARK_TYPES)),
                    "history": arr(obj(MARK_TYPES)),
                }
            )
        ),
        "version": STR,
    },
)


def expected_session(found: ExpectedSession) -> dict[str, Any]:
    return {name: getattr(found, name) for name in EXPECTED_TYPES}


def mark(found: MarkView | None) -> dict[str, Any] | None:
    return None if found is None else {name: getattr(found, name) for name in MARK_TYPES}


def register_version(found: Register) -> str:
    return ".".join(f"{row.attendee.requirement_id}r{row.current.revision if row.current else 0}" for row in found.rows)


def register(found: Register) -> dict[str, Any]:
    return {
        "session": expected_session(found.session),
        "markable": found.markable,
        "in_future": found.in_future,
        "rows": [
            {
                "requirement_id": row.attendee.requirement_id,
                "subject_name": row.attendee.subject_name,
                "current": mark(row.current),
                "history": [mark(m) for m in row.history],
            }
            for row in found.rows
        ],
        "version": register_version(found),
    }
