"""Issue 16 items 8 and 14: the API refuses control characters with the rule and words the forms and the import use,
and a body it cannot parse safely is a 400, never a 500."""

from tests.api.helpers import PROGRAMME


def test_the_api_refuses_control_characters_with_the_same_words(api_for, make) -> None:
    partner = api_for("partner", organisation_id=make.organisation())
    for character in ("\x00", "\x1b"):
        response = partner.post("/programmes", json=PROGRAMME | {"title": f"Box{character}ing"})
        assert response.status_code == 400
        assert response.get_json()["error"]["fields"]["title"].endswith(
            "must not contain control characters, such as NUL"
        )


def test_a_body_nested_too_deeply_or_with_a_huge_number_is_a_400_not_a_500(api_for, make) -> None:
    partner = api_for("partner", organisation_id=make.organisation())
    json_header = {"Content-Type": "application/json"}
    deep = partner.post("/programmes", data=b"[" * 50_000 + b"]" * 50_000, headers=json_header)
    huge = partner.post("/programmes", data=b'{"capacity": ' + b"9" * 5000 + b"}", headers=json_header)
    for response in (deep, huge):
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_json"
