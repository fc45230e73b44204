"""Subjects: the young people an order is, or may be, about. Officers only; every read and write is audited."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import Result, Row, Select, bindparam, func, or_, select, true
from sqlalchemy.orm import selectinload

from portal.data import audit, check_version
from portal.extensions import db
from portal.models import (
    ExclusionZone,
    NonAssociation,
    NoteKind,
    Order,
    OrderStatus,
    Subject,
    SubjectNote,
    SubjectWindow,
    User,
)
from portal.rules import dates
from portal.rules.tasks import CANNOT_START, COMPLETED, IN_PROGRESS, NOT_STARTED, Task

# The record's sections, in the order an officer fills them in: (key, title). The key is the section page's URL.
RECORD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("personal-details", "Personal details"),
    ("languages-and-interests", "Languages and interests"),
    ("needs", "Faith, culture and access needs"),
    ("weekly-commitments", "School, work and faith observances"),
    ("curfew-and-travel", "Curfew and travel"),
    ("exclusion-zones", "Exclusion zones"),
    ("non-associations", "Non-associations"),
)
SECTION_TITLES = dict(RECORD_SECTIONS)


@dataclass(frozen=True)
class RecordLists:
    """The record's lists as the subject page shows them: rows read by one prebuilt statement each."""

    windows: list
    exclusion_zones: list
    non_associates: list


def record_lists(subject_id: int) -> RecordLists:
    return RecordLists(windows_shown(subject_id), exclusion_zones_shown(subject_id), non_associates_shown(subject_id))


def _recorded(subject: Subject, shown: RecordLists) -> dict[str, bool]:
    """Whether anything at all is recorded in each section (the difference between not started and in progress)."""
    return {
        "personal-details": True,
        "languages-and-interests": bool(subject.languages or subject.interest_activity_types or subject.interest_text),
        "needs": bool(subject.needs),
        "weekly-commitments": bool(shown.windows),
        "curfew-and-travel": bool(subject.curfew_start or subject.max_travel_m),
        "exclusion-zones": bool(shown.exclusion_zones),
        "non-associations": bool(shown.non_associates),
    }


def record_tasks(subject: Subject, shown: RecordLists) -> list[Task]:
    """Each section of the record with its status. Personal details are complete once saved (every field is
    needed to record a subject at all); every other section is complete when the officer has said so, since
    "none" (no curfew, no faith needs, nobody to avoid) is a real answer that the data alone cannot tell apart
    from "not asked yet"."""
    recorded = _recorded(subject, shown)
    done = set(subject.completed_sections or ()) | {"personal-details"}
    return [
        Task(key, title, COMPLETED if key in done else IN_PROGRESS if recorded[key] else NOT_STARTED)
        for key, title in RECORD_SECTIONS
    ]


def record_complete(tasks: list[Task]) -> bool:
    """The matcher needs every section: a suggestion made before, say, the exclusion zones are known may be unsafe."""
    return all(task.status == COMPLETED for task in tasks)


def next_tasks(tasks: list[Task], order_status: str | None) -> list[Task]:
    """What follows the record (`tasks`): finding suggestions, which needs the whole record, and the subject's order
    (`order_status`: of their open order, None if they have none)."""
    missing = [task.title for task in tasks if task.status != COMPLETED]
    if not missing:
        hint = ""
    elif len(missing) == 1:
        hint = f"Complete {missing[0]} first"
    else:
        hint = f"Complete the record first: {len(missing)} sections to go"
    suggestions = Task("suggestions", "Find suggested requirements", CANNOT_START if missing else NOT_STARTED, hint)
    if order_status is None:
        order = Task("order", "Prepare the draft order", NOT_STARTED, "Start a draft order, or add suggestions to one")
    elif order_status == "draft":
        order = Task("order", "Prepare the draft order", IN_PROGRESS)
    else:
        order = Task("order", f"The order ({order_status})", COMPLETED)
    return [suggestions, order]


def sections_with(subject: Subject, key: str, done: bool) -> list[str]:
    """The subject's completed sections after the officer says whether `key` is done, in the record's order."""
    chosen = (set(subject.completed_sections or ()) - {key}) | ({key} if done else set())
    return [section for section, _title in RECORD_SECTIONS if section in chosen]


class LinkRefused(Exception):
    """A non-association that cannot be recorded; the message says why, in words for the officer."""


def age_on(subject: Subject, day: date) -> int:
    return dates.age_on(subject.date_of_birth, day)


def postcode_district(postcode: str) -> str:
    """'E3 2AA' -> 'E3': enough to place someone in a list without giving their address."""
    return postcode.split(" ")[0]


# What the subject page and the matcher read besides the subject's own row: loaded with it, never lazily.
PROFILE = (selectinload(Subject.windows), selectinload(Subject.exclusion_zones))


def get_subject(subject_id: int, *, with_profile: bool = False) -> Subject:
    """The subject or 404; `with_profile`: with their windows and exclusion zones too."""
    subject = db.session.get(Subject, subject_id, options=PROFILE if with_profile else ())
    if subject is None:
        abort(404)
    return subject


def view_subject(subject_id: int, *, with_profile: bool = True) -> Subject:
    """The subject, with their windows and exclusion zones unless the caller reads those as rows itself
    (`record_lists`), the consultation recorded: use whenever their details are shown."""
    subject = get_subject(subject_id, with_profile=with_profile)
    audit.record(audit.CONSULTATION, "subject", subject.id)
    return subject


def view_subject_record(subject_id: int) -> Row:
    """The subject as the subject page shows them (`_SUBJECT_RECORD`: their own columns, with the id and status of
    their open order, if any), read as one row, the consultation recorded; 404 if there is no such subject."""
    row = _rows(_SUBJECT_RECORD, subject_id).first()
    if row is None:
        abort(404)
    audit.record(audit.CONSULTATION, "subject", row.id)
    return row


def _rows(statement: Select, subject_id: int) -> Result:
    """A prebuilt Core statement of the subject page, run on the session's connection: no ORM execution."""
    return db.session.connection().execute(statement, {"subject_id": subject_id})


def _matching(text: str):
    """Every word typed must appear in the reference, first name or last name."""
    conditions = [
        or_(
            func.lower(Subject.reference).contains(word, autoescape=True),
            func.lower(Subject.first_name).contains(word, autoescape=True),
            func.lower(Subject.last_name).contains(word, autoescape=True),
        )
        for word in text.lower().split()
    ]
    return conditions or [true()]


def search_subjects(text: str, page: int, per_page: int) -> tuple[list[Subject], int]:
    conditions = _matching(text)
    total = db.session.scalar(select(func.count()).select_from(Subject).where(*conditions)) or 0
    rows = db.session.scalars(
        select(Subject)
        .where(*conditions)
        .order_by(Subject.last_name, Subject.first_name, Subject.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    audit.record(audit.CONSULTATION, "subject-list", None, searched=bool(text.strip()), page=page, results=total)
    return list(rows), total


def find_by_reference(reference: str) -> Subject | None:
    return db.session.scalar(select(Subject).where(func.lower(Subject.reference) == reference.strip().lower()))


def reference_in_use(reference: str, except_subject_id: int | None = None) -> bool:
    query = select(Subject.id).where(func.lower(Subject.reference) == reference.strip().lower())
    if except_subject_id is not None:
        query = query.where(Subject.id != except_subject_id)
    return db.session.scalar(query) is not None


def create_subject(fields: dict[str, Any], created_by_id: int | None) -> Subject:
    """A new subject, belonging to the borough of the officer who records them (need to know)."""
    creator = db.session.get(User, created_by_id) if created_by_id is not None else None
    subject = Subject(created_by_id=created_by_id, owning_borough=creator.borough if creator else "", **fields)
    db.session.add(subject)
    db.session.flush()
    audit.record(audit.COLLECTION, "subject", subject.id, category=subject.category)
    return subject


def update_subject(subject: Subject, fields: dict[str, Any], expected_version: int | None) -> None:
    check_version(subject, expected_version)
    for name, value in fields.items():
        setattr(subject, name, value)
    db.session.flush()
    audit.record(audit.ALTERATION, "subject", subject.id, fields=sorted(fields))


def add_windows(subject: Subject, windows: list[dict[str, Any]]) -> None:
    for fields in windows:
        subject.windows.append(SubjectWindow(**fields))
    db.session.flush()
    audit.record(audit.ALTERATION, "subject", subject.id, change="weekly commitment added", count=len(windows))


def get_window(subject: Subject, window_id: int) -> SubjectWindow:
    window = db.session.scalar(
        select(SubjectWindow).where(SubjectWindow.id == window_id, SubjectWindow.subject_id == subject.id)
    )
    if window is None:
        abort(404)
    return window


def remove_window(subject: Subject, window: SubjectWindow) -> None:
    window_id = window.id
    subject.windows.remove(window)
    db.session.flush()
    audit.record(audit.ALTERATION, "subject", subject.id, change="weekly commitment removed", window_id=window_id)


def add_exclusion_zone(subject: Subject, fields: dict[str, Any]) -> ExclusionZone:
    zone = ExclusionZone(**fields)
    subject.exclusion_zones.append(zone)
    db.session.flush()
    audit.record(audit.ALTERATION, "subject", subject.id, change="exclusion zone added", zone_id=zone.id)
    return zone


def get_exclusion_zone(subject: Subject, zone_id: int) -> ExclusionZone:
    zone = db.session.scalar(
        select(ExclusionZone).where(ExclusionZone.id == zone_id, ExclusionZone.subject_id == subject.id)
    )
    if zone is None:
        abort(404)
    return zone


def remove_exclusion_zone(subject: Subject, zone: ExclusionZone) -> None:
    zone_id = zone.id
    subject.exclusion_zones.remove(zone)
    db.session.flush()
    audit.record(audit.ALTERATION, "subject", subject.id, change="exclusion zone removed", zone_id=zone_id)


def _pair(subject_id: int, other_id: int) -> tuple[int, int]:
    return min(subject_id, other_id), max(subject_id, other_id)


def link_non_association(subject: Subject, other: Subject, created_by_id: int | None) -> NonAssociation:
    if subject.id == other.id:
        raise LinkRefused("A subject cannot be recorded as a non-associate of themselves")
    low, high = _pair(subject.id, other.id)
    if db.session.scalar(
        select(NonAssociation.id).where(NonAssociation.subject_low_id == low, NonAssociation.subject_high_id == high)
    ):
        raise LinkRefused(f"{other.reference} is already recorded as a non-associate")
    link = NonAssociation(subject_low_id=low, subject_high_id=high, created_by_id=created_by_id)
    db.session.add(link)
    db.session.flush()
    audit.record(audit.COMBINATION, "subject", subject.id, change="non-association added", other_subject_id=other.id)
    return link


def non_associate_ids(subject_id: int) -> set[int]:
    rows = db.session.execute(
        select(NonAssociation.subject_low_id, NonAssociation.subject_high_id).where(
            or_(NonAssociation.subject_low_id == subject_id, NonAssociation.subject_high_id == subject_id)
        )
    )
    return {high if low == subject_id else low for low, high in rows}


def non_associates(subject_id: int) -> list[tuple[NonAssociation, Subject]]:
    """Each link involving the subject, with the other subject, whichever way round it was stored."""
    return [(link, other) for link, other in db.session.execute(_NON_ASSOCIATE_PAIRS, {"subject_id": subject_id})]


_NON_ASSOCIATE_PAIRS = (
    select(NonAssociation, Subject)
    .join(
        Subject,
        Subject.id
        == func.coalesce(
            func.nullif(NonAssociation.subject_low_id, bindparam("subject_id")),
            func.nullif(NonAssociation.subject_high_id, bindparam("subject_id")),
        ),
    )
    .where(
        or_(
            NonAssociation.subject_low_id == bindparam("subject_id"),
            NonAssociation.subject_high_id == bindparam("subject_id"),
        )
    )
    .order_by(Subject.reference)
)


# The subject page's statements, built once: Core statements on the tables (rows, no entities to load), each with
# the subject's id as its one parameter. Their columns are what the page and its section pages show.
_subjects, _windows, _zones = Subject.__table__, SubjectWindow.__table__, ExclusionZone.__table__
_links, _notes, _users = NonAssociation.__table__, SubjectNote.__table__, User.__table__
_orders = Order.__table__
# An open order, as portal.data.orders.OPEN_STATUSES (which imports this module) and the unique index say.
_open_order = _orders.c.status.in_([OrderStatus.DRAFT, OrderStatus.FILED, OrderStatus.MADE])
_SUBJECT_RECORD = (
    select(
        _subjects.c.id,
        _subjects.c.reference,
        (_subjects.c.first_name + " " + _subjects.c.last_name).label("display_name"),  # as Subject.display_name
        _subjects.c.date_of_birth,
        _subjects.c.gender,
        _subjects.c.home_postcode,
        _subjects.c.category,
        _subjects.c.languages,
        _subjects.c.interest_activity_types,
        _subjects.c.interest_text,
        _subjects.c.needs,
        _subjects.c.curfew_start,
        _subjects.c.curfew_end,
        _subjects.c.max_travel_m,
        _subjects.c.completed_sections,
        _subjects.c.review_due,
        _orders.c.id.label("order_id"),  # a subject has at most one open order (uq_orders_one_open_per_subject)
        _orders.c.status.label("order_status"),
    )
    .select_from(_subjects.outerjoin(_orders, (_orders.c.subject_id == _subjects.c.id) & _open_order))
    .where(_subjects.c.id == bindparam("subject_id"))
)
_other = _subjects.alias("other")
_other_id = func.coalesce(
    func.nullif(_links.c.subject_low_id, bindparam("subject_id")),
    func.nullif(_links.c.subject_high_id, bindparam("subject_id")),
)
_NON_ASSOCIATES = (
    select(
        _links.c.id,
        _links.c.created_at,
        _other.c.id.label("other_id"),
        _other.c.reference,
        (_other.c.first_name + " " + _other.c.last_name).label("display_name"),
    )
    .select_from(_links.join(_other, _other.c.id == _other_id))
    .where((_links.c.subject_low_id == bindparam("subject_id")) | (_links.c.subject_high_id == bindparam("subject_id")))
    .order_by(_other.c.reference)
)
# The weekly windows and exclusion zones, in the order of the Subject's relationships.
_WINDOWS = (
    select(
        _windows.c.id,
        _windows.c.weekday,
        _windows.c.start_time,
        _windows.c.end_time,
        _windows.c.kind,
        _windows.c.label,
    )
    .where(_windows.c.subject_id == bindparam("subject_id"))
    .order_by(_windows.c.weekday, _windows.c.start_time, _windows.c.id)
)
_ZONES = (
    select(_zones.c.id, _zones.c.label, _zones.c.postcode, _zones.c.radius_m)
    .where(_zones.c.subject_id == bindparam("subject_id"))
    .order_by(_zones.c.label, _zones.c.id)
)
_NOTES = (
    select(
        _notes.c.kind,
        _notes.c.text,
        _notes.c.created_at,
        func.coalesce(func.nullif(_users.c.full_name, ""), "Unknown").label("author"),  # as notes_with_authors
    )
    .select_from(_notes.outerjoin(_users, _users.c.id == _notes.c.author_id))
    .where(_notes.c.subject_id == bindparam("subject_id"))
    .order_by(_notes.c.created_at.desc(), _notes.c.id.desc())
)


def non_associates_shown(subject_id: int) -> list[Row]:
    """Each link involving the subject as the record's pages show it (id, created_at, and the other subject's
    other_id, reference and display_name), whichever way round it was stored."""
    return list(_rows(_NON_ASSOCIATES, subject_id))


def windows_shown(subject_id: int) -> list:
    """The subject's weekly commitments as the subject page shows them (id, weekday, times, kind, label)."""
    return list(_rows(_WINDOWS, subject_id))


def exclusion_zones_shown(subject_id: int) -> list:
    """The subject's exclusion zones as the subject page shows them (id, label, postcode, radius)."""
    return list(_rows(_ZONES, subject_id))


def notes_shown(subject_id: int) -> list[Row]:
    """The subject's notes as the subject page shows them, newest first: (kind, text, created_at, author)."""
    return list(_rows(_NOTES, subject_id))


def get_non_association(subject: Subject, link_id: int) -> NonAssociation:
    link = db.session.get(NonAssociation, link_id)
    if link is None or subject.id not in (link.subject_low_id, link.subject_high_id):
        abort(404)
    return link


def remove_non_association(subject: Subject, link: NonAssociation) -> None:
    other_id = link.subject_high_id if link.subject_low_id == subject.id else link.subject_low_id
    db.session.delete(link)
    db.session.flush()
    audit.record(audit.COMBINATION, "subject", subject.id, change="non-association removed", other_subject_id=other_id)


def add_note(subject: Subject, kind: NoteKind, text: str, author_id: int | None) -> SubjectNote:
    note = SubjectNote(kind=kind, text=text, author_id=author_id)
    subject.notes.append(note)
    db.session.flush()
    audit.record(audit.COLLECTION, "subject-note", note.id, subject_id=subject.id, kind=kind)
    return note


def notes_with_authors(subject_id: int) -> list[tuple[SubjectNote, str]]:
    rows = db.session.execute(_NOTES_WITH_AUTHORS, {"subject_id": subject_id})
    return [(note, author or "Unknown") for note, author in rows]


_NOTES_WITH_AUTHORS = (
    select(SubjectNote, User.full_name)
    .outerjoin(User, User.id == SubjectNote.author_id)
    .where(SubjectNote.subject_id == bindparam("subject_id"))
    .order_by(SubjectNote.created_at.desc(), SubjectNote.id.desc())
)
