"""Issue 16 item 14: the API refuses control characters with the rule and words the forms and the import use."""

from tests.api.helpers import PROGRAMME


def test_the_api_refuses_control_characters_with_the_same_words(api_for, make) -> None:  # noqa: ANN001
    partner = api_for("partner", organisation_id=make.organisation())
    for character in ("\x00", "\x1b"):
        response = partner.post("/programmes", json=PROGRAMME | {"title": f"Box{character}ing"})
        assert response.status_code == 400
        assert response.get_json()["error"]["fields"]["title"].endswith(
            "must not contain control characters, such as NUL"
        )
