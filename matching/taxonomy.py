"""Shared vocabulary: activity types and their families, cultural and faith provisions, languages.

Pure data, used by the matcher, the portal forms, the seed and the directory alike.
Slugs are stable identifiers stored in the database; names are what people read.
"""

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Term:
    slug: str
    name: str
    parent: str | None = None


# The activity taxonomy lives in one data file, shared with the seed and the import's vocabulary.
ACTIVITY_FILE = Path(__file__).resolve().parent.parent / "seed" / "data" / "activities.json"


@dataclass(frozen=True)
class Family:
    """Closely related activities: a subject keen on one is likely to take to another ("boxing", "kickboxing")."""

    slug: str
    name: str


def _load_activities() -> tuple[tuple[Family, ...], tuple[Term, ...], dict[str, str], dict[str, tuple[str, ...]]]:
    data = json.loads(ACTIVITY_FILE.read_text(encoding="utf-8"))
    families = tuple(Family(f["slug"], f["name"]) for f in data["families"])
    activities = data["activities"]
    terms = tuple(Term(a["slug"], a["name"], a.get("parent")) for a in activities)
    family_of = {a["slug"]: a["family"] for a in activities if a.get("family")}
    synonyms = {a["slug"]: tuple(a.get("synonyms", ())) for a in activities}
    return families, terms, family_of, synonyms


ACTIVITY_FAMILIES, ACTIVITY_TYPES, ACTIVITY_FAMILY_OF, ACTIVITY_SYNONYMS = _load_activities()

PROVISIONS: tuple[Term, ...] = (
    Term("single-gender-sessions", "Single-gender sessions"),
    Term("female-staff", "Female staff available"),
    Term("male-staff", "Male staff available"),
    Term("halal-food", "Halal food"),
    Term("kosher-food", "Kosher food"),
    Term("vegetarian-food", "Vegetarian food"),
    Term("prayer-space", "Prayer space"),
    Term("prayer-times-respected", "Prayer times respected"),
    Term("faith-based-organisation", "Faith-based organisation"),
    Term("interpreter-available", "Interpreter available"),
    Term("step-free-access", "Step-free access"),
    Term("quiet-space", "Quiet space"),
)

# ISO 639-1 codes of the languages most spoken in the boroughs the portal serves first.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "bn": "Bengali",
    "so": "Somali",
    "tr": "Turkish",
    "ur": "Urdu",
    "pa": "Punjabi",
    "gu": "Gujarati",
    "ta": "Tamil",
    "pl": "Polish",
    "ro": "Romanian",
    "lt": "Lithuanian",
    "pt": "Portuguese",
    "es": "Spanish",
    "fr": "French",
    "ar": "Arabic",
    "yo": "Yoruba",
    "ak": "Akan (Twi)",
    "ku": "Kurdish",
    "el": "Greek",
    "he": "Hebrew",
    "yi": "Yiddish",
}

ACTIVITY_TYPE_NAMES: dict[str, str] = {term.slug: term.name for term in ACTIVITY_TYPES}
PROVISION_NAMES: dict[str, str] = {term.slug: term.name for term in PROVISIONS}
ACTIVITY_PARENTS: dict[str, str] = {term.slug: term.parent for term in ACTIVITY_TYPES if term.parent}
FAMILY_NAMES: dict[str, str] = {family.slug: family.name for family in ACTIVITY_FAMILIES}
FAMILY_MEMBERS: dict[str, tuple[str, ...]] = {
    family.slug: tuple(term.slug for term in ACTIVITY_TYPES if ACTIVITY_FAMILY_OF.get(term.slug) == family.slug)
    for family in ACTIVITY_FAMILIES
}
# What an activity filter may name: an activity type (with its children), or a whole family.
ACTIVITY_FILTER_CHOICES: tuple[tuple[str, str], ...] = (
    *((term.slug, term.name) for term in ACTIVITY_TYPES),
    *(
        (family.slug, f"{family.name}: any of {', '.join(ACTIVITY_TYPE_NAMES[m].lower() for m in members)}")
        for family in ACTIVITY_FAMILIES
        if (members := FAMILY_MEMBERS[family.slug])
    ),
)
# Each activity's relatives: the other activities of its family.
ACTIVITY_RELATIVES: dict[str, frozenset[str]] = {
    slug: frozenset(other for other, of in ACTIVITY_FAMILY_OF.items() if of == family and other != slug)
    for slug, family in ACTIVITY_FAMILY_OF.items()
}

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
