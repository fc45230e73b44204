"""Issue 16 items 9, 12 and 14: request bodies have a size limit (413 page, JSON 413 for the API), one rule for
control characters at every door, and downloads name their file safely whatever the subject reference holds."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

import portal
from tests.utils import h1

TOO_LARGE = 2 * 1024 * 1024


def test_a_huge_sign_in_post_is_refused_with_the_too_large_page(client: FlaskClient) -> None:
    response = client.post(
        "/sign-in",
        data={"email": "someone@example.org", "password": "x" * TOO_LARGE},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert h1(response) == "What you sent is too large"
    assert "Reference:" in response.get_data(as_text=True)


def test_a_huge_api_body_gets_a_json_413(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/programmes",
        data=b'{"title": "' + b"x" * TOO_LARGE + b'"}',
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


# --- item 14: one rule for control characters at every door -----------------------------------------------------


def test_forms_and_query_strings_refuse_control_characters_as_they_refuse_nul(client: FlaskClient, sign_in) -> None:
    sign_in(client, "officer")
    for character in ("\x00", "\x1b", "\x08", "\x7f"):
        assert client.post("/subjects/", data={"query": f"a{character}b"}).status_code == 400
        assert client.get("/subjects/", query_string={"search": character}).status_code == 400
    assert client.post("/subjects/", data={"query": "tab\tand\r\nnew line"}).status_code < 400


# --- item 9: downloads name their file safely ---------------------------------------------------------------------


def filename_parameters(header: str) -> dict[str, str]:
    """The parameters of a Content-Disposition header as a browser splits them (a quoted string may hold ';')."""
    found = re.findall(r';\s*([\w*]+)=("(?:[^"\\]|\\.)*"|[^;]*)', header)
    names = [name for name, _value in found]
    assert len(names) == len(set(names)), f"a parameter is given twice: {header}"
    return {name: value.strip('"') for name, value in found}


@pytest.mark.parametrize(
    ("reference", "fallback", "name"),
    [
        ('KCPO"; filename="evil.exe', "kcpo-KCPO_filename_evil.exe-v1.docx", 'kcpo-KCPO"; filename="evil.exe-v1.docx'),
        ("KCPO\r\nSet-Cookie: x=1", "kcpo-KCPOSet-Cookie_x_1-v1.docx", "kcpo-KCPOSet-Cookie: x=1-v1.docx"),
        ("KCPO-€-001", "kcpo-KCPO-_-001-v1.docx", "kcpo-KCPO-€-001-v1.docx"),
    ],
)
def test_the_court_document_is_named_safely_whatever_the_reference_holds(
    client: FlaskClient,
    sign_in,
    make,
    reference: str,
    fallback: str,
    name: str,
) -> None:
    order_id = make.order(subject_id=make.subject(reference=reference))
    sign_in(client, "officer")
    response = client.get(f"/orders/{order_id}/court-document.docx")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;") and "\r" not in header and "\n" not in header
    parameters = filename_parameters(header)
    assert set(parameters) == {"filename", "filename*"}
    assert parameters["filename"] == fallback
    assert unquote(parameters["filename*"].removeprefix("UTF-8''")) == name


def test_every_download_is_named_by_the_one_helper() -> None:
    package = Path(portal.__file__).parent
    naming_by_hand = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "Content-Disposition" in path.read_text(encoding="utf-8") and path.name != "downloads.py"
    ]
    assert naming_by_hand == []
