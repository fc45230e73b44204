"""The chain is linked after commit, off the request's path: concurrent requests' events all end up chained, none
lost; an event whose transaction commits late is linked, not skipped; a request does not wait for the chain's lock;
a changed reason for access is used at once."""

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from portal import create_app
from portal.data import audit, catalogue_index
from portal.extensions import db
from portal.infra.audit_chain import ADVISORY_LOCK_KEY, link_pending, pending_count, settle, verify
from portal.models import AuditEvent, utcnow
from tests.conftest import _test_config, _truncate_postgres

THREADS, REQUESTS = 6, 5


def _columns(record_id: int) -> dict:
    return {
        "occurred_at": utcnow(),
        "action": audit.CONSULTATION,
        "record_type": "subject",
        "record_id": record_id,
        "purpose": "",
        "detail": {},
        "correlation_id": "",
    }


def test_events_of_concurrent_requests_are_all_chained_and_verify(app: Flask, make, sign_in) -> None:
    organisation_id = make.organisation()
    session_id = make.session_ids(make.programme(organisation_id))[0]
    readers = []
    for _ in range(THREADS):
        client = app.test_client()
        sign_in(client, "partner", organisation_id=organisation_id)
        readers.append((client, make.referral(session_id)))
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def read(client, referral_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(REQUESTS):
                response = client.get(f"/partner/referrals/{referral_id}")
                assert response.status_code == 200
        except BaseException as error:  # noqa: BLE001 - reported by the main thread below
            failures.append(error)

    threads = [threading.Thread(target=read, args=reader) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures

    with app.app_context():
        assert settle(db.engine)  # the process's linker thread, woken by the requests' commits, has run
        assert pending_count(db.session) == 0
        consulted = db.session.execute(
            select(AuditEvent.record_id, func.count())
            .where(AuditEvent.action == audit.CONSULTATION, AuditEvent.record_type == "referral")
            .group_by(AuditEvent.record_id)
        ).all()
        assert sorted(consulted) == sorted((referral_id, REQUESTS) for _client, referral_id in readers)  # none lost
        total = db.session.scalar(select(func.count()).select_from(AuditEvent))
        sequences = db.session.scalars(select(AuditEvent.sequence).order_by(AuditEvent.sequence)).all()
        assert sequences == list(range(1, total + 1))  # every event has its place, no gap, no repeat
        result = verify(db.session)
        assert result.ok and result.count == total and result.pending == 0, result.problem
    output = app.test_cli_runner().invoke(args=["audit", "verify"]).output
    assert output.startswith(f"OK: {total} audit events, chain intact. Head: {total}:")


def test_verify_links_pending_events_first_or_counts_them(app: Flask) -> None:
    with app.app_context():
        # As a process that crashed after its commit, before its linker ran, would leave it:
        db.session.execute(AuditEvent.__table__.insert().values(**_columns(1)))
        db.session.commit()
    runner = app.test_cli_runner()
    unlinked = runner.invoke(args=["audit", "verify", "--no-link"])
    assert unlinked.exit_code == 0 and unlinked.output.startswith("OK: 0 audit events, chain intact (1 pending")
    linked = runner.invoke(args=["audit", "verify"])
    assert linked.exit_code == 0 and linked.output.startswith("OK: 1 audit events, chain intact (1 linked just now)")
    assert runner.invoke(args=["audit", "verify"]).output.startswith("OK: 1 audit events, chain intact. Head: 1:")


def test_a_changed_reason_for_access_is_used_at_once(app: Flask, client, sign_in, make, events) -> None:
    app.config["ACCESS_REASON_REQUIRED"] = True
    sign_in(client, "officer")
    subject_id = make.subject()
    for reason in ("Preparing a KCPO application", "Reviewing compliance with an order"):
        answer = client.post(f"/audit/reason-for-access?next=/subjects/{subject_id}", data={"reason": reason})
        assert answer.status_code == 303
        for _ in range(2):
            assert client.get(f"/subjects/{subject_id}").status_code == 200
    purposes = [event.purpose for event in events(audit.CONSULTATION, "subject")]
    assert purposes == ["Preparing a KCPO application"] * 2 + ["Reviewing compliance with an order"] * 2


# PostgreSQL: transactions really overlap there (SQLite's write lock makes them take turns). ---------------------


@pytest.fixture
def pg_app(postgres_ready: str) -> Iterator[Flask]:
    catalogue_index.forget()
    application = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": postgres_ready})
    _truncate_postgres(application)
    yield application
    with application.app_context():
        db.engine.dispose()


def _insert(connection, record_id: int) -> int:
    table = AuditEvent.__table__
    return connection.execute(table.insert().values(**_columns(record_id)).returning(table.c.id)).scalar_one()


def test_an_event_committed_after_a_later_one_is_linked_not_skipped(pg_app: Flask) -> None:
    with pg_app.app_context():
        engine = db.engine
        with engine.connect() as slow, engine.connect() as quick:
            slow.begin()
            early_id = _insert(slow, 1)  # the lower id, its transaction still open
            with quick.begin():
                late_id = _insert(quick, 2)
            assert early_id < late_id
            assert link_pending(engine) == 1  # only what is committed: the higher id
            slow.commit()
        assert link_pending(engine) == 1  # the lower id, committed late, is linked next, not skipped
        placed = dict(db.session.execute(select(AuditEvent.id, AuditEvent.sequence)).tuples().all())
        assert placed == {late_id: 1, early_id: 2}
        assert verify(db.session).ok


def test_a_request_does_not_wait_for_the_chains_lock(pg_app: Flask) -> None:
    recorded = threading.Event()

    def request() -> None:
        with pg_app.app_context():
            audit.record(audit.CONSULTATION, "subject", 7)
            db.session.commit()
        recorded.set()

    with pg_app.app_context():
        engine = db.engine
        with engine.connect() as linker:
            linker.begin()
            linker.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})  # a linker busy
            writer = threading.Thread(target=request)
            writer.start()
            assert recorded.wait(10)  # committed while the chain's lock is held: recording does not take it
            writer.join()
            assert pending_count(db.session) == 1
            db.session.rollback()
            linker.rollback()
        assert settle(engine)  # once the lock is free, the process's linker thread links it
        assert pending_count(db.session) == 0
        assert verify(db.session).ok
