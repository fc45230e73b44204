"""Attendance as officers see it: a requirement's summary, a mark's history, and reminders of overdue registers."""

from datetime import date, datetime
from typing import Any

from flask import abort
from sqlalchemy import select

from portal.data import audit
from portal.data.attendance import _cancellations, overdue_registers
from portal.extensions import db
from portal.models import AttendanceMark, ProgrammeSession, Requirement
from portal.rules.attendance_outcomes import summary_key
from portal.rules.schedule import expected_dates, requirement_period


def attendance_summary(requirement_id: int, today: date) -> dict[str, Any]:
    """How a requirement's sessions have gone up to and including `today`.

    `expected` counts the dates the subject was expected (provider cancellations are not among them, but counted in
    `cancelled`); `rate` is the percentage of expected sessions attended, on time or late (None before the first).
    """
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None:
        abort(404)
    session = db.session.get(ProgrammeSession, requirement.session_id) if requirement.session_id else None
    order = requirement.order
    period = requirement_period(requirement.starts_on, requirement.ends_on, order.made_on, order.duration_months)
    cancelled: set[date] = set()
    current: dict[date, tuple[str, bool | None]] = {}
    if period is not None and period[0] <= today:
        cancelled = {day for (_, day) in _cancellations({session.id}, None, today)} if session else set()
        current = {
            mark.on_date: (str(mark.status), mark.absence_acceptable)
            for mark in db.session.scalars(
                select(AttendanceMark).where(
                    AttendanceMark.requirement_id == requirement_id,
                    AttendanceMark.is_current.is_(True),
                    AttendanceMark.on_date <= today,
                )
            )
        }
    terms = (session.term_start, session.term_end, session.exception_dates or []) if session else None
    summary = summarise_attendance(requirement.weekday, period, terms, cancelled, current, today)
    record_summary_consultation(requirement_id, order.subject_id)
    return summary


def record_summary_consultation(requirement_id: int, subject_id: int) -> None:
    audit.record(audit.CONSULTATION, "attendance", requirement_id, purpose="attendance summary", subject_id=subject_id)


SUMMARY_COUNTS = ("expected", "attended", "late", "absent_acceptable", "absent_unacceptable", "cancelled", "unmarked")


def summarise_attendance(
    weekday: int | None,
    period: tuple[date, date] | None,
    terms: tuple[date | None, date | None, list[str]] | None,
    cancelled: set[date],
    current: dict[date, tuple[str, bool | None]],
    today: date,
) -> dict[str, Any]:
    """`attendance_summary` from what it reads: the requirement's weekday and period, its session's term (start, end
    and exception dates; None without a session), the dates the provider cancelled and the current marks' (status,
    absence acceptable) by date, up to `today`."""
    summary: dict[str, Any] = dict.fromkeys(SUMMARY_COUNTS, 0)
    summary["rate"] = None
    if period is not None and period[0] <= today:
        term_start, term_end, exception_dates = terms if terms is not None else (None, None, [])
        for on_date in expected_dates(weekday, period[0], min(period[1], today), term_start, term_end, exception_dates):
            if terms is not None and on_date in cancelled:
                summary["cancelled"] += 1
                continue
            summary["expected"] += 1
            mark = current.get(on_date)
            summary[summary_key(None, None) if mark is None else summary_key(*mark)] += 1
        if summary["expected"]:
            summary["rate"] = round(100 * (summary["attended"] + summary["late"]) / summary["expected"])
    return summary


def mark_history(requirement_id: int) -> list[AttendanceMark]:
    """Every mark ever recorded for a requirement, corrections included: by date, then revision."""
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None:
        abort(404)
    marks = list(
        db.session.scalars(
            select(AttendanceMark)
            .where(AttendanceMark.requirement_id == requirement_id)
            .order_by(AttendanceMark.on_date, AttendanceMark.revision)
        )
    )
    audit.record(
        audit.CONSULTATION,
        "attendance",
        requirement_id,
        purpose="attendance history",
        subject_id=requirement.order.subject_id,
        results=len(marks),
    )
    return marks


def notify_overdue_registers(now: datetime | None = None) -> int:
    """Email the partner and the officer about each register still incomplete 24 hours after its session.

    Each person is told once per session and date (the notification is idempotent), so this runs safely on every
    pass of the outbox worker. Returns how many unmarked places were found.
    """
    from portal.data import notifications

    found = 0
    for expected in overdue_registers(now=now):
        for attendee in expected.attendees:
            if not attendee.marked:
                notifications.notify_register_overdue(
                    db.session.get(Requirement, attendee.requirement_id), expected.on_date
                )
                found += 1
    return found
