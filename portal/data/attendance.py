"""Attendance registers: which sessions each young person is expected at, and the marks partners record there.

A subject is expected at a session on a date when their requirement has an `active` referral (the order was made and
the partner confirmed supervision) and the date falls on the requirement's weekday inside both its period and the
session's term, and is neither a holiday nor cancelled by the provider (`portal.rules.schedule`).

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

from sqlalchemy import Row, Select, bindparam, select

from portal.data import audit, read_rows, short_name
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
    Venue,
    utcnow,
)
from portal.rules.attendance_outcomes import SUMMARY_ORDER, summary_key
from portal.rules.schedule import LONDON, as_utc, expected_dates, is_overdue, london_today, requirement_period
from portal.web.filters import govuk_date, govuk_time

# What a partner may record for one young person; a cancelled session is recorded for everyone at once.
MARKABLE = (AttendanceStatus.ATTENDED, AttendanceStatus.LATE, AttendanceStatus.ABSENT)
MARK_FIELDS = ("status", "minutes_late", "absence_reason", "absence_acceptable", "evidence_note", "contact_attempts")


REGISTERS_WINDOW = timedelta(days=14)  # the registers page, and the API's default, list this far either side of today


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
    def not_open_message(self) -> str:
        """Why a register that is not markable cannot be marked, as the page and the API say it."""
        if self.session.cancelled:
            return "This session was cancelled by the provider, so there is no register to mark"
        return f"You cannot mark this register before the day of the session, {govuk_date(self.session.on_date)}"

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
