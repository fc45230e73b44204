"""A programme only for people living in an area: a hard rule, explained to the officer."""

import pytest

from matching.model import ResidenceRule
from tests.matching.builders import HOME, match_both, profile, programme, programme_at, reasons_of, suggested_ids

EAST_LONDON = ResidenceRule("E1, E2", postcodes=("E1", "E2"))


def square(centre: tuple[float, float], half_side: float) -> tuple[tuple[float, float], ...]:
    x, y = centre
    return ((x - half_side, y - half_side), (x + half_side, y - half_side), (x + half_side, y + half_side),
            (x - half_side, y + half_side))  # fmt: skip


def test_a_subject_living_outside_the_districts_is_ruled_out_with_where_they_live():
    result = match_both(profile(home_postcode="E3 4AB"), [programme(residence=EAST_LONDON)])
    assert suggested_ids(result) == []
    assert reasons_of(result, 1) == [
        ("residence", "Tyler lives in E3, outside the area this programme serves (E1, E2)")
    ]


@pytest.mark.parametrize("home", ["E1 6AN", "E2 0QN", "e2 7dd"])
def test_a_subject_living_in_one_of_the_districts_is_suggested(home):
    assert suggested_ids(match_both(profile(home_postcode=home), [programme(residence=EAST_LONDON)])) == [1]


@pytest.mark.parametrize(
    ("postcodes", "home", "allowed"),
    [
        (("E",), "E14 9AB", True),
        (("E",), "EC1A 1BB", False),  # the E area is not the EC area
        (("E1",), "E14 9AB", False),  # the E1 district is not E14
        (("E14 9",), "E14 9AB", True),
        (("E14 9",), "E14 8AB", False),
        (("EC1A",), "EC1A 1BB", True),
        (("E1",), "", False),  # an unknown home postcode never passes a postcode rule
    ],
)
def test_postcode_areas_districts_and_sectors(postcodes, home, allowed):
    rule = ResidenceRule(", ".join(postcodes), postcodes=postcodes)
    result = match_both(profile(home_postcode=home), [programme(residence=rule)])
    assert (suggested_ids(result) == [1]) is allowed


def test_a_polygon_holds_the_homes_inside_it_and_not_those_in_its_hole():
    rule = ResidenceRule("Bow", polygons=((square(HOME, 2_000.0), square(HOME, 100.0)),))
    assert suggested_ids(match_both(profile(northing=HOME[1] + 1_000.0), [programme(residence=rule)])) == [1]
    outside = match_both(profile(northing=HOME[1] + 3_000.0), [programme(residence=rule)])
    assert reasons_of(outside, 1) == [("residence", "Tyler's home is outside the area this programme serves (Bow)")]
    assert suggested_ids(match_both(profile(), [programme(residence=rule)])) == []


def test_a_programme_with_no_residence_rule_is_open_to_people_living_anywhere():
    assert suggested_ids(match_both(profile(home_postcode=""), [programme()])) == [1]


def test_among_many_programmes_only_those_serving_the_home_are_suggested():
    rules = [
        None,
        EAST_LONDON,
        ResidenceRule("E3", postcodes=("E3",)),
        ResidenceRule("E", postcodes=("E",)),
        ResidenceRule("Bow", polygons=((square(HOME, 500.0),),)),
        ResidenceRule("Far", polygons=((square((0.0, 0.0), 10.0),),)),
    ]
    programmes = [programme_at(number, 100.0 * number, residence=rule) for number, rule in enumerate(rules, start=1)]
    assert sorted(suggested_ids(match_both(profile(home_postcode="E3 4AB"), programmes))) == [1, 3, 4, 5]
