"""Explanations are worded when read: a page reading a few words only those, and what it reads is what wording
everything at once gives (the reference's)."""

import pickle
from datetime import timedelta

import pytest

from bench.reference_matcher import reference_match
from bench.synthetic_world import TODAY, build_world
from matching import engine
from matching.catalogue import index_enrolments, prepare

DATE_TO = TODAY + timedelta(days=28)


@pytest.fixture(scope="module")
def world():
    return build_world(1500, 6, seed=11)


@pytest.fixture(scope="module")
def catalogue(world):
    return prepare(world.programmes)


def spy(monkeypatch, name: str) -> list:
    calls, original = [], getattr(engine, name)

    def counted(*args):
        calls.append(args[-1])
        return original(*args)

    monkeypatch.setattr(engine, name, counted)
    return calls


def test_the_excluded_programmes_are_worded_one_by_one_as_they_are_read(world, catalogue, monkeypatch):
    worded = spy(monkeypatch, "_exclusion")
    subject = world.subjects[0]
    result = engine.match(subject, catalogue, index_enrolments(catalogue, world.enrolments), TODAY, DATE_TO, TODAY)
    reference = reference_match(subject, world.programmes, world.enrolments, TODAY, DATE_TO, TODAY)
    assert worded == [] and len(reference.exclusions) > 10
    assert result.exclusions[:10] == reference.exclusions[:10]
    assert result.exclusions[-1] == reference.exclusions[-1]
    assert worded == [*range(10), len(reference.exclusions) - 1]
    assert result == reference
    assert sorted(worded) == list(range(len(reference.exclusions)))  # each worded once, however often read


def test_ruled_out_sessions_are_worded_once_for_the_page_shown_and_only_when_read(world, catalogue, monkeypatch):
    pages = spy(monkeypatch, "_ruled_out")
    enrolments = index_enrolments(catalogue, world.enrolments)
    with_ruled_out = []
    for subject in world.subjects:
        second_page = engine.match(subject, catalogue, enrolments, TODAY, DATE_TO, TODAY, limit=5, offset=5)
        assert pages == []
        reference = reference_match(
            subject, world.programmes, world.enrolments, TODAY, DATE_TO, TODAY, limit=5, offset=5
        )
        assert [s.ruled_out for s in second_page.suggestions] == [s.ruled_out for s in reference.suggestions]
        assert len(pages) == (1 if second_page.suggestions else 0)  # the five shown, in one go
        assert second_page == reference
        with_ruled_out += [s for s in second_page.suggestions if s.ruled_out]
        pages.clear()
    assert with_ruled_out  # the sample is not trivial


def test_a_result_pickles_as_plain_values(world, catalogue):
    subject = world.subjects[1]
    result = engine.match(subject, catalogue, world.enrolments, TODAY, DATE_TO, TODAY)
    copy = pickle.loads(pickle.dumps(result))
    assert type(copy.exclusions) is tuple and type(copy.other_exclusion_totals) is dict
    assert all(type(s.ruled_out) is tuple for s in copy.suggestions)
    assert copy == result == reference_match(subject, world.programmes, world.enrolments, TODAY, DATE_TO, TODAY)
