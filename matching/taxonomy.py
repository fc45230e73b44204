"""Shared vocabulary: activity types, cultural and faith provisions, languages.

Pure data, used by the matcher, the portal forms, the seed and the directory alike.
Slugs are stable identifiers stored in the database; names are what people read.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    slug: str
    name: str
    parent: str | None = None


ACTIVITY_TYPES: tuple[Term, ...] = (
    Term("mentoring", "Mentoring"),
    Term("sport", "Sport"),
    Term("football", "Football", "sport"),
    Term("boxing", "Boxing", "sport"),
    Term("basketball", "Basketball", "sport"),
    Term("martial-arts", "Martial arts", "sport"),
    Term("cricket", "Cricket", "sport"),
    Term("athletics", "Athletics and running", "sport"),
    Term("swimming", "Swimming", "sport"),
    Term("gym-fitness", "Gym and fitness", "sport"),
    Term("education-life-skills", "Education and life skills"),
    Term("employment-training", "Employment and training"),
    Term("music-creative-arts", "Music and creative arts"),
    Term("music", "Music and music production", "music-creative-arts"),
    Term("dance", "Dance", "music-creative-arts"),
    Term("drama", "Drama", "music-creative-arts"),
    Term("visual-arts", "Art and design", "music-creative-arts"),
    Term("digital-media", "Digital media and film", "music-creative-arts"),
    Term("knife-crime-awareness", "Knife-crime awareness"),
    Term("counselling", "Counselling"),
    Term("anger-management", "Anger management"),
    Term("substance-misuse-support", "Substance misuse support"),
    Term("first-aid", "First aid"),
    Term("youth-club", "Youth club"),
    Term("outdoor-activities", "Outdoor activities"),
    Term("cooking-nutrition", "Cooking and nutrition"),
)

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

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
