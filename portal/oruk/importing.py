"""ORUK 3.0 services -> the portal's model dicts, and what could not be mapped and why. No database.

Accepted documents: one service, a JSON array of services (a service package), a `/services` page (`contents`), an
organization with `services`, or an array of those. Each service is validated against the official schema; an
invalid one is skipped whole, with the schema's reasons.
"""

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from matching.taxonomy import LANGUAGES
from portal.infra.geo import Location, normalise_postcode
from portal.models import Gender, ProgrammeStatus
from portal.oruk import eligibility, residence, taxonomy
from portal.oruk.coordinates import grid_reference
from portal.oruk.export import BYDAY, NO_SESSION_PREFIX
from portal.oruk.validation import organization_errors, service_errors
from portal.rules.dates import PROGRAMME_DATES
from portal.rules.input_rules import control_character_in
from portal.rules.schedule import london_today

MINIMUM_AGE = 12
MAXIMUM_AGE = 25  # the portal lists programmes for ages 12 to 25 (the partner programme form's limits)
IMPORTED_CAPACITY = None  # ORUK 3.0 has no capacity: "places not confirmed" until the partner sets them
DEFAULT_KIND = "charity"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STATUSES = {
    "active": ProgrammeStatus.ACTIVE,
    "temporarily closed": ProgrammeStatus.PAUSED,
    "inactive": ProgrammeStatus.PAUSED,
    "defunct": ProgrammeStatus.ARCHIVED,
}
NOT_HELD = (
    "url",
    "email",
    "accreditations",
    "alert",
    "assurer_email",
    "funding",
)
MAX_NESTING = 32  # ORUK services nest about ten levels deep; far deeper is an attack on the parser and validator
MAX_NUMBER_DIGITS = 20
LANGUAGE_BY_NAME = {name.lower(): code for code, name in LANGUAGES.items()}
Geocoder = Callable[[str], Location | None]


class DocumentError(ValueError):
    """The file is not an ORUK document the portal can read at all."""


def parse_document(raw: bytes | str) -> object:
    """The file as JSON, refused with a reason (never a crash) when it is not JSON, nests too deeply, holds a number
    far longer than any ORUK field or not finite, or holds a control character (the portal's rule for all text)."""
    try:
        document = json.loads(raw, parse_int=_whole_number, parse_float=_finite_number, parse_constant=_no_constant)
    except RecursionError:
        raise DocumentError(_too_deep()) from None
    except DocumentError:
        raise
    except (UnicodeDecodeError, ValueError) as error:
        raise DocumentError(f"The file is not valid JSON ({error})") from None
    _check_contents(document)
    return document


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise DocumentError(f"The file holds a number {len(text):,} digits long; Open Referral UK numbers are short")
    return int(text)


def _finite_number(text: str) -> float:
    if len(text) > 2 * MAX_NUMBER_DIGITS or not math.isfinite(number := float(text)):
        raise DocumentError(f"The file holds a number too large to use ({text[:30]})")
    return number


def _no_constant(name: str) -> float:
    raise DocumentError(f"The file holds {name}, which is not a number JSON allows")


def _too_deep() -> str:
    return f"The file nests lists or objects more than {MAX_NESTING} levels deep; Open Referral UK data does not"


def _check_contents(document: object) -> None:
    """Walks the document without recursion: its depth, and every text (keys included) against the text rule."""
    pending: list[tuple[object, str, int]] = [(document, "", 0)]
    while pending:
        value, where, depth = pending.pop()
        if depth > MAX_NESTING:
            raise DocumentError(_too_deep())
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, f"{where}.{key[:40]}")
                pending.append((item, f"{where}.{key[:40]}", depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, where)


def _check_text(text: str, where: str) -> None:
    found = control_character_in(text)
    if found is not None:
        raise DocumentError(
            f"The file holds a control character ({found}) at {where.lstrip('.') or 'the top level'}: "
            "text must not contain control characters, such as NUL. Remove it and try again"
        )


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class MappedOrganisation:
    oruk_id: str
    fields: dict[str, Any]


@dataclass
class MappedVenue:
    oruk_id: str
    fields: dict[str, Any]


@dataclass
class MappedSession:
    oruk_id: str
    venue_oruk_id: str
    fields: dict[str, Any]


@dataclass
class MappedService:
    oruk_id: str
    name: str
    organisation: MappedOrganisation | None
    programme: dict[str, Any] = field(default_factory=dict)
    # Fields ORUK does not carry: used for a new programme, never to overwrite what a partner entered.
    defaults: dict[str, Any] = field(default_factory=dict)
    venues: list[MappedVenue] = field(default_factory=list)
    sessions: list[MappedSession] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    valid: bool = True
    # What the file says that the portal could not map: kept and shown on the listing's review page.
    unmapped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f'Service "{self.name}" ({self.oruk_id})'

    @property
    def held_for_review(self) -> bool:
        return any(item["restricts"] for item in self.unmapped)

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.where, message))

    def keep_unmapped(self, kind: str, text: str, restricts: bool) -> None:
        """Keep something the portal cannot map; one that may restrict who can take part holds the listing."""
        item = {"kind": kind, "text": text[:300], "restricts": restricts}
        if item in self.unmapped:
            return
        self.unmapped.append(item)
        if restricts:
            self.problem(
                f'{kind} "{item["text"]}" may limit who can take part and the portal cannot read it: the programme '
                "is held for review, hidden from officers until it is mapped or confirmed"
            )
        else:
            self.problem(f'{kind} "{item["text"]}" is not in the portal\'s lists: kept and shown on the programme')


def services_in(document: object) -> Iterator[tuple[dict, dict | None]]:
    """Each service in the document with the organization it came under (None when it came on its own)."""
    if isinstance(document, list):
        for item in document:
            yield from _services_of_item(item)
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        for item in document["contents"]:
            yield from _services_of_item(item)
    elif isinstance(document, dict):
        yield from _services_of_item(document)
    else:
        raise DocumentError("The file is not an Open Referral UK service, service list or organisation")


def _services_of_item(item: object) -> Iterator[tuple[dict, dict | None]]:
    if not isinstance(item, dict):
        raise DocumentError("The file holds something that is not an Open Referral UK service or organisation")
    if "status" not in item and isinstance(item.get("services"), list):
        organization = {key: value for key, value in item.items() if key != "services"}
        for service in item["services"]:
            if isinstance(service, dict):
                yield service, organization
        return
    if "name" not in item and "id" not in item:
        raise DocumentError("The file is not an Open Referral UK service, service list or organisation")
    yield item, None


def map_service(service: dict, parent: dict | None, geocode: Geocoder, today: date) -> MappedService:
    mapped = MappedService(
        oruk_id=str(service.get("id", "")), name=str(service.get("name", ""))[:160] or "(no name)", organisation=None
    )
    errors = service_errors(service)
    if parent is not None:
        errors += [f"organization: {error}" for error in organization_errors({**parent, "services": []})]
    if errors:
        mapped.valid = False
        for error in errors:
            mapped.problem(f"not valid ORUK 3.0, so not imported: {error}")
        return mapped
    mapped.organisation = map_organisation(service.get("organization") or parent, service)
    _map_programme(service, mapped)
    if not mapped.valid:
        return mapped
    locations = _map_locations(service, mapped, geocode)
    _map_schedules(service, mapped, locations, today)
    _note_not_held(service, mapped)
    return mapped


def map_organisation(organization: object, service: dict) -> MappedOrganisation | None:
    if not isinstance(organization, dict) or not organization.get("id") or not organization.get("name"):
        return None
    address, postcode = "", ""
    for location in _locations(service):
        for found in location.get("addresses") or []:
            address = _join_address(found.get("address_1", ""), found.get("city", ""))
            postcode = normalise_postcode(str(found.get("postal_code", ""))) or ""
            break
        if address:
            break
    website = str(organization.get("website") or organization.get("uri") or "")
    return MappedOrganisation(
        str(organization["id"]),
        {
            "name": str(organization["name"]).strip()[:160],
            "description": str(organization.get("description") or "").strip(),
            "email": str(organization.get("email") or "").strip().lower()[:254],
            "website": website[:300],
            "address": address[:300],
            "postcode": postcode,
            "kind": DEFAULT_KIND,
            "borough": "",
            "phone": "",
        },
    )


def _map_programme(service: dict, mapped: MappedService) -> None:
    minimum, maximum = _ages(service, mapped)
    if not mapped.valid:
        return
    rule = _Rule(set(), minimum, maximum)
    activity_types, provisions, tags = _attributes(service, mapped, rule)
    _eligibility_text(service, mapped, rule)
    residence_rule = _service_areas(service, mapped)
    gender = rule.gender(mapped)
    _gender_in_words(service, mapped, gender)
    minimum, maximum = rule.ages(mapped)
    if not mapped.valid:
        return
    programme: dict[str, Any] = {
        "title": mapped.name,
        "description": str(service.get("description") or "").strip(),
        "status": STATUSES[service["status"]],
        "min_age": minimum,
        "max_age": maximum,
        "activity_types": activity_types,
        "provisions": provisions,
        "gender": gender,
        "residence_rule": residence_rule,
        "languages": _languages(service, mapped),
        "cost_pence": _cost_pence(service, mapped),
        "accessibility_notes": _accessibility_notes(service),
        "assured_on": _assured_on(service),
        "unmapped_items": mapped.unmapped,
        "held_for_review": mapped.held_for_review,
    }
    if tags:
        programme["tags"] = tags
    if not programme["description"]:
        mapped.problem("has no description; add one so officers know what it offers")
    if programme["assured_on"] is None:
        mapped.problem("has no assured date or last-modified date: its details are shown as never confirmed")
    if service.get("application_process"):
        programme["referral_process"] = str(service["application_process"]).strip()
    mapped.programme = programme
    mapped.defaults = {
        "capacity": IMPORTED_CAPACITY,
        "referral_process": "",
        "tags": [],
        **_supervisor(service, mapped),
    }


def _ages(service: dict, mapped: MappedService) -> tuple[int, int]:
    minimum = service.get("minimum_age")
    maximum = service.get("maximum_age")
    if maximum is not None and maximum < MINIMUM_AGE:
        mapped.valid = False
        mapped.problem(f"is for ages up to {maximum:g}; the portal lists programmes from age {MINIMUM_AGE}")
        return 0, 0
    low = MINIMUM_AGE if minimum is None else int(minimum)
    high = MAXIMUM_AGE if maximum is None else int(maximum)
    if minimum is None or minimum < MINIMUM_AGE:
        mapped.problem(f"minimum age {'not given' if minimum is None else f'{minimum:g}'}: set to {MINIMUM_AGE}")
        low = MINIMUM_AGE
    if maximum is None or maximum > MAXIMUM_AGE:
        mapped.problem(f"maximum age {'not given' if maximum is None else f'{maximum:g}'}: set to {MAXIMUM_AGE}")
        high = MAXIMUM_AGE
    if low > high:
        mapped.valid = False
        mapped.problem(f"minimum age {low} is above the portal's maximum of {high}, so not imported")
    return low, high


@dataclass
class _Rule:
    """Who may take part, as the service's terms and eligibility text say: the narrowest of everything read."""

    genders: set[str]
    low: int
    high: int

    def add(self, reading: eligibility.Reading) -> None:
        if reading.gender is not None and reading.gender != Gender.ANY:
            self.genders.add(reading.gender.value)
        if reading.min_age is not None:
            self.low = max(self.low, reading.min_age)
        if reading.max_age is not None:
            self.high = min(self.high, reading.max_age)

    def gender(self, mapped: MappedService) -> str:
        if len(self.genders) > 1:
            mapped.keep_unmapped("eligibility", "says it is both boys-only and girls-only", True)
            return Gender.ANY.value
        return next(iter(self.genders), Gender.ANY.value)

    def ages(self, mapped: MappedService) -> tuple[int, int]:
        if self.high < MINIMUM_AGE or self.low > MAXIMUM_AGE:
            mapped.valid = False
            mapped.problem(f"is for ages {self.low} to {self.high}; the portal lists programmes for ages 12 to 25")
        low, high = max(self.low, MINIMUM_AGE), min(self.high, MAXIMUM_AGE)
        if low > high:
            mapped.keep_unmapped("eligibility", f"ages {self.low} to {self.high} contradict each other", True)
            return MINIMUM_AGE, MAXIMUM_AGE
        return low, high


def _attributes(service: dict, mapped: MappedService, rule: _Rule) -> tuple[list[str], list[str], list[str]]:
    """Activity types, provisions and tags (unknown activity terms, kept as words the matcher searches)."""
    activity_types: list[str] = []
    provisions: list[str] = []
    tags: list[str] = []
    for attribute in service.get("attributes") or []:
        raw = attribute.get("taxonomy_term") or {"id": attribute.get("taxonomy_term_id")}
        found = taxonomy.match_term(raw)
        if found is None:
            label = str(raw.get("name") or raw.get("term") or raw.get("code") or raw.get("id") or "(no term)")
            _unknown_term(label, mapped, rule, tags)
            continue
        if found.taxonomy.slug == taxonomy.AUDIENCE:
            rule.add(eligibility.Reading(genders={Gender(found.slug)}))
            continue
        bucket = activity_types if found.taxonomy.slug == taxonomy.ACTIVITY else provisions
        if found.slug not in bucket:
            bucket.append(found.slug)
    if not activity_types:
        mapped.problem("has no activity type from the portal's taxonomy; officers filtering by activity miss it")
    return activity_types, provisions, tags


def _unknown_term(label: str, mapped: MappedService, rule: _Rule, tags: list[str]) -> None:
    """A term outside the portal's taxonomies: who may attend in words the portal knows, an activity (kept as a tag
    the matcher searches), both ("Girls' football"), or something else, which holds the listing."""
    reading = eligibility.read(label)
    if not reading.understood:
        mapped.keep_unmapped("term", label, True)
        return
    if reading.activities:
        mapped.keep_unmapped("activity term", label, False)
        tag = label.strip().lower()[:40]
        if tag not in tags:
            tags.append(tag)
    if not reading.looks_like_an_activity:
        rule.add(reading)
        mapped.problem(f'term "{label}" read as: {eligibility.describe(reading)}')


def _eligibility_text(service: dict, mapped: MappedService, rule: _Rule) -> None:
    for clause in eligibility.clauses(str(service.get("eligibility_description") or "")):
        reading = eligibility.read(clause)
        if reading.understood:
            rule.add(reading)
            mapped.problem(f'eligibility "{clause}" read as: {eligibility.describe(reading)}')
        else:
            mapped.keep_unmapped("eligibility", clause, True)


def _gender_in_words(service: dict, mapped: MappedService, gender: str) -> None:
    """A name or description naming a gender the rule does not ("Girls' football club" with no term saying so):
    the rule may be missing, so a person checks."""
    for clause in eligibility.clauses(f"{mapped.name}. {service.get('description') or ''}"):
        said = eligibility.read(clause)
        if said.lgbtq or {found.value for found in said.genders} - {Gender.ANY.value, gender}:
            mapped.keep_unmapped("name or description", clause, True)


def _service_areas(service: dict, mapped: MappedService) -> dict[str, Any] | None:
    """Where people must live to take part, as the portal can check it (None: anywhere). An area it cannot read
    may mean "only for people living here": the listing is held for review."""
    readings = []
    for area in service.get("service_areas") or []:
        if not isinstance(area, dict):
            continue
        reading = residence.read_area(area)
        if reading is None:
            text = str(area.get("name") or area.get("service_area") or area.get("extent") or area.get("id") or "")
            mapped.keep_unmapped("service area", text or "(no name)", True)
            continue
        readings.append(reading)
        mapped.problem(f'service area "{reading.label}" read as: {_residence_phrase(reading)}')
    if not readings or any(reading.national for reading in readings):
        for reading in readings:
            mapped.unmapped.append({"kind": "coverage", "text": reading.label, "restricts": False})
        return None
    return {
        "label": "; ".join(dict.fromkeys(reading.label for reading in readings)),
        "postcodes": list(dict.fromkeys(code for reading in readings for code in reading.postcodes)),
        "polygons": [[[list(point) for point in ring] for ring in polygon] for r in readings for polygon in r.polygons],
    }


def _residence_phrase(reading: residence.Reading) -> str:
    if reading.national:
        return "open to people living anywhere"
    if reading.polygons:
        return "only for people whose home is inside the area drawn"
    return "only for people whose home postcode is in " + ", ".join(reading.postcodes)


def _languages(service: dict, mapped: MappedService) -> list[str]:
    codes: list[str] = []
    for language in service.get("languages") or []:
        code = str(language.get("code") or "").strip().lower()
        name = str(language.get("name") or "").strip().lower()
        found = code if code in LANGUAGES else LANGUAGE_BY_NAME.get(name)
        if found is None:
            label = language.get("name") or language.get("code") or language.get("id")
            mapped.keep_unmapped("language", str(label), False)
        elif found not in codes:
            codes.append(found)
    if not codes:
        mapped.problem("names no language staff work in; add at least one")
    return codes


def _cost_pence(service: dict, mapped: MappedService) -> int:
    amounts = [
        option["amount"]
        for option in service.get("cost_options") or []
        if isinstance(option.get("amount"), int | float) and option.get("currency", "GBP") == "GBP"
    ]
    if amounts:
        if len(set(amounts)) > 1:
            mapped.problem("has several prices; the lowest is kept as the cost per session")
        return max(0, round(min(amounts) * 100))
    fees = str(service.get("fees") or "").strip()
    if fees and "free" not in fees.lower():
        mapped.problem(f'fees "{fees[:60]}" have no amount in pounds: imported as free, check the cost')
    return 0


def _accessibility_notes(service: dict) -> str:
    notes: list[str] = []
    for location in _locations(service):
        for entry in location.get("accessibility") or []:
            text = str(entry.get("description") or entry.get("accessibility") or "").strip()
            if text and text not in notes:
                notes.append(text)
    return "\n".join(notes)[:2000]


def _assured_on(service: dict) -> date | None:
    """The feed's own date for when the details were last checked; None is "never confirmed", never today."""
    for key in ("assured_date", "last_modified"):
        raw = str(service.get(key) or "")[:10]
        if ISO_DATE.fullmatch(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                continue
    return None


def _supervisor(service: dict, mapped: MappedService) -> dict[str, str]:
    contacts = [contact for contact in service.get("contacts") or [] if contact.get("name")]
    if not contacts:
        mapped.problem("names no contact: add the programme's supervisor before officers refer to it")
        return {"supervisor_name": "", "supervisor_role": "", "supervisor_email": "", "supervisor_phone": ""}
    contact = contacts[0]
    phones = contact.get("phones") or []
    if len(contacts) > 1:
        mapped.problem("has several contacts: only the first is kept, as the supervisor")
    return {
        "supervisor_name": str(contact["name"])[:120],
        "supervisor_role": str(contact.get("title") or "")[:120],
        "supervisor_email": str(contact.get("email") or "").lower()[:254],
        "supervisor_phone": str(phones[0].get("number") or "")[:40] if phones and isinstance(phones[0], dict) else "",
    }


def _locations(service: dict) -> list[dict]:
    return [
        entry["location"]
        for entry in service.get("service_at_locations") or []
        if isinstance(entry.get("location"), dict)
    ]


def _join_address(first_line: str, city: str) -> str:
    first_line, city = str(first_line).strip(), str(city).strip()
    if city and not first_line.lower().endswith(city.lower()):
        return f"{first_line}, {city}" if first_line else city
    return first_line


def _map_locations(service: dict, mapped: MappedService, geocode: Geocoder) -> dict[str, str]:
    """Venues from the service's physical locations; returns each service_at_location id's venue id."""
    venue_of: dict[str, str] = {}
    for entry in service.get("service_at_locations") or []:
        location = entry.get("location")
        if not isinstance(location, dict):
            mapped.problem(f"service_at_location {entry['id']} has no location, so its schedules are not kept")
            continue
        venue = _venue(location, mapped, geocode)
        if venue is None:
            continue
        if all(existing.oruk_id != venue.oruk_id for existing in mapped.venues):
            mapped.venues.append(venue)
        venue_of[entry["id"]] = venue.oruk_id
        venue_of.setdefault(f"location:{venue.oruk_id}", venue.oruk_id)
    return venue_of


def _venue(location: dict, mapped: MappedService, geocode: Geocoder) -> MappedVenue | None:
    label = f'location "{location.get("name") or location["id"]}"'
    if location.get("location_type") != "physical":
        mapped.problem(f"{label} is {location.get('location_type')}, not a place to attend, so not kept")
        return None
    addresses = [address for address in location.get("addresses") or [] if address.get("address_type") != "postal"]
    address = addresses[0] if addresses else {}
    postcode = normalise_postcode(str(address.get("postal_code") or ""))
    if postcode is None:
        mapped.problem(f"{label} has no UK postcode, so it and its sessions are not kept")
        return None
    point = grid_reference(location.get("latitude"), location.get("longitude"))
    if point is None:
        found = geocode(postcode)
        if found is None:
            mapped.problem(
                f"{label}: postcode {postcode} is not a known UK postcode and there is no usable "
                "latitude and longitude, so it and its sessions are not kept"
            )
            return None
        point = (found.easting, found.northing)
    name = str(location.get("name") or address.get("address_1") or postcode).strip()[:160]
    return MappedVenue(
        str(location["id"]),
        {
            "name": name,
            "address": _join_address(address.get("address_1", ""), address.get("city", ""))[:300] or name,
            "postcode": postcode,
            "easting": point[0],
            "northing": point[1],
        },
    )


def _map_schedules(service: dict, mapped: MappedService, venue_of: dict[str, str], today: date) -> None:
    only_venue = mapped.venues[0].oruk_id if len(mapped.venues) == 1 else None
    for schedule in service.get("schedules") or []:
        label = f"schedule {schedule['id']}"
        venue_id = venue_of.get(str(schedule.get("service_at_location_id"))) or only_venue
        if schedule.get("service_at_location_id") and schedule["service_at_location_id"] not in venue_of:
            venue_id = None
        if venue_id is None:
            mapped.problem(f"{label} is not at a venue the portal could keep, so not kept")
            continue
        days, reason = _weekly_days(schedule)
        opens, closes = _clock(schedule.get("opens_at")), _clock(schedule.get("closes_at"))
        if reason is None and (opens is None or closes is None):
            reason = "has no opening and closing time"
        elif reason is None and closes <= opens:  # type: ignore[operator]
            reason = "closes before it opens (sessions past midnight are not supported)"
        if reason is not None:
            mapped.problem(f"{label} {reason}, so not kept")
            continue
        term_start = _date(schedule.get("valid_from")) or _date(schedule.get("dtstart"))
        if term_start is None:
            term_start = mapped.programme["assured_on"] or today
            mapped.problem(f"{label} has no start date: taken to run from {term_start.isoformat()}")
        for day in days:
            mapped.sessions.append(
                MappedSession(
                    f"{schedule['id']}#{BYDAY[day]}",  # one session a day: a day dropped later keeps the others
                    venue_id,
                    {
                        "weekday": day,
                        "start_time": opens,
                        "end_time": closes,
                        "term_start": term_start,
                        "term_end": _date(schedule.get("valid_to")),
                        "exception_dates": _exception_dates(schedule),
                    },
                )
            )
    if not mapped.sessions:
        mapped.problem("has no weekly session the portal could keep; officers cannot refer to it until one is added")
    _programme_dates(mapped, today)


def _weekly_days(schedule: dict) -> tuple[list[int], str | None]:
    if schedule.get("freq") != "WEEKLY":
        return [], f"repeats {str(schedule.get('freq') or 'never').lower()}, not weekly"
    if schedule.get("interval") not in (None, 1):
        return [], f"repeats every {schedule['interval']:g} weeks; the portal holds weekly sessions only"
    codes = [code.strip().upper() for code in str(schedule.get("byday") or "").split(",") if code.strip()]
    if not codes:
        return [], "names no day of the week"
    unknown = [code for code in codes if code not in BYDAY]
    if unknown:
        return [], f"has days the portal cannot hold ({', '.join(unknown)})"
    return sorted({BYDAY.index(code) for code in codes}), None


def _clock(raw: object) -> time | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip().upper().removesuffix("Z")
    text = re.sub(r"[+-]\d{2}:?\d{2}$", "", text)
    try:
        return time.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        return None


def _date(raw: object) -> date | None:
    """A schedule's date; one outside the window programme dates may take counts as not given."""
    if not isinstance(raw, str) or not ISO_DATE.match(raw.strip()):
        return None
    try:
        day = date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None
    return day if PROGRAMME_DATES.contains(day, london_today()) else None


def _exception_dates(schedule: dict) -> list[str]:
    notes = str(schedule.get("notes") or "")
    if not notes.startswith(NO_SESSION_PREFIX):
        return []
    found = []
    for raw in ISO_DATE.findall(notes):
        try:
            found.append(date.fromisoformat(raw).isoformat())
        except ValueError:
            continue
    return sorted(set(found))


def _programme_dates(mapped: MappedService, today: date) -> None:
    """A programme runs from its first session's start to its last session's end (open-ended if any is)."""
    sessions = [session.fields for session in mapped.sessions]
    mapped.programme["valid_from"] = (
        min(session["term_start"] for session in sessions) if sessions else mapped.programme["assured_on"] or today
    )
    ends = [session["term_end"] for session in sessions]
    mapped.programme["valid_to"] = max(ends) if ends and all(ends) else None


def _note_not_held(service: dict, mapped: MappedService) -> None:
    present = [name for name in NOT_HELD if service.get(name)]
    if present:
        mapped.problem(f"the portal does not hold {', '.join(present)}, so these were not kept")
