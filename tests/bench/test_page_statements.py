"""Issue #17: the subject page, the partner's referral page and the accept post read what they show in a handful of
statements, one per region of the page, and still write the audit event of the personal data they read or change.

Counted on the demo seed (as tests/bench/test_html_identity.py renders it), in the request's own thread: the audit
chain's linker works in a thread of its own. SQLite counts its BEGIN IMMEDIATE too.
"""

import re

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Subject
from tests.bench.test_html_identity import (  # noqa: F401 - the fixture is used
    ACCESS_REASON,
    OFFICER,
    STATEMENT,
    SUBJECT,
    VERSION,
    csrf_of,
    demo_partner_email,
    frozen_app,
    signed_in,
    waiting_referrals,
)
from tests.utils import statements


def reads(seen: list[str]) -> list[str]:
    return [statement for statement in seen if not statement.startswith("begin")]


def audit_inserts(seen: list[str]) -> int:
    return sum(1 for statement in seen if statement.startswith("insert into audit_events"))


def test_the_subject_page_reads_in_one_statement_per_region_and_records_the_consultation(
    frozen_app: Flask,  # noqa: F811
) -> None:
    officer = signed_in(frozen_app, OFFICER)
    with frozen_app.app_context():
        subject_id = db.session.scalar(select(Subject.id).where(Subject.reference == SUBJECT))
    asked = officer.get(f"/subjects/{subject_id}")
    reason_page = officer.get(asked.headers["Location"]).get_data(as_text=True)
    officer.post(
        asked.headers["Location"], data={"reason": ACCESS_REASON, "other": "", "csrf_token": csrf_of(reason_page)}
    )
    officer.get(f"/subjects/{subject_id}")  # the reason given is read once, then remembered by the process

    with statements(frozen_app) as seen:
        response = officer.get(f"/subjects/{subject_id}")

    assert response.status_code == 200
    # session, need to know, the subject with their open order, weekly commitments, exclusion zones,
    # non-associations, notes, and the consultation's audit event
    assert len(reads(seen)) <= 8, "\n".join(seen)
    assert audit_inserts(seen) == 1
    assert not [statement for statement in seen if re.match(r"select orders\.", statement)]  # read with the subject


def test_the_referral_page_and_the_accept_post_read_in_few_statements_and_record_what_they_do(
    frozen_app: Flask,  # noqa: F811
) -> None:
    partner = signed_in(frozen_app, demo_partner_email(frozen_app))
    referral_id = waiting_referrals(partner)[0]
    partner.get(f"/partner/referrals/{referral_id}")  # opened once: the read receipt is written then

    with statements(frozen_app) as seen:
        page = partner.get(f"/partner/referrals/{referral_id}").get_data(as_text=True)
    assert len(reads(seen)) <= 3, "\n".join(seen)  # session, the referral's view, the consultation's event
    assert audit_inserts(seen) == 1

    version = VERSION.search(page)
    answer = {"csrf_token": csrf_of(page), "version": version.group(1) or version.group(2)}
    with statements(frozen_app) as seen:
        response = partner.post(f"/partner/referrals/{referral_id}/accept", data=answer | STATEMENT)
    assert response.status_code in (302, 303)
    # session, the referral, the session's places (locked), the referral again (locked), places taken, the update,
    # the order and who sent the referral, the email to them, and the audit event of the change
    assert len(reads(seen)) <= 9, "\n".join(seen)
    assert audit_inserts(seen) == 1
    assert sum(1 for statement in seen if statement.startswith("insert into outbox_messages")) == 1
