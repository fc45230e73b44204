"""Loads the demo seed and synthetic scale data into the database, idempotently."""

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, time
from pathlib import Path

from sqlalchemy import insert, select

from portal.data import catalogue, policy, subjects
from portal.extensions import db
from portal.infra.geo import geocode
from portal.infra.passwords import hash_password
from portal.models import NoteKind, Organisation, Programme, ProgrammeSession, Role, User, Venue, utcnow
from portal.rules.dates import add_months
from seed.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, build_demo
from seed.journey import load_journey
from seed.synthetic import synthetic_catalogue

BATCH_SIZE = 2000
DATA_DIR = Path(__file__).resolve().parent / "data"


def load_demo() -> dict[str, int]:
    """Adds whatever of the demo is missing; returns how many of each thing were added."""
    demo = build_demo()
    added = {"organisations": 0, "users": 0, "programmes": 0, "sessions": 0, "subjects": 0, "orders": 0}
    organisations = {row["key"]: _organisation(row, added) for row in demo.organisations}
    password_hash = hash_password(DEMO_PASSWORD)
    for row in demo.users:
        _user(row, organisations, password_hash, added)
    for row in demo.programmes:
        _programme(row, organisations[row["organisation_key"]], added)
    _subjects(added)
    load_legal_bases()
    load_journey(added)
    catalogue.mark_changed()
    return added


def load_legal_bases() -> None:
    """The legal-basis rows the demo needs (the real pilot, and a row labelled as demonstration configuration)."""
    known = {(basis.police_area, basis.regulation) for basis in policy.legal_bases()}
    for row in json.loads((DATA_DIR / "legal_bases.json").read_text())["legal_bases"]:
        if (row["police_area"], row["regulation"]) not in known:
            policy.add_legal_basis(
                row
                | {
                    "valid_from": date.fromisoformat(row["valid_from"]),
                    "valid_to": date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                }
            )


def _subjects(added: dict[str, int]) -> None:
    data = json.loads((DATA_DIR / "subjects.json").read_text())
    officer_id = db.session.scalar(select(User.id).where(User.role == Role.OFFICER).order_by(User.id))
    for row in data["subjects"]:
        if subjects.find_by_reference(row["reference"]) is None:
            _subject(row, officer_id)
            added["subjects"] += 1
    for first, second in data["non_associations"]:
        one, other = subjects.find_by_reference(first), subjects.find_by_reference(second)
        if other.id not in subjects.non_associate_ids(one.id):
            subjects.link_non_association(one, other, officer_id)


def _subject(row: dict, officer_id: int | None) -> None:
    home = geocode(row["home_postcode"])
    curfew = row["curfew"] or [None, None]
    subject = subjects.create_subject(
        {
            "reference": row["reference"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "date_of_birth": date.fromisoformat(row["date_of_birth"]),
            "gender": row["gender"],
            "home_postcode": home.postcode,
            "home_easting": home.easting,
            "home_northing": home.northing,
            "category": row["category"],
            "languages": row["languages"],
            "interest_activity_types": row["interest_activity_types"],
            "interest_text": row["interest_text"],
            "needs": row["needs"],
            "curfew_start": time.fromisoformat(curfew[0]) if curfew[0] else None,
            "curfew_end": time.fromisoformat(curfew[1]) if curfew[1] else None,
            "max_travel_m": row["max_travel_km"] * 1000,
            "completed_sections": list(subjects.SECTION_TITLES),  # the demo's records are complete
        },
        officer_id,
    )
    if row.get("recorded_months_ago"):  # an old record, so the retention review queue has something to show
        created = add_months(subject.created_at.date(), -row["recorded_months_ago"])
        subject.created_at = subject.created_at.replace(year=created.year, month=created.month, day=created.day)
    subjects.add_windows(
        subject,
        [
            {
                "kind": w["kind"],
                "label": w["label"],
                "weekday": day,
                "start_time": time.fromisoformat(w["start"]),
                "end_time": time.fromisoformat(w["end"]),
            }
            for w in row["windows"]
            for day in w["weekdays"]
        ],
    )
    for zone in row["exclusion_zones"]:
        centre = geocode(zone["postcode"])
        subjects.add_exclusion_zone(
            subject,
            {
                "label": zone["label"],
                "postcode": centre.postcode,
                "easting": centre.easting,
                "northing": centre.northing,
                "radius_m": zone["radius_m"],
            },
        )
    for note in row["notes"]:
        subjects.add_note(subject, NoteKind(note["kind"]), note["text"], officer_id)


def _organisation(row: dict, added: dict[str, int]) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.name == row["name"]))
    if found is not None:
        return found
    organisation = Organisation(**{key: value for key, value in row.items() if key != "key"})
    db.session.add(organisation)
    db.session.flush()
    added["organisations"] += 1
    return organisation


def _user(row: dict, organisations: dict[str, Organisation], password_hash: str, added: dict[str, int]) -> None:
    if db.session.scalar(select(User.id).where(User.email == row["email"])) is not None:
        return
    organisation = organisations.get(row["organisation_key"]) if row["organisation_key"] else None
    db.session.add(
        User(
            email=row["email"],
            full_name=row["full_name"],
            role=Role(row["role"]),
            password_hash=password_hash,
            totp_secret=DEMO_TOTP_SECRET,
            mfa_set_up_at=utcnow(),
            organisation_id=organisation.id if organisation else None,
            unit=row.get("unit") or "",
            borough=row.get("borough") or "",
        )
    )
    added["users"] += 1


def _venue(row: dict, organisation: Organisation) -> Venue:
    found = db.session.scalar(select(Venue).where(Venue.organisation_id == organisation.id, Venue.name == row["name"]))
    if found is not None:
        return found
    location = geocode(row["postcode"])
    if location is None:
        raise ValueError(f"Seed venue {row['name']} has an unknown postcode {row['postcode']}")
    venue = Venue(
        organisation_id=organisation.id,
        name=row["name"],
        address=row["address"],
        postcode=location.postcode,
        easting=location.easting,
        northing=location.northing,
    )
    db.session.add(venue)
    db.session.flush()
    return venue


def _programme(row: dict, organisation: Organisation, added: dict[str, int]) -> None:
    exists = db.session.scalar(
        select(Programme.id).where(Programme.organisation_id == organisation.id, Programme.title == row["title"])
    )
    if exists is not None:
        return
    venues = {venue["key"]: _venue(venue, organisation) for venue in row["venues"]}
    programme = Programme(organisation_id=organisation.id, **programme_columns(row))
    programme.sessions = [
        ProgrammeSession(venue_id=venues[session["venue_key"]].id, **session_columns(session))
        for session in row["sessions"]
    ]
    db.session.add(programme)
    db.session.flush()
    added["programmes"] += 1
    added["sessions"] += len(row["sessions"])


def programme_columns(row: dict) -> dict:
    columns = {key: row[key] for key in PROGRAMME_KEYS}
    columns["valid_from"] = date.fromisoformat(row["valid_from"])
    columns["valid_to"] = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
    columns["assured_on"] = date.fromisoformat(row["assured_on"])
    return columns


def session_columns(row: dict) -> dict:
    return {
        "weekday": row["weekday"],
        "start_time": time.fromisoformat(row["start"]),
        "end_time": time.fromisoformat(row["end"]),
        "term_start": date.fromisoformat(row["term_start"]),
        "term_end": date.fromisoformat(row["term_end"]) if row["term_end"] else None,
        "exception_dates": list(row.get("exceptions", [])),
    }


PROGRAMME_KEYS = (
    "title description activity_types tags min_age max_age gender capacity cost_pence languages provisions "
    "accessibility_notes referral_process supervisor_name supervisor_role supervisor_email supervisor_phone status"
).split()


def load_synthetic(count: int, on_progress: Callable[[int], None]) -> int:
    """Adds `count` synthetic programmes in bulk, skipping organisations already loaded; returns how many were added."""
    added = 0
    existing = set(db.session.scalars(select(Organisation.name).where(Organisation.name.like("Synthetic %"))))
    for batch in _batches(synthetic_catalogue(count), BATCH_SIZE):
        added += _insert_batch(batch, existing)
        on_progress(sum(1 for kind, _row in batch if kind == "programme"))
    catalogue.mark_changed()
    return added


def _batches(items: Iterable[tuple[str, dict]], size: int) -> Iterator[list[tuple[str, dict]]]:
    """Batches of about `size` items that never split an organisation from its programmes."""
    batch: list[tuple[str, dict]] = []
    for kind, row in items:
        if kind == "organisation" and len(batch) >= size:
            yield batch
            batch = []
        batch.append((kind, row))
    if batch:
        yield batch


def _insert_batch(batch: list[tuple[str, dict]], existing: set[str]) -> int:
    """Bulk inserts with RETURNING (SQLAlchemy's insertmanyvalues), a few statements per batch on either database."""
    new_organisations = [
        row for kind, row in batch if kind == "organisation" and synthetic_name(row["key"]) not in existing
    ]
    organisation_ids = _returning_ids(
        Organisation,
        [
            {key: value for key, value in row.items() if key not in ("key", "name")}
            | {"name": synthetic_name(row["key"])}
            for row in new_organisations
        ],
    )
    ids_by_key = {row["key"]: new_id for row, new_id in zip(new_organisations, organisation_ids, strict=True)}
    existing.update(synthetic_name(key) for key in ids_by_key)
    programmes = [row for kind, row in batch if kind == "programme" and row["organisation_key"] in ids_by_key]
    programme_ids = _returning_ids(
        Programme,
        [{"organisation_id": ids_by_key[row["organisation_key"]], **programme_columns(row)} for row in programmes],
    )
    # Synthetic organisations share venues between their programmes: one row per organisation and venue key.
    unique_venues = {
        (row["organisation_key"], venue["key"]): (row, venue) for row in programmes for venue in row["venues"]
    }
    venue_rows = list(unique_venues.values())
    venue_ids = _returning_ids(
        Venue,
        [
            {
                "organisation_id": ids_by_key[row["organisation_key"]],
                "name": f"{venue['name']} ({venue['key']})",
                "address": venue["address"],
                "postcode": venue["postcode"],
                "easting": venue["easting"],
                "northing": venue["northing"],
            }
            for row, venue in venue_rows
        ],
    )
    venue_id_by_key = {
        (row["organisation_key"], venue["key"]): new_id
        for (row, venue), new_id in zip(venue_rows, venue_ids, strict=True)
    }
    sessions = [
        {
            "programme_id": programme_id,
            "venue_id": venue_id_by_key[(row["organisation_key"], session["venue_key"])],
            **session_columns(session),
        }
        for row, programme_id in zip(programmes, programme_ids, strict=True)
        for session in row["sessions"]
    ]
    if sessions:
        db.session.execute(insert(ProgrammeSession), sessions)
    return len(programmes)


def _returning_ids(model: type, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def synthetic_name(key: str) -> str:
    return f"Synthetic {key}"
