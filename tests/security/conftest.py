"""Shared fixtures for the security checks: a populated "world" (demo subjects, a draft order with referrals to a
partner), a signed-in client per role, and helpers that walk `app.url_map` and fill in each rule's parameters."""

from __future__ import annotations

import functools
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from portal import create_app
from portal.config import ProductionConfig
from portal.extensions import db
from portal.models import Referral, Requirement, Role
from portal.rules.schedule import london_today
from portal.web.auth import PUBLIC, access_rule_of
from tests.conftest import built_once
from tests.utils import page

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Rows a read may legitimately write: its own audit trail, the session's last-seen time, a saved search.
READ_SIDE_EFFECT_TABLES = {"audit_events", "auth_sessions", "saved_searches"}


BANDIT = Path(sys.executable).parent / "bandit"
BANDIT_CHECKS = "B201,B105,B106,B107,B608"  # debug server, hard-coded secrets, SQL built from strings


@functools.cache
def bandit_findings() -> list[dict]:
    """Bandit's findings (any severity) for BANDIT_CHECKS in the portal's code: run once per test process, for the
    tests that each read their own checks' findings."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [str(BANDIT), "-q", "-f", "json", "-t", BANDIT_CHECKS, "-r", "portal", "matching", "seed"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert len(report["metrics"]) > 20, result.stderr  # it really read the code
    return report["results"]


def is_web_rule(rule: Rule) -> bool:
    """Browser routes: everything but static files and the JSON API (bearer tokens, no cookies, no CSRF)."""
    return rule.endpoint != "static" and not rule.rule.startswith("/api/") and not rule.endpoint.startswith("api.")


def mutating_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if is_web_rule(r) and r.methods & MUTATING), key=str)


def get_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if is_web_rule(r) and "GET" in r.methods), key=str)


def roles_for(app: Flask, rule: Rule) -> list[str]:
    """The roles allowed on this rule ([] for a public one)."""
    access = access_rule_of(app, rule.endpoint)
    if access == PUBLIC or access is None:
        return []
    return [str(role.value) for role in access]


def path_for(rule: Rule, ids: dict[str, int | str]) -> str:
    """The rule's URL with every parameter filled: the world's ids where it has one, something plausible otherwise."""
    values: dict[str, int | str] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif name in ids:
            values[name] = ids[name]
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        elif "date" in name:
            values[name] = london_today().isoformat()
        elif name == "action":
            values[name] = "pause"
        else:
            values[name] = "x"
    _, path = rule.build(values, append_unknown=False)
    return path.split("|", 1)[-1]


def table_counts(app: Flask, exclude: set[str] = frozenset()) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
            if table.name not in exclude
        }
        db.session.remove()
        return counts


def csrf_token_from(response) -> str:
    found = page(response).find("input", attrs={"name": "csrf_token"})
    assert found is not None, "no form with a CSRF token on this page"
    return found["value"]


@dataclass
class World:
    app: Flask
    ids: dict[str, int | str]
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client_for(self, role: str | None) -> FlaskClient:
        return self.clients[role or "anonymous"]


@pytest.fixture
def world(app: Flask, sign_in, make, demo, request: pytest.FixtureRequest) -> World:
    """Demo subjects and programmes; a draft order whose requirements were referred to partners; one client per
    role, the partner from the organisation the first referral went to. Built once per worker per database
    (`built_once`: its sign-ins are kept four minutes, within the five of re-authentication)."""
    return built_once(request, "world", "demo", lambda: _build_world(app, sign_in, demo), max_age=timedelta(minutes=4))


def _build_world(app: Flask, sign_in, demo: int) -> World:
    from tests.test_orders import accept_weekly_plan

    officer = app.test_client()
    officer_id = sign_in(officer, "officer", unit="Tower Hamlets Gangs Unit")
    order_id = accept_weekly_plan(officer, demo)
    with app.app_context():
        referral = db.session.scalars(
            select(Referral).join(Requirement).where(Requirement.order_id == order_id).order_by(Referral.id)
        ).first()
        session = referral.session
        ids: dict[str, int | str] = {
            "subject_id": demo,
            "order_id": order_id,
            "referral_id": referral.id,
            "requirement_id": referral.requirement_id,
            "session_id": referral.session_id,
            "programme_id": session.programme_id,
            "venue_id": session.venue_id,
            "organisation_id": referral.organisation_id,
            "user_id": officer_id,
        }
        db.session.remove()
    clients = {"officer": officer, "anonymous": app.test_client()}
    for role in Role:
        if role.value not in clients:
            clients[role.value] = app.test_client()
            organisation_id = ids["organisation_id"] if role == Role.PARTNER else None
            sign_in(clients[role.value], role.value, organisation_id=organisation_id)
    return World(app, ids, clients)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture
def app_log(app: Flask) -> Iterator[Collect]:
    handler = Collect()
    app.logger.addHandler(handler)
    yield handler
    app.logger.removeHandler(handler)


def form_fields(html: str, action: str) -> dict[str, int]:
    """Field names (and how many inputs share each) of the page's POST forms that submit to `action`."""
    soup = page_from(html)
    names: dict[str, int] = {}
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        target = form.get("action") or ""
        if target and target.split("?")[0] != action:
            continue
        for element in form.find_all(["input", "select", "textarea"]):
            name = element.get("name")
            if name and name != "csrf_token" and element.get("type") not in ("submit", "button"):
                names[name] = names.get(name, 0) + (1 if element.get("type") not in ("radio", "checkbox") else 0)
    return {name: max(count, 1) for name, count in names.items()}


def page_from(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def production_test_config(database_url: str, **overrides) -> dict:
    """The production settings, on the test database (TESTING lets the factory accept SQLite here)."""
    settings = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    return (
        settings
        | {
            "SECRET_KEY": "p" * 48,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "ARGON2_FAST": True,
            "CATALOGUE_REBUILD_IN_BACKGROUND": False,
            # The linker delay is one setting for the whole test process: production's second would make every
            # later test wait for it before its database is emptied.
            "AUDIT_LINK_DELAY_SECONDS": 0.0,
        }
        | overrides
    )


@pytest.fixture
def production_app(database_url: str) -> Iterator:
    """production_app(**overrides): the production configuration on this test's database; engines closed after."""
    from portal.extensions import db

    made: list[Flask] = []

    def _make(**overrides) -> Flask:
        made.append(create_app(production_test_config(database_url, **overrides)))
        return made[-1]

    yield _make
    for app in made:
        with app.app_context():
            db.engine.dispose()
