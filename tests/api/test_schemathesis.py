"""Schemathesis against the app's own OpenAPI document (offline, through WSGI): generated valid and invalid requests
for every operation, with a token of a role allowed to call it, never get a server error or an answer that breaks
the document; and without a token, everything but the document itself is 401.

SCHEMATHESIS_EXAMPLES sets the examples per operation and mode (default 10; CI can raise it)."""

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import issue_token

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
]
SETTINGS = Path(__file__).with_name("schemathesis.toml")  # shared with the command-line run against a live server


@pytest.fixture
def backend() -> str:
    """This module runs once, on SQLite: the data layer it drives is tested on both databases elsewhere."""
    return "sqlite"


@pytest.fixture
def fuzz_app(app, make, demo):
    """The London demo seed, and more for the generated requests to find: a partner's programme, session and
    referrals (so a draft order); officers' subjects."""
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 0
    organisation = make.organisation()
    session_id = make.session_ids(make.programme(organisation, capacity=2))[0]
    for _ in range(2):
        make.referral(session_id)
    make.subject()
    tokens = {
        "partner": issue_token(app, make.user("partner", organisation_id=organisation)),
        "officer": issue_token(app, make.user("officer", unit="Gangs Unit")),
        "admin": issue_token(app, make.user("admin")),
    }
    return app, tokens


def _schema(app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=SchemathesisConfig.from_path(SETTINGS))


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _run(operation: Any, mode: GenerationMode, check: Any) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        check(case)

    run()


def test_generated_requests_never_break_the_api(fuzz_app) -> None:
    app, tokens = fuzz_app
    schema = _schema(app)
    operations = _operations(schema)
    assert len(operations) > 40
    for operation in operations:
        roles = operation.definition.raw.get("x-roles", [])
        token = next((tokens[role] for role in ("partner", "officer", "admin") if role in roles), None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}

        def check(case: Any, headers: dict[str, str] = headers) -> None:
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, check)


def test_without_a_token_everything_but_the_document_is_401(fuzz_app) -> None:
    app, _tokens = fuzz_app
    schema = _schema(app)
    for operation in _operations(schema):
        public = operation.definition.raw.get("security") == []

        def check(case: Any, public: bool = public) -> None:
            response = case.call()
            if public:
                assert response.status_code == 200
            else:
                assert response.status_code == 401, (case.method, case.formatted_path, response.status_code)
                assert response.json()["error"]["code"] == "unauthenticated"

        _run(operation, GenerationMode.POSITIVE, check)
