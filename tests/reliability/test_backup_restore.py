"""`flask backup PATH` then `flask restore PATH` into a fresh, empty database gives back every row of every table.

The database is seeded with the London demo plus orders, referrals and attendance marks (corrections included); the
restored copy must have the same tables, the same row count in each, and the same checksum of each table's rows
(sha256 of the sorted rows rendered as text), on SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore).
"""

import hashlib
import json
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import inspect, select, text

from portal.extensions import db
from portal.models import AttendanceMark, Subject
from seed.loader import load_demo
from tests.reliability.conftest import app_for


def fingerprint(app: Flask) -> dict[str, tuple[int, str]]:
    """Each table's row count and the sha256 of its rows, rendered as text and sorted (so row order is irrelevant)."""
    found = {}
    with app.app_context():
        with db.engine.connect() as connection:
            for name in sorted(inspect(connection).get_table_names()):
                rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
                rendered = sorted(json.dumps(list(row), default=str) for row in rows)
                found[name] = (len(rows), hashlib.sha256("\n".join(rendered).encode()).hexdigest())
        db.engine.dispose()
    return found


def current_marks(app: Flask) -> int:
    with app.app_context():
        count = db.session.query(AttendanceMark).filter_by(is_current=True).count()
        db.session.remove()
    return count


def seed(app: Flask, make) -> int:
    """The demo (whose order journey has registers of its own) and 15 marks more; returns the demo's marks."""
    with app.app_context():
        load_demo()
        db.session.commit()
    demo_marks = current_marks(app)
    organisation_id = make.organisation()
    session_id = make.weekly_session(organisation_id, 1)
    for number in range(3):
        requirement_id = make.active_requirement(session_id, date(2026, 9, 1), make.subject(first_name=f"Kid{number}"))
        tuesday = date(2026, 9, 1)
        for week in range(4):
            make.mark(requirement_id, tuesday + timedelta(days=7 * week), "attended" if week % 2 else "absent")
        make.mark(requirement_id, tuesday, "attended", is_current=False, revision=2)  # history, not the current mark
    make.order(make.subject())  # a draft
    make.order(make.subject(), status="filed")
    return demo_marks


def cli(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_a_backup_restored_into_a_fresh_database_has_every_row(app, make, empty_database_url, tmp_path) -> None:
    demo_marks = seed(app, make)
    before = fingerprint(app)
    assert before["subjects"][0] > 5 and before["attendance_marks"][0] == demo_marks + 15
    assert before["programmes"][0] > 5

    backup_file = tmp_path / "portal.infra.backup"
    made = cli(app, "backup", str(backup_file))
    assert made.exit_code == 0, made.output
    assert "Backed up" in made.output and backup_file.stat().st_size > 0

    fresh = app_for(empty_database_url)
    restored = cli(fresh, "restore", str(backup_file))
    assert restored.exit_code == 0, restored.output

    after = fingerprint(fresh)
    assert sorted(after) == sorted(before)
    differing = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert differing == {}
    with fresh.app_context():  # and the restored database works for the application
        assert db.session.scalar(select(Subject.id).where(Subject.reference == "KCPO-DEMO-001")) is not None
        assert db.session.query(AttendanceMark).filter_by(is_current=True).count() == demo_marks + 12
        db.session.remove()
        db.engine.dispose()


def test_a_restore_refuses_a_database_that_is_not_empty(app, make, tmp_path) -> None:
    make.subject()
    backup_file = tmp_path / "portal.infra.backup"
    assert cli(app, "backup", str(backup_file)).exit_code == 0
    refused = cli(app, "restore", str(backup_file))
    assert refused.exit_code == 1
    assert "already holds" in refused.output and "--replace" in refused.output
    assert cli(app, "backup", str(backup_file)).output.count("already exists") == 1  # never overwrites a backup


def test_a_missing_pg_dump_is_a_clear_error(app, backend, tmp_path, monkeypatch) -> None:
    if backend != "postgresql":
        return  # SQLite needs no outside tool
    monkeypatch.setenv("PATH", str(tmp_path))  # nowhere holds pg_dump
    failed = cli(app, "backup", str(tmp_path / "portal.infra.backup"))
    assert failed.exit_code == 1
    assert "pg_dump was not found on PATH" in failed.output and "postgresql-client" in failed.output
    assert not (tmp_path / "portal.infra.backup").exists()
