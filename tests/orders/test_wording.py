"""Golden wording for the order's terms, duration and schedule of supervisors."""

from datetime import date

import pytest

from portal.rules.orders import duration_wording, prohibition_wording, requirement_wording, schedule_of_supervisors
from tests.orders.builders import internet_prohibition, order, person_prohibition, place_prohibition, requirement

BOW_VENUE = "Bow Boxing Club, 12 Roman Road, E3 2AA"
SUPERVISED = "supervised by Dan Hughes (Bow Boxing Club)"


def test_participate_requirement():
    assert requirement_wording(requirement()) == (
        f"must participate in boxing coaching at {BOW_VENUE} between 17:00 and 19:00 on Tuesdays, {SUPERVISED}"
    )


def test_be_at_place_requirement_on_any_day():
    wording = requirement_wording(requirement(kind="be-at-place", weekday=None))

    assert wording == f"must be at {BOW_VENUE} between 17:00 and 19:00 on any day, {SUPERVISED}"


def test_present_to_person_requirement():
    wording = requirement_wording(requirement(kind="present-to-person", weekday=4))

    assert (
        wording
        == f"must present themselves to Dan Hughes at {BOW_VENUE} between 17:00 and 19:00 on Fridays, {SUPERVISED}"
    )


def test_own_dates_are_added_only_when_the_requirement_has_them():
    wording = requirement_wording(requirement(starts_on=date(2026, 12, 1), ends_on=date(2027, 5, 31)))

    assert wording == (
        f"must participate in boxing coaching at {BOW_VENUE} between 17:00 and 19:00 on Tuesdays "
        f"from 1 December 2026 until 31 May 2027, {SUPERVISED}"
    )


def test_a_supervisor_without_an_organisation_is_named_alone():
    assert requirement_wording(requirement(supervisor_organisation=None)).endswith("supervised by Dan Hughes")


def test_an_unknown_requirement_kind_is_refused():
    with pytest.raises(ValueError, match="curfew"):
        requirement_wording(requirement(kind="curfew"))


def test_place_prohibition():
    assert prohibition_wording(place_prohibition()) == (
        "must not enter the area within 800 metres of E1 1BB (Whitechapel Road area)"
    )


def test_place_prohibition_without_a_postcode_uses_the_grid_reference_and_exceptions():
    wording = prohibition_wording(place_prohibition(place_postcode="", exceptions="to attend Royal London Hospital"))

    assert wording == (
        "must not enter the area within 800 metres of grid reference 534,500 E, 181,600 N (Whitechapel Road area), "
        "except to attend Royal London Hospital"
    )


def test_person_prohibition_with_its_own_dates():
    wording = prohibition_wording(person_prohibition(ends_on=date(2026, 12, 31)))

    assert wording == "must not associate with Jordan Smith (born 2 February 2009) until 31 December 2026"


@pytest.mark.parametrize(
    ("kind", "description", "expected"),
    [
        ("activity", "drill music video recording", "must not participate in drill music video recording"),
        ("article", "any bladed article", "must not use or have with them any bladed article"),
    ],
)
def test_activity_and_article_prohibitions(kind, description, expected):
    assert prohibition_wording(place_prohibition(kind=kind, description=description, radius_m=None)) == expected


def test_internet_prohibition():
    assert prohibition_wording(internet_prohibition()) == (
        "must not use the internet to encourage or facilitate crime involving bladed articles"
    )


def test_duration_with_dates_and_on_release():
    assert duration_wording(order()) == "This order has effect for 18 months, from 1 March 2026 until 31 August 2027."
    assert duration_wording(order(proposed_start=None, start_on_release=True)) == (
        "This order has effect for 18 months, beginning on the day of release from custody."
    )


def test_schedule_of_supervisors():
    unconfirmed = requirement(id=2, supervisor_organisation=None, confirmed_by=None, confirmed_at=None)

    rows = schedule_of_supervisors(order(requirements=(requirement(), unconfirmed)))

    assert [row.cells() for row in rows] == [
        (
            "Dan Hughes",
            "Bow Boxing Club",
            "1. boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club",
            "Sam Patel, 3 February 2026 14:05",
        ),
        ("Dan Hughes", "—", "2. boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club", "Not yet confirmed"),
    ]
