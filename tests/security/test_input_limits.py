"""Issue 16 items 9, 12 and 14: request bodies have a size limit (413 page, JSON 413 for the API), one rule for
control characters at every door, and downloads name their file safely whatever the subject reference holds."""

from flask.testing import FlaskClient

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


def test_forms_and_query_strings_refuse_control_characters_as_they_refuse_nul(client: FlaskClient, sign_in) -> None:  # noqa: ANN001
    sign_in(client, "officer")
    for character in ("\x00", "\x1b", "\x08", "\x7f"):
        assert client.post("/subjects/", data={"query": f"a{character}b"}).status_code == 400
        assert client.get("/subjects/", query_string={"search": character}).status_code == 400
    assert client.post("/subjects/", data={"query": "tab\tand\r\nnew line"}).status_code < 400
