"""Deterministic demo data: partner organisations, users and programmes in east and north London.

Everything is built from the hand-written files in `seed/data/` plus a fixed `random.Random(2026)`,
so `build_demo()` returns exactly the same data on every call. Dates are relative to `DEMO_TODAY`.

Source files:
- organisations.csv: partners (extra columns `area`, `templates`, `languages`, `provisions` drive generation
  and are not part of the organisation dict);
- venues.csv: every venue, owned by one organisation; the first venue listed for an organisation is its main one;
- programme_templates.json: per-activity titles, descriptions, ages, times and provisions;
- fixed_programmes.json: hand-placed programmes the acceptance scenarios rely on;
- people.csv: fictional supervisors.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

DEMO_TODAY = date(2026, 11, 24)
DEMO_PASSWORD = "correct-horse-battery-staple-2026"  # published for the demo  # nosec B105
# Every demo account shares this published authenticator key, so anyone trying the demo can sign in: add it to an
# authenticator app, or print the current code with `flask --app portal demo-code`. Real accounts each get their own.
DEMO_TOTP_SECRET = "KCPODEMOKCPODEMOKCPODEMOKCPODEMO"  # published for the demo  # nosec B105
DEMO_SEED = 2026

ACADEMIC_YEAR_START = date(2026, 9, 1)
ACADEMIC_YEAR_END = date(2027, 8, 31)
TERM_START = date(2026, 9, 7)
SUMMER_TERM_END = date(2027, 7, 21)

# Closures applied as session exceptions when they fall on the session's weekday.
CHRISTMAS_CLOSURE = (date(2026, 12, 21), date(2027, 1, 1))
BANK_HOLIDAYS = (date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31))
HALF_TERMS = (
    (date(2026, 10, 26), date(2026, 10, 30)),
    (date(2027, 2, 15), date(2027, 2, 19)),
    (date(2027, 5, 31), date(2027, 6, 4)),
)

LATEST_EVENING_END = 21 * 60

ACCESS_STEP_FREE = (
    "Step-free entrance and an accessible toilet on the ground floor.",
    "Lift to all floors, accessible toilet and a hearing loop at reception.",
    "Level access from the street; the changing rooms and toilets are on the same floor as the hall.",
)
ACCESS_OTHER = (
    "The studio is up one flight of stairs with no lift. Call us to talk about alternatives.",
    "Outdoor pitch reached by a level path; changing rooms have two steps at the door.",
    "Older building with steps at the entrance. A portable ramp is available if you tell us in advance.",
    "Ground-floor room but the toilets are upstairs. Please ask if this is a barrier.",
)
REFERRAL_PROCESSES = (
    "Refer through the portal. We phone the young person within two working days to arrange a first visit "
    "with a parent or carer.",
    "Refer through the portal, then call the supervisor to agree a start date. A short welcome meeting comes "
    "before the first session.",
    "Referral through the portal with a brief summary of known risks and any exclusion zones. We hold a safety "
    "planning meeting with the young person and referrer before they start.",
    "Referrals through the portal or by email. Young people can also drop in with their referral letter and we "
    "will do the paperwork with them.",
)
COUNCIL_REFERRAL = (
    "Referrals through the portal from police, the Youth Justice Service or children's social care. A worker is "
    "allocated within five working days and contacts the family directly."
)


@dataclass
class Demo:
    organisations: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    programmes: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- source files


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _split(value: str) -> list[str]:
    return [part for part in value.split(";") if part]


@lru_cache(maxsize=1)
def _templates_json() -> str:
    return (DATA_DIR / "programme_templates.json").read_text(encoding="utf-8")


def load_templates() -> dict[str, dict[str, Any]]:
    """Programme templates keyed by template key (a fresh copy on every call)."""
    return {template["key"]: template for template in json.loads(_templates_json())}


def load_people() -> list[dict[str, str]]:
    return _read_csv("people.csv")


# --------------------------------------------------------------------------- small helpers shared with synthetic


def minutes_to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hhmm_to_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def email_local_part(full_name: str) -> str:
    return re.sub(r"[^a-z.-]", "", full_name.lower().replace(" ", "."))


def domain_of(email: str) -> str:
    return email.split("@", 1)[1]


def _dates_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


@lru_cache(maxsize=16)
def _closure_dates(weekday: int, with_half_terms: bool) -> tuple[date, ...]:
    days = [d for d in _dates_between(*CHRISTMAS_CLOSURE) if d.weekday() == weekday]
    days += [d for d in BANK_HOLIDAYS if d.weekday() == weekday]
    if with_half_terms and weekday < 5:
        for start, end in HALF_TERMS:
            days += [d for d in _dates_between(start, end) if d.weekday() == weekday]
    return tuple(sorted(set(days)))


def session_exceptions(weekday: int, term_start: str, term_end: str | None, with_half_terms: bool) -> list[str]:
    """Closure dates on `weekday` that fall inside the session's term."""
    first = date.fromisoformat(term_start)
    last = date.fromisoformat(term_end) if term_end else date.max
    return [d.isoformat() for d in _closure_dates(weekday, with_half_terms) if first <= d <= last]


def pick_slot(rng: random.Random, template: dict[str, Any], used_days: set[int]) -> tuple[int, str, str]:
    """A (weekday, start, end) slot typical for the template, on a day not already used."""
    minutes = rng.choice(template["minutes"])
    weekend = bool(template["weekend_starts"]) and rng.random() < template["weekend_share"]
    if weekend:
        days = [d for d in (5, 5, 6) if d not in used_days] or [5, 6]
        starts = template["weekend_starts"]
    else:
        days = [d for d in range(5) if d not in used_days] or list(range(5))
        starts = template["starts"]
    weekday = rng.choice(days)
    start = hhmm_to_minutes(rng.choice(starts))
    if start + minutes > LATEST_EVENING_END:
        start = LATEST_EVENING_END - minutes
    return weekday, minutes_to_hhmm(start), minutes_to_hhmm(start + minutes)


def programme_dates(rng: random.Random, status: str) -> tuple[str, str | None, str]:
    """(valid_from, valid_to, assured_on) around DEMO_TODAY."""
    assured_on = (DEMO_TODAY - timedelta(days=rng.randint(31, 425))).isoformat()
    if status == "archived":
        return "2025-09-01", "2026-07-24", assured_on
    roll = rng.random()
    if roll < 0.55:
        return ACADEMIC_YEAR_START.isoformat(), ACADEMIC_YEAR_END.isoformat(), assured_on
    if roll < 0.7:
        return ACADEMIC_YEAR_START.isoformat(), SUMMER_TERM_END.isoformat(), assured_on
    if roll < 0.85:
        return ACADEMIC_YEAR_START.isoformat(), None, assured_on
    return rng.choice(("2026-01-05", "2026-04-13", "2025-09-01")), None, assured_on


def term_for(valid_from: str, valid_to: str | None) -> tuple[str, str | None]:
    """The weekly timetable runs from the start of this academic year's term, or from valid_from if later."""
    start = date.fromisoformat(valid_from)
    finished_before_term = valid_to is not None and date.fromisoformat(valid_to) < TERM_START
    if start < TERM_START and not finished_before_term:
        start = TERM_START
    return start.isoformat(), valid_to


# --------------------------------------------------------------------------- demo building blocks


def _organisation(row: dict[str, str]) -> dict[str, Any]:
    keys = ("key", "name", "kind", "borough", "address", "postcode", "email", "phone", "website", "description")
    organisation: dict[str, Any] = {key: row[key] for key in keys}
    organisation["status"] = row["status"]
    return organisation


def _venue(row: dict[str, str]) -> dict[str, str]:
    return {"key": row["key"], "name": row["name"], "address": row["address"], "postcode": row["postcode"]}


def gender_and_provisions(
    rng: random.Random, template: dict[str, Any], org_provisions: list[str]
) -> tuple[str, list[str]]:
    gender = template["gender"]
    if gender == "any" and "single-gender-sessions" in org_provisions and rng.random() < 0.35:
        gender = rng.choice(("female", "male"))
    provisions = list(template["provisions"])
    provisions += [p for p in org_provisions if rng.random() < 0.6]
    if gender == "any":
        provisions = [p for p in provisions if p != "single-gender-sessions"]
    else:
        staff = "female-staff" if gender == "female" else "male-staff"
        other = "male-staff" if gender == "female" else "female-staff"
        provisions = ["single-gender-sessions", staff] + [p for p in provisions if p != other]
    return gender, list(dict.fromkeys(provisions))


def _languages(rng: random.Random, org_languages: list[str]) -> list[str]:
    if not org_languages or rng.random() < 0.2:
        return ["en"]
    count = rng.randint(1, min(3, len(org_languages)))
    chosen = set(rng.sample(org_languages, count))
    return ["en"] + [code for code in org_languages if code in chosen]


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return "paused"
    if roll < 0.09:
        return "archived"
    return "active"


def _supervisor(rng: random.Random, people: list[dict[str, str]], template: dict[str, Any], domain: str) -> dict:
    person = rng.choice(people)
    role = rng.choice(template["roles"]) if template.get("roles") else person["role"]
    return {
        "supervisor_name": person["full_name"],
        "supervisor_role": role,
        "supervisor_email": f"{email_local_part(person['full_name'])}@{domain}",
        "supervisor_phone": f"020 7946 0{rng.randint(200, 999):03d}",
    }


def _accessibility(rng: random.Random, provisions: list[str]) -> str:
    return rng.choice(ACCESS_STEP_FREE if "step-free-access" in provisions else ACCESS_OTHER)


def _referral(rng: random.Random, kind: str) -> str:
    return COUNCIL_REFERRAL if kind == "council" else rng.choice(REFERRAL_PROCESSES)


def _session(
    rng: random.Random, venue_key: str, slot: tuple[int, str, str], term: tuple[str, str | None]
) -> dict[str, Any]:
    weekday, start, end = slot
    term_start, term_end = term
    with_half_terms = weekday < 5 and rng.random() < 0.5
    return {
        "venue_key": venue_key,
        "weekday": weekday,
        "start": start,
        "end": end,
        "term_start": term_start,
        "term_end": term_end,
        "exceptions": session_exceptions(weekday, term_start, term_end, with_half_terms),
    }


def _venues_used(sessions: list[dict], venues: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    keys = list(dict.fromkeys(session["venue_key"] for session in sessions))
    return [dict(venues[key]) for key in keys]


class _Builder:
    """Holds the parsed source files and the single random stream while the demo is assembled."""

    def __init__(self) -> None:
        self.rng = random.Random(DEMO_SEED)
        self.org_rows = _read_csv("organisations.csv")
        self.orgs = {row["key"]: row for row in self.org_rows}
        self.templates = load_templates()
        self.people = load_people()
        self.venues: dict[str, dict[str, str]] = {}
        self.org_venues: dict[str, list[str]] = {}
        for row in _read_csv("venues.csv"):
            self.venues[row["key"]] = _venue(row)
            self.org_venues.setdefault(row["organisation_key"], []).append(row["key"])
        self.fixed = json.loads((DATA_DIR / "fixed_programmes.json").read_text(encoding="utf-8"))
        self.keys: set[str] = set()

    def _unique_key(self, base: str) -> str:
        key, n = base, 1
        while key in self.keys:
            n += 1
            key = f"{base}-{n}"
        self.keys.add(key)
        return key

    def _common(self, org: dict[str, str], template: dict[str, Any], provisions: list[str], status: str) -> dict:
        valid_from, valid_to, assured_on = programme_dates(self.rng, status)
        common = {
            "accessibility_notes": _accessibility(self.rng, provisions),
            "referral_process": _referral(self.rng, org["kind"]),
            **_supervisor(self.rng, self.people, template, domain_of(org["email"])),
            "valid_from": valid_from,
            "valid_to": valid_to,
            "assured_on": assured_on,
        }
        return common

    def fixed_programme(self, spec: dict[str, Any]) -> dict[str, Any]:
        org = self.orgs[spec["organisation_key"]]
        template = self.templates[spec["template"]]
        common = self._common(org, template, spec["provisions"], spec["status"])
        if "valid_from" in spec:
            common["valid_from"], common["valid_to"] = spec["valid_from"], spec["valid_to"]
        elif spec["status"] == "active":
            common["valid_from"], common["valid_to"] = ACADEMIC_YEAR_START.isoformat(), ACADEMIC_YEAR_END.isoformat()
        term = term_for(common["valid_from"], common["valid_to"])
        sessions = [
            self._fixed_session(venue_key, (weekday, start, end), term, spec["organisation_key"])
            for venue_key, weekday, start, end in spec["sessions"]
        ]
        return self._assemble(spec, org, spec["capacity"], 0, common, sessions)

    def _fixed_session(self, venue_key: str, slot: tuple[int, str, str], term: tuple, org_key: str) -> dict:
        if venue_key not in self.org_venues[org_key]:
            raise ValueError(f"venue {venue_key} does not belong to {org_key}")
        return _session(self.rng, venue_key, slot, term)

    def templated_programme(self, org: dict[str, str], template: dict[str, Any], titles_used: set[str]) -> dict:
        rng = self.rng
        gender, provisions = gender_and_provisions(rng, template, _split(org["provisions"]))
        min_age, max_age = rng.choice(template["age_bands"])
        title_choices = [t for t in template["titles"] if t not in titles_used] or template["titles"]
        title_pattern = rng.choice(title_choices)
        titles_used.add(title_pattern)
        title = title_pattern.format(area=org["area"])
        if gender == "female" and template["gender"] == "any":
            title = f"{title} (Girls)"
        elif gender == "male" and template["gender"] == "any":
            title = f"{title} (Boys)"
        status = _status(rng)
        common = self._common(org, template, provisions, status)
        sessions = self._templated_sessions(org["key"], template, term_for(common["valid_from"], common["valid_to"]))
        spec = {
            "key": self._unique_key(f"{org['key']}-{template['key']}"),
            "title": title,
            "description": rng.choice(template["descriptions"]),
            "activity_types": list(template["activity_types"]),
            "tags": sorted(rng.sample(template["tags"], min(len(template["tags"]), rng.randint(2, 4)))),
            "min_age": min_age,
            "max_age": max_age,
            "gender": gender,
            "languages": _languages(rng, _split(org["languages"])),
            "provisions": provisions,
            "status": status,
        }
        capacity = rng.randint(*template["capacity"])
        return self._assemble(spec, org, capacity, rng.choice(template["costs"]), common, sessions)

    def _templated_sessions(self, org_key: str, template: dict[str, Any], term: tuple[str, str | None]) -> list:
        venue_keys = self.org_venues[org_key]
        count = self.rng.randint(*template["sessions"])
        used_days: set[int] = set()
        sessions = []
        for _ in range(count):
            slot = pick_slot(self.rng, template, used_days)
            used_days.add(slot[0])
            venue_key = venue_keys[0] if self.rng.random() < 0.7 else self.rng.choice(venue_keys)
            sessions.append(_session(self.rng, venue_key, slot, term))
        sessions.sort(key=lambda s: (s["weekday"], s["start"]))
        return sessions

    def _assemble(
        self, spec: dict, org: dict[str, str], capacity: int, cost: int, common: dict, sessions: list[dict]
    ) -> dict[str, Any]:
        self.keys.add(spec["key"])
        return {
            "key": spec["key"],
            "organisation_key": org["key"],
            "title": spec["title"],
            "description": spec["description"],
            "activity_types": list(spec["activity_types"]),
            "tags": list(spec["tags"]),
            "min_age": spec["min_age"],
            "max_age": spec["max_age"],
            "gender": spec["gender"],
            "capacity": capacity,
            "cost_pence": cost,
            "languages": list(spec["languages"]),
            "provisions": list(spec["provisions"]),
            "accessibility_notes": common["accessibility_notes"],
            "referral_process": common["referral_process"],
            "supervisor_name": common["supervisor_name"],
            "supervisor_role": common["supervisor_role"],
            "supervisor_email": common["supervisor_email"],
            "supervisor_phone": common["supervisor_phone"],
            "valid_from": common["valid_from"],
            "valid_to": common["valid_to"],
            "assured_on": common["assured_on"],
            "status": spec["status"],
            "venues": _venues_used(sessions, self.venues),
            "sessions": sessions,
        }

    def programmes(self) -> list[dict[str, Any]]:
        fixed_by_org: dict[str, list[dict]] = {}
        for spec in self.fixed:
            fixed_by_org.setdefault(spec["organisation_key"], []).append(spec)
            self.keys.add(spec["key"])
        programmes = []
        for org in self.org_rows:
            programmes += [self.fixed_programme(spec) for spec in fixed_by_org.get(org["key"], [])]
            titles_used: set[str] = set()
            for template_key in _split(org["templates"]):
                programmes.append(self.templated_programme(org, self.templates[template_key], titles_used))
        return programmes

    def users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = [
            _user("admin@kcpo.example.org", "Rosa Delgado", "admin"),
            _user("auditor@kcpo.example.org", "Grace Adebayo", "auditor", unit="Information Assurance"),
            _user(
                "officer@met.example.org",
                "Daniel Okoro",
                "officer",
                unit="Tower Hamlets Gangs Unit",
                borough="Tower Hamlets",
            ),
            _user(
                "officer.hackney@met.example.org",
                "Sarah Whitlock",
                "officer",
                unit="Hackney Violence Suppression Unit",
                borough="Hackney",
            ),
            _user(
                "officer.newham@met.example.org",
                "Arjun Mehta",
                "officer",
                unit="Newham Youth Engagement Team",
                borough="Newham",
            ),
        ]
        approved = [row for row in self.org_rows if row["status"] == "approved"]
        others = [row for row in self.org_rows if row["status"] != "approved"]
        partner_orgs = approved[:14] + others
        names = self.rng.sample([p["full_name"] for p in self.people], len(partner_orgs))
        for row, name in zip(partner_orgs, names, strict=True):
            local = "partner" if row["key"] == "bow-boxing" else email_local_part(name)
            users.append(_user(f"{local}@{domain_of(row['email'])}", name, "partner", organisation_key=row["key"]))
        return users


def _user(
    email: str,
    full_name: str,
    role: str,
    organisation_key: str | None = None,
    unit: str | None = None,
    borough: str | None = None,
) -> dict[str, Any]:
    return {
        "email": email,
        "full_name": full_name,
        "role": role,
        "organisation_key": organisation_key,
        "unit": unit,
        "borough": borough,
    }


def build_demo() -> Demo:
    """The full demo data set. Pure and deterministic: every call returns equal data."""
    builder = _Builder()
    organisations = [_organisation(row) for row in builder.org_rows]
    programmes = builder.programmes()
    users = builder.users()
    return Demo(organisations=organisations, users=users, programmes=programmes)
