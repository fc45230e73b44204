"""ORUK imports on SQLite and PostgreSQL: `flask oruk import`, the partner upload, idempotence and the round trip."""

import io
import json
from datetime import date, time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.data import oruk
from portal.extensions import db
from portal.models import Organisation, OrganisationStatus, OrukLink, Programme, ProgrammeSession, Venue
from tests.factories import Factory
from tests.oruk.conftest import FIXTURES, empty_catalogue, fixture
from tests.utils import page


def run_import(app: Flask, path: Path, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["oruk", "import", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def counts(make: Factory) -> tuple[int, int, int, int]:
    return tuple(make.count(model) for model in (Organisation, Programme, Venue, ProgrammeSession))


def test_cli_import_maps_reports_and_is_idempotent(app: Flask, make: Factory) -> None:
    output = run_import(app, FIXTURES / "youth_services.json")
    assert "Importing 2 services" in output
    assert "2 services read: 2 imported, 0 not imported" in output
    assert "Wheelchair basketball" in output and "repeats monthly, not weekly" in output
    assert counts(make) == (1, 2, 2, 3)
    with app.app_context():
        organisation = db.session.scalar(select(Organisation))
        assert organisation.status == OrganisationStatus.PENDING
        assert (organisation.name, organisation.email) == ("Bow Community Boxing", "hello@bow-boxing.example.org")
        boxing = db.session.scalar(select(Programme).where(Programme.title == "Bow Boxing Club juniors"))
        assert boxing.activity_types == ["boxing", "mentoring"]
        assert (boxing.capacity, boxing.cost_pence, boxing.supervisor_name) == (None, 200, "Alex Coach")
        assert sorted(session.weekday for session in boxing.sessions) == [1, 3]
        assert boxing.sessions[0].exception_dates == ["2026-12-24", "2026-12-29"]
        boxing.capacity = 12  # the partner sets what ORUK does not carry
        db.session.commit()

    again = run_import(app, FIXTURES / "youth_services.json")
    assert "Created nothing; updated nothing" in again
    assert counts(make) == (1, 2, 2, 3)
    with app.app_context():
        assert db.session.scalar(select(Programme.capacity).where(Programme.title == "Bow Boxing Club juniors")) == 12


def test_reimporting_a_changed_file_updates_in_place(app: Flask, make: Factory, tmp_path: Path) -> None:
    run_import(app, FIXTURES / "youth_services.json")
    document = fixture("youth_services.json")
    document[0]["name"] = "Bow Boxing Club (juniors)"
    document[0]["schedules"][0]["opens_at"] = "18:00:00"
    document[0]["schedules"][0]["byday"] = "TU"
    document[1]["service_at_locations"][0]["location"]["name"] = "Studio Three"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    output = run_import(app, changed)
    assert "Created nothing; updated 1 programmes, 1 sessions, 1 venues." in output, output
    assert "Thursday 17:30 session imported before is no longer in the file" in output
    assert counts(make) == (1, 2, 2, 3)
    with app.app_context():
        titles = set(db.session.scalars(select(Programme.title)))
        assert titles == {"Bow Boxing Club (juniors)", "Saturday music studio"}
        assert "Studio Three" in set(db.session.scalars(select(Venue.name)))
        assert time(18, 0) in set(db.session.scalars(select(ProgrammeSession.start_time)))


def test_an_invalid_service_is_reported_and_skipped(app: Flask, make: Factory) -> None:
    output = run_import(app, FIXTURES / "invalid_service.json")
    assert "1 not imported" in output and "'status' is a required property" in output
    assert counts(make) == (0, 0, 0, 0)
    result = app.test_cli_runner().invoke(args=["oruk", "import", str(FIXTURES / "conftest-missing.json")])
    assert result.exit_code != 0


def test_a_folder_imports_every_file_and_a_fixed_organisation_keeps_its_details(
    app: Flask, make: Factory, tmp_path: Path
) -> None:
    (tmp_path / "one.json").write_text((FIXTURES / "youth_services.json").read_text())
    (tmp_path / "two.json").write_text((FIXTURES / "invalid_service.json").read_text())
    own = make.organisation(name="Our Own Youth Charity")
    output = run_import(app, tmp_path, "--organisation-id", str(own))
    assert "its services were imported into Our Own Youth Charity" in output
    assert counts(make) == (1, 2, 2, 3)
    with app.app_context():
        assert db.session.get(Organisation, own).name == "Our Own Youth Charity"


def test_the_official_examples_import(app: Flask, make: Factory, official_examples: Path) -> None:
    output = run_import(app, official_examples / "service_full.json")
    assert "1 imported" in output
    assert "no UK postcode" in output
    output = run_import(app, official_examples / "organization_full.json")
    assert "not imported" not in output or "0 not imported" in output
    run_import(app, official_examples / "service_list.json")
    before = counts(make)
    for name in ("service_full.json", "organization_full.json", "service_list.json"):
        run_import(app, official_examples / name)
    assert counts(make) == before
    with app.app_context():
        statuses = set(db.session.scalars(select(Organisation.status)))
    assert statuses == {OrganisationStatus.PENDING}


def test_a_partner_uploads_into_their_own_organisation_only(client, sign_in, make: Factory, app: Flask) -> None:
    other = make.organisation(name="Someone Else")
    own = make.organisation(name="Uploader Youth Club")
    sign_in(client, "partner", organisation_id=own)
    assert client.get("/openreferral/upload").status_code == 200
    data = {"file": (io.BytesIO((FIXTURES / "youth_services.json").read_bytes()), "services.json")}
    response = client.post("/openreferral/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    problems = page(response).select("#import-problems li")
    assert any("Wheelchair basketball" in item.get_text() for item in problems)
    with app.app_context():
        owners = set(db.session.scalars(select(Programme.organisation_id)))
        links = set(db.session.scalars(select(OrukLink.organisation_id)))
    assert owners == links == {own}
    assert counts(make) == (2, 2, 2, 3)
    assert other

    again = {"file": (io.BytesIO((FIXTURES / "youth_services.json").read_bytes()), "services.json")}
    client.post("/openreferral/upload", data=again, content_type="multipart/form-data")
    assert counts(make) == (2, 2, 2, 3)

    bad = client.post(
        "/openreferral/upload",
        data={"file": (io.BytesIO(b"not json"), "x.json")},
        content_type="multipart/form-data",
    )
    assert "not valid JSON" in page(bad).get_text()


def test_partners_find_the_upload_in_their_navigation_and_officers_do_not(client, sign_in, make: Factory) -> None:
    sign_in(client, "partner", organisation_id=make.organisation())
    links = page(client.get("/partner/programmes")).select("#app-navigation a")
    assert ("Import", "/openreferral/upload") in [(link.get_text(strip=True), link["href"]) for link in links]
    current = page(client.get("/openreferral/upload")).select_one('#app-navigation a[aria-current="page"]')
    assert current is not None and current.get_text(strip=True) == "Import"
    officer = client.application.test_client()
    sign_in(officer, "officer")
    assert "/openreferral/upload" not in officer.get("/subjects/").get_data(as_text=True)


def test_officers_cannot_upload(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/openreferral/upload").status_code == 403


def snapshot(app: Flask) -> dict:
    """What a round trip must keep: programmes, their venues and sessions, by title and venue name."""
    with app.app_context():
        found = {}
        for programme in db.session.scalars(select(Programme)):
            found[programme.title] = {
                "fields": {
                    name: getattr(programme, name)
                    for name in (
                        "description activity_types provisions languages gender min_age max_age cost_pence "
                        "accessibility_notes valid_from valid_to assured_on status"
                    ).split()
                },
                "sessions": sorted(
                    (
                        session.weekday,
                        session.start_time,
                        session.end_time,
                        session.term_start,
                        session.term_end,
                        tuple(session.exception_dates),
                        session.venue.name,
                        session.venue.address,
                        session.venue.postcode,
                        session.venue.easting,
                        session.venue.northing,
                    )
                    for session in programme.sessions
                ),
            }
        return found


def test_export_then_import_into_an_empty_database_reproduces_the_catalogue(
    app: Flask, make: Factory, tmp_path: Path
) -> None:
    organisation = make.organisation(name="Round Trip Youth", website="https://round.example.org")
    gym = make.venue(organisation, name="Roman Road Gym", address="1 Roman Road, Bow, London")
    hall = make.venue(
        organisation, name="Mile End Hall", address="Mile End Road", postcode="E1 4NS", easting=535900, northing=182100
    )
    football = make.programme(
        organisation,
        title="Girls' football",
        venue_id=gym,
        sessions=2,
        gender="female",
        activity_types=["football", "mentoring"],
        provisions=["female-staff", "halal-food"],
        languages=["en", "so"],
        cost_pence=150,
        accessibility_notes="Step-free entrance.",
        valid_from=date(2026, 9, 1),
    )
    music = make.programme(
        organisation,
        title="Music studio",
        venue_id=hall,
        activity_types=["music"],
        min_age=14,
        max_age=21,
        valid_from=date(2026, 9, 1),
        valid_to=date(2027, 7, 20),
    )
    (music_session,) = make.session_ids(music)
    with app.app_context():
        session = db.session.get(ProgrammeSession, music_session)
        session.term_end, session.exception_dates = date(2027, 7, 20), ["2026-12-22", "2026-12-29"]
        db.session.commit()
    before = snapshot(app)
    assert football and len(before) == 2

    export = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["oruk", "export", str(export)])
    assert result.exit_code == 0, result.output
    empty_catalogue(app)
    assert counts(make) == (0, 0, 0, 0)

    output = run_import(app, export)
    assert "2 imported, 0 not imported" in output
    assert snapshot(app) == before
    assert counts(make) == (1, 2, 2, 3)
    with app.app_context():
        organisation_row = db.session.scalar(select(Organisation))
        assert (organisation_row.name, organisation_row.website) == ("Round Trip Youth", "https://round.example.org")
        assert organisation_row.status == OrganisationStatus.PENDING
    run_import(app, export)
    assert counts(make) == (1, 2, 2, 3)


def test_importing_the_portals_own_feed_updates_the_same_programmes(app: Flask, make: Factory) -> None:
    organisation = make.organisation()
    make.programme(organisation, title="Published once")
    with app.app_context():
        services = list(oruk.all_services(date(2026, 11, 24)))
    with app.app_context():
        report = oruk.import_document(services, source="own feed")
        db.session.commit()
    assert report.imported == 1 and not report.created
    assert counts(make) == (1, 1, 1, 1)
