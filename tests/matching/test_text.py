import pytest

from matching.catalogue import prepare
from matching.text import (
    CONCEPT_KEYWORDS,
    LEXICON,
    normalise,
    parse_interest_text,
    parse_interests,
    similarity,
    tokens,
)
from tests.matching.builders import profile, programme


def concepts(text):
    return [(i.label, i.concept) for i in parse_interest_text(text)]


def test_normalise_folds_case_accents_and_punctuation():
    assert normalise("  Café-Boxing, JIU-JITSU! ") == "cafe boxing jiu jitsu"


def test_tokens_drop_filler_words():
    assert tokens("He wants to get into the studio") == ["studio"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("footy, music", [("footy", "football"), ("music", "music")]),
        ("wants to get into music production", [("music production", "music")]),
        ("needs help with CV", [("cv", "employment-training")]),
        ("MMA and jiu jitsu", [("mma", "martial-arts"), ("jiu jitsu", "martial-arts")]),
        ("grime/drill, DJ", [("grime", "music"), ("drill", "music"), ("dj", "music")]),
        ("graffiti", [("graffiti", "visual-arts")]),
        ("acting", [("acting", "drama")]),
        ("gym & weights", [("gym", "gym-fitness"), ("weights", "gym-fitness")]),
        ("bball", [("bball", "basketball")]),
    ],
)
def test_synonyms(text, expected):
    assert concepts(text) == expected


@pytest.mark.parametrize(("typo", "concept"), [("fotball", "football"), ("boxxing", "boxing"), ("musik", "music")])
def test_typos_reach_the_concept_with_reduced_confidence(typo, concept):
    (interest,) = parse_interest_text(typo)
    assert interest.concept == concept
    assert 0.8 <= interest.confidence < 1.0


def test_a_different_first_letter_is_not_a_typo():
    assert similarity("chance", "dance") == 0.0
    assert [i.concept for i in parse_interest_text("chance")] == [None]


def test_short_words_match_only_exactly():
    assert similarity("art", "arts") == 0.0
    assert similarity("dj", "dj") == 100.0


def test_unknown_words_become_keywords():
    (interest,) = parse_interest_text("chess")
    assert (interest.concept, interest.keyword) == (None, "chess")


def test_profile_types_come_first_and_repeats_are_dropped():
    subject = profile(interest_activity_types=("football",), interest_text="footy, soccer, boxing")
    assert [(i.label, i.concept) for i in parse_interests(subject)] == [("Football", "football"), ("boxing", "boxing")]


def test_every_synonym_points_at_a_real_activity_type():
    from matching.taxonomy import ACTIVITY_TYPE_NAMES

    assert set(LEXICON.values()) <= set(ACTIVITY_TYPE_NAMES)
    assert "footy" in CONCEPT_KEYWORDS["football"]


def test_vocabulary_is_unique_terms_with_postings():
    catalogue = prepare([programme(id=1), programme(id=2, sessions=(), title="Boxing Club")])
    index = catalogue.text
    assert len(index.terms) == len(set(index.terms))
    assert sorted(index.programmes_with_term(index.term_ids["boxing"]).tolist()) == [0, 1]
    assert index.programmes_with_term(index.term_ids["club"]).tolist() == [1]


def test_fuzzy_vocabulary_lookup_is_done_once_per_interest():
    catalogue = prepare([programme(description="Chess club")])
    (interest,) = parse_interest_text("chesss")
    assert catalogue.text.term_matches(interest) == {"chess": pytest.approx(100 * (1 - 1 / 11))}
