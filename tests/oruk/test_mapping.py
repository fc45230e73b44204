"""The pure ORUK mapping: ids, taxonomy, export dicts -> services, services -> model dicts, filters, validation."""

import filecmp
import json
from datetime import date, datetime, time
from pathlib import Path

import pytest

from portal.infra.geo import Location
from portal.oruk import ids, taxonomy
from portal.oruk.export import service, service_summary
from portal.oruk.filters import FilterError, parse_filters
from portal.oruk.importing import DocumentError, map_service, services_in
from portal.oruk.validation import VENDORED_SCHEMA_DIR, SchemaSet, vendored
from tests.oruk.conftest import OFFICIAL, fixture

TODAY = date(2026, 11, 24)
MOMENT = datetime(2026, 11, 1, 9, 30)


def no_geocoder(_postcode: str) -> Location | None:
    return None


def e3(_postcode: str) -> Location | None:
    return Location("E3 2AA", 536823, 183099)


def programme_dict(**fields: object) -> dict:
    venue = {
        "oruk_id": ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.VENUE, 7),
        "name": "Roman Road Gym",
        "address": "1 Roman Road, Bow, London",
        "postcode": "E3 2AA",
        "easting": 536823,
        "northing": 183099,
        "updated_at": MOMENT,
    }
    return {
        "oruk_id": ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, 3),
        "title": "Friday football",
        "description": "Coaching and matches.",
        "activity_types": ["football", "mentoring"],
        "provisions": ["halal-food"],
        "languages": ["en", "bn"],
        "gender": "female",
        "min_age": 12,
        "max_age": 17,
        "cost_pence": 150,
        "accessibility_notes": "Step-free entrance.",
        "valid_from": date(2026, 9, 1),
        "valid_to": None,
        "assured_on": date(2026, 10, 1),
        "status": "active",
        "updated_at": MOMENT,
        "organisation": {
            "oruk_id": ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.ORGANISATION, 2),
            "name": "Bow Youth",
            "description": "Youth work in Bow.",
            "email": "info@bow.example.org",
            "website": "https://bow.example.org",
            "updated_at": MOMENT,
        },
        "sessions": [
            {
                "oruk_id": ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.SESSION, 11),
                "weekday": 4,
                "start_time": time(17, 0),
                "end_time": time(19, 0),
                "term_start": date(2026, 9, 1),
                "term_end": date(2027, 7, 16),
                "exception_dates": ["2026-12-25"],
                "updated_at": datetime(2026, 11, 2, 8, 0),
                "venue": venue,
            }
        ],
    } | fields


def test_published_ids_are_reversible_and_never_match_another_kind_or_installation() -> None:
    published = ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, 42)
    assert ids.is_uuid(published)
    assert ids.local_id_from_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, published) == 42
    assert ids.local_id_from_uuid(ids.DEFAULT_NAMESPACE, ids.VENUE, published) is None
    other_installation = ids.derived_uuid("elsewhere")
    assert ids.local_id_from_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, other_installation) is None
    assert ids.local_id_from_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, "not-a-uuid") is None


def test_taxonomy_terms_match_by_id_code_or_name() -> None:
    football = taxonomy.term(taxonomy.ACTIVITY, "football")
    assert taxonomy.match_term({"id": football.id}) == football
    assert taxonomy.match_term({"id": "x", "code": "football"}) == football
    assert taxonomy.match_term({"id": "x", "name": "football"}) == football
    assert taxonomy.match_term({"id": "x", "name": "Underwater hockey"}) is None
    assert taxonomy.descendants(taxonomy.term(taxonomy.ACTIVITY, "sport")) >= {"sport", "football", "boxing"}


def test_an_exported_service_validates_and_carries_sessions_venues_and_attributes() -> None:
    found = service(programme_dict(), TODAY)
    assert vendored().errors("service.json", found) == []
    assert found["status"] == "active"
    assert found["last_modified"] == "2026-11-02T08:00:00Z"
    assert found["fees"] == "£1.50 per session"
    assert found["cost_options"][0]["amount"] == 1.5
    (schedule,) = found["schedules"]
    assert (
        schedule.items()
        >= {
            "freq": "WEEKLY",
            "interval": 1,
            "byday": "FR",
            "opens_at": "17:00:00",
            "closes_at": "19:00:00",
            "valid_from": "2026-09-01",
            "valid_to": "2027-07-16",
            "dtstart": "2026-09-04",
            "notes": "No session on: 2026-12-25.",
        }.items()
    )
    (at_location,) = found["service_at_locations"]
    assert schedule["service_at_location_id"] == at_location["id"]
    location = at_location["location"]
    assert (
        location["addresses"][0].items()
        >= {"address_1": "1 Roman Road, Bow", "city": "London", "country": "GB"}.items()
    )
    assert location["latitude"] == pytest.approx(51.5302, abs=0.001)
    assert location["longitude"] == pytest.approx(-0.0289, abs=0.001)
    assert location["accessibility"][0]["description"] == "Step-free entrance."
    codes = {attribute["taxonomy_term"]["code"] for attribute in found["attributes"]}
    assert codes == {"football", "mentoring", "halal-food", "female"}
    assert [language["code"] for language in found["languages"]] == ["en", "bn"]


def test_paused_and_ended_programmes_are_not_active() -> None:
    assert service_summary(programme_dict(status="paused"), TODAY)["status"] == "temporarily closed"
    assert service_summary(programme_dict(valid_to=date(2026, 1, 1)), TODAY)["status"] == "inactive"


def test_export_then_map_gives_back_the_same_fields() -> None:
    original = programme_dict()
    mapped = map_service(service(original, TODAY), None, no_geocoder, TODAY)
    assert mapped.valid
    for name in ("title", "description", "activity_types", "provisions", "languages", "gender", "min_age"):
        assert mapped.programme[name] == original[name], name
    assert mapped.programme["cost_pence"] == 150
    assert mapped.programme["accessibility_notes"] == "Step-free entrance."
    (venue,) = mapped.venues
    assert venue.fields == {
        "name": "Roman Road Gym",
        "address": "1 Roman Road, Bow, London",
        "postcode": "E3 2AA",
        "easting": 536823,
        "northing": 183099,
    }
    (session,) = mapped.sessions
    assert session.fields == {
        "weekday": 4,
        "start_time": time(17, 0),
        "end_time": time(19, 0),
        "term_start": date(2026, 9, 1),
        "term_end": date(2027, 7, 16),
        "exception_dates": ["2026-12-25"],
    }


def test_mapping_a_hand_written_package_reports_what_it_could_not_map() -> None:
    services = list(services_in(fixture("youth_services.json")))
    boxing = map_service(*services[0], e3, TODAY)
    assert boxing.valid
    assert boxing.organisation.fields["name"] == "Bow Community Boxing"
    assert boxing.programme["activity_types"] == ["boxing", "mentoring"]
    assert boxing.programme["provisions"] == ["halal-food"]
    assert boxing.programme["languages"] == ["en", "bn"]
    assert boxing.programme["cost_pence"] == 200
    assert boxing.defaults["supervisor_name"] == "Alex Coach"
    assert [(session.fields["weekday"], session.fields["exception_dates"]) for session in boxing.sessions] == [
        (1, ["2026-12-24", "2026-12-29"]),
        (3, ["2026-12-24", "2026-12-29"]),
    ]
    assert len({session.oruk_id for session in boxing.sessions}) == 2
    messages = " | ".join(problem.message for problem in boxing.problems)
    assert "Wheelchair basketball" in messages
    assert "Klingon" in messages
    assert "virtual, not a place to attend" in messages
    assert "repeats monthly, not weekly" in messages
    assert "alert" in messages

    studio = map_service(*services[1], e3, TODAY)
    assert studio.programme["status"] == "paused"
    assert (studio.programme["min_age"], studio.programme["max_age"]) == (12, 25)
    assert studio.venues[0].fields["easting"] == 536823  # no latitude and longitude: the postcode's grid reference
    assert studio.sessions[0].fields["term_start"] == date(2026, 9, 5)
    studio_messages = " | ".join(problem.message for problem in studio.problems)
    assert "minimum age 10: set to 12" in studio_messages
    assert "names no contact" in studio_messages


def test_an_invalid_service_is_not_mapped_and_the_schema_says_why() -> None:
    ((raw, parent),) = services_in(fixture("invalid_service.json"))
    mapped = map_service(raw, parent, e3, TODAY)
    assert not mapped.valid
    messages = " | ".join(problem.message for problem in mapped.problems)
    assert "'status' is a required property" in messages
    assert "is not a 'uuid'" in messages


def test_documents_that_are_not_oruk_are_refused() -> None:
    with pytest.raises(DocumentError):
        list(services_in("just text"))
    with pytest.raises(DocumentError):
        list(services_in([{"unexpected": True}]))


def test_filters_parse_and_refuse_nonsense() -> None:
    filters = parse_filters(
        {
            "day": "tu",
            "start_time": "17:00",
            "minimum_age": "12",
            "per_page": "10",
            "modified_after": "2026-01-01T00:00:00Z",
        }
    )
    assert (filters.day, filters.start_time, filters.minimum_age, filters.per_page) == (1, time(17), 12, 10)
    assert filters.modified_after == datetime(2026, 1, 1)
    assert parse_filters({"day": "Saturday"}).day == 5
    for bad in ({"day": "someday"}, {"minimum_age": "old"}, {"per_page": "9999"}, {"start_time": "late"}):
        with pytest.raises(FilterError):
            parse_filters(bad)


def test_the_vendored_schemas_are_the_official_ones(official_schemas: SchemaSet) -> None:
    for path in sorted(VENDORED_SCHEMA_DIR.glob("*.json")):
        assert filecmp.cmp(path, official_schemas.schema_dir / path.name, shallow=False), path.name


def test_the_official_examples_validate_and_map(official_schemas: SchemaSet, official_examples: Path) -> None:
    full = json.loads((official_examples / "service_full.json").read_text(encoding="utf-8"))
    assert official_schemas.errors("service.json", full) == []
    page = json.loads((official_examples / "service_list.json").read_text(encoding="utf-8"))
    assert official_schemas.service_page_errors(page) == []
    mapped = map_service(full, None, no_geocoder, TODAY)
    assert mapped.valid
    assert mapped.organisation.fields["name"] == "Example Organization Inc."
    assert mapped.programme["min_age"] == 12 and mapped.programme["max_age"] == 25
    messages = " | ".join(problem.message for problem in mapped.problems)
    assert "no UK postcode" in messages  # 'ABC 1234' at latitude 100: nowhere the portal can place
    assert "maximum age 100: set to 25" in messages


def test_official_schemas_refuse_a_broken_page(official_schemas: SchemaSet) -> None:
    errors = official_schemas.service_page_errors({"total_items": "many", "contents": [{"id": "x"}]})
    assert any("total_items" in error for error in errors)
    assert any("'name' is a required property" in error for error in errors)


def test_official_location_is_next_to_this_repository() -> None:
    assert OFFICIAL.name == "oruk"


def test_a_schedule_date_far_outside_the_window_for_programme_dates_is_not_kept() -> None:
    exported = service(programme_dict(), TODAY)
    exported["schedules"][0] |= {"valid_from": "1066-10-14", "dtstart": "1066-10-14", "valid_to": "9999-12-31"}
    (session,) = map_service(exported, None, no_geocoder, TODAY).sessions
    assert session.fields["term_end"] is None  # runs until further notice, not until the year 9999
    assert session.fields["term_start"].year > 2000
