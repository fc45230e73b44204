"""Issue 16 (items 4, 7, 8, 12, 14): the ORUK import's doors hold their limits. Bodies and files have a size limit,
an upload a count of services and a time budget, only approved organisations import, an upload is all or nothing,
and a file the portal cannot read safely (too deep, huge numbers, control characters) is refused with a reason."""

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.models import OrganisationStatus, Programme, ProgrammeSession, Venue
from tests.factories import Factory
from tests.oruk.conftest import FIXTURES, fixture
from tests.utils import field_error, h1, page

UPLOAD = "/openreferral/upload"


def upload(client: FlaskClient, raw: bytes, name: str = "services.json"):
    """The form as a browser sends it (built here: the test client spools big bodies to a file it never closes)."""
    boundary = "----kcpo-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + raw
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(UPLOAD, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def catalogue(make: Factory) -> tuple[int, int, int]:
    return tuple(make.count(model) for model in (Programme, Venue, ProgrammeSession))


def signed_in_partner(client: FlaskClient, sign_in, make: Factory, **organisation) -> int:
    organisation_id = make.organisation(**organisation)
    sign_in(client, "partner", organisation_id=organisation_id)
    return organisation_id


# --- item 12: size limits --------------------------------------------------------------------------------------


def test_the_upload_takes_a_file_larger_than_the_app_wide_limit(client, sign_in, make: Factory, app: Flask) -> None:
    signed_in_partner(client, sign_in, make)
    padded = (FIXTURES / "youth_services.json").read_bytes() + b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, padded)
    assert response.status_code == 200
    assert catalogue(make) == (2, 2, 3)


def test_an_upload_above_its_own_limit_gets_the_too_large_page(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make)
    response = upload(client, b"[" + b" " * (6 * 1024 * 1024) + b"]")
    assert response.status_code == 413
    assert h1(response) == "What you sent is too large"
    assert catalogue(make) == (0, 0, 0)


def test_the_cli_refuses_a_file_above_its_stated_size(app: Flask, make: Factory, tmp_path: Path) -> None:
    app.config["ORUK_IMPORT_MAX_FILE_BYTES"] = 4096
    result = app.test_cli_runner().invoke(args=["oruk", "import", str(FIXTURES / "youth_services.json")])
    assert result.exit_code != 0
    assert "the file is 0.0 MB; files up to 0.00390625 MB are imported" in result.output
    assert "Nothing was imported" in result.output
    assert catalogue(make) == (0, 0, 0)


# --- item 4: who may upload, how much and for how long -------------------------------------------------------


def test_a_partner_of_an_organisation_waiting_for_approval_cannot_import(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make, status=OrganisationStatus.PENDING)
    shown = client.get(UPLOAD)
    assert shown.status_code == 403
    assert "Your organisation is waiting for approval" in page(shown).get_text()
    assert page(shown).select_one('input[type="file"]') is None
    assert upload(client, (FIXTURES / "youth_services.json").read_bytes()).status_code == 403
    assert catalogue(make) == (0, 0, 0)


def test_an_upload_with_too_many_services_is_refused_before_any_work(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make)
    trivial = json.dumps([{"id": str(number), "name": f"Service {number}"} for number in range(20_000)])
    response = upload(client, trivial.encode())
    assert response.status_code == 200
    assert field_error(response, "file") == (
        "The file holds 20,000 services; a file can hold up to 500. "
        "Split it into smaller files and upload them one at a time"
    )
    assert len(response.get_data()) < 100_000
    assert catalogue(make) == (0, 0, 0)


def test_an_upload_past_its_time_budget_saves_nothing(client, sign_in, make: Factory, app: Flask) -> None:
    app.config["ORUK_UPLOAD_SECONDS"] = 0
    signed_in_partner(client, sign_in, make)
    response = upload(client, (FIXTURES / "youth_services.json").read_bytes())
    assert "took longer than 0 seconds to import, so nothing was imported" in field_error(response, "file")
    assert catalogue(make) == (0, 0, 0)


def test_the_time_budget_holds_within_one_service_too(
    client,
    sign_in,
    make: Factory,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One service can carry thousands of sessions: the budget is checked before each database statement, not only
    between services. A clock that moves a second each time it is read runs out part-way through the first one."""
    seconds = iter(range(1_000_000))
    monkeypatch.setattr("portal.data.oruk.monotonic", lambda: next(seconds))
    app.config["ORUK_UPLOAD_SECONDS"] = 2.5
    signed_in_partner(client, sign_in, make)
    response = upload(client, json.dumps(fixture("youth_services.json")[:1]).encode())
    assert "took longer than 2.5 seconds to import, so nothing was imported" in field_error(response, "file")
    assert catalogue(make) == (0, 0, 0)


def test_the_upload_page_lists_the_first_problems_and_counts_the_rest(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make)
    invalid = fixture("invalid_service.json")
    services = [invalid | {"name": f"Broken {number}"} for number in range(120)]
    response = upload(client, json.dumps(services).encode())
    listed = page(response).select("#import-problems li")
    assert len(listed) == 50
    more = page(response).select_one("#import-problems-more").get_text(" ", strip=True)
    total = len(services) * 2  # each has two schema errors
    assert more.startswith(f"And {total - 50:,} more problems not listed here")


# --- item 7: all or nothing --------------------------------------------------------------------------------------


def test_an_upload_whose_later_item_is_not_a_service_saves_nothing(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make)
    services = fixture("youth_services.json")
    response = upload(client, json.dumps([*services, 42]).encode())
    assert "not an Open Referral UK service or organisation" in field_error(response, "file")
    assert catalogue(make) == (0, 0, 0)


# --- item 8: files the parser and validator cannot take safely ---------------------------------------------------


def one_service(**fields: object) -> bytes:
    return json.dumps([fixture("youth_services.json")[0] | fields]).encode()


DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_IN_A_SERVICE = one_service(attributes=json.loads("[" * 200 + "]" * 200))
HUGE_INTEGER = one_service(minimum_age=0).replace(b'"minimum_age": 0', b'"minimum_age": ' + b"7" * 5000)
INFINITE = one_service(minimum_age=0).replace(b'"minimum_age": 0', b'"minimum_age": 1e999')
UNREADABLE = {
    DEEP: "nests lists or objects more than 32 levels deep",
    DEEP_IN_A_SERVICE: "nests lists or objects more than 32 levels deep",
    HUGE_INTEGER: "holds a number 5,000 digits long",
    INFINITE: "holds a number too large to use (1e999)",
}


def test_files_too_deep_or_with_huge_numbers_get_a_clear_error_not_a_500(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make)
    for raw, reason in UNREADABLE.items():
        response = upload(client, raw)
        assert response.status_code == 200
        assert reason in field_error(response, "file")
    assert catalogue(make) == (0, 0, 0)


def test_the_cli_refuses_the_same_files_with_the_same_reasons(app: Flask, make: Factory, tmp_path: Path) -> None:
    for number, (raw, reason) in enumerate(UNREADABLE.items()):
        file = tmp_path / f"unreadable-{number}.json"
        file.write_bytes(raw)
        result = app.test_cli_runner().invoke(args=["oruk", "import", str(file)])
        assert isinstance(result.exception, SystemExit) and result.exit_code == 1  # refused, not crashed
        assert reason in result.output
    assert catalogue(make) == (0, 0, 0)


# --- item 14: control characters, the same rule as forms and the API ---------------------------------------------


def test_an_upload_with_a_nul_or_other_control_character_is_refused_whole(client, sign_in, make: Factory) -> None:
    signed_in_partner(client, sign_in, make)
    with_nul = upload(client, one_service(name="Bow Boxing\u0000 Club"))
    assert field_error(with_nul, "file") == (
        "The file holds a control character (NUL) at [0].name: text must not contain control characters, "
        "such as NUL. Remove it and try again"
    )
    with_escape = upload(client, one_service(description="Weekly\u001b[31m boxing"))
    assert "control character (U+001B) at [0].description" in field_error(with_escape, "file")
    assert catalogue(make) == (0, 0, 0)


def published_with_control_characters(make: Factory) -> None:
    """Text stored before control characters were refused at every door."""
    organisation = make.organisation(description="Runs\u0001 things")
    make.programme(organisation, title="Box\u001bing", description="Weekly\u0007 boxing")


def test_oruk_export_never_writes_control_characters(app: Flask, make: Factory, tmp_path: Path) -> None:
    published_with_control_characters(make)
    export = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["oruk", "export", str(export)])
    assert result.exit_code == 0, result.output
    written = json.loads(export.read_text(encoding="utf-8"))
    assert written[0]["name"] == "Boxing" and written[0]["description"] == "Weekly boxing"
    assert "\\u00" not in export.read_text(encoding="utf-8")


def test_the_published_feed_never_serves_control_characters(client: FlaskClient, make: Factory) -> None:
    published_with_control_characters(make)
    listed = client.get("/openreferral/services", query_string={"full": "true"})
    assert listed.get_json()["contents"][0]["name"] == "Boxing"
    one = client.get(f"/openreferral/services/{listed.get_json()['contents'][0]['id']}")
    assert one.get_json()["description"] == "Weekly boxing"
    assert "\\u00" not in listed.get_data(as_text=True) + one.get_data(as_text=True)
