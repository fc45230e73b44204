"""Open Referral UK: the published feed's queries, and imports that upsert organisations, programmes, venues and
sessions. Only approved organisations' non-archived programmes are published; nothing about people ever is."""

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import Select, Text, cast, event, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.data import audit, catalogue, listing_review
from portal.data.programmes import visible_to_officers
from portal.extensions import db
from portal.infra.geo import geocode
from portal.models import (
    Organisation,
    OrganisationStatus,
    OrukLink,
    Programme,
    ProgrammeSession,
    Venue,
    utcnow,
)
from portal.oruk import ids, taxonomy
from portal.oruk.export import DAY_NAMES, UriBuilder, service, service_summary
from portal.oruk.filters import ServiceFilters
from portal.oruk.importing import (
    DocumentError,
    Geocoder,
    MappedService,
    MappedSession,
    MappedVenue,
    Problem,
    map_service,
    parse_document,
    services_in,
)
from portal.rules.schedule import london_today

# ---------------------------------------------------------------------------------------------------------------
# Publishing


def namespace() -> uuid.UUID:
    configured = current_app.config.get("ORUK_NAMESPACE")
    return uuid.UUID(str(configured)) if configured else ids.DEFAULT_NAMESPACE


def _published() -> Select:
    return (
        select(Programme.id)
        .join(Organisation, Programme.organisation_id == Organisation.id)
        .where(visible_to_officers())
    )


def _json_list_has(column: Any, slugs: set[str]) -> Any:
    """A JSON list of slugs holds one of these (slugs are [a-z-], so the quoted text is exact on both databases)."""
    return or_(*(cast(column, Text).like(f'%"{slug}"%') for slug in sorted(slugs)))


def _term_condition(term_id: str) -> Any:
    found = taxonomy.TERM_BY_ID.get(term_id)
    if found is None:
        return false()
    if found.taxonomy.slug == taxonomy.ACTIVITY:
        return _json_list_has(Programme.activity_types, taxonomy.descendants(found))
    if found.taxonomy.slug == taxonomy.PROVISION:
        return _json_list_has(Programme.provisions, taxonomy.descendants(found))
    return Programme.gender == found.slug


def _taxonomy_condition(taxonomy_id: str) -> Any:
    found = taxonomy.TAXONOMY_BY_ID.get(taxonomy_id)
    if found is None:
        return false()
    if found.slug == taxonomy.ACTIVITY:
        return _json_list_has(
            Programme.activity_types, {term.slug for term in taxonomy.TERMS if term.taxonomy == found}
        )
    if found.slug == taxonomy.PROVISION:
        return _json_list_has(Programme.provisions, {term.slug for term in taxonomy.TERMS if term.taxonomy == found})
    return true()


def _session_condition(filters: ServiceFilters) -> Any:
    conditions = [ProgrammeSession.programme_id == Programme.id]
    if filters.day is not None:
        conditions.append(ProgrammeSession.weekday == filters.day)
    if filters.start_time is not None:
        conditions.append(ProgrammeSession.start_time >= filters.start_time)
    if filters.end_time is not None:
        conditions.append(ProgrammeSession.end_time <= filters.end_time)
    return exists(select(ProgrammeSession.id).where(*conditions))


def _modified_condition(moment: datetime) -> Any:
    changed_session = exists(
        select(ProgrammeSession.id)
        .join(Venue, ProgrammeSession.venue_id == Venue.id)
        .where(
            ProgrammeSession.programme_id == Programme.id,
            or_(ProgrammeSession.updated_at >= moment, Venue.updated_at >= moment),
        )
    )
    return or_(Programme.updated_at >= moment, Organisation.updated_at >= moment, changed_session)


def filtered(filters: ServiceFilters) -> Select:
    query = _published()
    for word in filters.search.lower().split():
        query = query.where(
            or_(
                func.lower(Programme.title).contains(word, autoescape=True),
                func.lower(Programme.description).contains(word, autoescape=True),
                func.lower(Organisation.name).contains(word, autoescape=True),
            )
        )
    if filters.taxonomy_term_id:
        query = query.where(_term_condition(filters.taxonomy_term_id))
    if filters.taxonomy_id:
        query = query.where(_taxonomy_condition(filters.taxonomy_id))
    if filters.organization_id:
        local_id = ids.local_id_from_uuid(namespace(), ids.ORGANISATION, filters.organization_id)
        query = query.where(Programme.organisation_id == local_id if local_id else false())
    if filters.minimum_age is not None:
        query = query.where(Programme.min_age >= filters.minimum_age)
    if filters.maximum_age is not None:
        query = query.where(Programme.max_age <= filters.maximum_age)
    if filters.day is not None or filters.start_time is not None or filters.end_time is not None:
        query = query.where(_session_condition(filters))
    if filters.modified_after is not None:
        query = query.where(_modified_condition(filters.modified_after))
    return query


def services_page(filters: ServiceFilters, today: date, term_uri: UriBuilder | None = None) -> dict:
    """A `/services` Page: the one-to-one fields of each service (the fully nested service with `full`)."""
    query = filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page_ids = list(
        db.session.scalars(
            query.order_by(Programme.id).offset((filters.page - 1) * filters.per_page).limit(filters.per_page)
        )
    )
    rows = programme_dicts(page_ids)
    contents = [service(row, today, term_uri) if filters.full else service_summary(row, today) for row in rows]
    total_pages = max(1, -(-total // filters.per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": filters.page,
        "size": len(contents),
        "first_page": filters.page == 1,
        "last_page": filters.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def service_by_id(oruk_id: str, today: date, term_uri: UriBuilder | None = None) -> dict | None:
    local_id = ids.local_id_from_uuid(namespace(), ids.PROGRAMME, oruk_id)
    if local_id is None:
        return None
    visible = db.session.scalar(_published().where(Programme.id == local_id))
    if visible is None:
        return None
    return service(programme_dicts([visible])[0], today, term_uri)


def all_services(today: date, term_uri: UriBuilder | None = None, batch: int = 500) -> Iterator[dict]:
    """Every published service, fully nested, in id order (for `flask oruk export`)."""
    all_ids = list(db.session.scalars(_published().order_by(Programme.id)))
    for start in range(0, len(all_ids), batch):
        for row in programme_dicts(all_ids[start : start + batch]):
            yield service(row, today, term_uri)


PROGRAMME_COLUMNS = (
    "title description activity_types min_age max_age gender cost_pence languages provisions accessibility_notes "
    "valid_from valid_to assured_on status residence_rule updated_at"
).split()
ORGANISATION_COLUMNS = ("name", "description", "email", "website", "updated_at")
SESSION_COLUMNS = ("weekday", "start_time", "end_time", "term_start", "term_end", "exception_dates", "updated_at")
VENUE_COLUMNS = ("name", "address", "postcode", "easting", "northing", "updated_at")


def programme_dicts(programme_ids: list[int]) -> list[dict]:
    """Published programmes as the plain dicts `portal.oruk.export` maps, in the order given."""
    if not programme_ids:
        return []
    space = namespace()
    loaded = {
        programme.id: programme
        for programme in db.session.scalars(
            select(Programme)
            .where(Programme.id.in_(programme_ids))
            .options(
                selectinload(Programme.organisation),
                selectinload(Programme.sessions).selectinload(ProgrammeSession.venue),
            )
        )
    }

    def row(record: Any, kind: str, columns: tuple[str, ...] | list[str]) -> dict:
        return {name: getattr(record, name) for name in columns} | {"oruk_id": ids.local_uuid(space, kind, record.id)}

    return [
        row(programme, ids.PROGRAMME, PROGRAMME_COLUMNS)
        | {
            "organisation": row(programme.organisation, ids.ORGANISATION, ORGANISATION_COLUMNS),
            "sessions": [
                row(session, ids.SESSION, SESSION_COLUMNS) | {"venue": row(session.venue, ids.VENUE, VENUE_COLUMNS)}
                for session in programme.sessions
            ],
        }
        for programme in (loaded[programme_id] for programme_id in programme_ids if programme_id in loaded)
    ]


# ---------------------------------------------------------------------------------------------------------------
# Importing


@dataclass
class ImportReport:
    source: str
    services: int = 0
    imported: int = 0
    skipped: int = 0
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        def listed(counter: Counter) -> str:
            return ", ".join(f"{count} {kind}" for kind, count in sorted(counter.items())) or "nothing"

        return (
            f"{self.services} services read: {self.imported} imported, {self.skipped} not imported. "
            f"Created {listed(self.created)}; updated {listed(self.updated)}."
        )


def read_document(raw: bytes | str) -> object:
    return parse_document(raw)


def count_services(document: object) -> int:
    return sum(1 for _ in services_in(document))


def import_document(
    document: object,
    *,
    source: str,
    organisation_id: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    today: date | None = None,
    geocoder: Geocoder = geocode,
    time_budget_seconds: float | None = None,
) -> ImportReport:
    """Maps and upserts every service. With `organisation_id`, everything goes into that organisation (a partner's
    upload); otherwise into the organisations the file names, new ones pending approval. The caller commits.

    All or nothing: a DocumentError (the file turns out not to be ORUK part-way, or the import runs past its time
    budget) leaves nothing of this document in the session."""
    report = ImportReport(source)
    with _time_budget(time_budget_seconds) as check_time, db.session.begin_nested():
        importer = _Importer(report, namespace(), organisation_id, today or london_today())
        for raw, parent in services_in(document):
            check_time()
            report.services += 1
            mapped = map_service(raw, parent, geocoder, importer.today)
            if mapped.valid and importer.upsert(mapped):
                report.imported += 1
            else:
                report.skipped += 1
            report.problems += mapped.problems
            if on_progress is not None:
                on_progress(1)
    if report.created or report.updated:
        catalogue.mark_changed()
    return report


@contextmanager
def _time_budget(seconds: float | None) -> Iterator[Callable[..., None]]:
    """A check that raises DocumentError once the budget is spent: called between services and before every
    database statement, since one service can carry thousands of sessions."""
    deadline = None if seconds is None else monotonic() + seconds

    def check_time(*_event_arguments: object) -> None:
        if deadline is not None and monotonic() > deadline:
            raise DocumentError(
                f"The file took longer than {seconds:g} seconds to import, so nothing was imported. "
                "Split it into smaller files and upload them one at a time"
            )

    if deadline is None:
        yield check_time
        return
    session = db.session()
    event.listen(session, "do_orm_execute", check_time)
    try:
        yield check_time
    finally:
        event.remove(session, "do_orm_execute", check_time)


def import_upload(
    raw: bytes, *, source: str, organisation_id: int, max_services: int, time_budget_seconds: float
) -> ImportReport:
    """A partner's file into their own organisation, all or nothing, within a count of services and a time budget
    (both checked before or while working, so a large file costs little)."""
    document = read_document(raw)
    found = count_services(document)
    if found > max_services:
        raise DocumentError(
            f"The file holds {found:,} services; a file can hold up to {max_services:,}. "
            "Split it into smaller files and upload them one at a time"
        )
    return import_document(
        document, source=source, organisation_id=organisation_id, time_budget_seconds=time_budget_seconds
    )


class _Importer:
    def __init__(self, report: ImportReport, space: uuid.UUID, organisation_id: int | None, today: date) -> None:
        self.report = report
        self.space = space
        self.fixed_organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        if organisation_id and self.fixed_organisation is None:
            raise DocumentError(f"There is no organisation {organisation_id}")
        self.today = today
        self.redirected: set[str] = set()
        self.updated_organisations: set[int] = set()

    def problem(self, where: str, message: str) -> None:
        self.report.problems.append(Problem(where, message))

    # -- links ---------------------------------------------------------------------------------------------------

    def _linked(self, organisation_id: int | None, kind: str, oruk_id: str) -> int | None:
        query = select(OrukLink.record_id).where(OrukLink.record_type == kind, OrukLink.oruk_id == oruk_id)
        if organisation_id is not None:
            query = query.where(OrukLink.organisation_id == organisation_id)
        return db.session.scalar(query.order_by(OrukLink.id))

    def _link(self, organisation_id: int, kind: str, oruk_id: str, record_id: int) -> None:
        link = db.session.scalar(
            select(OrukLink).where(
                OrukLink.organisation_id == organisation_id,
                OrukLink.record_type == kind,
                OrukLink.oruk_id == oruk_id,
            )
        )
        if link is None:
            db.session.add(
                OrukLink(organisation_id=organisation_id, record_type=kind, oruk_id=oruk_id, record_id=record_id)
            )
        else:
            link.record_id = record_id
            link.imported_at = utcnow()

    def _find(self, model: type, organisation_id: int | None, kind: str, oruk_id: str) -> Any:
        """The record an id was linked to by an earlier import, or that this installation published under it."""
        for record_id in (
            self._linked(organisation_id, kind, oruk_id),
            ids.local_id_from_uuid(self.space, kind, oruk_id.partition("#")[0]),
        ):
            record = db.session.get(model, record_id) if record_id else None
            if record is not None and (organisation_id is None or _organisation_of(record) == organisation_id):
                return record
        return None

    def _apply(self, record: Any, fields: dict[str, Any], kind: str) -> None:
        changed = {name: value for name, value in fields.items() if getattr(record, name) != value}
        for name, value in changed.items():
            setattr(record, name, value)
        if changed:
            self.report.updated[kind] += 1

    # -- records -------------------------------------------------------------------------------------------------

    def upsert(self, mapped: MappedService) -> bool:
        organisation = self._organisation(mapped)
        if organisation is None:
            return False
        try:
            with db.session.begin_nested():
                self._programme(mapped, organisation)
        except IntegrityError as error:
            mapped.problem(f"could not be saved ({type(error.orig).__name__}), so not imported")
            return False
        return True

    def _organisation(self, mapped: MappedService) -> Organisation | None:
        if self.fixed_organisation is not None:
            found = mapped.organisation
            if found is not None and found.oruk_id not in self.redirected:
                self.redirected.add(found.oruk_id)
                self.problem(
                    f'Organisation "{found.fields["name"]}" ({found.oruk_id})',
                    f"its services were imported into {self.fixed_organisation.name}; its details were not applied",
                )
            return self.fixed_organisation
        if mapped.organisation is None:
            self.problem(mapped.where, "names no organisation, so not imported (give one with --organisation-id)")
            return None
        source = mapped.organisation
        organisation = self._find(Organisation, None, ids.ORGANISATION, source.oruk_id)
        if organisation is None:
            organisation = db.session.scalar(
                select(Organisation).where(func.lower(Organisation.name) == source.fields["name"].lower())
            )
            if organisation is not None:
                self.problem(
                    f'Organisation "{source.fields["name"]}"', "matched the organisation already registered by name"
                )
        if organisation is None:
            organisation = Organisation(
                **source.fields,
                status=OrganisationStatus.PENDING,
                status_reason=f"Imported from Open Referral UK data ({self.report.source[:200]})",
            )
            db.session.add(organisation)
            db.session.flush()
            self.report.created["organisations"] += 1
            audit.record(
                audit.COLLECTION,
                "organisation",
                organisation.id,
                organisation_id=organisation.id,
                change="imported from Open Referral UK",
            )
        elif (
            organisation.id not in self.updated_organisations
            and organisation.status == OrganisationStatus.PENDING
            and self._linked(organisation.id, ids.ORGANISATION, source.oruk_id)
        ):
            # Still waiting for approval and created by an import: its details follow the file (the address is
            # the first venue's, so it is kept from the first import).
            details = {key: source.fields[key] for key in ("name", "description", "email", "website")}
            self._apply(organisation, {key: value for key, value in details.items() if value}, "organisations")
        self.updated_organisations.add(organisation.id)
        self._link(organisation.id, ids.ORGANISATION, source.oruk_id, organisation.id)
        return organisation

    def _programme(self, mapped: MappedService, organisation: Organisation) -> None:
        programme = self._find(Programme, organisation.id, ids.PROGRAMME, mapped.oruk_id)
        if programme is None:
            programme = db.session.scalar(
                select(Programme)
                .where(Programme.organisation_id == organisation.id, func.lower(Programme.title) == mapped.name.lower())
                .order_by(Programme.id)
            )
            if programme is not None:
                mapped.problem("matched the programme already listed under the same title")
        venues = {venue.oruk_id: self._venue(venue, organisation, mapped) for venue in mapped.venues}
        if programme is None:
            programme = Programme(organisation_id=organisation.id, **(mapped.defaults | mapped.programme))
            db.session.add(programme)
            db.session.flush()
            self.report.created["programmes"] += 1
            audit.record(
                audit.COLLECTION,
                "programme",
                programme.id,
                organisation_id=organisation.id,
                change="imported from Open Referral UK",
            )
        else:
            self._apply(programme, listing_review.with_earlier_review(programme, mapped.programme), "programmes")
            db.session.flush()
        self._link(organisation.id, ids.PROGRAMME, mapped.oruk_id, programme.id)
        kept: set[int] = set()
        for session in mapped.sessions:
            venue = venues.get(session.venue_oruk_id)
            if venue is not None:
                kept.add(self._session(session, programme, venue, organisation.id).id)
        self._note_sessions_not_in_file(programme, organisation.id, kept, mapped)

    def _venue(self, mapped_venue: MappedVenue, organisation: Organisation, mapped: MappedService) -> Venue | None:
        fields = dict(mapped_venue.fields)
        venue = self._find(Venue, organisation.id, ids.VENUE, mapped_venue.oruk_id)
        if venue is None:
            same_name = db.session.scalar(
                select(Venue).where(
                    Venue.organisation_id == organisation.id, func.lower(Venue.name) == fields["name"].lower()
                )
            )
            if same_name is not None and same_name.postcode == fields["postcode"]:
                venue = same_name
            elif same_name is not None:
                fields["name"] = f"{fields['name'][:146]} ({fields['postcode']})"
        if venue is None:
            venue = Venue(organisation_id=organisation.id, **fields)
            db.session.add(venue)
            db.session.flush()
            self.report.created["venues"] += 1
        else:
            if fields["name"].lower() != venue.name.lower() and db.session.scalar(
                select(Venue.id).where(
                    Venue.organisation_id == organisation.id,
                    func.lower(Venue.name) == fields["name"].lower(),
                    Venue.id != venue.id,
                )
            ):
                fields.pop("name")
                mapped.problem(f'venue "{venue.name}" was not renamed: another venue has that name')
            self._apply(venue, fields, "venues")
        self._link(organisation.id, ids.VENUE, mapped_venue.oruk_id, venue.id)
        return venue

    def _session(
        self, mapped_session: MappedSession, programme: Programme, venue: Venue, organisation_id: int
    ) -> ProgrammeSession:
        fields = mapped_session.fields | {"venue_id": venue.id}
        session = self._find(ProgrammeSession, organisation_id, ids.SESSION, mapped_session.oruk_id)
        if session is not None and session.programme_id != programme.id:
            session = None
        if session is None:
            session = db.session.scalar(
                select(ProgrammeSession).where(
                    ProgrammeSession.programme_id == programme.id,
                    ProgrammeSession.venue_id == venue.id,
                    ProgrammeSession.weekday == fields["weekday"],
                    ProgrammeSession.start_time == fields["start_time"],
                )
            )
        if session is None:
            session = ProgrammeSession(programme_id=programme.id, **fields)
            db.session.add(session)
            db.session.flush()
            self.report.created["sessions"] += 1
        else:
            self._apply(session, fields, "sessions")
        self._link(organisation_id, ids.SESSION, mapped_session.oruk_id, session.id)
        return session

    def _note_sessions_not_in_file(
        self, programme: Programme, organisation_id: int, kept: set[int], mapped: MappedService
    ) -> None:
        imported_before = set(
            db.session.scalars(
                select(OrukLink.record_id).where(
                    OrukLink.organisation_id == organisation_id, OrukLink.record_type == ids.SESSION
                )
            )
        )
        for session in db.session.scalars(
            select(ProgrammeSession).where(ProgrammeSession.programme_id == programme.id)
        ):
            if session.id in imported_before and session.id not in kept:
                mapped.problem(
                    f"the {DAY_NAMES[session.weekday]} {session.start_time:%H:%M} session imported before is no "
                    "longer in the file: it was left as it is; remove it in the portal if it has ended"
                )


def _organisation_of(record: Any) -> int:
    if isinstance(record, Organisation):
        return record.id
    if isinstance(record, ProgrammeSession):
        return record.programme.organisation_id
    return record.organisation_id
