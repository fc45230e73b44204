"""The OpenAPI document covers every API route, is valid OpenAPI 3.1, and is the only public API route."""

import re

import pytest
from flask import Flask

from portal.api.registry import OPERATIONS


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_is_in_the_document(app: Flask, client) -> None:
    document = client.get("/api/v1/openapi.json").json
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, methods in document["paths"].items() for method in methods}
    assert routes - documented == set(), "API routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented operations with no route"
    assert len(routes) == len(OPERATIONS)


@pytest.mark.own_app
def test_a_route_added_without_declaring_it_fails_the_check(app: Flask, client) -> None:
    from portal.api.registry import bp

    app.add_url_rule("/api/v1/undeclared", "api.undeclared", lambda: "x")
    routes = {openapi_path(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    documented = set(client.get("/api/v1/openapi.json").json["paths"])
    assert "/api/v1/undeclared" in routes - documented
    assert bp.name == "api"


def test_the_document_is_valid_openapi_3_1(client) -> None:
    from jsonschema_rs import validator_for  # noqa: F401 - installed with schemathesis

    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    from schemathesis.openapi import from_dict

    schema = from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)


def test_every_operation_documents_its_errors(client) -> None:
    document = client.get("/api/v1/openapi.json").json
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            if operation["security"]:
                assert {"401", "429"} <= set(responses), (method, path)
            for parameter in operation["parameters"]:
                if parameter["name"] == "If-Match" and parameter["required"]:
                    assert {"409", "412", "428"} <= set(responses), (method, path)


def test_the_docs_page_is_for_signed_in_users(client, sign_in) -> None:
    assert client.get("/api/docs").status_code == 302
    sign_in(client, "partner")
    page = client.get("/api/docs").get_data(as_text=True)
    assert "POST /api/v1/referrals/{referral_id}/accept" in page
    assert "If-Match" in page
