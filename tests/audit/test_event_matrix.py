"""Security bar 22 / DPA 2018 s.62, operation by operation: each writes exactly one audit row of its kind, carrying
the kind, a UTC time, the user and their organisation, the record type and id; a disclosure also names the recipient
organisation and the people in it who can open what was disclosed.

tests/audit/test_coverage.py has the first case of each kind (a subject created, edited and viewed on its pages, a
referral sent, two subjects linked). This file covers the rest: the JSON API, notes, orders, attendance marks,
referrals, registers, lists, exports and feeds, disclosures sent from the order pages and the API, and match runs.
Erasure rows belong to retention (its own tests).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.data import audit
from portal.extensions import db
from portal.models import AuditEvent, CalendarFeed, Referral, SubjectNote
from tests.audit.conftest import link_now
from tests.security.partners_ab import SESSION_DAY, TODAY, Api, TwoPartners

# Reads may also note what else the page shows (a register list also lists overdue registers), never a change.
READ_ACTIONS = {audit.CONSULTATION}


@pytest.fixture
def two(two_partners: TwoPartners) -> TwoPartners:
    return two_partners


@pytest.fixture
def officer_api(app: Flask, two: TwoPartners) -> Api:
    from portal.data import tokens

    with app.test_request_context():
        _token, plain = tokens.create_token(two.officer_id, "matrix")
        db.session.commit()
    return Api(app.test_client(), plain)


def during(app: Flask, operation: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
    """Run one request; return its response and the audit events it wrote, in order."""
    link_now(app)
    with app.app_context():
        last = db.session.scalar(select(AuditEvent.sequence).order_by(AuditEvent.sequence.desc()).limit(1)) or 0
    response = operation()
    assert response.status_code < 400, response.get_data(as_text=True)[:2000]
    link_now(app)
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.sequence > last).order_by("sequence")))
        for row in rows:
            db.session.expunge(row)
    return response, rows


def the_one(
    rows: list[AuditEvent],
    action: str,
    record_type: str,
    record_id: int | None,
    user_id: int,
    organisation_id: int | None,
    *,
    only_reads: bool = False,
) -> AuditEvent:
    """The single event of this kind about this record, well formed; no other event of the same kind."""
    same_kind = [row for row in rows if row.action == action and row.record_type == record_type]
    assert len(same_kind) == 1, [(row.action, row.record_type, row.record_id) for row in rows]
    [event] = same_kind
    now = datetime.now(UTC).replace(tzinfo=None)
    assert event.occurred_at.tzinfo is None and now - timedelta(minutes=2) < event.occurred_at <= now  # UTC
    assert (event.user_id, event.organisation_id) == (user_id, organisation_id)
    assert (event.record_type, event.record_id) == (record_type, record_id)
    assert event.sequence >= 1 and len(event.hash) == 64 and event.correlation_id
    if only_reads:
        assert {row.action for row in rows} <= READ_ACTIONS, [(row.action, row.record_type) for row in rows]
    return event


def new_id(response: Any) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


# Collection ----------------------------------------------------------------------------------------------------------


def test_collection_through_the_api_notes_orders_and_registers(two: TwoPartners, officer_api: Api, make) -> None:
    app, b = two.app, two.b
    response, rows = during(app, lambda: officer_api.call("POST", "/subjects", json=_api_subject("API-MATRIX-1")))
    event = the_one(rows, audit.COLLECTION, "subject", response.json["id"], two.officer_id, None)
    assert "Jordan" not in str(event.detail)

    _, rows = during(app, lambda: two.officer.post(f"/subjects/{b.subject_id}/notes/new", data=_note()))
    with app.app_context():
        note_id = db.session.scalar(select(SubjectNote.id).order_by(SubjectNote.id.desc()).limit(1))
    event = the_one(rows, audit.COLLECTION, "subject-note", note_id, two.officer_id, None)
    assert event.detail["subject_id"] == b.subject_id and "Seen" not in str(event.detail)

    fresh = make.subject()
    response, rows = during(app, lambda: two.officer.post(f"/orders/for-subject/{fresh}"))
    the_one(rows, audit.COLLECTION, "order", new_id(response), two.officer_id, None)

    response, rows = during(app, lambda: b.client.post(_register(b, TODAY), data=_marks(b, "attended")))
    with app.app_context():
        from portal.models import AttendanceMark

        mark_id = db.session.scalar(select(AttendanceMark.id).order_by(AttendanceMark.id.desc()).limit(1))
    event = the_one(rows, audit.COLLECTION, "attendance-mark", mark_id, b.user_id, b.organisation_id)
    assert event.detail["requirement_id"] == b.requirement_id and event.detail["status"] == "attended"


# Alteration ----------------------------------------------------------------------------------------------------------


def test_saving_a_subject_is_one_alteration_and_nothing_else(two: TwoPartners) -> None:
    """The edit page's save writes the alteration only (the page it leads to records its own reading); the form
    shown again with an error is a reading, and changes nothing."""
    from tests.audit.test_coverage import subject_data

    app, b = two.app, two.b
    path = f"/subjects/{b.subject_id}/edit"
    _, rows = during(app, lambda: two.officer.post(path, data=subject_data(reference="MPS-EDIT-1", version="1")))
    assert [(row.action, row.record_type, row.record_id) for row in rows] == [
        (audit.ALTERATION, "subject", b.subject_id)
    ]
    _, rows = during(app, lambda: two.officer.post(path, data=subject_data(reference="", version="2")))
    assert [(row.action, row.record_type, row.record_id) for row in rows] == [
        (audit.CONSULTATION, "subject", b.subject_id)
    ]


def test_alteration_through_the_api_orders_and_registers(two: TwoPartners, officer_api: Api, make) -> None:
    app, b = two.app, two.b
    opened = officer_api.get(f"/subjects/{b.subject_id}")
    _, rows = during(
        app,
        lambda: officer_api.call(
            "PATCH",
            f"/subjects/{b.subject_id}",
            json={"interest_text": "Likes cricket"},
            headers={"If-Match": opened.headers["ETag"]},
        ),
    )
    event = the_one(rows, audit.ALTERATION, "subject", b.subject_id, two.officer_id, None)
    assert event.detail["fields"] and "cricket" not in str(event.detail)

    order_id = make.order(make.subject(), officer_id=two.officer_id)
    _, rows = during(app, lambda: two.officer.post(f"/orders/{order_id}/details", data=_details(app, order_id)))
    the_one(rows, audit.ALTERATION, "order", order_id, two.officer_id, None)

    during(app, lambda: b.client.post(_register(b, TODAY), data=_marks(b, "attended")))
    correction = _marks(b, "late") | {f"r{b.requirement_id}-minutes_late": "4", f"r{b.requirement_id}-revision": "1"}
    correction[f"r{b.requirement_id}-correction_reason"] = "Came in after the warm-up"
    _, rows = during(app, lambda: b.client.post(_register(b, TODAY), data=correction))
    [event] = [row for row in rows if row.record_type == "attendance-mark"]
    the_one(rows, audit.ALTERATION, "attendance-mark", event.record_id, b.user_id, b.organisation_id)
    assert event.detail["revision"] == 2 and event.detail["replaces_mark_id"]


# Consultation --------------------------------------------------------------------------------------------------------


def test_viewing_records_is_one_consultation_each(two: TwoPartners, officer_api: Api) -> None:
    app, a, officer = two.app, two.a, two.officer
    views: list[tuple[Any, Callable[[], Any], str, Any, int, int | None]] = [
        # (who, request, record type, record id, user, organisation)
        ("officer", lambda: officer.get(f"/subjects/{a.subject_id}"), "subject", a.subject_id, two.officer_id, None),
        ("api", lambda: officer_api.get(f"/subjects/{a.subject_id}"), "subject", a.subject_id, two.officer_id, None),
        ("officer", lambda: officer.get(f"/orders/{a.order_id}"), "order", a.order_id, two.officer_id, None),
        (
            "officer",
            lambda: officer.get(f"/reports/{a.report_id}"),
            "non-compliance-report",
            a.report_id,
            two.officer_id,
            None,
        ),
        (
            "partner",
            lambda: a.client.get(f"/partner/referrals/{a.referral_id}"),
            "referral",
            a.referral_id,
            a.user_id,
            a.organisation_id,
        ),
        (
            "api",
            lambda: a.api.get(f"/referrals/{a.referral_id}"),
            "referral",
            a.referral_id,
            a.user_id,
            a.organisation_id,
        ),
        (
            "partner",
            lambda: a.client.get(_register(a, SESSION_DAY)),
            "register",
            a.session_id,
            a.user_id,
            a.organisation_id,
        ),
        (
            "api",
            lambda: a.api.get(f"/registers/{a.session_id}/{SESSION_DAY.isoformat()}"),
            "register",
            a.session_id,
            a.user_id,
            a.organisation_id,
        ),
    ]
    for _who, view, record_type, record_id, user_id, organisation_id in views:
        _, rows = during(app, view)
        the_one(rows, audit.CONSULTATION, record_type, record_id, user_id, organisation_id, only_reads=True)


def test_viewing_attendance_records_is_a_consultation_of_each(two: TwoPartners) -> None:
    """The officer's dashboard shows each active requirement's attendance: one consultation per requirement."""
    app, a, b = two.app, two.a, two.b
    _, rows = during(app, lambda: two.officer.get("/dashboard/"))
    for side in (a, b):
        event = the_one(
            [row for row in rows if row.record_id == side.requirement_id],
            audit.CONSULTATION,
            "attendance",
            side.requirement_id,
            two.officer_id,
            None,
        )
        assert event.detail["subject_id"] == side.subject_id
    assert {row.action for row in rows} == {audit.CONSULTATION}


def test_lists_and_searches_are_one_consultation_each(two: TwoPartners, officer_api: Api) -> None:
    app, a, officer = two.app, two.a, two.officer
    lists: list[tuple[Callable[[], Any], str, int, int | None]] = [
        (lambda: officer.get("/subjects/"), "subject-list", two.officer_id, None),
        (lambda: officer_api.get("/subjects"), "subject-list", two.officer_id, None),
        (
            lambda: officer.post("/subjects/", data={"query": "Aurelia"}, follow_redirects=True),
            "subject-list",
            two.officer_id,
            None,
        ),
        (lambda: officer.get("/reports/"), "non-compliance-report-list", two.officer_id, None),
        (lambda: a.client.get("/partner/referrals/"), "referral-list", a.user_id, a.organisation_id),
        (lambda: a.api.get("/referrals"), "referral-list", a.user_id, a.organisation_id),
        (lambda: a.client.get("/partner/registers/"), "register-list", a.user_id, a.organisation_id),
        (lambda: a.api.get("/registers"), "register-list", a.user_id, a.organisation_id),
    ]
    for view, record_type, user_id, organisation_id in lists:
        _, rows = during(app, view)
        event = the_one(rows, audit.CONSULTATION, record_type, None, user_id, organisation_id, only_reads=True)
        assert "results" in event.detail


def test_exports_and_feeds_are_one_consultation_each(two: TwoPartners) -> None:
    app, a, officer = two.app, two.a, two.officer
    for path, rendering in (
        (f"/evidence/orders/{a.order_id}", "page"),
        (f"/evidence/orders/{a.order_id}.csv", "csv"),
        (f"/evidence/orders/{a.order_id}.docx", "docx"),
        (f"/orders/{a.order_id}/court-document.docx", None),
        (f"/orders/{a.order_id}/print", None),
    ):
        _, rows = during(app, lambda path=path: officer.get(path))
        event = the_one(rows, audit.CONSULTATION, "order", a.order_id, two.officer_id, None, only_reads=True)
        assert event.detail["subject_id"] == a.subject_id
        if rendering:
            assert event.detail["rendering"] == rendering and a.requirement_id in event.detail["requirement_ids"]
    with app.app_context():
        feed_id = db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.organisation_id == a.organisation_id))
    _, rows = during(app, lambda: app.test_client().get(f"/calendars/feed/{a.feed_token}.ics"))
    event = the_one(rows, audit.CONSULTATION, "calendar-feed", feed_id, a.user_id, a.organisation_id, only_reads=True)
    assert event.detail["referral_ids"] == [a.referral_id]  # whose sessions the feed showed


# Disclosure ----------------------------------------------------------------------------------------------------------


def _assert_disclosure(event: AuditEvent, officer_id: int, side, users: list[int]) -> None:
    assert (event.user_id, event.organisation_id) == (officer_id, side.organisation_id)
    assert event.detail["recipient_organisation_id"] == side.organisation_id
    assert event.detail["recipient_user_ids"] == users
    assert event.detail["recipient_named_supervisor"]
    assert "subject_name" in event.detail["shared_fields"] and event.purpose


def test_sending_referrals_from_the_order_page_is_one_disclosure_each_naming_the_people(two: TwoPartners, make) -> None:
    app, a, b = two.app, two.a, two.b
    colleague = make.user("partner", organisation_id=a.organisation_id, full_name="Col League")
    make.user("partner", organisation_id=a.organisation_id, disabled_at=datetime(2026, 1, 1))  # cannot sign in
    subject_id = make.subject()
    response, rows = during(
        app,
        lambda: two.officer.post(
            f"/orders/for-subject/{subject_id}/sessions", data={"session_id": [str(a.session_id), str(b.session_id)]}
        ),
    )
    with app.app_context():
        sent = {
            referral.organisation_id: referral.id
            for referral in db.session.scalars(select(Referral).where(Referral.subject_id == subject_id))
        }
    disclosures = [row for row in rows if row.action == audit.DISCLOSURE and row.record_type == "referral"]
    assert sorted(row.record_id for row in disclosures) == sorted(sent.values())
    for side, users in ((a, sorted([a.user_id, colleague])), (b, [b.user_id])):
        event = the_one(
            [row for row in disclosures if row.record_id == sent[side.organisation_id]],
            audit.DISCLOSURE,
            "referral",
            sent[side.organisation_id],
            two.officer_id,
            side.organisation_id,
        )
        _assert_disclosure(event, two.officer_id, side, users)


def test_sending_a_referral_through_the_api_is_one_disclosure_naming_the_people(
    two: TwoPartners, officer_api: Api, make
) -> None:
    app, b = two.app, two.b
    subject_id = make.subject()
    response, rows = during(
        app,
        lambda: officer_api.call(
            "POST", f"/orders/for-subject/{subject_id}/sessions", json={"session_ids": [b.session_id]}
        ),
    )
    [event] = [row for row in rows if row.action == audit.DISCLOSURE]
    _assert_disclosure(event, two.officer_id, b, [b.user_id])


# Combination ---------------------------------------------------------------------------------------------------------


def test_a_match_run_is_one_combination(two: TwoPartners, officer_api: Api) -> None:
    app = two.app
    subject_id = two.other_subject_id
    _, rows = during(app, lambda: two.officer.get(f"/subjects/{subject_id}/suggestions"))
    event = the_one(rows, audit.COMBINATION, "subject", subject_id, two.officer_id, None)
    assert "suggested" in event.detail
    _, rows = during(app, lambda: officer_api.call("POST", "/matching", json={"subject_id": subject_id}))
    the_one(rows, audit.COMBINATION, "subject", subject_id, two.officer_id, None)


# Helpers -------------------------------------------------------------------------------------------------------------


def _api_subject(reference: str) -> dict:
    from tests.api.helpers import subject_body

    return subject_body(reference)


def _note() -> dict:
    return {"kind": "fact", "text": "Seen at the youth club."}


def _register(side, day) -> str:
    return f"/partner/registers/{side.session_id}/{day.isoformat()}"


def _marks(side, status: str) -> dict:
    return {f"r{side.requirement_id}-status": status, f"r{side.requirement_id}-revision": "0"}


def _details(app: Flask, order_id: int) -> dict:
    from portal.models import Order

    with app.app_context():
        version = db.session.get(Order, order_id).version
    return {
        "version": str(version),
        "route": "s14",
        "police_area": "Metropolitan Police district",
        "applicant": "Commissioner of Police of the Metropolis",
        "court": "Thames Magistrates' Court",
        "duration_months": "12",
    }
