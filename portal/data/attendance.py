"""Attendance registers: which sessions each young person is expected at, and the marks partners record there.

A subject is expected at a session on a date when their requirement has an `active` referral (the order was made and
the partner confirmed supervision) and the date falls on the requirement's weekday inside both its period and the
session's term, and is neither a holiday nor cancelled by the provider (`portal.compliance.schedule`).

Marks are never overwritten: a correction adds a row with the next revision and a reason, and the row it replaces
stops being current. Partner pages get only the dataclasses below, whose one detail about a subject is the
allow-listed short name ("Ayaan K."), never Subject, Order or Requirement rows.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any

from flask import abort
from sqlalchemy import Row, Select, bindparam, insert, select, update

from portal.attendance_outcomes import SUMMARY_ORDER, summary_key
from portal.compliance.schedule import LONDON, as_utc, expected_dates, is_overdue, london_today, requirement_period
from portal.data import EditConflict, audit, noncompliance, read_rows, short_name
from portal.extensions import db
from portal.filters import govuk_date, govuk_time
from portal.models import (
    AttendanceMark,
    AttendanceStatus,
    Order,
    Programme,
    ProgrammeSession,
    Referral,
    ReferralStatus,
    Requirement,
    SessionCancellation,
    Subject,
    User,
    Venue,
    utcnow,
)

# What a partner may record for one young person; a cancelled session is recorded for everyone at once.
MARKABLE = (AttendanceStatus.ATTENDED, AttendanceStatus.LATE, AttendanceStatus.ABSENT)
MARK_FIELDS = ("status", "minutes_late", "absence_reason", "absence_acceptable", "evidence_note", "contact_attempts")


class RegisterNotOpen(Exception):
    """The register cannot be marked: the session is in the future or the provider cancelled it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attendee:
    """One young person expected at a session: the allow-listed short name and their current mark's status."""

    requirement_id: int
    referral_id: int
    order_id: int
    subject_name: str
    status: AttendanceStatus | None = None

    @property
    def marked(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class ExpectedSession:
    """One date of a weekly session and the young people expected there."""

    session_id: int
    on_date: date
    start_time: time
    end_time: time
    programme_title: str
    venue_name: str
    venue_postcode: str
    organisation_id: int
    attendees: tuple[Attendee, ...]
    overdue: bool = False
    cancelled: bool = False
    cancellation_reason: str = ""

    @property
    def expected(self) -> int:
        return len(self.attendees)

    @property
    def marked(self) -> int:
        return sum(attendee.marked for attendee in self.attendees)

    @property
    def complete(self) -> bool:
        return bool(self.attendees) and self.marked == self.expected


@dataclass(frozen=True)
class MarkView:
    """A mark as partner pages show it: who recorded it, when, and why it was corrected."""

    id: int
    requirement_id: int
    revision: int
    is_current: bool
    status: AttendanceStatus
    minutes_late: int | None
    absence_reason: str
    absence_acceptable: bool | None
    evidence_note: str
    contact_attempts: str
    correction_reason: str
    recorded_by_name: str
    recorded_at: datetime

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in MARK_FIELDS}

    @property
    def recorded_at_london(self) -> datetime:
        """When it was recorded, on the London clock (the database holds UTC)."""
        return as_utc(self.recorded_at).astimezone(LONDON)

    @property
    def text(self) -> str:
        """The mark in words, as the register shows it: "Late by 5 minutes", "Absent (acceptable): ill"."""
        status = self.status
        if status == "attended":
            return "Attended"
        if status == "late":
            return f"Late by {self.minutes_late} minute{'s' if self.minutes_late != 1 else ''}"
        if status == "absent":
            acceptable = "acceptable" if self.absence_acceptable else "not acceptable"
            return f"Absent ({acceptable}): {self.absence_reason}"
        if status == "cancelled":
            return "Cancelled by provider"
        return str(status).capitalize()

    @property
    def recorded_text(self) -> str:
        """Who recorded it and when, on the London clock: "Priya Partner, 3 March 2026 17:05"."""
        return f"{self.recorded_by_name}, {_london_minute(self.recorded_at.replace(second=0, microsecond=0))}"


@lru_cache(maxsize=4096)
def _london_minute(moment: datetime) -> str:
    """A minute on the London clock as the govuk_date and govuk_time filters give it: "3 March 2026 17:05" (marks
    saved together share their minute, so a register's history converts each once)."""
    london = as_utc(moment).astimezone(LONDON)
    return f"{govuk_date(london)} {govuk_time(london.time())}"


@dataclass(frozen=True)
class RegisterRow:
    attendee: Attendee
    current: MarkView | None
    history: tuple[MarkView, ...] = field(default=())  # every revision, oldest first

    @property
    def corrected(self) -> bool:
        return len(self.history) > 1


@dataclass(frozen=True)
class Register:
    session: ExpectedSession
    rows: tuple[RegisterRow, ...]
    today: date
    cancelled_by_name: str = ""

    @property
    def in_future(self) -> bool:
        return self.session.on_date > self.today

    @property
    def markable(self) -> bool:
        return not self.in_future and not self.session.cancelled

    @property
    def summary(self) -> dict[str, int]:
        """How many of the people expected have each outcome so far, in the order the dashboard shows them."""
        counts = dict.fromkeys(SUMMARY_ORDER, 0)
        for row in self.rows:
            mark = row.current
            counts[summary_key(str(mark.status) if mark else None, mark.absence_acceptable if mark else None)] += 1
        return counts


@dataclass(frozen=True)
class _ActiveReferral:
    """What the registers need of one active referral, read in one joined query (no ORM objects to build)."""

    id: int
    requirement_id: int
    order_id: int
    session_id: int
    subject_name: str
    weekday: int | None
    starts_on: date | None
    ends_on: date | None
    made_on: date | None
    duration_months: int
    start_time: time
    end_time: time
    term_start: date
    term_end: date | None
    exception_dates: list[str]
    programme_title: str
    organisation_id: int
    venue_name: str
    venue_postcode: str


# Expected sessions


def expected_sessions(
    organisation_id: int,
    date_from: date,
    date_to: date,
    *,
    include_cancelled: bool = False,
    now: datetime | None = None,
) -> list[ExpectedSession]:
    """The organisation's sessions between two dates (inclusive) with the young people expected at each, in date
    order. Dates the provider cancelled are left out unless `include_cancelled` (they then say so)."""
    found = _expected(
        organisation_id=organisation_id,
        date_from=date_from,
        date_to=date_to,
        include_cancelled=include_cancelled,
        now=now,
    )
    _record_register_list(organisation_id, date_from, date_to, found)
    return found


def overdue_registers(
    organisation_id: int | None = None, officer_subject_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[ExpectedSession]:
    """Sessions that ended more than 24 hours ago (London time) with anyone expected still unmarked, oldest first.

    Without filters it covers every organisation (for officers); `officer_subject_ids` narrows it to those subjects.
    """
    subject_ids = None if officer_subject_ids is None else set(officer_subject_ids)
    found = [
        expected
        for expected in _expected(
            organisation_id=organisation_id,
            date_from=None,
            date_to=london_today(now),
            subject_ids=subject_ids,
            now=now,
        )
        if expected.overdue
    ]
    _record_overdue(organisation_id, found)
    return found


def registers_overview(
    organisation_id: int, window: timedelta, now: datetime | None = None
) -> tuple[list[ExpectedSession], list[ExpectedSession]]:
    """The partner's registers page in one pass over their referrals: the sessions from `window` before today to
    `window` after it (cancelled dates included), and every overdue register however old. Records the same two
    consultations as `expected_sessions` and `overdue_registers` would."""
    today = london_today(now)
    every = _expected(
        organisation_id=organisation_id, date_from=None, date_to=today + window, include_cancelled=True, now=now
    )
    in_window = [expected for expected in every if expected.on_date >= today - window]
    overdue = [expected for expected in every if expected.overdue and expected.on_date <= today]
    _record_register_list(organisation_id, today - window, today + window, in_window)
    _record_overdue(organisation_id, overdue)
    return in_window, overdue


def register_history(
    organisation_id: int,
    date_from: date | None,
    date_to: date | None,
    session_ids: set[int] | None = None,
    now: datetime | None = None,
) -> list[ExpectedSession]:
    """Every register of the organisation's referrals from `date_from` (else the first) to `date_to` (else today;
    never after today), newest first, cancelled dates included; `session_ids` narrows it to those sessions (one
    programme's). Recorded as a consultation of the register list, as the registers page is."""
    today = london_today(now)
    last = min(date_to or today, today)
    found = _expected(
        organisation_id=organisation_id, date_from=date_from, date_to=last, include_cancelled=True, now=now
    )
    if session_ids is not None:
        found = [expected for expected in found if expected.session_id in session_ids]
    _record_register_list(organisation_id, date_from, last, found, session_ids=sorted(session_ids or []) or None)
    return list(reversed(found))


def _record_register_list(
    organisation_id: int, date_from: date | None, date_to: date, found: list[ExpectedSession], **filters: Any
) -> None:
    audit.record(
        audit.CONSULTATION,
        "register-list",
        None,
        organisation_id=organisation_id,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat(),
        results=len(found),
        **{name: value for name, value in filters.items() if value is not None},
    )


def _record_overdue(organisation_id: int | None, found: list[ExpectedSession]) -> None:
    audit.record(
        audit.CONSULTATION,
        "overdue-registers",
        None,
        organisation_id=organisation_id,
        results=len(found),
        session_dates=[[expected.session_id, expected.on_date.isoformat()] for expected in found],
    )


def upcoming_for_subjects(subject_ids: Iterable[int], date_from: date, date_to: date) -> list[ExpectedSession]:
    """The sessions these subjects are expected at between two dates (for the officer's dashboard)."""
    found = _expected(organisation_id=None, date_from=date_from, date_to=date_to, subject_ids=set(subject_ids))
    audit.record(audit.CONSULTATION, "upcoming-sessions", None, results=len(found))
    return found


def subjects_upcoming_and_overdue(
    subject_ids: Iterable[int], date_from: date, date_to: date, now: datetime | None = None
) -> tuple[list[ExpectedSession], list[ExpectedSession]]:
    """`upcoming_for_subjects(subject_ids, date_from, date_to)` and `overdue_registers(officer_subject_ids=...)` in
    one pass over the subjects' referrals (the officer's dashboard), recording the same two consultations."""
    subject_ids = set(subject_ids)
    last_overdue = london_today(now)
    every = _expected(
        organisation_id=None,
        date_from=None,
        date_to=max(date_to, last_overdue),
        subject_ids=subject_ids,
        include_cancelled=True,
        now=now,
    )
    upcoming = [expected for expected in every if date_from <= expected.on_date <= date_to and not expected.cancelled]
    audit.record(audit.CONSULTATION, "upcoming-sessions", None, results=len(upcoming))
    overdue = [expected for expected in every if expected.overdue and expected.on_date <= last_overdue]
    _record_overdue(None, overdue)
    return upcoming, overdue


def _expected(
    *,
    organisation_id: int | None,
    date_from: date | None,
    date_to: date,
    session_id: int | None = None,
    subject_ids: set[int] | None = None,
    include_cancelled: bool = False,
    now: datetime | None = None,
    read_statuses: Callable[[list[int]], dict[tuple[int, date], AttendanceStatus]] | None = None,
) -> list[ExpectedSession]:
    """The working behind every register view; records no audit event (its callers do). `read_statuses` reads the
    current statuses between the dates instead of `_current_statuses` (one register reads its marks there)."""
    referrals = _active_referrals(organisation_id, session_id, subject_ids)
    if not referrals:
        return []
    session_ids = {referral.session_id for referral in referrals}
    cancellations = _cancellations(session_ids, date_from, date_to)
    requirement_ids = [referral.requirement_id for referral in referrals]
    statuses = (
        read_statuses(requirement_ids)
        if read_statuses is not None
        else _current_statuses(requirement_ids, date_from, date_to)
    )
    now = now or utcnow()

    grouped: dict[tuple[int, date], list[Attendee]] = defaultdict(list)
    sessions: dict[int, _ActiveReferral] = {}
    for referral in referrals:
        sessions[referral.session_id] = referral
        for on_date in _referral_dates(referral, cancellations, date_from, date_to, include_cancelled):
            grouped[(referral.session_id, on_date)].append(
                Attendee(
                    requirement_id=referral.requirement_id,
                    referral_id=referral.id,
                    order_id=referral.order_id,
                    subject_name=referral.subject_name,
                    status=statuses.get((referral.requirement_id, on_date)),
                )
            )

    found = []
    for (found_session_id, on_date), attendees in grouped.items():
        session = sessions[found_session_id]
        cancellation = cancellations.get((found_session_id, on_date))
        attendees.sort(key=lambda attendee: (attendee.subject_name, attendee.requirement_id))
        unmarked = any(not attendee.marked for attendee in attendees)
        found.append(
            ExpectedSession(
                session_id=found_session_id,
                on_date=on_date,
                start_time=session.start_time,
                end_time=session.end_time,
                programme_title=session.programme_title,
                venue_name=session.venue_name,
                venue_postcode=session.venue_postcode,
                organisation_id=session.organisation_id,
                attendees=tuple(attendees),
                overdue=cancellation is None and unmarked and is_overdue(on_date, session.end_time, now),
                cancelled=cancellation is not None,
                cancellation_reason=cancellation.reason if cancellation else "",
            )
        )
    found.sort(key=lambda expected: (expected.on_date, expected.start_time, expected.session_id))
    return found


def _referral_dates(
    referral: _ActiveReferral,
    cancellations: dict[tuple[int, date], SessionCancellation],
    date_from: date | None,
    date_to: date,
    include_cancelled: bool,
) -> list[date]:
    period = requirement_period(referral.starts_on, referral.ends_on, referral.made_on, referral.duration_months)
    if period is None:
        return []
    start, end = period
    cancelled = [] if include_cancelled else [day for (sid, day) in cancellations if sid == referral.session_id]
    return expected_dates(
        referral.weekday,
        max(start, date_from) if date_from else start,
        min(end, date_to),
        referral.term_start,
        referral.term_end,
        referral.exception_dates,
        cancelled,
    )


def _active_referrals(
    organisation_id: int | None, session_id: int | None, subject_ids: set[int] | None
) -> list[_ActiveReferral]:
    statement = _active_referrals_statement(
        organisation_id is not None, session_id is not None, subject_ids is not None
    )
    parameters = {
        "organisation_id": organisation_id,
        "session_id": session_id,
        "subject_ids": sorted(subject_ids or {-1}) if subject_ids is not None else None,
    }
    return [
        _ActiveReferral(
            id=row[0],
            requirement_id=row[1],
            order_id=row[2],
            session_id=row[3],
            subject_name=short_name(row[4], row[5]),
            weekday=row[6],
            starts_on=row[7],
            ends_on=row[8],
            made_on=row[9],
            duration_months=row[10],
            start_time=row[11],
            end_time=row[12],
            term_start=row[13],
            term_end=row[14],
            exception_dates=row[15] or [],
            programme_title=row[16],
            organisation_id=row[17],
            venue_name=row[18],
            venue_postcode=row[19],
        )
        for row in read_rows(statement, {k: v for k, v in parameters.items() if v is not None})
    ]


@cache  # built once per choice of filters: a statement built per call costs more than running it
def _active_referrals_statement(by_organisation: bool, by_session: bool, by_subjects: bool) -> Select:
    query = (
        select(
            Referral.id,
            Referral.requirement_id,
            Requirement.order_id,
            Referral.session_id,
            Subject.first_name,
            Subject.last_name,
            Requirement.weekday,
            Requirement.starts_on,
            Requirement.ends_on,
            Order.made_on,
            Order.duration_months,
            ProgrammeSession.start_time,
            ProgrammeSession.end_time,
            ProgrammeSession.term_start,
            ProgrammeSession.term_end,
            ProgrammeSession.exception_dates,
            Programme.title,
            Programme.organisation_id,
            Venue.name,
            Venue.postcode,
        )
        .join(Requirement, Requirement.id == Referral.requirement_id)
        .join(Order, Order.id == Requirement.order_id)
        .join(Subject, Subject.id == Referral.subject_id)
        .join(ProgrammeSession, ProgrammeSession.id == Referral.session_id)
        .join(Programme, Programme.id == ProgrammeSession.programme_id)
        .join(Venue, Venue.id == ProgrammeSession.venue_id)
        .where(Referral.status == ReferralStatus.ACTIVE)
        .order_by(Referral.id)
    )
    if by_organisation:
        query = query.where(Referral.organisation_id == bindparam("organisation_id"))
    if by_session:
        query = query.where(Referral.session_id == bindparam("session_id"))
    if by_subjects:
        query = query.where(Referral.subject_id.in_(bindparam("subject_ids", expanding=True)))
    return query


def _cancellations(session_ids: set[int], date_from: date | None, date_to: date) -> dict[tuple[int, date], Row]:
    """The provider's cancellations of these sessions between the dates: rows of (session_id, on_date, reason)."""
    parameters = {"session_ids": sorted(session_ids), "date_to": date_to}
    if date_from is not None:
        parameters["date_from"] = date_from
    statement = _CANCELLATIONS_BETWEEN if date_from is not None else _CANCELLATIONS_UNTIL
    return {(row.session_id, row.on_date): row for row in read_rows(statement, parameters)}


_CANCELLATIONS_UNTIL = select(
    SessionCancellation.session_id, SessionCancellation.on_date, SessionCancellation.reason
).where(
    SessionCancellation.session_id.in_(bindparam("session_ids", expanding=True)),
    SessionCancellation.on_date <= bindparam("date_to"),
)
_CANCELLATIONS_BETWEEN = _CANCELLATIONS_UNTIL.where(SessionCancellation.on_date >= bindparam("date_from"))


def _current_statuses(
    requirement_ids: list[int], date_from: date | None, date_to: date
) -> dict[tuple[int, date], AttendanceStatus]:
    parameters = {"requirement_ids": requirement_ids, "date_to": date_to}
    if date_from is not None:
        parameters["date_from"] = date_from
    statement = _STATUSES_BETWEEN if date_from is not None else _STATUSES_UNTIL
    return {
        (requirement_id, on_date): AttendanceStatus(status)
        for requirement_id, on_date, status in read_rows(statement, parameters)
    }


_STATUSES_UNTIL = select(AttendanceMark.requirement_id, AttendanceMark.on_date, AttendanceMark.status).where(
    AttendanceMark.requirement_id.in_(bindparam("requirement_ids", expanding=True)),
    AttendanceMark.is_current.is_(True),
    AttendanceMark.on_date <= bindparam("date_to"),
)
_STATUSES_BETWEEN = _STATUSES_UNTIL.where(AttendanceMark.on_date >= bindparam("date_from"))


# One register


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


# Officers


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
