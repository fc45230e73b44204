from datetime import date

import pytest

from matching.catalogue import prepare
from matching.directory import DirectoryQuery, search
from tests.matching.builders import HOME, TODAY, programme, programme_at, session

FOOTBALL = dict(title="Sunday League", description="Weekly matches", activity_types=("football",), tags=())


@pytest.fixture(scope="module")
def catalogue():
    return prepare(
        [
            programme_at(1, 1000.0),  # boxing, Tuesday 16:30-18:00, ages 12-18
            programme_at(2, 3000.0, **FOOTBALL, languages=("en", "so"), provisions=("halal-food",)),
            programme_at(
                3,
                500.0,
                title="Beat lab",
                description="Music production studio",
                activity_types=("music",),
                tags=(),
                min_age=16,
                max_age=21,
                sessions=(session(id=30, venue_id=3, weekday=4, start=1080, end=1200),),
            ),
            programme_at(4, 200.0, status="paused"),
            programme_at(5, 200.0, organisation_approved=False),
            programme_at(6, 200.0, valid_to=date(2025, 11, 1)),
            programme_at(7, 200.0, sessions=(session(id=70, venue_id=7, term_end=date(2025, 10, 1)),)),
        ]
    )


def ids(result):
    return [item.programme_id for item in result.items]


def query(**fields):
    return DirectoryQuery(today=TODAY, **fields)


def test_only_approved_active_programmes_valid_today_with_current_sessions(catalogue):
    assert sorted(ids(search(catalogue, query()))) == [1, 2, 3]


@pytest.mark.parametrize(("keyword", "expected"), [("boxxing", [1]), ("footy", [2]), ("grime", [3]), ("studio", [3])])
def test_keyword_is_typo_tolerant_and_understands_synonyms(catalogue, keyword, expected):
    result = search(catalogue, query(keyword=keyword))
    assert ids(result) == expected
    assert result.items[0].relevance > 0


def test_parent_activity_type_includes_children(catalogue):
    assert sorted(ids(search(catalogue, query(activity_type="sport")))) == [1, 2]
    assert ids(search(catalogue, query(activity_type="music-creative-arts"))) == [3]


def test_weekday_and_time_window(catalogue):
    assert ids(search(catalogue, query(weekday=4))) == [3]
    assert sorted(ids(search(catalogue, query(time_from=990, time_to=1080)))) == [1, 2]
    assert ids(search(catalogue, query(time_from=1000))) == [3]


def test_age_language_and_provision(catalogue):
    assert sorted(ids(search(catalogue, query(age=20)))) == [3]
    assert ids(search(catalogue, query(language="so"))) == [2]
    assert ids(search(catalogue, query(provision="halal-food"))) == [2]
    assert ids(search(catalogue, query(language="xx"))) == []


def test_distance_radius_and_ordering(catalogue):
    result = search(catalogue, query(easting=HOME[0], northing=HOME[1], radius_m=1000.0))
    assert ids(result) == [3, 1]
    assert [item.distance_m for item in result.items] == [500.0, 1000.0]


def test_relevance_first_then_distance(catalogue):
    result = search(catalogue, query(keyword="boxing music", easting=HOME[0], northing=HOME[1]))
    assert ids(result) == [3, 1]
    assert result.items[0].relevance == result.items[1].relevance


def test_pagination_reports_the_total(catalogue):
    result = search(catalogue, query(limit=1, offset=1, easting=HOME[0], northing=HOME[1]))
    assert result.total == 3
    assert ids(result) == [1]
    assert result.items[0].session_ids == (10,)


def test_no_point_means_no_distance(catalogue):
    assert all(item.distance_m is None for item in search(catalogue, query()).items)


def test_a_catalogue_with_nothing_in_it():
    assert search(prepare([programme(sessions=())]), query()).total == 0


def test_a_keyword_finds_the_activity_s_family_with_less_relevance_than_the_activity(catalogue):
    found = search(catalogue, DirectoryQuery(today=TODAY, keyword="kickboxing"))
    assert ids(found) == [1]  # the boxing club: boxing and kickboxing are one family
    assert (
        0
        < found.items[0].relevance
        < search(catalogue, DirectoryQuery(today=TODAY, keyword="boxing")).items[0].relevance
    )


def test_a_family_filter_finds_each_of_its_activities(catalogue):
    assert ids(search(catalogue, DirectoryQuery(today=TODAY, activity_type="combat-sports"))) == [1]
    assert ids(search(catalogue, DirectoryQuery(today=TODAY, activity_type="team-sports"))) == [2]
