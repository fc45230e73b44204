import tracemalloc
from datetime import date

import pytest

from bench.synthetic_world import build_world
from matching.catalogue import index_enrolments, prepare
from matching.engine import match
from matching.model import Enrolment
from tests.matching.builders import DATE_FROM, DATE_TO, TODAY, profile, programme, session, venue

MEMORY_BUDGET_AT_100K = 300 * 1024 * 1024


def test_prepared_memory_scales_within_the_budget():
    world = build_world(4000, 0, seed=3)
    tracemalloc.start()
    prepare(world.programmes)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak * (100_000 / 4000) < MEMORY_BUDGET_AT_100K


def test_arrays_line_up_with_programmes_and_sessions():
    first = programme(id=7, sessions=(session(id=1), session(id=2, weekday=3)))
    second = programme(id=9, sessions=(), valid_to=date(2026, 1, 1))
    catalogue = prepare([first, second])
    assert catalogue.programme_id.tolist() == [7, 9]
    assert catalogue.session_offsets.tolist() == [0, 2, 2]
    assert catalogue.session_programme.tolist() == [0, 0]
    assert catalogue.week_start.tolist() == [1 * 1440 + 990, 3 * 1440 + 990]
    assert catalogue.valid_to[1] == date(2026, 1, 1).toordinal()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([programme(id=1), programme(id=1, sessions=(session(id=2),))], "programme ids"),
        ([programme(id=1), programme(id=2)], "session ids"),
        ([programme(sessions=(session(venue_id=99),))], "venue 99"),
        ([programme(sessions=(session(start=1400, end=1500),))], "within one day"),
    ],
)
def test_invalid_catalogues_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        prepare(bad)


def test_a_reusable_enrolment_index_gives_the_same_answer():
    catalogue = prepare([programme(capacity=1), programme(id=2, sessions=(session(id=5),), venues=(venue(),))])
    enrolments = [Enrolment(7, 1), Enrolment(8, 999)]
    direct = match(profile(), catalogue, enrolments, DATE_FROM, DATE_TO, TODAY)
    indexed = match(profile(), catalogue, index_enrolments(catalogue, enrolments), DATE_FROM, DATE_TO, TODAY)
    assert direct == indexed
    assert [s.programme_id for s in direct.suggestions] == [2]


def test_dates_must_be_in_order():
    with pytest.raises(ValueError, match="before"):
        match(profile(), prepare([programme()]), (), DATE_TO, DATE_FROM, TODAY)


def test_an_empty_catalogue_matches_nothing():
    result = match(profile(), prepare([]), (), DATE_FROM, DATE_TO, TODAY)
    assert (result.suggestions, result.exclusions, result.excluded_total) == ((), (), 0)
