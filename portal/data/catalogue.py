"""The catalogue version: bumped on every change that could alter what officers or the matcher see."""

from collections import defaultdict
from typing import Any

from sqlalchemy import select, update

from matching.model import Programme as MatchProgramme
from matching.model import ResidenceRule
from matching.model import Session as MatchSession
from matching.model import Venue as MatchVenue
from portal.data.listings import visible_to_officers
from portal.extensions import db
from portal.models import (
    CatalogueState,
    Organisation,
    Programme,
    ProgrammeSession,
    Venue,
    utcnow,
)
from portal.rules.dates import minutes

STATE_ID = 1


def mark_changed() -> None:
    updated = db.session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == STATE_ID)
        .values(version=CatalogueState.version + 1, changed_at=utcnow())
    )
    if updated.rowcount == 0:
        db.session.add(CatalogueState(id=STATE_ID, version=1))


def current_version() -> int:
    return db.session.scalar(select(CatalogueState.version).where(CatalogueState.id == STATE_ID)) or 0


def load_matching_catalogue() -> list[MatchProgramme]:
    """Every programme officers may see, as the matcher's plain dataclasses (three queries, no ORM objects)."""
    programme_rows = db.session.execute(
        select(
            Programme.id,
            Programme.organisation_id,
            Organisation.name,
            Programme.status,
            Programme.title,
            Programme.description,
            Programme.activity_types,
            Programme.tags,
            Programme.min_age,
            Programme.max_age,
            Programme.gender,
            Programme.capacity,
            Programme.languages,
            Programme.provisions,
            Programme.valid_from,
            Programme.valid_to,
            Programme.assured_on,
            Programme.residence_rule,
        )
        .join(Organisation)
        .where(visible_to_officers())
        .order_by(Programme.id)
    ).all()
    sessions_by_programme: dict[int, list[MatchSession]] = defaultdict(list)
    venue_ids_by_programme: dict[int, set[int]] = defaultdict(set)
    for row in db.session.execute(
        select(
            ProgrammeSession.id,
            ProgrammeSession.programme_id,
            ProgrammeSession.venue_id,
            ProgrammeSession.weekday,
            ProgrammeSession.start_time,
            ProgrammeSession.end_time,
            ProgrammeSession.term_start,
            ProgrammeSession.term_end,
        )
    ):
        sessions_by_programme[row.programme_id].append(
            MatchSession(
                row.id,
                row.venue_id,
                row.weekday,
                minutes(row.start_time),
                minutes(row.end_time),
                row.term_start,
                row.term_end,
            )
        )
        venue_ids_by_programme[row.programme_id].add(row.venue_id)
    venues = {
        row.id: MatchVenue(row.id, row.name, row.postcode, float(row.easting), float(row.northing))
        for row in db.session.execute(select(Venue.id, Venue.name, Venue.postcode, Venue.easting, Venue.northing))
    }
    return [
        MatchProgramme(
            id=row.id,
            organisation_id=row.organisation_id,
            organisation_name=row.name,
            organisation_approved=True,
            status=str(row.status),
            title=row.title,
            description=row.description,
            activity_types=tuple(row.activity_types),
            tags=tuple(row.tags),
            min_age=row.min_age,
            max_age=row.max_age,
            gender=str(row.gender),
            capacity=row.capacity,
            languages=tuple(row.languages),
            provisions=tuple(row.provisions),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            assured_on=row.assured_on,
            venues=tuple(venues[venue_id] for venue_id in sorted(venue_ids_by_programme[row.id])),
            sessions=tuple(sessions_by_programme[row.id]),
            residence=residence_rule(row.residence_rule),
        )
        for row in programme_rows
    ]


def residence_rule(stored: dict[str, Any] | None) -> ResidenceRule | None:
    """The programme's stored residence rule as the matcher checks it."""
    if not stored:
        return None
    return ResidenceRule(
        label=stored["label"],
        postcodes=tuple(stored.get("postcodes") or ()),
        polygons=tuple(
            tuple(tuple((float(e), float(n)) for e, n in ring) for ring in polygon)
            for polygon in stored.get("polygons") or ()
        ),
    )
