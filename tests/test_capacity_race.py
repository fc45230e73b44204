"""Twenty partners accept twenty referrals for the last place in a session at the same moment: exactly one gets it.

Runs on SQLite (a file database in WAL mode; POSTs take the write lock with BEGIN IMMEDIATE) and on PostgreSQL
(the session row is locked with SELECT ... FOR UPDATE), through the real views, each thread with its own client.
"""

import logging
import re
import threading

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import PLACE_HOLDING_REFERRALS, Referral, ReferralStatus
from tests.utils import page

CAPACITY = 5
CONTENDERS = 20
STATEMENT = {
    "capacity": "Yes",
    "dates": "The whole term",
    "safeguarding": "Two DBS-checked adults",
    "attendance": "Register at each session",
}
FULL = f"This session is full: all {CAPACITY} places are taken. Decline the referral or contact the officer."


def test_only_one_of_twenty_simultaneous_acceptances_gets_the_last_place(app, make, sign_in, caplog) -> None:
    organisation_id = make.organisation()
    session_id = make.session_ids(make.programme(organisation_id, capacity=CAPACITY))[0]
    for _ in range(CAPACITY - 1):
        make.referral(session_id, status="accepted")
    contenders = []
    for _ in range(CONTENDERS):
        referral_id = make.referral(session_id)
        client = app.test_client()
        sign_in(client, "partner", organisation_id=organisation_id)
        opened = client.get(f"/partner/referrals/{referral_id}")  # one at a time: the read receipt is a write
        form = page(opened).find("form", action=re.compile("/accept$"))
        version = form.find("input", attrs={"name": "version"})["value"]
        contenders.append((client, referral_id, version))

    barrier = threading.Barrier(CONTENDERS)
    results: dict[int, tuple[int, str]] = {}
    failures: list[BaseException] = []

    def accept(client, referral_id: int, version: str) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(f"/partner/referrals/{referral_id}/accept", data={"version": version, **STATEMENT})
            results[referral_id] = (response.status_code, response.get_data(as_text=True))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread below
            failures.append(error)

    threads = [threading.Thread(target=accept, args=contender) for contender in contenders]
    with caplog.at_level(logging.WARNING):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert not failures, failures
    assert len(results) == CONTENDERS
    codes = sorted(code for code, _html in results.values())
    assert codes == [200] * (CONTENDERS - 1) + [302], codes
    refused = [html for code, html in results.values() if code == 200]
    assert all(FULL in " ".join(page_text(html).split()) for html in refused)
    assert "database is locked" not in caplog.text
    assert not any(record.levelno >= logging.ERROR for record in caplog.records)
    with app.app_context():
        holding = db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(Referral.session_id == session_id, Referral.status.in_(PLACE_HOLDING_REFERRALS))
        )
        statuses = dict(
            db.session.execute(
                select(Referral.id, Referral.status).where(Referral.id.in_([c[1] for c in contenders]))
            ).all()
        )
    assert holding == CAPACITY
    winner = [referral_id for referral_id, (code, _html) in results.items() if code == 302]
    assert statuses[winner[0]] == ReferralStatus.ACCEPTED
    assert sorted(statuses.values()) == sorted([ReferralStatus.ACCEPTED] + [ReferralStatus.VIEWED] * (CONTENDERS - 1))


def page_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
