"""Referrals: a requirement offered to the partner who would supervise it.

Sending one is a disclosure to that organisation (DPA 2018 s.62), so the partner only ever sees the fields on
the data-sharing allow-list, as a `ReferralView`. Accepting one takes a place in the session, under a lock,
so a session is never overbooked however many partners accept at once.
"""

import statistics
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from functools import cache

from flask import abort
from sqlalchemy import Result, Row, Select, bindparam, func, select

from portal.data import EditConflict, audit, notifications, short_name
from portal.extensions import db
from portal.models import (
    PLACE_HOLDING_REFERRALS,
    Order,
    Programme,
    ProgrammeSession,
    Referral,
    ReferralStatus,
    Requirement,
    Role,
    Subject,
    User,
    utcnow,
)
from portal.rules import dates
from portal.rules.orders.period import OrderPeriod
from portal.rules.schedule import london_today

AWAITING_RESPONSE = (ReferralStatus.SENT, ReferralStatus.VIEWED)

# The partner dashboard's groups, in the order it shows them.
DASHBOARD_GROUPS: dict[str, tuple[ReferralStatus, ...]] = {
    "new": (ReferralStatus.SENT,),
    "awaiting": (ReferralStatus.VIEWED,),
    "accepted": (ReferralStatus.ACCEPTED, ReferralStatus.ACTIVE),
    "closed": (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN),
}

STATEMENT_FIELDS = ("capacity", "dates", "safeguarding", "attendance")

# The data-sharing allow-list: everything a partner may see about a referral, and nothing else. Never offence or
# conviction details, occasions, notes, home postcode or address, date of birth, exclusion zones, other subjects
# or the police reference. `ReferralView` has exactly these fields and partner templates render only from it.
PARTNER_ALLOW_LIST = (
    # the referral itself and the partner's own answer
    "referral_id",
    "version",
    "status",
    "sent_at",
    "viewed_at",
    "responded_at",
    "responded_by_name",
    "decline_reason",
    "statement_capacity",
    "statement_dates",
    "statement_safeguarding",
    "statement_attendance",
    # the young person, minimally
    "subject_name",
    "age",
    "languages",
    "needs",
    # the requirement to supervise
    "programme_title",
    "activity",
    "place_name",
    "place_address",
    "place_postcode",
    "weekday",
    "start_time",
    "end_time",
    "starts_on",
    "ends_on",
    "supervisor_name",
    # the order, as far as timing goes
    "order_proposed_start",
    "order_duration_months",
)


class SessionFull(Exception):
    """Every place in the session is taken: accepting another referral would overbook it."""

    def __init__(self, capacity: int | None) -> None:  # None: places not confirmed, so none can be taken
        super().__init__(f"All {capacity} places are taken" if capacity is not None else "Places not confirmed")
        self.capacity = capacity

    @property
    def message(self) -> str:
        """What the partner is told, on the referral page and by the API."""
        if self.capacity is None:
            return (
                "The places per session are not confirmed. Set them on the programme's page, then accept the referral."
            )
        return (
            f"This session is full: all {self.capacity} places are taken. Decline the referral or contact the officer."
        )


class ReferralClosed(Exception):
    """The referral is no longer in a state that allows this (for example it was withdrawn or already answered)."""

    def __init__(self, status: ReferralStatus) -> None:
        super().__init__(f"The referral is {status}")
        self.status = status

    @property
    def message(self) -> str:
        return f"This referral is no longer waiting for your response: it is {self.status}."


class AlreadyReferred(Exception):
    """The requirement has already been referred; a requirement has at most one referral."""


@dataclass(frozen=True)
class ReferralView:
    """What a partner may see of a referral: exactly the fields named in PARTNER_ALLOW_LIST."""

    referral_id: int
    version: int
    status: ReferralStatus
    sent_at: datetime
    viewed_at: datetime | None
    responded_at: datetime | None
    responded_by_name: str
    decline_reason: str
    statement_capacity: str
    statement_dates: str
    statement_safeguarding: str
    statement_attendance: str
    subject_name: str
    age: int
    languages: tuple[str, ...]
    needs: tuple[str, ...]
    programme_title: str
    activity: str
    place_name: str
    place_address: str
    place_postcode: str
    weekday: int | None
    start_time: time
    end_time: time
    starts_on: date | None
    ends_on: date | None
    supervisor_name: str
    order_proposed_start: date | None
    order_duration_months: int

    @property
    def awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE

    @property
    def accepted(self) -> bool:
        return self.status in PLACE_HOLDING_REFERRALS

    @property
    def dates_wording(self) -> str:
        """The days the requirement binds, from the order's one period, or when they will be known."""
        period = OrderPeriod.of(self.order_proposed_start, False, self.order_duration_months)
        start, end = period.term(self.starts_on, self.ends_on)
        if start is not None and end is not None:
            return f"{dates.long_date(start)} to {dates.long_date(end)}"
        until = f", until {dates.long_date(self.ends_on)}" if self.ends_on else f" for {period.duration_months} months"
        return f"From the day the court makes the order{until}"


if tuple(field.name for field in fields(ReferralView)) != PARTNER_ALLOW_LIST:  # pragma: no cover
    raise RuntimeError("ReferralView must have exactly the fields on PARTNER_ALLOW_LIST")


@dataclass(frozen=True)
class ResponseStats:
    median_hours: float | None
    answered: int
    awaiting: int


def _audit_change(referral: Referral, previous: ReferralStatus, user_id: int | None = None, **detail: object) -> None:
    audit.record(
        audit.ALTERATION,
        "referral",
        referral.id,
        user_id=user_id,
        organisation_id=referral.organisation_id,
        change=f"status {previous} -> {referral.status}",
        recipient_organisation_id=referral.organisation_id,
        **detail,
    )


# Officer side


def create_referral(requirement: Requirement, sent_by_id: int) -> Referral:
    """Send a requirement to the organisation running its session: a disclosure to that organisation."""
    if requirement.session_id is None:
        raise ValueError("Only a requirement at a programme session can be referred")
    if requirement.referral is not None:
        raise AlreadyReferred()
    session = db.session.get(ProgrammeSession, requirement.session_id)
    if session is None:
        abort(404)
    referral = Referral(
        requirement_id=requirement.id,
        subject_id=requirement.order.subject_id,
        organisation_id=session.programme.organisation_id,
        session_id=session.id,
        status=ReferralStatus.SENT,
        sent_at=utcnow(),
        sent_by_id=sent_by_id,
    )
    db.session.add(referral)
    db.session.flush()
    audit.record(
        audit.DISCLOSURE,
        "referral",
        referral.id,
        user_id=sent_by_id,
        organisation_id=referral.organisation_id,
        purpose="Referral to the organisation named to supervise a requirement",
        recipient_organisation_id=referral.organisation_id,
        recipient_user_ids=_recipient_user_ids(referral.organisation_id),
        recipient_named_supervisor=requirement.supervisor_name,
        requirement_id=requirement.id,
        shared_fields=list(PARTNER_ALLOW_LIST),
    )
    notifications.notify_referral_sent(referral)
    return referral


def _recipient_user_ids(organisation_id: int) -> list[int]:
    """The people a disclosure reaches: the organisation's enabled partner accounts, who can all open the referral."""
    return list(
        db.session.scalars(
            select(User.id)
            .where(User.organisation_id == organisation_id, User.role == Role.PARTNER, User.disabled_at.is_(None))
            .order_by(User.id)
        )
    )


def withdraw_referral(referral: Referral, expected_version: int | None = None) -> None:
    """The officer takes the referral back; any place it held is freed."""
    _lock(referral, expected_version)
    if referral.status not in (*AWAITING_RESPONSE, *PLACE_HOLDING_REFERRALS):
        raise ReferralClosed(referral.status)
    previous = referral.status
    referral.status = ReferralStatus.WITHDRAWN
    db.session.flush()
    _audit_change(referral, previous, place_freed=previous in PLACE_HOLDING_REFERRALS)


def activate_referral(referral: Referral) -> None:
    """The court made the order: an accepted referral becomes an active requirement the partner supervises."""
    _change_status(referral, ReferralStatus.ACTIVE)


def complete_referral(referral: Referral, user_id: int) -> None:
    """The supervising partner reports the requirement complete."""
    _change_status(referral, ReferralStatus.COMPLETED, user_id, change_kind="requirement completed")


def _change_status(referral: Referral, status: ReferralStatus, user_id: int | None = None, **detail: object) -> None:
    previous = referral.status
    referral.status = status
    db.session.flush()
    _audit_change(referral, previous, user_id, requirement_id=referral.requirement_id, **detail)


# Partner side


def partner_referral_views(organisation_id: int) -> dict[str, list[ReferralView]]:
    """The organisation's referrals as allow-listed views, grouped for its dashboard (see DASHBOARD_GROUPS), newest
    first, read in one query."""
    rows = _core(_organisation_views(), organisation_id=organisation_id).all()
    grouped: dict[str, list[ReferralView]] = {name: [] for name in DASHBOARD_GROUPS}
    for row in rows:
        view = _view(row)
        for name, statuses in DASHBOARD_GROUPS.items():
            if view.status in statuses:
                grouped[name].append(view)
    _record_list_consultation([row.referral_id for row in rows])
    return grouped


def _record_list_consultation(referral_ids: list[int]) -> None:
    audit.record(audit.CONSULTATION, "referral-list", None, results=len(referral_ids), referral_ids=referral_ids)


def find_partner_referral(organisation_id: int, referral_id: int) -> Referral:
    """The referral row if it was sent to this organisation, else 'not found' (its existence is not revealed)."""
    referral = db.session.scalar(_PARTNER_REFERRAL, {"referral_id": referral_id, "organisation_id": organisation_id})
    if referral is None:
        abort(404)
    return referral


_PARTNER_REFERRAL = select(Referral).where(
    Referral.id == bindparam("referral_id"), Referral.organisation_id == bindparam("organisation_id")
)


def open_partner_referral(organisation_id: int, referral_id: int) -> ReferralView:
    """The referral, opened by the partner, as its allow-listed view: a consultation, and the first time the
    recorded read receipt. This is the one state change a GET makes: sent -> viewed, stamping viewed_at, so
    officers know it was seen."""
    row = _find_view_row(organisation_id, referral_id)
    _record_consultation(row.referral_id, row.requirement_id)
    if row.status != ReferralStatus.SENT:
        return _view(row)
    _record_read_receipt(db.session.get_one(Referral, referral_id))
    return _view(_find_view_row(organisation_id, referral_id))


def find_partner_view(organisation_id: int, referral_id: int) -> ReferralView:
    """The allow-listed view of the referral if it was sent to this organisation, else 'not found'."""
    return _view(_find_view_row(organisation_id, referral_id))


def _record_read_receipt(referral: Referral) -> None:
    if referral.status == ReferralStatus.SENT:
        referral.status = ReferralStatus.VIEWED
        referral.viewed_at = utcnow()
        db.session.flush()
        _audit_change(referral, ReferralStatus.SENT, change_kind="read receipt")


def record_consultation(referral: Referral) -> None:
    _record_consultation(referral.id, referral.requirement_id)


def _record_consultation(referral_id: int, requirement_id: int) -> None:
    audit.record(audit.CONSULTATION, "referral", referral_id, requirement_id=requirement_id)


def accept_referral(
    referral: Referral, user_id: int, statement: dict[str, str], expected_version: int | None = None
) -> None:
    """Accept and confirm supervision, taking a place in the session; raises SessionFull and changes nothing
    when every place is taken.

    Race-safe: the session row is locked first (SELECT ... FOR UPDATE on PostgreSQL; SQLite renders no FOR UPDATE,
    but a POST there already holds the database's write lock from BEGIN IMMEDIATE), so two acceptances for the same
    session count and update one after the other.
    """
    missing = [name for name in STATEMENT_FIELDS if not (statement.get(name) or "").strip()]
    if missing:
        raise ValueError(f"Statement incomplete: {', '.join(missing)}")
    if referral.session_id is None:
        raise ReferralClosed(referral.status)
    session = _core(_LOCKED_SESSION_CAPACITY, session_id=referral.session_id).one_or_none()
    if session is None:
        raise ReferralClosed(referral.status)
    _lock(referral, expected_version)
    if referral.status not in AWAITING_RESPONSE:
        raise ReferralClosed(referral.status)
    if session.capacity is None or places_taken(session.id) >= session.capacity:
        raise SessionFull(session.capacity)
    previous = referral.status
    referral.status = ReferralStatus.ACCEPTED
    referral.responded_at = utcnow()
    referral.responded_by_id = user_id
    referral.decline_reason = ""
    for name in STATEMENT_FIELDS:
        setattr(referral, f"statement_{name}", statement[name].strip())
    db.session.flush()
    _audit_change(referral, previous, user_id=user_id, session_id=session.id, statement=list(STATEMENT_FIELDS))
    notifications.notify_referral_accepted(referral)


def _core(statement: Select, **parameters: object) -> Result:
    """A prebuilt Core statement on the tables (below), run on the session's connection: no ORM execution."""
    return db.session.connection().execute(statement, parameters)


_referrals, _sessions, _programmes = Referral.__table__, ProgrammeSession.__table__, Programme.__table__
_requirements, _orders, _subjects, _users = Requirement.__table__, Order.__table__, Subject.__table__, User.__table__
_LOCKED_SESSION_CAPACITY = (
    select(_sessions.c.id, _programmes.c.capacity)
    .join(_programmes, _programmes.c.id == _sessions.c.programme_id)
    .where(_sessions.c.id == bindparam("session_id"))
    .with_for_update(of=_sessions)
)


def decline_referral(referral: Referral, user_id: int, reason: str, expected_version: int | None = None) -> None:
    if not reason.strip():
        raise ValueError("A reason is required to decline a referral")
    _lock(referral, expected_version)
    if referral.status not in AWAITING_RESPONSE:
        raise ReferralClosed(referral.status)
    previous = referral.status
    referral.status = ReferralStatus.DECLINED
    referral.responded_at = utcnow()
    referral.responded_by_id = user_id
    referral.decline_reason = reason.strip()
    db.session.flush()
    _audit_change(referral, previous, user_id=user_id)
    notifications.notify_referral_declined(referral)


def places_taken(session_id: int) -> int:
    return _core(_PLACES_TAKEN, session_id=session_id).scalar() or 0


_PLACES_TAKEN = (
    select(func.count())
    .select_from(_referrals)
    .where(_referrals.c.session_id == bindparam("session_id"), _referrals.c.status.in_(PLACE_HOLDING_REFERRALS))
)


def response_times(organisation_ids: list[int]) -> dict[int, "ResponseStats"]:
    """How quickly each organisation answers referrals: median hours from sent to response, answered, awaiting."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        select(Referral.organisation_id, Referral.status, Referral.sent_at, Referral.responded_at).where(
            Referral.organisation_id.in_(organisation_ids)
        )
    ).all()
    hours: dict[int, list[float]] = {organisation_id: [] for organisation_id in organisation_ids}
    awaiting = dict.fromkeys(organisation_ids, 0)
    for organisation_id, status, sent_at, responded_at in rows:
        if responded_at is not None:
            hours[organisation_id].append((responded_at - sent_at).total_seconds() / 3600)
        elif status in AWAITING_RESPONSE:
            awaiting[organisation_id] += 1
    return {
        organisation_id: ResponseStats(
            median_hours=round(statistics.median(answered), 1) if answered else None,
            answered=len(answered),
            awaiting=awaiting[organisation_id],
        )
        for organisation_id, answered in hours.items()
    }


def _lock(referral: Referral, expected_version: int | None) -> None:
    """Lock the referral row and reload it, so the version and status checked are the committed ones; raises
    EditConflict when that is not the version the person opened."""
    db.session.scalar(_LOCKED_REFERRAL, {"referral_id": referral.id})  # as check_version's refresh would
    if expected_version is not None and referral.version != expected_version:
        raise EditConflict()


_LOCKED_REFERRAL = (
    select(Referral)
    .where(Referral.id == bindparam("referral_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


@cache  # the statement never changes, and building its 31 columns costs about half a millisecond
def _view_query() -> Select:
    """Every column a `ReferralView` is made from (see `_view`), with the referral's requirement id: a Core
    statement on the tables, run on the session's connection (`_core`)."""
    responder = _users.alias("responder")
    return select(
        _referrals.c.id.label("referral_id"),
        _referrals.c.requirement_id,
        _referrals.c.version,
        _referrals.c.status,
        _referrals.c.sent_at,
        _referrals.c.viewed_at,
        _referrals.c.responded_at,
        responder.c.full_name.label("responded_by_name"),
        _referrals.c.decline_reason,
        _referrals.c.statement_capacity,
        _referrals.c.statement_dates,
        _referrals.c.statement_safeguarding,
        _referrals.c.statement_attendance,
        _subjects.c.first_name,
        _subjects.c.last_name,
        _subjects.c.date_of_birth,
        _subjects.c.languages,
        _subjects.c.needs,
        _programmes.c.title.label("programme_title"),
        _requirements.c.activity,
        _requirements.c.place_name,
        _requirements.c.place_address,
        _requirements.c.place_postcode,
        _requirements.c.weekday,
        _requirements.c.start_time,
        _requirements.c.end_time,
        _requirements.c.starts_on,
        _requirements.c.ends_on,
        _requirements.c.supervisor_name,
        _orders.c.proposed_start.label("order_proposed_start"),
        _orders.c.duration_months.label("order_duration_months"),
    ).select_from(
        _referrals.join(_requirements, _requirements.c.id == _referrals.c.requirement_id)
        .join(_orders, _orders.c.id == _requirements.c.order_id)
        .join(_subjects, _subjects.c.id == _referrals.c.subject_id)
        .outerjoin(_sessions, _sessions.c.id == _referrals.c.session_id)
        .outerjoin(_programmes, _programmes.c.id == _sessions.c.programme_id)
        .outerjoin(responder, responder.c.id == _referrals.c.responded_by_id)
    )


@cache
def _organisation_views() -> Select:
    """The organisation's referrals' views, newest first."""
    return (
        _view_query()
        .where(_referrals.c.organisation_id == bindparam("organisation_id"))
        .order_by(_referrals.c.sent_at.desc(), _referrals.c.id.desc())
    )


@cache
def _one_view() -> Select:
    return _view_query().where(
        _referrals.c.id == bindparam("referral_id"), _referrals.c.organisation_id == bindparam("organisation_id")
    )


def _find_view_row(organisation_id: int, referral_id: int) -> Row:
    row = _core(_one_view(), referral_id=referral_id, organisation_id=organisation_id).one_or_none()
    if row is None:
        abort(404)
    return row


def _view(row: Row) -> ReferralView:
    """The allow-listed view of a referral: the only thing partner pages and the API are given."""
    column = row._asdict()  # one dict: reading the row's 31 columns by name costs more
    return ReferralView(
        referral_id=column["referral_id"],
        version=column["version"],
        status=ReferralStatus(column["status"]),
        sent_at=column["sent_at"],
        viewed_at=column["viewed_at"],
        responded_at=column["responded_at"],
        responded_by_name=column["responded_by_name"] or "",
        decline_reason=column["decline_reason"],
        statement_capacity=column["statement_capacity"],
        statement_dates=column["statement_dates"],
        statement_safeguarding=column["statement_safeguarding"],
        statement_attendance=column["statement_attendance"],
        subject_name=short_name(column["first_name"], column["last_name"]),
        age=_age(column["date_of_birth"], column["starts_on"], column["order_proposed_start"]),
        languages=tuple(column["languages"]),
        needs=tuple(column["needs"]),
        programme_title=column["programme_title"] or "",
        activity=column["activity"],
        place_name=column["place_name"],
        place_address=column["place_address"],
        place_postcode=column["place_postcode"],
        weekday=column["weekday"],
        start_time=column["start_time"],
        end_time=column["end_time"],
        starts_on=column["starts_on"],
        ends_on=column["ends_on"],
        supervisor_name=column["supervisor_name"],
        order_proposed_start=column["order_proposed_start"],
        order_duration_months=column["order_duration_months"],
    )


def _age(date_of_birth: date, starts_on: date | None, order_proposed_start: date | None) -> int:
    """Age when the requirement starts (as far as is known yet)."""
    return dates.age_on(date_of_birth, starts_on or order_proposed_start or london_today())
