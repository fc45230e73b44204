"""Programmes being written section by section (the task list): saved as the partner goes, published in one step.

A draft is its organisation's alone and is not a programme: the matcher, the directory, the API and the Open Referral
feed read `programmes` only, so nothing is offered or listed until `publish` makes the programme.
"""

from datetime import date, time
from typing import Any

from flask import abort
from sqlalchemy import select

from portal.data import audit, check_version, programmes
from portal.extensions import db
from portal.models import Programme, ProgrammeDraft, Venue

DATE_FIELDS = ("valid_from", "valid_to")
SESSION_DATES = ("term_start", "term_end")
SESSION_TIMES = ("start_time", "end_time")


def list_own_drafts(organisation_id: int) -> list[ProgrammeDraft]:
    return list(
        db.session.scalars(
            select(ProgrammeDraft)
            .where(ProgrammeDraft.organisation_id == organisation_id)
            .order_by(ProgrammeDraft.updated_at.desc(), ProgrammeDraft.id.desc())
        )
    )


def get_own_draft(organisation_id: int, draft_id: int) -> ProgrammeDraft:
    """The partner's own draft; anyone else's is 'not found', so its existence is not revealed."""
    draft = db.session.scalar(
        select(ProgrammeDraft).where(ProgrammeDraft.id == draft_id, ProgrammeDraft.organisation_id == organisation_id)
    )
    if draft is None:
        abort(404)
    return draft


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value.isoformat() if isinstance(value, date | time) else value for name, value in fields.items()}


def answers(draft: ProgrammeDraft) -> dict[str, Any]:
    """The draft's answers as the programme's fields (dates as dates)."""
    found = dict(draft.answers)
    for name in DATE_FIELDS:
        if found.get(name):
            found[name] = date.fromisoformat(found[name])
    return found


def sessions(draft: ProgrammeDraft) -> list[dict[str, Any]]:
    """The draft's weekly sessions as `ProgrammeSession` fields (dates and times as such)."""
    found = []
    for stored in draft.sessions:
        session = dict(stored)
        for name in SESSION_DATES:
            session[name] = date.fromisoformat(session[name]) if session.get(name) else None
        for name in SESSION_TIMES:
            session[name] = time.fromisoformat(session[name])
        found.append(session)
    return found


def save_section(
    organisation_id: int,
    draft: ProgrammeDraft | None,
    section: str,
    fields: dict[str, Any],
    expected_version: int | None,
) -> ProgrammeDraft:
    """Save one section's answers (starting the draft with its first), and mark the section done."""
    if draft is None:
        draft = ProgrammeDraft(organisation_id=organisation_id, answers={}, completed=[], sessions=[])
        db.session.add(draft)
        action = audit.COLLECTION
    else:
        check_version(draft, expected_version)
        action = audit.ALTERATION
    draft.answers = {**draft.answers, **_stored(fields)}
    draft.completed = sorted({*draft.completed, section})
    db.session.flush()
    audit.record(action, "programme draft", draft.id, section=section, fields=sorted(fields))
    return draft


def add_session(draft: ProgrammeDraft, fields: dict[str, Any]) -> None:
    draft.sessions = [*draft.sessions, _stored(fields)]
    db.session.flush()
    audit.record(audit.ALTERATION, "programme draft", draft.id, change="session added")


def remove_session(draft: ProgrammeDraft, index: int, expected_version: int | None) -> None:
    check_version(draft, expected_version)
    if not 0 <= index < len(draft.sessions):
        abort(404)
    draft.sessions = [session for number, session in enumerate(draft.sessions) if number != index]
    db.session.flush()
    audit.record(audit.ALTERATION, "programme draft", draft.id, change="session removed")


def venues_by_id(organisation_id: int, draft: ProgrammeDraft) -> dict[int, Venue]:
    wanted = {session["venue_id"] for session in draft.sessions}
    if not wanted:
        return {}
    rows = db.session.scalars(select(Venue).where(Venue.organisation_id == organisation_id, Venue.id.in_(wanted)))
    return {venue.id: venue for venue in rows}


def publish(organisation_id: int, draft: ProgrammeDraft, expected_version: int | None, today: date) -> Programme:
    """The draft becomes a programme with its sessions (each audited as when added one by one), and is gone."""
    check_version(draft, expected_version)
    draft_sessions = sessions(draft)
    for session in draft_sessions:
        programmes.get_own_venue(organisation_id, session["venue_id"])
    programme = programmes.create_programme(organisation_id, {**answers(draft), "assured_on": today})
    for session in draft_sessions:
        programmes.add_session(programme, session)
    draft_id = draft.id
    db.session.delete(draft)
    db.session.flush()
    audit.record(audit.ERASURE, "programme draft", draft_id, change="published", programme_id=programme.id)
    return programme


def delete(draft: ProgrammeDraft, expected_version: int | None) -> None:
    check_version(draft, expected_version)
    draft_id = draft.id
    db.session.delete(draft)
    db.session.flush()
    audit.record(audit.ERASURE, "programme draft", draft_id, change="deleted")
