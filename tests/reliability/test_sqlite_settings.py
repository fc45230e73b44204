"""The SQLite settings every connection gets: a write survives a power cut (synchronous FULL) unless the database is
a throw-away test copy, readers never block the writer (WAL), a busy writer is waited for, and foreign keys hold."""

from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.config import DevelopmentConfig, ProductionConfig, TestConfig
from portal.extensions import db

SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL"}


def _settings(config: dict) -> dict:
    app = create_app(config)
    with app.app_context(), db.engine.connect() as connection:
        read = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
        db.engine.dispose()
    return {**read, "synchronous": SYNCHRONOUS[read["synchronous"]]}


def _config(base: type, path: Path) -> dict:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", SQLITE_SYNCHRONOUS=base.SQLITE_SYNCHRONOUS)
    return config


@pytest.mark.parametrize("base", [DevelopmentConfig, ProductionConfig])
def test_the_portals_own_database_waits_for_the_disk_on_every_commit(base: type, tmp_path: Path) -> None:
    assert _settings(_config(base, tmp_path / "portal.sqlite3")) == {
        "journal_mode": "wal",
        "busy_timeout": 15000,
        "foreign_keys": 1,
        "synchronous": "FULL",
    }


def test_a_throw_away_test_database_keeps_every_setting_but_the_wait_for_the_disk(tmp_path: Path) -> None:
    assert _settings(_config(TestConfig, tmp_path / "test.sqlite3")) == {
        "journal_mode": "wal",
        "busy_timeout": 15000,
        "foreign_keys": 1,
        "synchronous": "OFF",
    }


def test_an_unknown_synchronous_setting_stops_the_portal_from_starting(tmp_path: Path) -> None:
    config = _config(TestConfig, tmp_path / "portal.sqlite3")
    config["SQLITE_SYNCHRONOUS"] = "SOMETIMES"
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS must be FULL, NORMAL or OFF"):
        create_app(config)
