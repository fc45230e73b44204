"""Programmes, their venues and weekly sessions. Partner access is always scoped to the partner's organisation."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from flask import abort
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, selectinload

from portal.data import audit, catalogue, check_version
from portal.data.listings import visible_to_officers
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    Organisation,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    Requirement,
    Venue,
)


def list_own_programmes(organisation_id: int) -> list[Programme]:
    return list(
        db.session.scalars(
            select(Programme)
            .where(Programme.organisation_id == organisation_id)
            .options(selectinload(Programme.sessions).selectinload(ProgrammeSession.venue))
            .order_by(Programme.status, Programme.title)
        )
    )


def get_own_programme(organisation_id: int, programme_id: int) -> Programme:
    """The partner's own programme; anyone else's is 'not found', so its existence is not revealed."""
    programme = db.session.scalar(
        select(Programme).where(Programme.id == programme_id, Programme.organisation_id == organisation_id)
    )
    if programme is None:
        abort(404)
    return programme


def create_programme(organisation_id: int, fields: dict[str, Any]) -> Programme:
    programme = Programme(organisation_id=organisation_id, **fields)
    db.session.add(programme)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.COLLECTION, "programme", programme.id, supervisor="named supervisor recorded")
    return programme


def update_programme(programme: Programme, fields: dict[str, Any], expected_version: int | None) -> None:
    check_version(programme, expected_version)
    for name, value in fields.items():
        setattr(programme, name, value)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "programme", programme.id, fields=sorted(fields))


def set_programme_status(programme: Programme, status: ProgrammeStatus) -> None:
    previous = programme.status
    programme.status = status
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "programme", programme.id, change=f"status {previous} -> {status}")


# A listing action, the status it sets and the statuses it is offered from (as on the programme page: pause and
# archive on an active listing, resume on a paused or archived one).
STATUS_CHANGES: dict[str, tuple[ProgrammeStatus, frozenset[ProgrammeStatus]]] = {
    "pause": (ProgrammeStatus.PAUSED, frozenset({ProgrammeStatus.ACTIVE})),
    "resume": (ProgrammeStatus.ACTIVE, frozenset({ProgrammeStatus.PAUSED, ProgrammeStatus.ARCHIVED})),
    "archive": (ProgrammeStatus.ARCHIVED, frozenset({ProgrammeStatus.ACTIVE})),
}


class StatusChangeRefused(Exception):
    """The listing action is not one offered from the programme's current status (say, pausing an archived one)."""

    def __init__(self, action: str, status: ProgrammeStatus) -> None:
        super().__init__(f"A {status} programme cannot be {action}d")
        self.action, self.status = action, status


def change_programme_status(programme: Programme, action: str, expected_version: int | None) -> None:
    """Pause, resume or archive a listing (`STATUS_CHANGES`), told of a change made since `expected_version`."""
    status, offered_from = STATUS_CHANGES[action]
    check_version(programme, expected_version)
    if programme.status not in offered_from:
        raise StatusChangeRefused(action, ProgrammeStatus(programme.status))
    set_programme_status(programme, status)
    db.session.flush()


def list_own_venues(organisation_id: int) -> list[Venue]:
    return list(db.session.scalars(select(Venue).where(Venue.organisation_id == organisation_id).order_by(Venue.name)))


def get_own_venue(organisation_id: int, venue_id: int) -> Venue:
    venue = db.session.scalar(select(Venue).where(Venue.id == venue_id, Venue.organisation_id == organisation_id))
    if venue is None:
        abort(404)
    return venue


def venue_name_in_use(organisation_id: int, name: str, except_venue_id: int | None = None) -> bool:
    query = select(Venue.id).where(Venue.organisation_id == organisation_id, func.lower(Venue.name) == name.lower())
    if except_venue_id is not None:
        query = query.where(Venue.id != except_venue_id)
    return db.session.scalar(query) is not None


def create_venue(organisation_id: int, fields: dict[str, Any]) -> Venue:
    venue = Venue(organisation_id=organisation_id, **fields)
    db.session.add(venue)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.COLLECTION, "venue", venue.id)
    return venue


def update_venue(venue: Venue, fields: dict[str, Any], expected_version: int | None) -> None:
    check_version(venue, expected_version)
    for name, value in fields.items():
        setattr(venue, name, value)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "venue", venue.id, fields=sorted(fields))


def get_own_session(organisation_id: int, session_id: int) -> ProgrammeSession:
    found = db.session.scalar(
        select(ProgrammeSession)
        .join(Programme)
        .where(ProgrammeSession.id == session_id, Programme.organisation_id == organisation_id)
    )
    if found is None:
        abort(404)
    return found


def add_session(programme: Programme, fields: dict[str, Any]) -> ProgrammeSession:
    session = ProgrammeSession(programme_id=programme.id, **fields)
    db.session.add(session)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "programme", programme.id, change="session added", session_id=session.id)
    return session


def update_session(session: ProgrammeSession, fields: dict[str, Any], expected_version: int | None) -> None:
    check_version(session, expected_version)
    for name, value in fields.items():
        setattr(session, name, value)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "programme", session.programme_id, change="session changed", session_id=session.id)


class SessionInUse(Exception):
    """A session that young people were referred to keeps its history: it can be changed or paused, not removed."""


def session_in_use(session_id: int) -> bool:
    return any(
        db.session.scalar(select(model.id).where(model.session_id == session_id).limit(1)) is not None
        for model in (Requirement, AttendanceMark)
    )


def remove_session(session: ProgrammeSession) -> None:
    if session_in_use(session.id):
        raise SessionInUse()
    programme_id, session_id = session.programme_id, session.id
    db.session.delete(session)
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "programme", programme_id, change="session removed", session_id=session_id)


def get_visible_programme(programme_id: int) -> Programme:
    programme = db.session.scalar(
        select(Programme).join(Organisation).where(Programme.id == programme_id, visible_to_officers())
    )
    if programme is None:
        abort(404)
    return programme


def visible_programme_page(programme_id: int) -> Programme:
    """A visible programme with its organisation, sessions and their venues: everything its page shows."""
    programme = db.session.scalar(
        select(Programme)
        .join(Organisation)
        .where(Programme.id == programme_id, visible_to_officers())
        .options(
            contains_eager(Programme.organisation),
            selectinload(Programme.sessions).joinedload(ProgrammeSession.venue),
        )
    )
    if programme is None:
        abort(404)
    return programme


def visible_programmes_by_id(programme_ids: list[int]) -> dict[int, Programme]:
    if not programme_ids:
        return {}
    rows = db.session.scalars(
        select(Programme)
        .join(Organisation)
        .where(Programme.id.in_(programme_ids), visible_to_officers())
        .options(
            selectinload(Programme.sessions).selectinload(ProgrammeSession.venue), selectinload(Programme.organisation)
        )
    )
    return {programme.id: programme for programme in rows}


@dataclass(frozen=True)
class ListedSession:
    """A weekly session as a directory result lists it."""

    id: int
    weekday: int
    start_time: time
    end_time: time
    term_start: date
    term_end: date | None
    exception_dates: list[str]
    venue_name: str
    venue_postcode: str


@dataclass
class ListedProgramme:
    """A programme as a directory result lists it: only the columns the results page shows."""

    id: int
    title: str
    organisation_name: str
    min_age: int
    max_age: int
    status: str
    activity_types: list[str]
    valid_from: date
    sessions: list[ListedSession] = field(default_factory=list)


def visible_listings(programme_ids: list[int], session_ids: set[int]) -> dict[int, ListedProgramme]:
    """The visible programmes among `programme_ids`, each with those of its sessions in `session_ids`."""
    if not programme_ids:
        return {}
    rows = db.session.execute(
        select(
            Programme.id,
            Programme.title,
            Organisation.name,
            Programme.min_age,
            Programme.max_age,
            Programme.status,
            Programme.activity_types,
            Programme.valid_from,
            ProgrammeSession.id,
            ProgrammeSession.weekday,
            ProgrammeSession.start_time,
            ProgrammeSession.end_time,
            ProgrammeSession.term_start,
            ProgrammeSession.term_end,
            ProgrammeSession.exception_dates,
            Venue.name,
            Venue.postcode,
        )
        .join(Organisation, Organisation.id == Programme.organisation_id)
        .outerjoin(
            ProgrammeSession,
            and_(ProgrammeSession.programme_id == Programme.id, ProgrammeSession.id.in_(session_ids or {-1})),
        )
        .outerjoin(Venue, Venue.id == ProgrammeSession.venue_id)
        .where(Programme.id.in_(programme_ids), visible_to_officers())
        .order_by(Programme.id, ProgrammeSession.weekday, ProgrammeSession.start_time, ProgrammeSession.id)
    )
    found: dict[int, ListedProgramme] = {}
    for row in rows:
        listed = found.get(row[0]) or found.setdefault(row[0], ListedProgramme(*row[:8]))
        if row[8] is not None:
            listed.sessions.append(ListedSession(*row[8:]))
    return found


def next_dates(session: ProgrammeSession | ListedSession, today: date, count: int = 3) -> list[date]:
    """The next dates this weekly session runs, skipping exception dates and dates outside its term."""
    start = max(today, session.term_start)
    first = start + timedelta(days=(session.weekday - start.weekday()) % 7)
    exceptions = set(session.exception_dates)
    found: list[date] = []
    day = first
    while (
        len(found) < count
        and (session.term_end is None or day <= session.term_end)
        and day < first + timedelta(days=400)
    ):
        if day.isoformat() not in exceptions:
            found.append(day)
        day += timedelta(days=7)
    return found
