"""The vectorised engine and the naive reference agree on a realistic synthetic catalogue."""

from datetime import timedelta

import pytest

from bench.reference_matcher import reference_match
from bench.synthetic_world import TODAY, build_world
from matching.catalogue import index_enrolments, prepare
from matching.engine import match
from matching.model import MatchFilters

DATE_TO = TODAY + timedelta(days=28)


@pytest.fixture(scope="module")
def world():
    return build_world(1500, 8, seed=11)


@pytest.fixture(scope="module")
def catalogue(world):
    return prepare(world.programmes)


@pytest.mark.parametrize("subject_number", range(8))
def test_identical_results(world, catalogue, subject_number):
    subject = world.subjects[subject_number]
    engine = match(subject, catalogue, index_enrolments(catalogue, world.enrolments), TODAY, DATE_TO, TODAY)
    reference = reference_match(subject, world.programmes, world.enrolments, TODAY, DATE_TO, TODAY)
    assert engine == reference
    assert engine.feasible_total + engine.excluded_total == len(world.programmes)


def test_the_sample_is_not_trivial(world, catalogue):
    results = [match(s, catalogue, world.enrolments, TODAY, DATE_TO, TODAY) for s in world.subjects]
    assert sum(1 for r in results if r.suggestions) >= 4
    assert sum(len(r.exclusions) for r in results) >= 20


@pytest.mark.parametrize(
    "filters", [MatchFilters(activity_type="sport"), MatchFilters(weekday=2), MatchFilters(max_distance_m=8000.0)]
)
def test_identical_results_with_filters(world, catalogue, filters):
    subject = world.subjects[0]
    engine = match(subject, catalogue, world.enrolments, TODAY, DATE_TO, TODAY, filters=filters, limit=40)
    reference = reference_match(subject, world.programmes, world.enrolments, TODAY, DATE_TO, TODAY, filters=filters,
                                limit=40)  # fmt: skip
    assert engine == reference


def test_the_synthetic_world_is_deterministic():
    assert build_world(50, 3, seed=4) == build_world(50, 3, seed=4)
