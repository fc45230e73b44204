"""Helpers for reading pages the way a user sees them."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.infra import mfa
from portal.models import Role
from portal.web.auth import access_rule_of


def page(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_summary(response: TestResponse) -> list[str]:
    summary = page(response).select(".govuk-error-summary__list a")
    return [link.get_text(strip=True) for link in summary]


def field_error(response: TestResponse, field_id: str) -> str:
    """The error message shown beside a field (GOV.UK puts it in <p id="FIELD-error">)."""
    found = page(response).find(id=f"{field_id}-error")
    return found.get_text(" ", strip=True).replace("Error:", "").strip() if found else ""


def h1(response: TestResponse) -> str:
    heading = page(response).find("h1")
    return heading.get_text(" ", strip=True) if heading else ""


def banner(response: TestResponse) -> str:
    found = page(response).select_one(".govuk-notification-banner")
    return found.get_text(" ", strip=True) if found else ""


def set_up_authenticator(client: FlaskClient) -> tuple[TestResponse, str]:
    """Link an authenticator the way a person does on their first sign-in: read the key off the page, type a code.
    Returns the recovery-codes page and the key."""
    secret = page(client.get("/sign-in/set-up-authenticator")).select_one("#secret-key").get_text().replace(" ", "")
    return client.post("/sign-in/set-up-authenticator", data={"code": current_code(secret)}), secret


def current_code(secret: str, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or a step later: each code signs a given account in once)."""
    return mfa.code_at(secret, mfa.current_step() + steps_ahead)


def sign_in_with_code(
    client: FlaskClient, email: str, password: str, secret: str, *, next_url: str = "", steps_ahead: int = 0
) -> TestResponse:
    """Sign in through the real pages: password, then the authenticator code. Returns the code page's answer."""
    first = client.post(
        f"/sign-in{'?next=' + next_url if next_url else ''}", data={"email": email, "password": password}
    )
    assert first.status_code == 302 and first.headers["Location"] == "/sign-in/code", first.get_data(as_text=True)
    return client.post("/sign-in/code", data={"code": current_code(secret, steps_ahead)})


def route_url(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    """The URL of an endpoint's first rule, its arguments taken from `values` (a walk over the URL map)."""
    with app.test_request_context():
        rule = next(app.url_map.iter_rules(endpoint))
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def pages_for(app: Flask, role: Role) -> list[tuple[Rule, str]]:
    """(rule, method) of every page (not API operation) whose access rule names this role."""
    found = []
    for rule in app.url_map.iter_rules():
        access = access_rule_of(app, rule.endpoint)
        if rule.endpoint.startswith("api.") or not isinstance(access, tuple) or role not in access:
            continue
        found += [(rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The statements the test's own thread runs (not the audit chain's linker, which works in a thread of its own)."""
    seen: list[str] = []
    request_thread = threading.get_ident()

    def note(_connection, _cursor, statement, *_args) -> None:
        if threading.get_ident() == request_thread:
            seen.append(" ".join(statement.split()).lower())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
