"""Text normalisation, the synonym lexicon, interest parsing and typo-tolerant term similarity.

Everything here is deterministic and shared by the vectorised engine, the directory and the reference
matcher, so all three read free text the same way.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from matching.model import Programme, SubjectProfile
from matching.taxonomy import (
    ACTIVITY_PARENTS,
    ACTIVITY_RELATIVES,
    ACTIVITY_SYNONYMS,
    ACTIVITY_TYPE_NAMES,
    FAMILY_MEMBERS,
)

FUZZY_THRESHOLD = 80.0  # rapidfuzz Indel similarity (0-100) a typo must reach
MIN_FUZZY_LENGTH = 4  # shorter words ("dj", "cv", "art") only ever match exactly

STOPWORDS = frozenset(
    """
    a about after all also am an and any are as at be been bit but by can could did do does doing for from get gets
    getting go goes going good got had has have he her him his i if in into is it its just keen kind like likes liking
    lot lots love loves maybe me more most my need needs not of on or our out over play playing plays really same she
    so some something than that the their them they this those to too try trying up us used very want wanting wants
    was we well were what when which who will with would you your yours interested interest interests enjoy enjoys
    help helps helping
    """.split()
)

SYNONYMS: dict[str, tuple[str, ...]] = ACTIVITY_SYNONYMS  # the words people use, from the taxonomy file

TEXT_STRENGTH = 0.7  # a word in the programme's text is weaker evidence than its declared activity type
CHILD_TYPE_STRENGTH = 0.9  # "sport" is met by a boxing programme, a little less directly than by a "sport" one
FAMILY_TYPE_STRENGTH = 0.6  # "kickboxing" is partly met by a boxing programme: same family, not the same activity

_SEGMENT_SPLIT = re.compile(r"[,;/&+\n.!?()]|\band\b|\bor\b|\bplus\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents removed, anything that is not a letter or digit turned into single spaces."""
    lowered = text.lower()
    if not lowered.isascii():  # most text is plain ASCII already: decomposing it changes nothing
        lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", lowered).strip()


def tokens(text: str) -> list[str]:
    return [token for token in normalise(text).split() if token not in STOPWORDS]


def _build_lexicon() -> dict[str, str]:
    lexicon: dict[str, str] = {}
    for slug, name in ACTIVITY_TYPE_NAMES.items():
        lexicon.setdefault(normalise(slug), slug)
        lexicon.setdefault(normalise(name), slug)
    for slug, phrases in SYNONYMS.items():
        for phrase in phrases:
            lexicon[normalise(phrase)] = slug
    return lexicon


LEXICON: dict[str, str] = _build_lexicon()
LONGEST_PHRASE = max(len(phrase.split()) for phrase in LEXICON)
_FUZZY_LEXICON_WORDS = tuple(sorted(p for p in LEXICON if " " not in p and len(p) >= MIN_FUZZY_LENGTH))


def _concept_keywords() -> dict[str, frozenset[str]]:
    keywords: dict[str, set[str]] = {slug: set() for slug in ACTIVITY_TYPE_NAMES}
    for phrase, slug in LEXICON.items():
        if " " not in phrase and phrase not in STOPWORDS:
            keywords.setdefault(slug, set()).add(phrase)
    return {slug: frozenset(words) for slug, words in keywords.items()}


CONCEPT_KEYWORDS: dict[str, frozenset[str]] = _concept_keywords()
ACTIVITY_CHILDREN: dict[str, frozenset[str]] = {
    parent: frozenset(child for child, p in ACTIVITY_PARENTS.items() if p == parent)
    for parent in set(ACTIVITY_PARENTS.values())
}
# The activity types an activity filter selects: a type and its children, or every member of a family.
ACTIVITY_SELECTIONS: dict[str, frozenset[str]] = {
    **{slug: frozenset({slug}) | ACTIVITY_CHILDREN.get(slug, frozenset()) for slug in ACTIVITY_TYPE_NAMES},
    **{family: frozenset(members) for family, members in FAMILY_MEMBERS.items()},
}


def similarity_from_distance(distance: int, total_length: int) -> float:
    score = 100.0 * (1.0 - distance / total_length)
    return score if score >= FUZZY_THRESHOLD else 0.0


def fuzzy_candidate(a: str, b: str) -> bool:
    """Typos rarely change the first letter; requiring it keeps "chance" from meaning "dance"."""
    return len(a) >= MIN_FUZZY_LENGTH and len(b) >= MIN_FUZZY_LENGTH and a[0] == b[0]


@lru_cache(maxsize=200_000)
def similarity(a: str, b: str) -> float:
    """0-100: 100 for equal words, the Indel similarity for a close typo, otherwise 0."""
    if a == b:
        return 100.0
    if not fuzzy_candidate(a, b):
        return 0.0
    return similarity_from_distance(Indel.distance(a, b), len(a) + len(b))


@dataclass(frozen=True)
class Interest:
    """One thing the subject is interested in: an activity type (concept), a free keyword, or both."""

    label: str  # as the subject's record says it: "footy", "Boxing"
    concept: str | None  # activity type slug
    keyword: str | None  # normalised word matched fuzzily against programme text when there is no concept
    confidence: float  # 1.0, or the typo similarity / 100 when the concept was reached through a misspelling


def _best_fuzzy_lexicon_word(token: str) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for word in _FUZZY_LEXICON_WORDS:
        score = similarity(token, word)
        if score > 0.0 and (best is None or score > best[1]):
            best = (word, score)
    return best


def _segment_interests(words: list[str]) -> list[Interest]:
    found: list[Interest] = []
    position = 0
    while position < len(words):
        for size in range(min(LONGEST_PHRASE, len(words) - position), 0, -1):
            phrase = " ".join(words[position : position + size])
            if phrase in LEXICON:
                found.append(Interest(phrase, LEXICON[phrase], None, 1.0))
                position += size
                break
        else:
            found.extend(_word_interest(words[position]))
            position += 1
    return found


def _word_interest(word: str) -> list[Interest]:
    if word in STOPWORDS or len(word) < 3 or word.isdigit():
        return []
    fuzzy = _best_fuzzy_lexicon_word(word)
    if fuzzy is not None:
        return [Interest(word, LEXICON[fuzzy[0]], None, fuzzy[1] / 100.0)]
    return [Interest(word, None, word, 1.0)]


def parse_interests(profile: SubjectProfile) -> tuple[Interest, ...]:
    """The profile's activity types first, then what the free text mentions, without repeats."""
    interests = [
        Interest(ACTIVITY_TYPE_NAMES.get(slug, slug), slug, None, 1.0) for slug in profile.interest_activity_types
    ]
    interests.extend(parse_interest_text(profile.interest_text))
    return _deduplicate(interests)


def parse_keywords(text: str) -> tuple[Interest, ...]:
    return _deduplicate(parse_interest_text(text))


def parse_interest_text(text: str) -> list[Interest]:
    interests: list[Interest] = []
    for segment in _SEGMENT_SPLIT.split(text.lower()):
        interests.extend(_segment_interests(normalise(segment).split()))
    return interests


def _deduplicate(interests: list[Interest]) -> tuple[Interest, ...]:
    seen: set[tuple[str | None, str | None]] = set()
    unique: list[Interest] = []
    for interest in interests:
        key = (interest.concept, interest.keyword)
        if key not in seen:
            seen.add(key)
            unique.append(interest)
    return tuple(unique)


@dataclass(frozen=True)
class ProgrammeText:
    """A programme's words by field, in the order a match is worth reporting."""

    activity_types: frozenset[str]
    fields: tuple[tuple[str, frozenset[str]], ...]  # ("title", words), ("tags", ...), ("activity types", ...), ...

    @property
    def terms(self) -> frozenset[str]:
        return frozenset().union(*(words for _, words in self.fields))


def programme_text(programme: Programme) -> ProgrammeText:
    type_words = " ".join(f"{slug} {ACTIVITY_TYPE_NAMES.get(slug, '')}" for slug in programme.activity_types)
    fields = (
        ("title", frozenset(tokens(programme.title))),
        ("tags", frozenset(tokens(" ".join(programme.tags)))),
        ("activity types", frozenset(tokens(type_words))),
        ("description", frozenset(tokens(programme.description))),
    )
    return ProgrammeText(frozenset(programme.activity_types), fields)


def programme_terms(programme: Programme) -> frozenset[str]:
    return programme_text(programme).terms


def text_strength(interest: Interest, similarity_score: float) -> float:
    return TEXT_STRENGTH * interest.confidence * (similarity_score / 100.0)


def type_strength(interest: Interest, activity_types: frozenset[str]) -> float:
    if interest.concept is None:
        return 0.0
    if interest.concept in activity_types:
        return interest.confidence
    if activity_types & ACTIVITY_CHILDREN.get(interest.concept, frozenset()):
        return CHILD_TYPE_STRENGTH * interest.confidence
    if activity_types & ACTIVITY_RELATIVES.get(interest.concept, frozenset()):
        return FAMILY_TYPE_STRENGTH * interest.confidence
    return 0.0


def interest_term_similarity(interest: Interest, term: str) -> float:
    """How well one programme word evidences the interest (0-100)."""
    if interest.concept is not None:
        return 100.0 if term in CONCEPT_KEYWORDS.get(interest.concept, frozenset()) else 0.0
    if interest.keyword is None:
        return 0.0
    return similarity(interest.keyword, term)
