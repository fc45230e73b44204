"""Programmes -> ORUK 3.0 services. Pure functions of plain dicts (the model's column names), no database.

A programme dict has the Programme columns the feed publishes plus `oruk_id`, `updated_at`, `organisation` (a dict
of Organisation columns with `oruk_id`) and `sessions` (dicts of ProgrammeSession columns with `oruk_id` and
`venue`, a dict of Venue columns with `oruk_id`).

What is published, and what is not (see also `portal/blueprints/openreferral/README.md`):
- service: title, description, status, ages, fees and cost, assured date, last modified, languages;
- organization: name, description, website and the organisation's own contact email (what a public directory shows);
- locations: venue name, address, postcode and latitude/longitude (from the grid reference), and the programme's
  accessibility notes;
- schedules: each weekly session, its term and the dates it does not run;
- attributes: activity types, provisions and who can take part, as terms of the portal's published taxonomies;
- service areas: where people must live, as postcodes in the area's name and drawn areas as a GeoJSON extent.
Never published: the named supervisor and their contact details, the referral process (written for officers),
capacity and places taken (they follow from referrals, which are about people), tags (free text, no taxonomy),
and anything about subjects, orders, referrals or attendance.
"""

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from matching.taxonomy import LANGUAGES
from portal.models import ProgrammeStatus
from portal.oruk import taxonomy
from portal.oruk.coordinates import lat_long, lon_lat_ring
from portal.oruk.ids import derived_uuid

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NO_SESSION_PREFIX = "No session on:"
COUNTRY = "GB"
UriBuilder = Callable[[str], str]


def timestamp(moment: datetime) -> str:
    """A naive UTC datetime as an RFC 3339 date-time."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def clock(moment: time) -> str:
    return moment.strftime("%H:%M:%S")


def status(programme: dict, today: date) -> str:
    if programme["status"] == ProgrammeStatus.ARCHIVED:
        return "defunct"
    if programme["status"] == ProgrammeStatus.PAUSED:
        return "temporarily closed"
    if programme.get("valid_to") and programme["valid_to"] < today:
        return "inactive"
    return "active"


def fees(cost_pence: int) -> str:
    return "Free" if cost_pence == 0 else f"£{cost_pence // 100}.{cost_pence % 100:02d} per session"


def last_modified(programme: dict) -> datetime:
    moments = [programme["updated_at"], programme["organisation"]["updated_at"]]
    for session in programme["sessions"]:
        moments += [session["updated_at"], session["venue"]["updated_at"]]
    return max(moments)


def organization(organisation: dict) -> dict:
    found = {
        "id": organisation["oruk_id"],
        "name": organisation["name"],
        "description": organisation["description"] or organisation["name"],
    }
    if organisation.get("email"):
        found["email"] = organisation["email"]
    if organisation.get("website", "").startswith(("http://", "https://")):
        found["website"] = organisation["website"]
    return found


def service_summary(programme: dict, today: date) -> dict:
    """The one-to-one fields of a service and its organization: an item of the `/services` page."""
    return {
        "id": programme["oruk_id"],
        "organization_id": programme["organisation"]["oruk_id"],
        "name": programme["title"],
        "description": programme["description"],
        "status": status(programme, today),
        "fees": fees(programme["cost_pence"]),
        "minimum_age": programme["min_age"],
        "maximum_age": programme["max_age"],
        "assured_date": programme["assured_on"].isoformat(),
        "last_modified": timestamp(last_modified(programme)),
        "organization": organization(programme["organisation"]),
    }


def service(programme: dict, today: date, term_uri: UriBuilder | None = None) -> dict:
    """The fully nested service of `/services/{id}`."""
    found = service_summary(programme, today)
    service_id = found["id"]
    venues = {session["venue"]["oruk_id"]: session["venue"] for session in programme["sessions"]}
    found["service_at_locations"] = [
        service_at_location(service_id, venue, programme.get("accessibility_notes", ""))
        for venue in sorted(venues.values(), key=lambda venue: (venue["name"], venue["oruk_id"]))
    ]
    found["schedules"] = [schedule(service_id, session) for session in programme["sessions"]]
    found["languages"] = [
        {
            "id": derived_uuid(service_id, "language", code),
            "service_id": service_id,
            "name": LANGUAGES[code],
            "code": code,
        }
        for code in programme["languages"]
        if code in LANGUAGES
    ]
    found["cost_options"] = cost_options(service_id, programme["cost_pence"])
    found["attributes"] = attributes(programme, term_uri)
    found["contacts"] = []  # the supervisor is a named individual: not published
    found["service_areas"] = service_areas(service_id, programme.get("residence_rule"))
    return found


def service_areas(service_id: str, rule: dict | None) -> list[dict]:
    """Where people must live, as the importer reads it back: postcodes named, and drawn areas as GeoJSON."""
    if not rule:
        return []
    found = []
    if rule.get("postcodes"):
        name = ", ".join(rule["postcodes"])
        found.append({"id": derived_uuid(service_id, "area", name), "service_id": service_id, "name": name})
    for number, polygon in enumerate(rule.get("polygons") or []):
        extent = {"type": "Polygon", "coordinates": [lon_lat_ring(ring) for ring in polygon]}
        found.append(
            {
                "id": derived_uuid(service_id, "area", str(number)),
                "service_id": service_id,
                "name": rule["label"],
                "extent": json.dumps(extent),
                "extent_type": "geojson",
            }
        )
    return found


def cost_options(service_id: str, cost_pence: int) -> list[dict]:
    if cost_pence == 0:
        return []
    return [
        {
            "id": derived_uuid(service_id, "cost"),
            "service_id": service_id,
            "option": "Each session",
            "amount": cost_pence / 100,
            "currency": "GBP",
            "amount_description": fees(cost_pence),
        }
    ]


def service_at_location_id(service_id: str, location_id: str) -> str:
    return derived_uuid(service_id, "at", location_id)


def split_address(address: str) -> tuple[str, str]:
    """'1 Roman Road, London' -> ('1 Roman Road', 'London'): ORUK addresses need a first line and a city."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if len(parts) < 2:
        return address.strip(), ""
    return ", ".join(parts[:-1]), parts[-1]


def location(venue: dict, accessibility_notes: str = "", service_id: str = "") -> dict:
    location_id = venue["oruk_id"]
    address_1, city = split_address(venue["address"])
    found: dict = {
        "id": location_id,
        "location_type": "physical",
        "name": venue["name"],
        "addresses": [
            {
                "id": derived_uuid(location_id, "address"),
                "location_id": location_id,
                "address_1": address_1,
                "city": city,
                "state_province": "",
                "postal_code": venue["postcode"],
                "country": COUNTRY,
                "address_type": "physical",
            }
        ],
    }
    point = lat_long(venue["easting"], venue["northing"])
    if point is not None:
        found["latitude"], found["longitude"] = point
    if accessibility_notes.strip():
        found["accessibility"] = [
            {
                "id": derived_uuid(service_id, "accessibility", location_id),
                "location_id": location_id,
                "description": accessibility_notes.strip(),
            }
        ]
    return found


def service_at_location(service_id: str, venue: dict, accessibility_notes: str = "") -> dict:
    return {
        "id": service_at_location_id(service_id, venue["oruk_id"]),
        "service_id": service_id,
        "location_id": venue["oruk_id"],
        "location": location(venue, accessibility_notes, service_id),
    }


def first_occurrence(term_start: date, weekday: int) -> date:
    return term_start + timedelta(days=(weekday - term_start.weekday()) % 7)


def schedule(service_id: str, session: dict) -> dict:
    """A weekly session as an iCal-style ORUK schedule (UK local times, no offset: they follow the clocks)."""
    venue = session["venue"]
    found = {
        "id": session["oruk_id"],
        "service_id": service_id,
        "service_at_location_id": service_at_location_id(service_id, venue["oruk_id"]),
        "valid_from": session["term_start"].isoformat(),
        "dtstart": first_occurrence(session["term_start"], session["weekday"]).isoformat(),
        "freq": "WEEKLY",
        "interval": 1,
        "byday": BYDAY[session["weekday"]],
        "opens_at": clock(session["start_time"]),
        "closes_at": clock(session["end_time"]),
        "description": (
            f"Every {DAY_NAMES[session['weekday']]}, {session['start_time']:%H:%M} to {session['end_time']:%H:%M}, "
            f"at {venue['name']}"
        ),
        "attending_type": "in person",
    }
    if session.get("term_end"):
        found["valid_to"] = session["term_end"].isoformat()
    if session.get("exception_dates"):
        found["notes"] = f"{NO_SESSION_PREFIX} {', '.join(sorted(session['exception_dates']))}."
    return found


def attributes(programme: dict, term_uri: UriBuilder | None = None) -> list[dict]:
    service_id = programme["oruk_id"]
    terms = [taxonomy.term(taxonomy.ACTIVITY, slug) for slug in programme["activity_types"]]
    terms += [taxonomy.term(taxonomy.PROVISION, slug) for slug in programme["provisions"]]
    terms.append(taxonomy.term(taxonomy.AUDIENCE, str(programme["gender"])))
    return [
        {
            "id": derived_uuid(service_id, "attribute", found.id),
            "link_id": service_id,
            "link_type": found.taxonomy.link_type,
            "link_entity": "service",
            "taxonomy_term_id": found.id,
            "taxonomy_term": taxonomy.term_json(found, term_uri),
        }
        for found in terms
        if found is not None
    ]
