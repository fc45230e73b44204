"""The public ORUK 3.0 feed on SQLite and PostgreSQL: what it publishes, its filters, and the official schemas."""

from datetime import date, time

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import Programme, ProgrammeSession
from portal.oruk import taxonomy
from portal.oruk.validation import SchemaSet, vendored
from tests.factories import Factory


def publish(make: Factory, **fields: object) -> int:
    organisation_id = make.organisation(website="https://bow.example.org")
    return make.programme(organisation_id, **fields)


def all_services(client) -> list[dict]:
    return client.get("/openreferral/services?per_page=200").get_json()["contents"]


def test_the_root_names_version_and_profile_and_anyone_may_read_it(client) -> None:
    response = client.get("/openreferral/")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    openapi = client.get(body["openapi_url"].removeprefix("http://localhost"))
    assert openapi.get_json()["info"]["title"] == "Open Referral UK Profile"


def test_only_approved_organisations_unarchived_programmes_are_published(client, make: Factory) -> None:
    shown = publish(make, title="Shown programme")
    paused = publish(make, title="Paused programme", status="paused")
    publish(make, title="Archived programme", status="archived")
    pending = make.organisation(status="pending")
    make.programme(pending, title="Pending organisation's programme")
    suspended = make.organisation(status="suspended")
    make.programme(suspended, title="Suspended organisation's programme")

    services = {service["name"]: service for service in all_services(client)}
    assert set(services) == {"Shown programme", "Paused programme"}
    assert services["Paused programme"]["status"] == "temporarily closed"
    assert shown and paused


def test_the_feed_never_shows_supervisors_or_subjects(client, make: Factory) -> None:
    programme_id = publish(
        make,
        supervisor_name="Priya Supervisor",
        supervisor_email="priya.private@example.org",
        supervisor_phone="07700 900123",
        referral_process="Ring Priya on her mobile",
        tags=["secret-tag"],
    )
    session_id = make.session_ids(programme_id)[0]
    subject_id = make.subject(first_name="Jordanna", last_name="Zedsubject")
    make.referral(session_id, requirement_id=make.requirement(make.order(subject_id), session_id=session_id))
    service_id = all_services(client)[0]["id"]
    text = client.get(f"/openreferral/services/{service_id}").get_data(as_text=True)
    text += client.get("/openreferral/services?full=true").get_data(as_text=True)
    for private in ("Priya", "priya.private", "07700", "mobile", "secret-tag", "Jordanna", "Zedsubject", "MPS-TEST"):
        assert private not in text


def test_the_published_feed_validates_against_the_vendored_schemas(client, make: Factory) -> None:
    publish(make, sessions=3, provisions=["halal-food", "prayer-space"], cost_pence=250, accessibility_notes="Ramp")
    publish(make, gender="female", valid_to=date(2026, 12, 31))
    page = client.get("/openreferral/services").get_json()
    assert vendored().service_page_errors(page) == []
    for summary in page["contents"]:
        detail = client.get(f"/openreferral/services/{summary['id']}")
        assert detail.headers["Access-Control-Allow-Origin"] == "*"
        assert vendored().errors("service.json", detail.get_json()) == []


def test_the_published_feed_validates_against_the_official_schemas(
    client, make: Factory, official_schemas: SchemaSet
) -> None:
    publish(make, sessions=2, provisions=["step-free-access"], cost_pence=100, accessibility_notes="Lift")
    page = client.get("/openreferral/services").get_json()
    assert page["total_items"] == 1
    assert official_schemas.service_page_errors(page) == []
    assert official_schemas.service_page_errors(client.get("/openreferral/services?full=true").get_json()) == []
    detail = client.get(f"/openreferral/services/{page['contents'][0]['id']}").get_json()
    assert official_schemas.errors("service.json", detail) == []
    assert len(detail["schedules"]) == 2
    assert detail["service_at_locations"][0]["location"]["latitude"] == pytest.approx(51.53, abs=0.01)


def test_sessions_become_weekly_schedules_at_locations(client, make: Factory, app: Flask) -> None:
    (session_id,) = make.session_ids(publish(make, sessions=1))
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        session.weekday, session.start_time, session.end_time = 2, time(18, 30), time(20, 0)
        session.term_end, session.exception_dates = date(2027, 3, 31), ["2026-12-23"]
        db.session.commit()
    detail = client.get(f"/openreferral/services/{all_services(client)[0]['id']}").get_json()
    (schedule,) = detail["schedules"]
    assert (schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == ("WE", "18:30:00", "20:00:00")
    assert (schedule["valid_from"], schedule["valid_to"]) == ("2026-09-01", "2027-03-31")
    assert schedule["notes"] == "No session on: 2026-12-23."
    assert schedule["service_at_location_id"] == detail["service_at_locations"][0]["id"]


def test_filters(client, make: Factory, app: Flask) -> None:
    football = publish(make, title="Evening football", activity_types=["football"], min_age=12, max_age=16)
    boxing = publish(make, title="Boxing club", activity_types=["boxing"], min_age=14, max_age=18)
    drama = publish(make, title="Drama group", activity_types=["drama"], provisions=["halal-food"], min_age=15)
    (drama_session_id,) = make.session_ids(drama)
    with app.app_context():
        session = db.session.get(ProgrammeSession, drama_session_id)
        session.weekday, session.start_time, session.end_time = 5, time(10, 0), time(12, 0)
        db.session.commit()

    def names(query: str) -> set[str]:
        response = client.get(f"/openreferral/services?{query}")
        assert response.status_code == 200, response.get_json()
        return {service["name"] for service in response.get_json()["contents"]}

    sport = taxonomy.term(taxonomy.ACTIVITY, "sport").id
    halal = taxonomy.term(taxonomy.PROVISION, "halal-food").id
    assert names("search=FOOTBALL") == {"Evening football"}
    assert names("search=club+boxing") == {"Boxing club"}
    assert names(f"taxonomy_term_id={sport}") == {"Evening football", "Boxing club"}
    assert names(f"taxonomy_term_id={halal}") == {"Drama group"}
    assert names(f"taxonomy_id={taxonomy.TAXONOMY_BY_SLUG[taxonomy.PROVISION].id}") == {"Drama group"}
    assert names("minimum_age=14") == {"Boxing club", "Drama group"}
    assert names("maximum_age=16") == {"Evening football"}
    assert names("day=SA") == {"Drama group"}
    assert names("day=MO&start_time=17:00&end_time=19:00") == {"Evening football", "Boxing club"}
    assert names("start_time=17:30") == set()
    assert names("modified_after=2999-01-01T00:00:00Z") == set()
    assert names("modified_after=2000-01-01") == {"Evening football", "Boxing club", "Drama group"}
    assert names("taxonomy_term_id=unknown") == set()
    with app.app_context():
        db.session.get(Programme, boxing).description = "Changed today"
        db.session.commit()
    assert "Boxing club" in names("modified_after=2020-01-01T00:00:00Z")
    assert football


def test_paging(client, make: Factory) -> None:
    for _ in range(5):
        publish(make)
    first = client.get("/openreferral/services?per_page=2").get_json()
    last = client.get("/openreferral/services?per_page=2&page=3").get_json()
    assert (first["total_items"], first["total_pages"], first["size"], first["first_page"]) == (5, 3, 2, True)
    assert (last["size"], last["last_page"], last["empty"]) == (1, True, False)
    beyond = client.get("/openreferral/services?per_page=2&page=9").get_json()
    assert beyond["empty"] is True and beyond["contents"] == []


def test_bad_filters_and_unknown_ids_get_json_errors(client, make: Factory) -> None:
    pending = make.organisation(status="pending")
    make.programme(pending)
    response = client.get("/openreferral/services?minimum_age=old")
    assert response.status_code == 400
    assert "minimum_age" in response.get_json()["error"]
    assert client.get("/openreferral/services/not-an-id").status_code == 404
    from portal.oruk import ids

    with client.application.app_context():
        hidden = ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, 1)
    assert client.get(f"/openreferral/services/{hidden}").status_code == 404


def test_taxonomies_and_terms_are_published(client) -> None:
    taxonomies = client.get("/openreferral/taxonomies").get_json()
    assert taxonomies["total_items"] == 3
    activity = taxonomy.TAXONOMY_BY_SLUG[taxonomy.ACTIVITY]
    assert client.get(f"/openreferral/taxonomies/{activity.id}").get_json()["name"] == activity.name
    terms = client.get(f"/openreferral/taxonomy-terms?taxonomy_id={activity.id}&per_page=200").get_json()
    assert {term["code"] for term in terms["contents"]} >= {"football", "boxing", "mentoring"}
    football = taxonomy.term(taxonomy.ACTIVITY, "football")
    found = client.get(f"/openreferral/taxonomy-terms/{football.id}")
    assert found.headers["Access-Control-Allow-Origin"] == "*"
    assert found.get_json()["parent_id"] == taxonomy.term(taxonomy.ACTIVITY, "sport").id
    assert client.get("/openreferral/taxonomy-terms/nope").status_code == 404
