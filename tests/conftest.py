"""Fixtures: an app on a freshly migrated database (SQLite, and PostgreSQL when it is reachable), clients per role."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from portal import catalogue_index, create_app
from portal.config import TestConfig
from portal.data import accounts
from portal.extensions import db
from portal.models import User
from tests.factories import Factory

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means the server is not usable here
        return f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(error).__name__}"
    return None


def _migrate(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once per run; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str]:
    """A database of this test process's own (parallel workers and runs never share one), migrated to head."""
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    name = f"kcpo_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _migrate(create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": url}))
    yield url
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _test_config() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


def _truncate_postgres(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            connection.execute(text("INSERT INTO catalogue_state (id, version, changed_at) VALUES (1, 0, now())"))
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("postgres_ready")
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "portal.sqlite3"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    catalogue_index.forget()
    application = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url})
    if database_url.startswith("postgresql"):
        _truncate_postgres(application)
    # No app context stays pushed: each request must get its own, as in production (g, the session, the user).
    yield application
    with application.app_context():
        db.engine.dispose()
    catalogue_index.forget()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> "Factory":
    return Factory(app)


@pytest.fixture
def sign_in(app: Flask, make: "Factory"):  # noqa: ANN201
    """sign_in(client, role, organisation_id=None) -> user id: a real server-side session for a new user."""

    def _sign_in(client: FlaskClient, role: str, organisation_id: int | None = None, **fields) -> int:  # noqa: ANN003
        user_id = make.user(role, organisation_id=organisation_id, **fields)
        with app.app_context():
            user = db.session.get(User, user_id)
            token = accounts.start_session(user)
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return user_id

    return _sign_in


@pytest.fixture
def demo(app: Flask) -> int:
    """The London demo loaded; returns the id of its 15-year-old subject, KCPO-DEMO-001."""
    from sqlalchemy import select

    from portal.models import Subject
    from seed.loader import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
        return db.session.scalar(select(Subject.id).where(Subject.reference == "KCPO-DEMO-001"))


@pytest.fixture
def partner_organisation(client: FlaskClient, sign_in, make: "Factory") -> int:  # noqa: ANN001
    """`client` signed in as a partner of a new approved organisation; returns the organisation's id."""
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id)
    return organisation_id
