"""PostgreSQL: the application's role may only INSERT and SELECT on audit_events (`flask audit lock-down`)."""

import os

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from portal import create_app
from portal.data import audit
from portal.extensions import db
from portal.infra.audit_chain import lock_down_statements, pending_count, settle
from tests.conftest import _test_config


def test_lock_down_refuses_odd_role_names() -> None:
    for name in ('app"; DROP TABLE users; --', "has space", ""):
        with pytest.raises(ValueError):
            lock_down_statements(name)
    assert 'GRANT SELECT, INSERT ON "public".audit_events TO "kcpo_app"' in lock_down_statements("kcpo_app")


def test_lock_down_prints_its_sql_anywhere(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "lock-down", "--role", "kcpo_app", "--print-only"])
    assert result.exit_code == 0 and 'REVOKE ALL ON "public".audit_events FROM "kcpo_app";' in result.output


@pytest.fixture
def restricted_role(request: pytest.FixtureRequest):
    """A login role holding only the grants `flask audit lock-down` gives (roles and grants are PostgreSQL's)."""
    app = request.getfixturevalue("postgres_app")
    name = f"kcpo_app_test_{os.getpid()}"
    with app.app_context(), db.engine.connect() as connection:
        try:
            connection.execute(text(f'CREATE ROLE "{name}" LOGIN'))
            connection.commit()
        except (ProgrammingError, DBAPIError) as error:
            pytest.skip(f"cannot create a role here: {type(error.orig).__name__}")
    yield name
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{name}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
            connection.commit()
        db.engine.dispose()


@pytest.fixture
def postgres_app(postgres_ready: str):
    """This check only means anything on PostgreSQL; it skips only where no PostgreSQL is reachable."""
    from portal.data import catalogue_index

    catalogue_index.forget()
    application = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": postgres_ready})
    from tests.conftest import _truncate_postgres

    _truncate_postgres(application)
    return application


def test_the_app_role_can_append_and_read_but_not_change_or_delete(postgres_app: Flask, restricted_role: str) -> None:
    app = postgres_app
    with app.app_context():
        audit.record(audit.CONSULTATION, "subject", 1)
        db.session.commit()
        url = make_url(str(db.engine.url)).set(username=restricted_role, password=None)
    result = app.test_cli_runner().invoke(args=["audit", "lock-down", "--role", restricted_role])
    assert result.exit_code == 0, result.output

    # The application itself, connected as the restricted role, still records (INSERT) and its linker chains the
    # event (SELECT, the lock, UPDATE of a pending event's chain columns).
    restricted_app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": url.render_as_string(False)})
    with restricted_app.app_context():
        audit.record(audit.ALTERATION, "subject", 1, change="as the app role")
        db.session.commit()
        assert settle(db.engine)
        assert pending_count(db.session) == 0
        db.session.rollback()
    with restricted_app.app_context():
        db.engine.dispose()
    assert app.test_cli_runner().invoke(args=["audit", "verify", "--no-link"]).output.startswith("OK: 2 audit events")

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 2
            assert connection.execute(text("SELECT count(*) FROM subjects")).scalar() == 0  # other tables: as usual
            for statement in (
                "UPDATE audit_events SET purpose = 'changed'",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events",
            ):
                with pytest.raises(ProgrammingError, match="permission denied"):
                    connection.execute(text(statement))
                connection.rollback()
            # The chain columns only once, to link a pending event: a linked event cannot be moved or relinked.
            for statement in (
                "UPDATE audit_events SET hash = previous_hash",
                "UPDATE audit_events SET sequence = sequence + 10",
                "UPDATE audit_events SET sequence = NULL, previous_hash = NULL, hash = NULL",
            ):
                with pytest.raises(DBAPIError, match="linked into the chain once"):
                    connection.execute(text(statement))
                connection.rollback()
    finally:
        engine.dispose()
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
