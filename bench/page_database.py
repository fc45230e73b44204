"""The page-cost benchmark's databases (bench/pages.py): the demo seed, `scale` synthetic programmes and the load
test's fixtures (load/prepare.py), on SQLite and on PostgreSQL.

Preparing 100,000 programmes takes minutes, so a prepared database is kept and used again when its scale matches:
the SQLite file always (instance/bench/pages-<scale>.sqlite3), the PostgreSQL database only with `keep` (a stable
name, kcpo_bench_pages_<scale>); otherwise PostgreSQL gets a database of this run's own, dropped at the end.
Every run tops the fixtures up (enough referrals to accept), as load/prepare.py does for each load run.

The prepared database itself is never measured on: each measurement gets a copy of it (`working_copy`), thrown away
afterwards, so that the marks and acceptances a run writes never change the pages of the next run, and both sides of
a comparison start from the same rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import load.prepare as load_fixtures
from portal import create_app
from portal.database import refresh_planner_statistics
from portal.extensions import db
from portal.infra import audit_chain
from portal.models import Organisation, Programme
from seed.loader import load_demo, load_synthetic

POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
Progress = Callable[[str], None]


@dataclass
class BenchDatabase:
    backend: str  # "sqlite" or "postgresql"
    url: str
    accounts_file: Path  # what load/prepare.py's fixtures return: accounts, password, subjects, registers
    drop_at_end: bool = False

    def accounts(self) -> dict:
        return json.loads(self.accounts_file.read_text())


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(_conninfo(POSTGRES_SERVER), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def prepare_sqlite(work_dir: Path, scale: int, referrals_needed: int, say: Progress) -> BenchDatabase:
    path = work_dir / f"pages-{scale}.sqlite3"
    database = BenchDatabase("sqlite", f"sqlite:///{path}", path.with_suffix(".json"))
    if path.exists() and not database.accounts_file.exists():
        say(f"  {path.name} was left half prepared by an earlier run: starting again")
        for leftover in work_dir.glob(f"{path.name}*"):
            leftover.unlink()
    _prepare(database, scale, referrals_needed, say)
    return database


def prepare_postgres(work_dir: Path, scale: int, referrals_needed: int, keep: bool, say: Progress) -> BenchDatabase:
    name = f"kcpo_bench_pages_{scale}" if keep else f"kcpo_bench_pages_{scale}_{os.getpid()}"
    url = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    database = BenchDatabase("postgresql", url, work_dir / f"{name}.json", drop_at_end=not keep)
    if not _create_postgres_database(name) and not database.accounts_file.exists():
        say(f"  {name} was left half prepared by an earlier run: starting again")
        drop_postgres(database)
        _create_postgres_database(name)
    _prepare(database, scale, referrals_needed, say)
    return database


@contextmanager
def working_copy(database: BenchDatabase) -> Iterator[BenchDatabase]:
    """A copy of the prepared database for one measurement, removed afterwards."""
    make_copy = _sqlite_copy if database.backend == "sqlite" else _postgres_copy
    with make_copy(database) as copy:
        try:
            yield copy
        finally:
            # The events the measurement recorded are linked before the copy goes: a linker left with a database
            # that is gone spends its retries on it, about 40 s.
            audit_chain.settle_all()


@contextmanager
def _sqlite_copy(database: BenchDatabase) -> Iterator[BenchDatabase]:
    source = Path(make_url(database.url).database)
    target = source.with_name(f"{source.stem}-run-{os.getpid()}.sqlite3")
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)  # consistent even with a write-ahead log beside the file
    try:
        yield replace(database, url=f"sqlite:///{target}", drop_at_end=False)
    finally:
        for leftover in target.parent.glob(f"{target.name}*"):
            leftover.unlink()


def _create_from_template(connection: psycopg.Connection, copy_name: str, name: str) -> None:
    """PostgreSQL copies a database only while nobody is connected to it. The audit chain's linker thread keeps its
    connection to the prepared database for a few idle seconds after preparing recorded events: wait for it."""
    for attempt in range(30):
        try:
            connection.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
            return
        except psycopg.errors.ObjectInUse:
            if attempt == 29:
                raise
            time.sleep(0.5)


@contextmanager
def _postgres_copy(database: BenchDatabase) -> Iterator[BenchDatabase]:
    name = make_url(database.url).database
    copy_name = f"{name}_run_{os.getpid()}"
    with psycopg.connect(_conninfo(POSTGRES_SERVER), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
        _create_from_template(connection, copy_name, name)
    copy = replace(database, url=make_url(database.url).set(database=copy_name).render_as_string(hide_password=False))
    try:
        yield copy
    finally:
        with psycopg.connect(_conninfo(POSTGRES_SERVER), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


def drop_postgres(database: BenchDatabase) -> None:
    name = make_url(database.url).database
    with psycopg.connect(_conninfo(POSTGRES_SERVER), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    database.accounts_file.unlink(missing_ok=True)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _create_postgres_database(name: str) -> bool:
    """True when the database is new."""
    with psycopg.connect(_conninfo(POSTGRES_SERVER), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
        return True


def _prepare(database: BenchDatabase, scale: int, referrals_needed: int, say: Progress) -> None:
    database.accounts_file.parent.mkdir(parents=True, exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, "CATALOGUE_REBUILD_IN_BACKGROUND": False})
    with app.app_context():
        upgrade()
        seeded = _synthetic_programmes()
        if database.accounts_file.exists() and seeded == scale:
            say(f"  [{database.backend}] using the database prepared earlier at --scale {scale:,}")
        else:
            _seed(scale, say, database.backend)
        accounts = _top_up_fixtures(referrals_needed)
        refresh_planner_statistics()
        db.engine.dispose()
    database.accounts_file.write_text(json.dumps(accounts, indent=2) + "\n")


def _synthetic_programmes() -> int:
    synthetic = Organisation.name.like("Synthetic %")
    return db.session.scalar(select(func.count()).select_from(Programme).join(Organisation).where(synthetic)) or 0


def _seed(scale: int, say: Progress, backend: str) -> None:
    """The demo and `scale` synthetic programmes (the seed skips organisations a broken-off run loaded already)."""
    load_demo()
    db.session.commit()
    say(f"  [{backend}] demo seed loaded; adding {scale:,} synthetic programmes")
    done, step = 0, max(1, scale // 10)

    def report(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if done // step != before // step or done == scale:
            say(f"  [{backend}] {done:,} / {scale:,} synthetic programmes")

    load_synthetic(scale, report)
    db.session.commit()


def _top_up_fixtures(referrals_needed: int) -> dict:
    """load/prepare.py's fixtures for one officer and one partner: only the first of each signs in here. Registers
    keep their young people (no extra attendees), so a register page costs the same on every run."""
    load_fixtures.OFFICERS = 1
    load_fixtures.PARTNERS = 1
    load_fixtures.MIN_UNMARKED = 0
    load_fixtures.PENDING_REFERRALS = max(load_fixtures.PENDING_REFERRALS, referrals_needed)
    return load_fixtures.prepare_fixtures()
