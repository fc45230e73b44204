"""Issue 16 (items 4, 7, 8, 12, 14): the ORUK import's doors hold their limits. Bodies and files have a size limit,
an upload a count of services and a time budget, only approved organisations import, an upload is all or nothing,
and a file the portal cannot read safely (too deep, huge numbers, control characters) is refused with a reason."""

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from portal.models import OrganisationStatus, Programme, ProgrammeSession, Venue
from tests.factories import Factory
from tests.oruk.conftest import FIXTURES, fixture
from tests.utils import field_error, h1, page

UPLOAD = "/openreferral/upload"


def upload(client: FlaskClient, raw: bytes, name: str = "services.json"):  # noqa: ANN201
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


def signed_in_partner(client: FlaskClient, sign_in, make: Factory, **organisation) -> int:  # noqa: ANN001
    organisation_id = make.organisation(**organisation)
    sign_in(client, "partner", organisation_id=organisation_id)
    return organisation_id


# --- item 12: size limits --------------------------------------------------------------------------------------


def test_the_upload_takes_a_file_larger_than_the_app_wide_limit(client, sign_in, make: Factory, app: Flask) -> None:  # noqa: ANN001
    signed_in_partner(client, sign_in, make)
    padded = (FIXTURES / "youth_services.json").read_bytes() + b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, padded)
    assert response.status_code == 200
    assert catalogue(make) == (2, 2, 3)


def test_an_upload_above_its_own_limit_gets_the_too_large_page(client, sign_in, make: Factory) -> None:  # noqa: ANN001
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


def test_a_partner_of_an_organisation_waiting_for_approval_cannot_import(client, sign_in, make: Factory) -> None:  # noqa: ANN001
    signed_in_partner(client, sign_in, make, status=OrganisationStatus.PENDING)
    shown = client.get(UPLOAD)
    assert "once an administrator has approved" in page(shown).get_text()
    assert page(shown).select_one('input[type="file"]') is None
    assert upload(client, (FIXTURES / "youth_services.json").read_bytes()).status_code == 403
    assert catalogue(make) == (0, 0, 0)


def test_an_upload_with_too_many_services_is_refused_before_any_work(client, sign_in, make: Factory) -> None:  # noqa: ANN001
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


def test_an_upload_past_its_time_budget_saves_nothing(client, sign_in, make: Factory, app: Flask) -> None:  # noqa: ANN001
    app.config["ORUK_UPLOAD_SECONDS"] = 0
    signed_in_partner(client, sign_in, make)
    response = upload(client, (FIXTURES / "youth_services.json").read_bytes())
    assert "took longer than 0 seconds to import, so nothing was imported" in field_error(response, "file")
    assert catalogue(make) == (0, 0, 0)


def test_the_upload_page_lists_the_first_problems_and_counts_the_rest(client, sign_in, make: Factory) -> None:  # noqa: ANN001
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


def test_an_upload_whose_later_item_is_not_a_service_saves_nothing(client, sign_in, make: Factory) -> None:  # noqa: ANN001
    signed_in_partner(client, sign_in, make)
    services = fixture("youth_services.json")
    response = upload(client, json.dumps([*services, 42]).encode())
    assert "not an Open Referral UK service or organisation" in field_error(response, "file")
    assert catalogue(make) == (0, 0, 0)
