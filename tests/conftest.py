"""Fixtures: an app on a freshly migrated database (SQLite, and PostgreSQL when it is reachable), clients per role."""

import copy
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from portal import create_app
from portal.config import TestConfig
from portal.data import accounts, catalogue_index
from portal.extensions import db
from portal.infra import audit_chain
from portal.infra.logging_setup import configure_logging
from portal.models import User
from portal.rules.schedule import LONDON, london_today
from tests.factories import Factory

T = TypeVar("T")

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
    """A database migrated to head once per run; each worker's database starts as a copy of it."""
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
        # A test database is thrown away: its commits need not wait for the disk (the same rows, the same locks).
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _migrate(create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": url}))
    yield url
    audit_chain.settle_all()  # no linker thread is still reaching for the database about to be dropped
    _DatabaseReset.dispose_all()
    _Snapshots.drop_all()
    for shared in _shared_apps.values():
        with shared.app_context():
            db.engine.dispose()
    _shared_apps.clear()
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


class _DatabaseReset:
    """Puts this worker's database back as the migrations left it, before each test: every table emptied, the ids
    counting from 1 again, and the rows the migrations insert put back. Much cheaper than a new database per test
    (a copied file, or a TRUNCATE of every table), and every test still commits for real, as the app does."""

    _engines: dict[str, Engine] = {}

    @classmethod
    def sqlite(cls, path: Path, template: Path) -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=15)
        try:
            connection.execute("PRAGMA foreign_keys = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("ATTACH DATABASE ? AS template", (str(template),))
            connection.execute("BEGIN IMMEDIATE")
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    " UNION SELECT name FROM main.sqlite_master WHERE name IN ('sqlite_sequence', 'sqlite_stat1')"
                )
            ]
            kept = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM template.sqlite_master WHERE type = 'table'"
                    " AND (name NOT LIKE 'sqlite_%' OR name IN ('sqlite_sequence', 'sqlite_stat1'))"
                )
            }
            for name in tables:
                connection.execute(f'DELETE FROM main."{name}"')
                if name in kept:
                    connection.execute(f'INSERT INTO main."{name}" SELECT * FROM template."{name}"')
            connection.execute("COMMIT")
            connection.execute("DETACH DATABASE template")
        finally:
            connection.close()

    @classmethod
    def engine(cls, url: str) -> Engine:
        if url not in cls._engines:
            cls._engines[url] = create_engine(url, pool_size=1)
        return cls._engines[url]

    @classmethod
    def postgres(cls, url: str) -> None:
        engine = cls.engine(url)
        tables = [table.name for table in db.metadata.sorted_tables]
        nonempty = " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables)
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            # Foreign keys are not checked while emptying: every table is emptied, so none is left dangling.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for (name,) in connection.execute(text(nonempty)).all():
                connection.execute(text(f'DELETE FROM "{name}"'))
            connection.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                    " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )
            connection.execute(text("INSERT INTO catalogue_state (id, version, changed_at) VALUES (1, 0, now())"))

    @classmethod
    def dispose_all(cls) -> None:
        for engine in cls._engines.values():
            engine.dispose()
        cls._engines.clear()


@pytest.fixture(scope="session")
def sqlite_database(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This worker's SQLite database, a copy of the template; `database_url` empties it before each test."""
    path = tmp_path_factory.mktemp("worker") / "portal.sqlite3"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """This worker's database of the test's backend, as the migrations left it (emptied before the test)."""
    audit_chain.settle_all()  # the last test's events are linked before its rows go, never into the next test's
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_ready")
        _DatabaseReset.postgres(url)
    else:
        path = request.getfixturevalue("sqlite_database")
        _DatabaseReset.sqlite(path, request.getfixturevalue("sqlite_template"))
        url = f"sqlite:///{path}"
    _Snapshots.state.pop(url, None)
    return url


# One app per database per worker: building an app, and compiling its templates on first use, costs far more than
# most tests. Each test gets the app back with its configuration, log handlers and attempt counters as built.
_shared_apps: dict[str, Flask] = {}
_shared_configs: dict[str, dict] = {}


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app on this test's database. A test marked `own_app` (it adds routes, which an app that has already
    answered a request refuses) gets a new app of its own."""
    catalogue_index.forget()
    if request.node.get_closest_marker("own_app") is not None:
        application = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url})
        yield application
        with application.app_context():
            db.engine.dispose()
        catalogue_index.forget()
        return
    application = _shared_apps.get(database_url)
    if application is None:
        application = _shared_apps[database_url] = create_app(
            {**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url}
        )
        _shared_configs[database_url] = dict(application.config)
    _restore(application, _shared_configs[database_url])
    # No app context stays pushed: each request must get its own, as in production (g, the session, the user).
    yield application
    _restore(application, _shared_configs[database_url])
    catalogue_index.forget()


def _restore(application: Flask, config: dict) -> None:
    application.config.clear()
    application.config.update(config)
    configure_logging(application)  # another app made by a test (JSON logs) replaces the shared logger's handler
    # ...and one made with another configuration (production's, say) sets the process's linker delay: without this,
    # every later test would wait its second for the linker before its database is emptied.
    audit_chain.set_link_delay(config["AUDIT_LINK_DELAY_SECONDS"])
    application.extensions["throttle"].storage.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> "Factory":
    return Factory(app)


@pytest.fixture
def sign_in(app: Flask, make: "Factory"):
    """sign_in(client, role, organisation_id=None) -> user id: a real server-side session for a new user."""

    def _sign_in(client: FlaskClient, role: str, organisation_id: int | None = None, **fields) -> int:
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


class _Snapshots:
    """Database states that many tests start from, each built once per worker per database and copied back for the
    tests after it: the London demo on an empty database, and the worlds some modules build on top of the demo or of
    an empty database (`built_once`). Copying the rows back costs a few milliseconds, where building them again
    through the app's own pages costs up to seconds.

    A state is only copied back onto the state it was built on, checked by the row count of every table (`counts`):
    a test whose database already holds anything else (a user signed in before the demo was asked for, say) builds
    its state as before. The snapshots are kept per hour (the demo's dates count from now), a state with signed-in
    sessions for four minutes (copied back, a session is as old as when it was built, and re-authentication lasts
    five), and none is taken on a frozen clock unless the fixture froze it itself at a moment the state's name
    carries."""

    taken: dict[tuple[str, str], "_Taken"] = {}
    state: dict[str, tuple[str, tuple]] = {}  # url -> the state its database was last put in, and its row counts

    @staticmethod
    def clock() -> str:
        """The hour the state's dates count from (on a frozen clock, the frozen one's)."""
        return datetime.now(UTC).strftime("%Y-%m-%d %H")

    @staticmethod
    def counts(app: Flask) -> tuple:
        tables = [table.name for table in db.metadata.sorted_tables if table.name != "catalogue_state"]
        query = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in tables)
        with app.app_context():
            counts = tuple(row for row in db.session.execute(text(query)).all() if row[1])
            version = db.session.execute(text("SELECT max(version) FROM catalogue_state")).scalar()
            db.session.remove()
        return (*counts, ("catalogue version", version))

    @classmethod
    def take(cls, url: str, name: str, app: Flask, path: Path | None) -> object:
        audit_chain.settle_all()  # every event of the build linked, and no linker writing while the rows are copied
        cls.drop(url, name)
        if path is not None:
            copy = path.with_name(f"{name}.sqlite3")
            copy.unlink(missing_ok=True)
            connection = sqlite3.connect(path, isolation_level=None, timeout=15)
            try:
                connection.execute("VACUUM INTO ?", (str(copy),))
            finally:
                connection.close()
            return copy
        # Temporary tables, on a connection held for the run: pg_dump (the backup tests) never sees them.
        connection = create_engine(url, poolclass=NullPool).connect()
        tables = [table.name for table in db.metadata.sorted_tables]
        with connection.begin():
            for table in tables:
                connection.execute(text(f'CREATE TEMPORARY TABLE "{name}_{table}" AS TABLE public."{table}"'))
            sequences = connection.execute(
                text(
                    "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
                    " WHERE schemaname = 'public' AND last_value IS NOT NULL"
                )
            ).all()
        return (connection, tables, [tuple(row) for row in sequences])

    @classmethod
    def restore(cls, url: str, name: str, path: Path | None) -> None:
        audit_chain.settle_all()
        kept = cls.taken[(url, name)].kept
        if path is not None:
            _DatabaseReset.sqlite(path, kept)
            return
        _DatabaseReset.postgres(url)
        connection, tables, sequences = kept
        with connection.begin():
            connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text("DELETE FROM public.catalogue_state"))
            for table in tables:
                connection.execute(text(f'INSERT INTO public."{table}" SELECT * FROM "{name}_{table}"'))
            for sequence, value in sequences:
                connection.execute(
                    text("SELECT setval(CAST(:sequence AS regclass), :value, true)"),
                    {"sequence": sequence, "value": value},
                )

    @classmethod
    def drop(cls, url: str, name: str) -> None:
        previous = cls.taken.pop((url, name), None)
        if previous is not None and isinstance(previous.kept, tuple):
            previous.kept[0].close()

    @classmethod
    def drop_all(cls) -> None:
        for url, name in list(cls.taken):
            cls.drop(url, name)
        cls.state.clear()


@dataclass
class _Taken:
    clock: str  # the hour it was built in, by the clock the app saw
    built_at: float  # when it was built, in real seconds (a frozen clock does not move)
    on_built_at: float | None  # when the state it was built on was taken: a newer one means this one is stale
    kept: object  # the SQLite copy's path, or PostgreSQL's (connection, tables, sequences)
    counts: tuple
    value: object  # what the build returned, as it returned it (clients with their cookies): tests get a copy


def built_once(
    request: pytest.FixtureRequest,
    name: str,
    on: str,
    build: Callable[[], T],
    max_age: timedelta = timedelta(hours=1),
    frozen: bool = False,
) -> T:
    """What `build()` returns, with the database as `build()` leaves it. `build` runs on the state `on` ("" for an
    empty database, or the name of another built-once state, "demo" say) and its rows are kept; a later test on the
    same state, in the same hour and within `max_age`, gets them copied back and a deep copy of the value instead of
    building again. On a frozen clock only a caller that froze it itself, at a moment its `name` carries, says
    `frozen=True`. The fixture calling this must come first among the test's fixtures (`BUILT_ONCE` below), so that
    nothing else has written to the database before it."""
    from freezegun.api import freeze_factories, real_time

    app: Flask = request.getfixturevalue("app")
    url: str = request.getfixturevalue("database_url")
    path = request.getfixturevalue("sqlite_database") if url.startswith("sqlite") else None
    counts = _Snapshots.counts(app)
    on_state = (not counts[:-1] and counts[-1][1] == 0) if on == "" else _Snapshots.state.get(url) == (on, counts)
    shared = request.node.get_closest_marker("own_app") is None
    if not on_state or not shared or (freeze_factories and not frozen):
        _Snapshots.state.pop(url, None)
        return build()
    taken = _Snapshots.taken.get((url, name))
    on_built_at = _Snapshots.taken[(url, on)].built_at if on else None
    fresh = taken is not None and real_time() - taken.built_at <= max_age.total_seconds()
    if fresh and taken.clock == _Snapshots.clock() and taken.on_built_at == on_built_at:
        _Snapshots.restore(url, name, path)
        _Snapshots.state[url] = (name, taken.counts)
        return copy.deepcopy(taken.value, {id(app): app})
    clock, built_at = _Snapshots.clock(), real_time()
    value = build()
    kept = _Snapshots.take(url, name, app, path)
    counts = _Snapshots.counts(app)
    value_copy = copy.deepcopy(value, {id(app): app})
    _Snapshots.taken[(url, name)] = _Taken(clock, built_at, on_built_at, kept, counts, value_copy)
    _Snapshots.state[url] = (name, counts)
    return value


@pytest.fixture
def demo(app: Flask, request: pytest.FixtureRequest) -> int:
    """The London demo loaded; returns the id of its 15-year-old subject, KCPO-DEMO-001."""
    from sqlalchemy import select

    from portal.models import Subject
    from seed.loader import load_demo

    def load() -> int:
        with app.app_context():
            load_demo()
            db.session.commit()
            return db.session.scalar(select(Subject.id).where(Subject.reference == "KCPO-DEMO-001"))

    return built_once(request, "demo", "", load)


@pytest.fixture
def two_partners(app: Flask, make: "Factory", sign_in, request: pytest.FixtureRequest):
    """Two partner organisations with everything each owns, and an officer and an admin
    (tests/security/partners_ab.py), built once per worker per database (`built_once`: its sign-ins are kept four
    minutes, within the five of re-authentication)."""
    from tests.security.partners_ab import build

    return built_once(request, "two_partners", "", lambda: build(app, make, sign_in), max_age=timedelta(minutes=4))


@pytest.fixture
def partner_organisation(client: FlaskClient, sign_in, make: "Factory") -> int:
    """`client` signed in as a partner of a new approved organisation; returns the organisation's id."""
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id)
    return organisation_id


# Longer than any test module runs on one worker (the browser journeys, a few minutes), and than any one test.
MODULE_CLEAR_OF_MIDNIGHT = timedelta(minutes=5)
TEST_CLEAR_OF_MIDNIGHT = timedelta(minutes=2)
_started_modules: set[str] = set()


def seconds_to_wait_for_midnight(now: datetime, margin: timedelta) -> float:
    """0, or the seconds until just after London midnight when it is nearer than `margin` (`now` in London)."""
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)
    return (midnight - now).total_seconds() + 1 if midnight - now < margin else 0.0


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """No test module starts in the last five minutes of a London day, and no test in the last two: a test reads
    the date as it starts (`today`), the portal on every request, and a test that ran across midnight would compare
    two different days. A run that reaches those minutes waits for midnight (once per worker, at most five minutes).
    Before any fixture, so that what the test is given (a seeded server, a built-once state) is today's."""
    module = item.nodeid.split("::", 1)[0]
    margin = TEST_CLEAR_OF_MIDNIGHT if module in _started_modules else MODULE_CLEAR_OF_MIDNIGHT
    _started_modules.add(module)
    wait = seconds_to_wait_for_midnight(datetime.now(LONDON), margin)
    if wait:
        print(f"\n{item.nodeid}: waiting {wait:.0f} s for London midnight to pass", file=sys.__stderr__, flush=True)
        time.sleep(wait)


@pytest.fixture
def today() -> date:
    """The date in London as the test starts; the test cannot run across midnight (`pytest_runtest_setup`)."""
    return london_today()


# Fixtures that call `built_once`, in the order they build on one another: each comes before any other fixture of
# the test, so that nothing has written to the database before it (its own fixtures, the app on the test's database,
# come with it).
BUILT_ONCE = ["demo", "world", "two_partners"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test asking for a built-once state gets it before any other fixture writes to the database (a signed-in
    client, say), so it is copied back rather than built again. Not on a frozen clock: there the demo's dates must
    count from the frozen day, so the states keep their place after the freezer."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if not names or any("freez" in name for name in names):
            continue
        first = [name for name in BUILT_ONCE if name in names]
        for name in reversed(first):
            names.remove(name)
            names.insert(0, name)
