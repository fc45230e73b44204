"""Engine set-up: SQLite pragmas and write transactions that take the lock up front."""

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from portal.extensions import db


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_SYNCHRONOUS"])


def refresh_planner_statistics() -> None:
    """Table statistics for the query planner, after a bulk load. Without them PostgreSQL plans for the nearly empty
    tables it last saw (a directory result took 7.8 ms instead of 0.8) until autovacuum analyses them, which can be
    minutes later or, where autovacuum is off, never. SQLite keeps the same kind of statistics."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, synchronous: str) -> None:
    if synchronous not in ("FULL", "NORMAL", "OFF"):
        raise ValueError(f"SQLITE_SYNCHRONOUS must be FULL, NORMAL or OFF, not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Nearly every transaction reads and then writes: forms save, and even a GET of personal data writes its
        # audit event. A deferred transaction that upgrades to a write while another connection has written
        # fails at once with "database is locked" (the busy timeout does not apply to that upgrade), so every
        # transaction takes the write lock when it begins and waits its turn instead. Readers are not blocked (WAL).
        connection.exec_driver_sql("BEGIN IMMEDIATE")
