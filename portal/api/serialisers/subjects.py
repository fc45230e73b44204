"""Subjects (officers only)."""

from collections.abc import Sequence
from typing import Any

from portal.api.serialisers.base import (
    DATE,
    DATETIME,
    INT,
    SCHEMAS,
    STR,
    STRS,
    TIME,
    arr,
    null,
    obj,
    page_schema,
    schema,
)
from portal.models import NonAssociation, Subject, SubjectNote
from portal.rules.dates import age_on

schema(
    "SubjectSummary",
    {"id": INT, "reference": STR, "first_name": STR, "last_name": STR, "age": INT, "postcode_district": STR},
)
SCHEMAS["SubjectPage"] = page_schema("SubjectSummary")
schema(
    "Subject",
    {
        "id": INT,
        "reference": STR,
        "first_name": STR,
        "last_name": STR,
        "date_of_birth": DATE,
        "gender": STR,
        "home_postcode": STR,
        "category": STR,
        "languages": STRS,
        "interest_activity_types": STRS,
        "interest_text": STR,
        "needs": STRS,
        "curfew_start": null(TIME),
        "curfew_end": null(TIME),
        "max_travel_km": null(INT),
        "windows": arr(
            obj({"id": INT, "kind": STR, "label": STR, "weekday": INT, "start_time": TIME, "end_time": TIME})
        ),
        "exclusion_zones": arr(obj({"id": INT, "label": STR, "postcode": STR, "radius_m": INT})),
        "non_associations": arr(
            obj({"id": INT, "subject_id": INT, "reference": STR, "name": STR, "recorded_at": DATETIME})
        ),
        "notes": arr(obj({"id": INT, "kind": STR, "text": STR, "author_name": STR, "created_at": DATETIME})),
        "version": INT,
    },
)


def subject_summary(found: Subject, today: Any) -> dict[str, Any]:
    return {
        "id": found.id,
        "reference": found.reference,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "age": age_on(found.date_of_birth, today),
        "postcode_district": found.home_postcode.split(" ")[0],
    }


def subject(
    found: Subject,
    non_associates: Sequence[tuple[NonAssociation, Subject]] = (),
    notes: Sequence[tuple[SubjectNote, str]] = (),
) -> dict[str, Any]:
    """The subject with its weekly commitments and zones; with the non-associates and notes the subject page shows
    (from `portal.data.subjects.non_associates` and `notes_with_authors`)."""
    return {
        "id": found.id,
        "reference": found.reference,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "date_of_birth": found.date_of_birth,
        "gender": found.gender,
        "home_postcode": found.home_postcode,
        "category": str(found.category),
        "languages": list(found.languages),
        "interest_activity_types": list(found.interest_activity_types),
        "interest_text": found.interest_text,
        "needs": list(found.needs),
        "curfew_start": found.curfew_start,
        "curfew_end": found.curfew_end,
        "max_travel_km": found.max_travel_m // 1000 if found.max_travel_m else None,
        "windows": [
            {
                "id": w.id,
                "kind": str(w.kind),
                "label": w.label,
                "weekday": w.weekday,
                "start_time": w.start_time,
                "end_time": w.end_time,
            }
            for w in found.windows
        ],
        "exclusion_zones": [
            {"id": z.id, "label": z.label, "postcode": z.postcode, "radius_m": z.radius_m}
            for z in found.exclusion_zones
        ],
        "non_associations": [
            {
                "id": link.id,
                "subject_id": other.id,
                "reference": other.reference,
                "name": other.display_name,
                "recorded_at": link.created_at,
            }
            for link, other in non_associates
        ],
        "notes": [
            {
                "id": note.id,
                "kind": str(note.kind),
                "text": note.text,
                "author_name": author,
                "created_at": note.created_at,
            }
            for note, author in notes
        ],
        "version": found.version,
    }
