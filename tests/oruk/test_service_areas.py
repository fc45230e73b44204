"""Service areas (issue 15 follow-up): what the portal can check becomes a residence rule the matcher enforces, so a
real feed that puts service areas on most services is still published; only what it cannot read is held."""

import json
import uuid
from datetime import timedelta

import pytest
from convertbng.util import convert_lonlat
from flask import Flask

from matching.catalogue import prepare
from matching.engine import match
from matching.model import SubjectProfile
from portal.data import catalogue
from portal.extensions import db
from portal.models import Programme
from portal.oruk import export
from portal.oruk.importing import MappedService, map_service
from tests.oruk.test_fail_closed_property import offered
from tests.oruk.test_held_for_review import TODAY, e3, import_services, organisation, programme_by_title, service_with
from tests.oruk.test_mapping import programme_dict as mapping_programme
from tests.utils import error_summary, page

__all__ = ["organisation"]  # the fixture, used by name

BOW = (537_000.0, 183_000.0)


def area(name: str = "", **fields: object) -> dict:
    found = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"area/{name}/{fields}"))} | fields
    return found | ({"name": name} if name else {})


def with_areas(*areas: dict, name: str = "Area boxing") -> MappedService:
    return map_service(service_with(name) | {"service_areas": list(areas)}, None, e3, TODAY)


def subject(postcode: str, easting: float = BOW[0], northing: float = BOW[1]) -> SubjectProfile:
    return SubjectProfile(
        id=1000, age=15, gender="male", easting=easting, northing=northing, languages=("en",),
        interest_activity_types=("boxing",), interest_text="", needs=(), commitments=(), observances=(), curfew=None,
        exclusion_zones=(), non_associates=(), max_travel_m=None, home_postcode=postcode,
    )  # fmt: skip


def suggestions_and_reasons(mapped: MappedService, person: SubjectProfile) -> tuple[list[int], list[str]]:
    result = match(person, prepare([offered(mapped, 1)]), (), TODAY, TODAY + timedelta(days=90), TODAY)
    reasons = [reason.sentence for exclusion in result.exclusions for reason in exclusion.reasons]
    return [suggestion.programme_id for suggestion in result.suggestions], reasons


@pytest.mark.parametrize(
    "said", ["UK", "United Kingdom", "England", "England and Wales", "Great Britain", "National", "Online", "Anywhere"]
)
def test_national_coverage_is_published_with_no_residence_limit_and_kept_as_coverage(said: str) -> None:
    mapped = with_areas(area(said))
    assert not mapped.held_for_review
    assert mapped.programme["residence_rule"] is None
    assert {"kind": "coverage", "text": said, "restricts": False} in mapped.unmapped
    assert suggestions_and_reasons(mapped, subject("CM1 1AA"))[0] == [1]


@pytest.mark.parametrize(
    ("said", "postcodes"),
    [
        ({"name": "E1, E2"}, ["E1", "E2"]),
        ({"name": "E1 and E2"}, ["E1", "E2"]),
        ({"name": "Tower Hamlets", "service_area": "Residents of E1 & E2 only"}, ["E1", "E2"]),
        ({"name": "IG1"}, ["IG1"]),
        ({"name": "SE"}, ["SE"]),
        ({"name": "E14 9"}, ["E14 9"]),
    ],
)
def test_postcode_areas_districts_and_sectors_are_published_as_a_residence_rule(said: dict, postcodes: list) -> None:
    mapped = with_areas(area(**said))
    assert not mapped.held_for_review, mapped.problems
    assert mapped.programme["residence_rule"]["postcodes"] == postcodes


def test_a_subject_outside_the_districts_is_ruled_out_with_the_reason_and_one_inside_is_suggested() -> None:
    mapped = with_areas(area("E1, E2"))
    assert suggestions_and_reasons(mapped, subject("E2 0QN")) == ([1], [])
    assert suggestions_and_reasons(mapped, subject("E3 4AB")) == (
        [],
        ["The subject lives in E3, outside the area this programme serves (E1, E2)"],
    )


def test_several_areas_serve_their_union() -> None:
    mapped = with_areas(area("E1"), area("IG1"))
    assert suggestions_and_reasons(mapped, subject("IG1 1AA"))[0] == [1]
    assert suggestions_and_reasons(mapped, subject("E1 6AN"))[0] == [1]
    assert suggestions_and_reasons(mapped, subject("E2 0QN"))[0] == []


@pytest.mark.parametrize("said", ["London", "Greater London"])
def test_london_means_the_london_postcodes(said: str) -> None:
    mapped = with_areas(area(said))
    assert not mapped.held_for_review
    for inside in ("E3 4AB", "SW1A 1AA", "EC1A 1BB", "IG1 1AA"):
        assert suggestions_and_reasons(mapped, subject(inside))[0] == [1], inside
    for outside in ("CM1 1AA", "DA1 1AA", "RM4 1AA"):  # Chelmsford, Dartford; RM4 is partly in Essex
        assert suggestions_and_reasons(mapped, subject(outside))[0] == [], outside


def square_extent(centre: tuple[float, float], half_side: float, *, feature: bool = False) -> str:
    x, y = centre
    corners = [(x - half_side, y - half_side), (x + half_side, y - half_side), (x + half_side, y + half_side),
               (x - half_side, y + half_side), (x - half_side, y - half_side)]  # fmt: skip
    longitudes, latitudes = convert_lonlat([c[0] for c in corners], [c[1] for c in corners])
    polygon = {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in zip(longitudes, latitudes, strict=True)]]}
    return json.dumps({"type": "Feature", "geometry": polygon, "properties": {}} if feature else polygon)


@pytest.mark.parametrize("feature", [False, True])
def test_a_geojson_extent_holds_the_homes_inside_it(feature: bool) -> None:
    mapped = with_areas(area("Bow", extent=square_extent(BOW, 1_500.0, feature=feature), extent_type="geojson"))
    assert not mapped.held_for_review
    assert suggestions_and_reasons(mapped, subject("E3 4AB", BOW[0] + 1_000.0, BOW[1]))[0] == [1]
    assert suggestions_and_reasons(mapped, subject("E3 4AB", BOW[0] + 2_000.0, BOW[1])) == (
        [],
        ["The subject's home is outside the area this programme serves (Bow)"],
    )


@pytest.mark.parametrize(
    "unreadable",
    [
        {"name": "London Borough of Hackney"},
        {"name": "East London"},
        {"name": "Tower Hamlets"},
        {"name": "E1", "service_area": "Care leavers living in E1 only"},
        {"name": "E1 and nationwide"},
        {"name": "Wales"},
        {"name": "Bow", "extent": "a polygon we cannot read"},
        {"name": "Bow", "extent": json.dumps({"type": "Point", "coordinates": [-0.03, 51.52]})},
    ],
)
def test_an_area_the_portal_cannot_read_is_held_for_review(unreadable: dict) -> None:
    mapped = with_areas(area(**unreadable))
    assert mapped.held_for_review
    assert [item["kind"] for item in mapped.unmapped if item["restricts"]] == ["service area"]


def test_an_imported_rule_reaches_the_matchers_catalogue_and_the_officers_page(
    app: Flask,
    organisation: int,  # noqa: F811
    sign_in,
) -> None:
    import_services(app, organisation, [service_with("E1 boxing") | {"service_areas": [area("E1, E2")]}])
    imported = programme_by_title(app, "E1 boxing")
    assert not imported.held_for_review
    with app.app_context():
        db.session.get(Programme, imported.id).capacity = 10
        catalogue.mark_changed()
        db.session.commit()
        loaded = next(p for p in catalogue.load_matching_catalogue() if p.title == "E1 boxing")
    assert loaded.residence is not None and loaded.residence.postcodes == ("E1", "E2")
    officer = app.test_client()
    sign_in(officer, "officer")
    shown = page(officer.get(f"/directory/programmes/{imported.id}")).get_text(" ", strip=True)
    assert "Where people must live Only in E1, E2" in shown


def review(client, programme: Programme, **fields: str):
    data = {"version": programme.version, "gender": "any", "min_age": "12", "max_age": "25", "checked": "checked"}
    return client.post(f"/partner/programmes/{programme.id}/review", data=data | fields)


def test_the_reviewer_sets_the_area_the_file_could_not_and_a_reimport_never_widens_it(
    app: Flask,
    organisation: int,  # noqa: F811
    client,
    sign_in,
) -> None:
    hackney = service_with("Hackney boxing") | {"service_areas": [area("London Borough of Hackney")]}
    import_services(app, organisation, [hackney])
    held = programme_by_title(app, "Hackney boxing")
    assert held.held_for_review and held.residence_rule is None
    sign_in(client, "partner", organisation_id=organisation)
    shown = page(client.get(f"/partner/programmes/{held.id}/review"))
    assert "London Borough of Hackney" in shown.select_one("#unmapped-items").get_text(" ", strip=True)
    assert shown.select_one("#residence")["value"] == ""

    wrong = review(client, held, residence="Hackney")
    assert error_summary(wrong) == [
        "Enter where people must live as postcode areas, districts or sectors, like E1, E2 or E14 9, or London"
    ]
    assert review(client, held, residence="e5, E8 and e9").status_code == 302
    reviewed = programme_by_title(app, "Hackney boxing")
    assert not reviewed.held_for_review
    assert reviewed.residence_rule == {"label": "E5, E8, E9", "postcodes": ["E5", "E8", "E9"], "polygons": []}
    listing = page(client.get(f"/partner/programmes/{held.id}")).get_text(" ", strip=True)
    assert "Where people must live Only in E5, E8, E9" in listing

    import_services(app, organisation, [hackney])  # the file still says only "Hackney": the reviewed rule stays
    again = programme_by_title(app, "Hackney boxing")
    assert not again.held_for_review and again.residence_rule["postcodes"] == ["E5", "E8", "E9"]
    import_services(app, organisation, [hackney | {"service_areas": [area("E8")]}])  # the file narrows it
    assert programme_by_title(app, "Hackney boxing").residence_rule["postcodes"] == ["E8"]


def test_the_reviewer_clears_the_area(app: Flask, organisation: int, client, sign_in) -> None:  # noqa: F811
    mixed = service_with("Mixed area boxing") | {"service_areas": [area("E1"), area("Tower Hamlets")]}
    import_services(app, organisation, [mixed])
    held = programme_by_title(app, "Mixed area boxing")
    assert held.held_for_review and held.residence_rule["postcodes"] == ["E1"]
    sign_in(client, "partner", organisation_id=organisation)
    assert page(client.get(f"/partner/programmes/{held.id}/review")).select_one("#residence")["value"] == "E1"
    assert review(client, held, residence="").status_code == 302
    assert programme_by_title(app, "Mixed area boxing").residence_rule is None


def test_a_drawn_area_is_kept_or_removed_on_review(app: Flask, organisation: int, client, sign_in) -> None:  # noqa: F811
    drawn = area("Bow", extent=square_extent(BOW, 1_500.0))
    import_services(app, organisation, [service_with("Bow area boxing") | {"service_areas": [drawn, area("Poplar")]}])
    held = programme_by_title(app, "Bow area boxing")
    sign_in(client, "partner", organisation_id=organisation)
    shown = page(client.get(f"/partner/programmes/{held.id}/review"))
    assert "Only for people living in: Bow." in shown.select_one("#residence-rule").get_text(" ", strip=True)
    assert shown.select_one("input[name=keep_drawn_area]").has_attr("checked")
    assert review(client, held, residence="E14", keep_drawn_area="keep").status_code == 302
    kept = programme_by_title(app, "Bow area boxing")
    assert kept.residence_rule["postcodes"] == ["E14"] and len(kept.residence_rule["polygons"]) == 1
    with app.app_context():
        db.session.get(Programme, kept.id).held_for_review = True
        db.session.commit()
    assert review(client, programme_by_title(app, "Bow area boxing"), residence="E14").status_code == 302
    assert programme_by_title(app, "Bow area boxing").residence_rule == {
        "label": "E14",
        "postcodes": ["E14"],
        "polygons": [],
    }


def test_the_feed_publishes_where_people_must_live_and_an_import_reads_it_back() -> None:
    drawn = [[[[536000, 182000], [538000, 182000], [538000, 184000], [536000, 184000], [536000, 182000]]]]
    rule = {"label": "E1, E2; Bow", "postcodes": ["E1", "E2"], "polygons": drawn}
    exported = export.service(mapping_programme(residence_rule=rule), TODAY)
    mapped = map_service(exported, None, e3, TODAY)
    assert not mapped.held_for_review
    read_back = mapped.programme["residence_rule"]
    assert read_back["postcodes"] == ["E1", "E2"]
    corners = [tuple(point) for point in read_back["polygons"][0][0]]
    assert all(
        abs(a - b) <= 1 for got, want in zip(corners, drawn[0][0], strict=True) for a, b in zip(got, want, strict=True)
    )
    assert export.service(mapping_programme(), TODAY)["service_areas"] == []
