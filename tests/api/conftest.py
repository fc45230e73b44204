"""API fixtures: users with live tokens, and a client that sends the bearer header."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.data import tokens
from portal.extensions import db
from tests.factories import Factory


class Api:
    """A test client bound to one token: api.get('/me'), api.post('/programmes', json=...)."""

    def __init__(self, client: FlaskClient, token: str, user_id: int) -> None:
        self.client, self.token, self.user_id = client, token, user_id

    def _call(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} | (headers or {})
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self._call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self._call("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self._call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self._call("DELETE", path, **kwargs)


def issue_token(app: Flask, user_id: int, name: str = "tests") -> str:
    with app.test_request_context():
        _token, plain = tokens.create_token(user_id, name)
        db.session.commit()
    return plain


@pytest.fixture
def api_for(app: Flask, make: Factory):
    """api_for(role, organisation_id=None, **user fields) -> Api for a new user with a new token."""

    def _api_for(role: str, organisation_id: int | None = None, **fields: Any) -> Api:
        user_id = make.user(role, organisation_id=organisation_id, **fields)
        return Api(app.test_client(), issue_token(app, user_id), user_id)

    return _api_for


@pytest.fixture
def partner(api_for, make: Factory) -> Api:
    return api_for("partner", organisation_id=make.organisation())


@pytest.fixture
def officer(api_for) -> Api:
    return api_for("officer", unit="Tower Hamlets Gangs Unit")
