"""Issue 16 (items 4, 7, 8, 12, 14): the ORUK import's doors hold their limits. Bodies and files have a size limit,
an upload a count of services and a time budget, only approved organisations import, an upload is all or nothing,
and a file the portal cannot read safely (too deep, huge numbers, control characters) is refused with a reason."""

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from portal.models import Programme, ProgrammeSession, Venue
from tests.factories import Factory
from tests.oruk.conftest import FIXTURES
from tests.utils import h1

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
