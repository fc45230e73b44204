"""Programmes, venues and sessions."""

from typing import Any

from portal.api.serialisers.base import (
    BOOL,
    DATE,
    INT,
    NUM,
    SCHEMAS,
    STR,
    STRS,
    TIME,
    arr,
    null,
    obj,
    page_schema,
    ref,
    schema,
)
from portal.models import Programme, ProgrammeSession, Venue

schema("Venue", {"id": INT, "name": STR, "address": STR, "postcode": STR, "version": INT})


def venue(found: Venue) -> dict[str, Any]:
    return {
        "id": found.id,
        "name": found.name,
        "address": found.address,
        "postcode": found.postcode,
        "version": found.version,
    }


schema(
    "Session",
    {
        "id": INT,
        "programme_id": INT,
        "venue": ref("Venue"),
        "weekday": INT,
        "start_time": TIME,
        "end_time": TIME,
        "term_start": DATE,
        "term_end": null(DATE),
        "exception_dates": arr(DATE),
        "version": INT,
    },
)


def session(found: ProgrammeSession) -> dict[str, Any]:
    return {
        "id": found.id,
        "programme_id": found.programme_id,
        "venue": venue(found.venue),
        "weekday": found.weekday,
        "start_time": found.start_time,
        "end_time": found.end_time,
        "term_start": found.term_start,
        "term_end": found.term_end,
        "exception_dates": list(found.exception_dates),
        "version": found.version,
    }


PROGRAMME_FIELDS = (
    "title description activity_types tags min_age max_age gender capacity cost_pence languages provisions "
    "accessibility_notes referral_process supervisor_name supervisor_role supervisor_email supervisor_phone "
    "valid_from valid_to assured_on status held_for_review version"
).split()
schema(
    "Programme",
    {
        "id": INT,
        "organisation": obj({"id": INT, "name": STR}),
        "title": STR,
        "description": STR,
        "activity_types": STRS,
        "tags": STRS,
        "min_age": INT,
        "max_age": INT,
        "gender": STR,
        "capacity": null(INT),
        "cost_pence": INT,
        "languages": STRS,
        "provisions": STRS,
        "accessibility_notes": STR,
        "referral_process": STR,
        "supervisor_name": STR,
        "supervisor_role": STR,
        "supervisor_email": STR,
        "supervisor_phone": STR,
        "valid_from": DATE,
        "valid_to": null(DATE),
        "assured_on": null(DATE),
        "status": STR,
        "held_for_review": BOOL,
        "version": INT,
        "sessions": arr(ref("Session")),
    },
)
SCHEMAS["ProgrammePage"] = page_schema("Programme")
SCHEMAS["DirectoryPage"] = obj(
    {
        "items": arr(obj({"programme": ref("Programme"), "distance_m": null(NUM), "matching_session_ids": arr(INT)})),
        "page": INT,
        "per_page": INT,
        "total": INT,
        "near_postcode": null(STR),
    }
)
SCHEMAS["VenueList"] = obj({"items": arr(ref("Venue"))})


def programme(found: Programme) -> dict[str, Any]:
    return (
        {"id": found.id, "organisation": {"id": found.organisation_id, "name": found.organisation.name}}
        | {name: getattr(found, name) for name in PROGRAMME_FIELDS}
        | {"sessions": [session(s) for s in found.sessions]}
    )
