"""Uniqueness under inserts made at the same moment: several people, each with their own signed-in client and thread,
released together by a barrier, through the real views. Exactly one row results, everyone else gets a friendly
message, and nothing fails with a 500 or logs an error, on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (read committed,
with the database's unique indexes as the last word).
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import AttendanceMark, Order, Referral, Requirement
from portal.rules.schedule import london_today
from tests.reliability.helpers import CHANGED, changed, client_for, message_after, opened_form

CONTENDERS = 8


def race(contenders: list[tuple[FlaskClient, Callable[[FlaskClient], object]]], caplog) -> list[tuple[int, str]]:
    """Run each contender's post at the same moment; return (status, message the person then sees) for each."""
    barrier = threading.Barrier(len(contenders))
    results: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def run(client: FlaskClient, post: Callable[[FlaskClient], object]) -> None:
        try:
            barrier.wait(timeout=30)
            response = post(client)
            results.append((response.status_code, message_after(client, response)))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread below
            failures.append(error)

    threads = [threading.Thread(target=run, args=contender) for contender in contenders]
    with caplog.at_level(logging.WARNING):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not failures, failures
    assert len(results) == len(contenders)
    assert not [code for code, _text in results if code >= 500], results
    assert "database is locked" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text
    return results


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_officers_starting_a_draft_for_one_subject_at_once_get_one_draft(app, make, sign_in, caplog) -> None:
    subject_id = make.subject()
    officers = [client_for(app, sign_in, "officer") for _ in range(CONTENDERS)]

    def start(client: FlaskClient):
        return client.post(f"/orders/for-subject/{subject_id}")

    results = race([(officer, start) for officer in officers], caplog)

    assert count(app, Order, Order.subject_id == subject_id) == 1
    messages = sorted(text for _code, text in results)
    assert sum("Draft order started" in text for text in messages) == 1, messages
    assert sum("already has an order in progress" in text for text in messages) == CONTENDERS - 1, messages


def test_officers_adding_a_plan_for_one_subject_at_once_get_one_draft_with_each_session_once(
    app, make, sign_in, caplog
) -> None:
    subject_id = make.subject()
    organisation_id = make.organisation()
    session_ids = [str(make.session_ids(make.programme(organisation_id))[0]) for _ in range(2)]
    officers = [client_for(app, sign_in, "officer") for _ in range(CONTENDERS)]

    def add(client: FlaskClient):
        return client.post(f"/orders/for-subject/{subject_id}/sessions", data={"session_id": session_ids})

    results = race([(officer, add) for officer in officers], caplog)

    assert count(app, Order, Order.subject_id == subject_id) == 1
    assert count(app, Requirement) == 2 and count(app, Referral) == 2
    messages = [text for _code, text in results]
    assert sum("2 requirements added" in text for text in messages) == 1, messages
    assert all("2 requirements added" in text or "nothing was added" in text for text in messages), messages


def test_partners_saving_one_register_at_once_record_one_current_mark(app, make, sign_in, caplog) -> None:
    organisation_id = make.organisation()
    today = london_today()
    session_id = make.weekly_session(organisation_id, today.weekday())
    requirement_id = make.active_requirement(session_id, today - timedelta(days=30))
    url = f"/partner/registers/{session_id}/{(today - timedelta(days=7)).isoformat()}"
    contenders = []
    for number in range(CONTENDERS):
        client = client_for(app, sign_in, "partner", organisation_id)
        status = {f"r{requirement_id}-status": "attended"} if number % 2 else {f"r{requirement_id}-status": "absent"}
        absent = {f"r{requirement_id}-absence_reason": "Ill", f"r{requirement_id}-absence_acceptable": "yes"}
        data = changed(opened_form(client, url, url.rsplit("/", 1)[1]), **status, **absent)  # all open it first

        def save(client: FlaskClient, data=data):
            return client.post(url, data=data)

        contenders.append((client, save))

    results = race(contenders, caplog)

    saved = [text for code, text in results if code == 302]
    refused = [text for code, text in results if code == 303]
    assert len(saved) == 1 and all("Register saved" in text for text in saved), results
    assert len(refused) == CONTENDERS - 1 and all(CHANGED in text for text in refused), results
    assert count(app, AttendanceMark, AttendanceMark.requirement_id == requirement_id) == 1
    assert (
        count(app, AttendanceMark, AttendanceMark.requirement_id == requirement_id, AttendanceMark.is_current.is_(True))
        == 1
    )


EDITS = {
    "subject": ("/subjects/{id}/edit", "first_name"),
    "order-details": ("/orders/{id}/details", "court"),
    "programme": ("/partner/programmes/{id}/edit/about", "title"),
}


@pytest.mark.parametrize("record", sorted(EDITS))
def test_simultaneous_saves_of_one_record_keep_one_and_tell_the_rest(app, make, sign_in, caplog, record) -> None:
    """Everyone opened the same version; all save at once. One save wins; the others are told, not given a 500."""
    if record == "programme":
        organisation_id = make.organisation()
        row_id = make.programme(organisation_id)
        clients = [client_for(app, sign_in, "partner", organisation_id) for _ in range(CONTENDERS)]
    else:
        row_id = make.subject() if record == "subject" else make.order()
        clients = [client_for(app, sign_in, "officer") for _ in range(CONTENDERS)]
    path, field = EDITS[record]
    url = path.format(id=row_id)
    contenders = []
    for number, client in enumerate(clients):
        data = changed(opened_form(client, url), **{field: f"Saved by number {number}"})

        def save(client: FlaskClient, data=data):
            return client.post(url, data=data)

        contenders.append((client, save))

    results = race(contenders, caplog)

    assert sorted(code for code, _text in results) == [302] + [303] * (CONTENDERS - 1), results
    assert all(CHANGED in text for code, text in results if code == 303), results


def test_the_database_itself_refuses_a_second_open_order_or_current_mark(app, make) -> None:
    """The last word, whatever path a write takes: the partial unique indexes of migration 50de9c91a7bf."""
    subject_id = make.subject()
    make.order(subject_id)
    with pytest.raises(IntegrityError):
        make.order(subject_id, status="filed")
    make.order(subject_id, status="superseded")  # closed orders are history: as many as there were versions

    requirement_id = make.requirement()
    day = london_today() - timedelta(days=7)
    make.mark(requirement_id, day, revision=1, is_current=False)
    make.mark(requirement_id, day, revision=2)
    with pytest.raises(IntegrityError):
        make.mark(requirement_id, day, revision=3)
