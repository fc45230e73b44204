"""Eight people writing flat out through the app on one SQLite file: every write lands, none meets "database is locked".

Each thread is its own signed-in officer adding 100 notes to subjects through the real form. Every transaction takes
the write lock when it begins (BEGIN IMMEDIATE) and waits its turn within the busy timeout, so writers queue rather
than fail. PostgreSQL is left out: it has no database-wide write lock to queue on.
"""

import logging
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import SubjectNote
from tests.reliability.helpers import client_for

THREADS = 8
WRITES = 100


@pytest.mark.parametrize("backend", ["sqlite"])
def test_eight_threads_times_a_hundred_writes_give_eight_hundred_rows(app, make, sign_in, caplog) -> None:
    subject_ids = [make.subject() for _ in range(2)]  # two subjects, four writers each: shared rows, shared pages
    clients = [client_for(app, sign_in, "officer") for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses: list[list[int]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []

    def write(number: int) -> None:
        client, subject_id = clients[number], subject_ids[number % 2]
        try:
            barrier.wait(timeout=30)
            for index in range(WRITES):
                response = client.post(
                    f"/subjects/{subject_id}/notes/new",
                    data={"kind": "fact", "text": f"Writer {number}, note {index}: seen at the youth centre."},
                )
                statuses[number].append(response.status_code)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(THREADS)]
    with caplog.at_level(logging.WARNING):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

    assert not failures, failures
    assert [len(codes) for codes in statuses] == [WRITES] * THREADS
    assert {code for codes in statuses for code in codes} == {302}
    assert "database is locked" not in caplog.text.lower()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text[:2000]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubjectNote)) == THREADS * WRITES
        per_writer = db.session.execute(
            select(func.substr(SubjectNote.text, 1, 9), func.count()).group_by(func.substr(SubjectNote.text, 1, 9))
        ).all()
    assert sorted(count for _writer, count in per_writer) == [WRITES] * THREADS
