"""Fixtures for the reliability proofs: an empty database of the test's backend, and apps bound to any database."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from portal import create_app
from tests.conftest import POSTGRES_URL, _test_config


def app_for(database_url: str) -> Flask:
    return create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url})


@pytest.fixture
def empty_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new database with nothing in it (not even the migrations), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    request.getfixturevalue("postgres_ready")  # skips the test when PostgreSQL is not reachable
    name = f"kcpo_empty_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
