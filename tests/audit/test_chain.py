"""The hash chain: every event links to the one before; `flask audit verify` finds edits, deletions and reordering."""

import threading

import pytest
from flask import Flask
from sqlalchemy import select, text

from portal.data import audit
from portal.extensions import db
from portal.infra.audit_chain import GENESIS_HASH, AuditLogIsAppendOnly, event_hash, pending_count, settle, verify
from portal.models import AuditEvent


def write_events(app: Flask, count: int, per_transaction: int = 1) -> None:
    """Record COUNT events and wait for this process's linker thread to chain them, as it does after each commit."""
    with app.app_context():
        for number in range(count):
            audit.record(audit.CONSULTATION, "subject", number, page=number, note="line\nbreak", ids=[1, 2])
            if (number + 1) % per_transaction == 0:
                db.session.commit()
        db.session.commit()
        assert settle(db.engine)
        assert pending_count(db.session) == 0


def run_verify(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def ids_by_sequence(app: Flask) -> dict[int, int]:
    with app.app_context():
        return dict(db.session.execute(select(AuditEvent.sequence, AuditEvent.id)).tuples().all())


def tamper(app: Flask, statement: str, **values: object) -> None:
    """Change the table behind the application's back, as someone with database access might."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_events_are_chained_in_order_within_and_across_transactions(app: Flask, events) -> None:
    write_events(app, 7, per_transaction=3)
    rows = events()
    assert [row.sequence for row in rows] == list(range(1, 8))
    assert [row.record_id for row in rows] == list(range(7))  # one transaction's events chain in recorded order
    assert rows[0].previous_hash == GENESIS_HASH
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.previous_hash == before.hash
    for row in rows:
        assert row.hash == event_hash(row, row.previous_hash) and len(row.hash) == 64


def test_verify_passes_an_intact_chain(app: Flask) -> None:
    write_events(app, 5)
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 5 audit events")
    head = result.output.strip().rsplit("Head: ", 1)[1]
    assert run_verify(app, "--anchor", head).exit_code == 0


def test_verify_on_an_empty_log(app: Flask) -> None:
    result = run_verify(app)
    assert result.exit_code == 0 and "OK: 0 audit events" in result.output


def test_editing_an_events_detail_in_sql_is_named(app: Flask) -> None:
    write_events(app, 5)
    edited = ids_by_sequence(app)[3]
    tamper(app, "UPDATE audit_events SET detail = :detail WHERE id = :id", detail='{"page": 99}', id=edited)
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"sequence 3 (event id {edited})" in result.output
    assert "edited" in result.output and "content no longer matches" in result.output
    assert "after 2 good events" in result.output


def test_editing_who_did_it_is_named(app: Flask, make) -> None:
    write_events(app, 3)
    someone = make.user("officer")
    tamper(app, "UPDATE audit_events SET user_id = :user WHERE sequence = 2", user=someone)
    result = run_verify(app)
    assert result.exit_code == 1 and "sequence 2" in result.output and "edited" in result.output


def test_deleting_an_event_is_named_as_a_gap(app: Flask) -> None:
    write_events(app, 6)
    after_gap = ids_by_sequence(app)[5]
    tamper(app, "DELETE FROM audit_events WHERE sequence = 4")
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"sequence 5 (event id {after_gap})" in result.output
    assert "deleted" in result.output and "sequence 4 missing" in result.output


def test_deleting_the_first_events_is_a_gap_too(app: Flask) -> None:
    write_events(app, 4)
    tamper(app, "DELETE FROM audit_events WHERE sequence <= 2")
    result = run_verify(app)
    assert result.exit_code == 1 and "sequences 1 to 2 missing" in result.output


def test_reordering_events_is_named(app: Flask) -> None:
    write_events(app, 5)
    ids = ids_by_sequence(app)
    tamper(app, "UPDATE audit_events SET sequence = -1 WHERE id = :id", id=ids[2])
    tamper(app, "UPDATE audit_events SET sequence = 2 WHERE id = :id", id=ids[3])
    tamper(app, "UPDATE audit_events SET sequence = 3 WHERE id = :id", id=ids[2])
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"sequence 2 (event id {ids[3]})" in result.output and "reordered" in result.output


def test_cutting_off_the_tail_is_caught_by_an_anchor(app: Flask) -> None:
    write_events(app, 4)
    head = run_verify(app).output.strip().rsplit("Head: ", 1)[1]
    tamper(app, "DELETE FROM audit_events WHERE sequence = 4")
    assert run_verify(app).exit_code == 0  # a chain cut at its end is still a chain ...
    result = run_verify(app, "--anchor", head)
    assert result.exit_code == 1 and "deleted" in result.output  # ... which the kept anchor exposes


def test_rewriting_the_whole_chain_is_caught_by_an_anchor(app: Flask) -> None:
    write_events(app, 3)
    head = run_verify(app).output.strip().rsplit("Head: ", 1)[1]
    with app.app_context():  # someone who can write to the table recomputes every hash after their edit
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))
        previous = GENESIS_HASH
        changes = []
        for row in rows:
            db.session.expunge(row)
            row.purpose = "rewritten"
            row.hash = event_hash(row, previous)
            changes.append({"id": row.id, "hash": row.hash, "previous": previous})
            previous = row.hash
        db.session.rollback()
    for change in changes:
        tamper(
            app,
            "UPDATE audit_events SET purpose = 'rewritten', hash = :hash, previous_hash = :previous WHERE id = :id",
            **change,
        )
    assert run_verify(app).exit_code == 0  # a consistent forgery: only an anchor kept elsewhere shows it
    result = run_verify(app, "--anchor", head)
    assert result.exit_code == 1 and "anchor" in result.output


def test_the_orm_refuses_to_change_or_delete_events(app: Flask) -> None:
    write_events(app, 1)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.detail = {"page": 5}
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
    assert run_verify(app).exit_code == 0


def test_concurrent_writers_keep_one_unbroken_chain(app: Flask, events) -> None:
    threads, per_thread = 6, 15
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            barrier.wait()
            with app.app_context():
                for number in range(per_thread):
                    audit.record(audit.CONSULTATION, "subject", worker * 1000 + number)
                    audit.record(audit.ALTERATION, "subject", worker * 1000 + number)
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    workers = [threading.Thread(target=writer, args=(worker,)) for worker in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    rows = events()
    assert [row.sequence for row in rows] == list(range(1, threads * per_thread * 2 + 1))
    with app.app_context():
        result = verify(db.session)
        assert result.ok, result.problem
        assert result.count == threads * per_thread * 2
    # Each transaction's two events are chained in the order it recorded them. (Another transaction's events may sit
    # between them on PostgreSQL, where transactions insert side by side: the chain's order is the order the linker
    # found them in, by id.)
    actions: dict[int, list[str]] = {}
    for row in rows:
        actions.setdefault(row.record_id, []).append(row.action)
    assert len(actions) == threads * per_thread
    assert all(recorded == ["consultation", "alteration"] for recorded in actions.values())
