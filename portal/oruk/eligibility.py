"""Who may take part, read from an imported service's words: the gender and age vocabularies the importer understands.

Fail-closed: a phrase is "understood" only when every word in it is either part of a known gender or age phrase,
an activity the matcher knows, or a filler word. Anything else that could restrict who may attend is returned as
not understood, so the importer holds the service for review instead of publishing it as open to anyone.
"""

import re
from dataclasses import dataclass, field

from matching.text import LEXICON, normalise
from portal.models import Gender

# Several spellings of each rule, normalised (lower case, punctuation as spaces). Longest phrases first.
GENDER_PHRASES: dict[str, Gender] = {
    phrase: gender
    for gender, phrases in (
        (
            Gender.FEMALE,
            "girls and young women|young women and girls|women and girls|girls only|girl only|young women only|"
            "young women|women only|female only|females only|female|females|girls|girl|young females|"
            "women|ladies|sisters",
        ),
        (
            Gender.MALE,
            "boys and young men|young men and boys|men and boys|boys only|boy only|young men only|young men|"
            "men only|male only|males only|male|males|boys|boy|young males|men|lads|brothers",
        ),
        (
            Gender.ANY,
            "boys and girls|girls and boys|mixed|mixed gender|all genders|any gender|co ed|coed|open to all|"
            "open to everyone|everyone|anyone|all young people",
        ),
    )
    for phrase in phrases.split("|")
}
LGBTQ_PHRASES = (
    "lgbtqia|lgbtqi|lgbtq|lgbt|lgbtq plus|queer|trans|transgender|non binary|nonbinary|gay|lesbian|bisexual"
).split("|")
LGBTQ_RULE = "LGBTQ+ young people only: the portal has no rule for this"

_YEARS = r"(?:\s*(?:years?|yrs?)(?:\s*olds?)?)?"
AGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b(?:aged?s?\s*)?(\d{{1,2}})\s*(?:to|-)\s*(\d{{1,2}}){_YEARS}s?\b"), "range"),
    (re.compile(r"\b(?:under|below|younger than|u)[\s-]*(\d{1,2})s?\b"), "under"),
    (re.compile(r"\bup ?to\s*(?:(?:the )?age\s*(?:of\s*)?)?(\d{1,2})\b"), "up-to"),
    (re.compile(rf"\b(\d{{1,2}}){_YEARS}\s*(?:and|or)\s*(?:under|younger)\b"), "up-to"),
    (re.compile(r"\b(?:over|older than)[\s-]*(\d{1,2})s?\b"), "over"),
    (
        re.compile(
            rf"\b(?:aged?s?\s*)?(\d{{1,2}}){_YEARS}\s*(?:\+|plus\b|and over|and above|or over|or older|and older)"
        ),
        "plus",
    ),
)
# School years ("Year 9", "Years 7 to 11") are not ages: kept as a word the importer does not understand.
SCHOOL_YEARS = re.compile(r"\b(?:school\s+)?years?\s*\d{1,2}(?:\s*(?:to|-)\s*(?:years?\s*)?\d{1,2})?\b")
# Words that say nothing about who may attend.
FILLER = frozenset(
    """a an the for and or of to in on at with only all any young people person persons children child youth
    youths teenagers teens teen kids welcome open aged age ages years year yrs olds old group groups session
    sessions club clubs programme project activities activity service who is are can attend take part from
    between s gender genders sex audience eligibility eligible suitable participants attendees""".split()
)
_DASHES = re.compile(r"[\u2010-\u2015]")


@dataclass
class Reading:
    """What a phrase says about who may attend, and whether every word of it was understood."""

    genders: set[Gender] = field(default_factory=set)
    min_age: int | None = None
    max_age: int | None = None
    lgbtq: bool = False
    activities: list[str] = field(default_factory=list)  # activity words found, as written
    leftover: list[str] = field(default_factory=list)  # words neither understood nor filler

    @property
    def understood(self) -> bool:
        return not self.leftover and not self.lgbtq and len(self.genders - {Gender.ANY}) <= 1

    @property
    def restricts(self) -> bool:
        """Whether a phrase not fully understood could limit who may attend (unknown words always could)."""
        return bool(self.leftover) or self.lgbtq or len(self.genders - {Gender.ANY}) > 1

    @property
    def gender(self) -> Gender | None:
        restricted = self.genders - {Gender.ANY}
        if len(restricted) == 1:
            return next(iter(restricted))
        return Gender.ANY if self.genders == {Gender.ANY} else None

    @property
    def looks_like_an_activity(self) -> bool:
        """An unknown term made only of activity words (and filler): an activity, not a restriction."""
        return bool(self.activities) and not self.leftover and not self.genders and not self.lgbtq


def read(text: str) -> Reading:
    """Read one phrase (a taxonomy term's name, or one clause of an eligibility description)."""
    reading = Reading()
    lowered = SCHOOL_YEARS.sub(" schoolyear ", _DASHES.sub("-", text.lower()))
    words = f" {normalise(_read_ages(lowered, reading))} "
    words = _remove(words, LGBTQ_PHRASES, lambda _phrase: setattr(reading, "lgbtq", True))
    genders = sorted(GENDER_PHRASES, key=len, reverse=True)
    words = _remove(words, genders, lambda phrase: reading.genders.add(GENDER_PHRASES[phrase]))
    words = _remove(words, sorted((p for p in LEXICON if " " in p), key=len, reverse=True), reading.activities.append)
    for word in words.split():
        if word in LEXICON:
            reading.activities.append(word)
        elif word not in FILLER:
            reading.leftover.append(word)  # a number no age pattern took is not understood either
    return reading


def _remove(words: str, phrases: list[str], found: object) -> str:
    for phrase in phrases:
        marker = f" {phrase} "
        while marker in words:
            found(phrase)  # type: ignore[operator]
            words = words.replace(marker, " ", 1)
    return words


def _read_ages(words: str, reading: Reading) -> str:
    for pattern, kind in AGE_PATTERNS:
        for match in pattern.finditer(words):
            numbers = [int(number) for number in match.groups()]
            low, high = _age_bounds(kind, numbers)
            if low is not None:
                reading.min_age = max(low, reading.min_age or low)
            if high is not None:
                reading.max_age = min(high, reading.max_age or high)
        words = pattern.sub(" ", words)
    return words


def _age_bounds(kind: str, numbers: list[int]) -> tuple[int | None, int | None]:
    if kind == "range":
        return min(numbers), max(numbers)
    if kind == "under":
        return None, numbers[0] - 1
    if kind == "up-to":
        return None, numbers[0]
    if kind == "over":
        return numbers[0] + 1, None
    return numbers[0], None


def clauses(text: str) -> list[str]:
    """An eligibility description split into the clauses read one by one ("Girls aged 13-17. Must live in E3")."""
    return [part.strip() for part in re.split(r"[.;\n]+|\bbut\b", text) if part.strip()]


GENDER_RULES = {
    Gender.ANY: "anyone",
    Gender.MALE: "boys and young men only",
    Gender.FEMALE: "girls and young women only",
}


def describe(reading: Reading) -> str:
    """What an understood phrase was taken to mean ("girls and young women only, ages 13 to 17")."""
    parts = [GENDER_RULES[reading.gender]] if reading.gender is not None else []
    if reading.min_age is not None or reading.max_age is not None:
        parts.append(f"ages {reading.min_age or 'any'} to {reading.max_age or 'any'}")
    if reading.activities:
        parts.append(f"activity {', '.join(reading.activities)}")
    return ", ".join(parts) or "nothing that limits who can take part"
