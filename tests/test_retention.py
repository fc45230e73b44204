"""Security bar item 27 (DPA 2018 s.39; College of Policing APP, review, retention and disposal).

Every subject and order has a review date counted from the order's end (configurable local policy); once the clock
passes it the record is in the review queue; a decision to retain records who and why and moves the date on;
disposal erases the person's data everywhere the portal holds it, partners' copies included, in one transaction,
leaving only metadata of what was erased.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.data import audit
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    AuditEvent,
    CalendarFeed,
    ComplianceEvent,
    ErasureRecord,
    ExclusionZone,
    NonAssociation,
    NonComplianceReport,
    Occasion,
    Order,
    OrderStatus,
    Prohibition,
    ProhibitionKind,
    Referral,
    ReportCorrection,
    Requirement,
    RetentionDecision,
    Subject,
    SubjectNote,
    SubjectWindow,
    WindowKind,
)
from tests.reliability.conftest import app_for, empty_database_url  # noqa: F401 - the fixture, for the migration
from tests.utils import banner, error_summary, field_error, h1, page

FIRST, LAST = "Zephyrine", "Quillfeather"  # names that appear nowhere else, so a search for them is exact
BUILT = "2026-08-20 10:00:00"  # when the records are written
MADE_ON = date(2026, 9, 1)  # the order: 12 months, so its last day is 31 August 2027...
REVIEW_DUE = date(2029, 8, 31)  # ...and it is due for review 24 months later (the default period)
MARKED_ON = date(2026, 9, 8)  # a Tuesday the partner marked
REVIEWER_ROLES = ("officer", "admin")


def count(app: Flask, model: type, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def review_due(app: Flask, model: type, row_id: int) -> date | None:
    with app.app_context():
        return db.session.scalar(select(model.review_due).where(model.id == row_id))


def queue_references(client: FlaskClient) -> list[str]:
    response = client.get("/retention/review-queue")
    assert response.status_code == 200
    return [link.get_text(strip=True).split(":")[0] for link in page(response).select("[data-section=review-queue] a")]


def decide(client: FlaskClient, subject_id: int, **answers: object):
    """Open the review page and send a decision, with the versions the page was opened on."""
    form = page(client.get(f"/retention/subjects/{subject_id}"))
    opened = {name: form.select_one(f'input[name="{name}"]')["value"] for name in ("version", "decisions_version")}
    return client.post(f"/retention/subjects/{subject_id}", data=opened | answers)


@dataclass
class Held:
    """A subject with everything the portal can hold about them, and the people and orders around them."""

    subject_id: int
    reference: str
    order_id: int
    earlier_order_id: int
    requirement_id: int
    referral_id: int
    session_id: int
    organisation_id: int
    neighbour_id: int  # made order naming the subject as a prohibited person
    neighbour_order_id: int
    drafter_order_id: int  # another subject's draft naming them too


def hold_everything(app: Flask, make, officer: FlaskClient, officer_id: int) -> Held:
    organisation_id = make.organisation()
    session_id = make.weekly_session(organisation_id, weekday=MARKED_ON.weekday())
    subject_id = make.subject(first_name=FIRST, last_name=LAST, reference="MPS-RET-0001")
    earlier_order_id = make.order(subject_id, status=OrderStatus.SUPERSEDED)
    requirement_id = make.active_requirement(session_id, made_on=MADE_ON, subject_id=subject_id)
    make.mark(
        requirement_id, MARKED_ON, status="absent", absence_reason=f"{FIRST} said he was ill", contact_attempts="Rang"
    )
    neighbour_id, drafter_id = make.subject(), make.subject()
    neighbour_order_id = make.order(neighbour_id, status=OrderStatus.MADE, made_on=MADE_ON)
    drafter_order_id = make.order(drafter_id)
    with app.app_context():
        requirement = db.session.get(Requirement, requirement_id)
        order = requirement.order
        order.replaces_id, order_id = earlier_order_id, order.id
        referral = requirement.referral
        referral.responded_at, referral.statement_safeguarding = datetime(2026, 8, 25, 9), f"We know {FIRST} well"
        referral_id = referral.id
        subject = db.session.get(Subject, subject_id)
        subject.notes.append(SubjectNote(kind="fact", text=f"{FIRST} {LAST} was stopped on Roman Road"))
        subject.windows.append(
            SubjectWindow(kind=WindowKind.SCHOOL, label="Bow School", weekday=0, start_time=time(9), end_time=time(15))
        )
        zone = ExclusionZone(label="Mile End Park", postcode="E3 4HL", easting=536500, northing=182500, radius_m=400)
        subject.exclusion_zones.append(zone)
        db.session.add(
            NonAssociation(subject_low_id=min(subject_id, neighbour_id), subject_high_id=max(subject_id, neighbour_id))
        )
        db.session.flush()
        order.occasions.append(Occasion(occurred_on=date(2026, 6, 1), location_type="public-place", summary="A knife"))
        order.prohibitions.append(
            Prohibition(kind=ProhibitionKind.PLACE, description="Mile End Park", exclusion_zone_id=zone.id)
        )
        for other_order_id in (neighbour_order_id, drafter_order_id):
            db.session.add(
                Prohibition(
                    order_id=other_order_id,
                    kind=ProhibitionKind.PERSON,
                    description=f"{FIRST} {LAST}",
                    person_subject_id=subject_id,
                )
            )
        report = NonComplianceReport(
            order_id=order.id,
            requirement_id=requirement_id,
            rule_code="partner-concern",
            source="partner",
            kind="concern",
            facts=f"{FIRST} arrived with a friend",
            raised_by_organisation_id=organisation_id,
        )
        report.corrections.append(ReportCorrection(text=f"The friend was {FIRST}'s cousin"))
        db.session.add(report)
        db.session.add(
            ComplianceEvent(
                order_id=order.id, kind="curfew", occurred_at=datetime(2026, 9, 9, 22, 40), description="Late"
            )
        )
        db.session.add(CalendarFeed(token_hash="f" * 64, user_id=officer_id, subject_id=subject_id))
        db.session.commit()
    officer.post("/subjects/", data={"query": LAST})  # a saved search for their surname
    return Held(
        subject_id,
        "MPS-RET-0001",
        order_id,
        earlier_order_id,
        requirement_id,
        referral_id,
        session_id,
        organisation_id,
        neighbour_id,
        neighbour_order_id,
        drafter_order_id,
    )


@pytest.fixture
def held(app: Flask, make, client, sign_in) -> Held:
    with freeze_time(BUILT):
        return hold_everything(app, make, client, sign_in(client, "officer"))


# Review dates -----------------------------------------------------------------------------------------------------


def test_every_subject_and_order_has_a_review_date_counted_from_the_orders_end(app: Flask, make) -> None:
    with freeze_time("2026-03-10 09:00:00"):
        alone = make.subject()
        drafted = make.subject()
        draft = make.order(drafted, status=OrderStatus.WITHDRAWN)  # one open order at a time
    with freeze_time("2026-05-01 09:00:00"):
        made = make.order(drafted, status=OrderStatus.MADE, made_on=date(2026, 5, 1), duration_months=6)
    assert review_due(app, Subject, alone) == date(2027, 3, 10)  # no order: 12 months after the record was created
    assert review_due(app, Order, draft) == date(2027, 3, 10)  # never made: 12 months after it was started
    assert review_due(app, Order, made) == date(2028, 10, 31)  # ends 31 October 2026, then 24 months
    assert review_due(app, Subject, drafted) == date(2028, 10, 31)  # the latest of its orders


def test_a_review_date_follows_the_order_when_the_court_makes_it(app: Flask, make) -> None:
    with freeze_time("2026-03-10 09:00:00"):
        subject_id = make.subject()
        order_id = make.order(subject_id)
    with app.app_context():
        order = db.session.get(Order, order_id)
        version = order.version
        order.status, order.made_on, order.duration_months = OrderStatus.MADE, date(2026, 4, 1), 24
        db.session.commit()
        assert order.version == version + 1  # the officer's own change, and nothing more
    assert review_due(app, Order, order_id) == date(2030, 3, 31)
    assert review_due(app, Subject, subject_id) == date(2030, 3, 31)


# The queue --------------------------------------------------------------------------------------------------------


def test_a_subject_enters_the_queue_once_its_review_date_passes_and_not_before(
    app: Flask, make, client, sign_in
) -> None:
    with freeze_time("2026-03-01 09:00:00"):
        older = make.subject(reference="MPS-RET-OLDER")  # no order: due 1 March 2027, overdue for longer
    with freeze_time(BUILT):
        subject_id = make.subject(reference="MPS-RET-0002", first_name=FIRST, last_name=LAST)
        make.order(subject_id, status=OrderStatus.MADE, made_on=MADE_ON)
    assert review_due(app, Subject, subject_id) == REVIEW_DUE
    with freeze_time("2029-08-30 23:00:00"):  # 31 August in London already, but not in UTC: London counts
        sign_in(client, "officer")
        assert queue_references(client) == ["MPS-RET-OLDER", "MPS-RET-0002"]
    with freeze_time("2029-08-30 12:00:00"):
        sign_in(client, "officer")
        assert queue_references(client) == ["MPS-RET-OLDER"]
    with freeze_time("2029-08-31 08:00:00"):
        sign_in(client, "officer")
        response = client.get("/retention/review-queue")
        assert queue_references(client) == ["MPS-RET-OLDER", "MPS-RET-0002"]  # the longest overdue first
        row = page(response).select_one(f'[data-subject="{subject_id}"]').get_text(" ", strip=True)
        assert "31 August 2029" in row and "after the order ended on 31 August 2027" in row
        assert FIRST not in response.get_data(as_text=True) and LAST not in response.get_data(as_text=True)
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "retention-review-queue").order_by(AuditEvent.id)
        ).all()
    assert [event.action for event in viewed] == [audit.CONSULTATION] * 4
    assert viewed[-1].detail["subject_ids"] == [older, subject_id]


def test_the_queue_is_paginated(app: Flask, make, client, sign_in) -> None:
    app.config["PAGE_SIZE"] = 2
    with freeze_time("2025-01-01 09:00:00"):
        for number in range(3):
            make.subject(reference=f"MPS-PAGE-{number}")
    with freeze_time("2026-06-01 09:00:00"):
        sign_in(client, "admin")
        assert len(queue_references(client)) == 2
        assert "3 records due for review" in client.get("/retention/review-queue").get_data(as_text=True)
        second = page(client.get("/retention/review-queue?page=2"))
        assert len(second.select("[data-section=review-queue] tbody tr")) == 1


def test_the_demo_has_a_record_due_for_review(client, sign_in, demo) -> None:
    sign_in(client, "officer")
    assert queue_references(client) == ["KCPO-DEMO-003"]


# Decisions --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", REVIEWER_ROLES)
def test_a_retain_decision_records_the_reviewer_and_rationale_and_moves_the_date_on(
    app: Flask, client, sign_in, held, role: str
) -> None:
    with freeze_time("2029-09-03 10:00:00"):
        reviewer_id = sign_in(client, role, full_name="Rhiannon Reviewer")
        response = decide(client, held.subject_id, decision="retain", rationale="Linked to an open investigation")
        assert response.status_code == 302
        followed = client.get(response.headers["Location"])
        assert "next review is due on 3 September 2030" in banner(followed)
        decisions = page(followed).select_one("[data-section=decisions]").get_text(" ", strip=True)
        assert "Rhiannon Reviewer" in decisions and "Linked to an open investigation" in decisions
        assert held.reference not in queue_references(client)
    with app.app_context():
        [decision] = db.session.scalars(select(RetentionDecision)).all()
        assert (decision.reviewer_id, decision.rationale) == (reviewer_id, "Linked to an open investigation")
        assert (decision.decision, decision.next_review_due) == ("retain", date(2030, 9, 3))
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == audit.ALTERATION, AuditEvent.record_type == "subject")
        ).all()
        assert (event.user_id, event.record_id, event.detail["decision_id"]) == (
            reviewer_id,
            held.subject_id,
            decision.id,
        )
    assert review_due(app, Subject, held.subject_id) == date(2030, 9, 3)
    assert review_due(app, Order, held.order_id) == date(2030, 9, 3)
    with freeze_time("2030-09-03 10:00:00"):
        sign_in(client, "officer")
        assert held.reference in queue_references(client)  # back when the date it set comes


def test_a_reviewer_may_choose_the_next_review_date_within_limits(app: Flask, client, sign_in, held) -> None:
    with freeze_time("2029-09-03 10:00:00"):
        sign_in(client, "officer")
        too_late = decide(
            client, held.subject_id, decision="retain", rationale="Still needed", next_review_due=["4", "9", "2032"]
        )
        assert error_summary(too_late) == ["Next review date must be no later than 3 September 2032"]
        past = decide(
            client, held.subject_id, decision="retain", rationale="Still needed", next_review_due=["2", "9", "2029"]
        )
        assert field_error(past, "next_review_due") == "Next review date must be in the future"
        assert count(app, RetentionDecision) == 0
        chosen = decide(
            client, held.subject_id, decision="retain", rationale="Still needed", next_review_due=["1", "3", "2030"]
        )
        assert chosen.status_code == 302
    assert review_due(app, Subject, held.subject_id) == date(2030, 3, 1)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"decision": "retain", "rationale": ""}, "rationale", "Enter the rationale for your decision"),
        ({"decision": "dispose", "rationale": "   "}, "rationale", "Enter the rationale for your decision"),
        (
            {"decision": "dispose", "rationale": "No longer needed"},
            "confirm_disposal",
            "Confirm that you want to erase this record permanently",
        ),
        ({"rationale": "No longer needed"}, "decision", "Select whether to retain or dispose of the record"),
    ],
)
def test_a_decision_without_its_answers_names_the_field_and_saves_nothing(
    app: Flask, client, sign_in, held, answers: dict, field: str, message: str
) -> None:
    with freeze_time("2029-09-03 10:00:00"):
        sign_in(client, "officer")
        response = decide(client, held.subject_id, **answers)
    assert response.status_code == 200
    assert h1(response) == held.reference and page(response).title.get_text().startswith("Error: ")
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert count(app, RetentionDecision) == 0 and count(app, ErasureRecord) == 0
    assert count(app, Subject, Subject.id == held.subject_id) == 1
    assert count(app, Referral, Referral.id == held.referral_id) == 1
    assert review_due(app, Subject, held.subject_id) == REVIEW_DUE


def test_a_decision_on_a_page_opened_before_another_decision_is_refused(app: Flask, client, sign_in, held) -> None:
    with freeze_time("2029-09-03 10:00:00"):
        sign_in(client, "officer")
        path = f"/retention/subjects/{held.subject_id}"
        stale = page(client.get(path))
        opened = {name: stale.select_one(f'input[name="{name}"]')["value"] for name in ("version", "decisions_version")}
        retained = decide(client, held.subject_id, decision="retain", rationale="Still needed")
        client.get(retained.headers["Location"])
        response = client.post(
            path, data=opened | {"decision": "dispose", "rationale": "Not needed", "confirm_disposal": "y"}
        )
        assert response.status_code == 303
        assert "Someone else changed this record" in banner(client.get(response.headers["Location"]))
    assert count(app, Subject, Subject.id == held.subject_id) == 1 and count(app, RetentionDecision) == 1


def test_a_decision_on_a_record_someone_else_disposed_of_meanwhile_changes_nothing(
    app: Flask, client, sign_in, held
) -> None:
    other = app.test_client()
    with freeze_time("2029-09-03 10:00:00"):
        sign_in(client, "officer")
        sign_in(other, "admin")
        path = f"/retention/subjects/{held.subject_id}"
        stale = page(client.get(path))
        opened = {name: stale.select_one(f'input[name="{name}"]')["value"] for name in ("version", "decisions_version")}
        disposed = decide(other, held.subject_id, decision="dispose", rationale="Not needed", confirm_disposal="y")
        assert disposed.status_code == 302
        response = client.post(path, data=opened | {"decision": "retain", "rationale": "Still needed"})
        assert response.status_code == 303
        followed = client.get(response.headers["Location"], follow_redirects=True)
        assert followed.status_code == 200 and h1(followed) == f"{held.reference} was disposed of"
    assert count(app, RetentionDecision) == 1 and count(app, Subject, Subject.id == held.subject_id) == 0


# Disposal ---------------------------------------------------------------------------------------------------------


def rows_naming(app: Flask, *names: str) -> list[str]:
    """Every row, in every table, that holds any of these names anywhere in it."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                text = " ".join(str(value) for value in row)
                if any(name in text for name in names):
                    found.append(f"{table.name}: {text[:200]}")
    return found


def test_disposal_erases_the_person_everywhere_including_what_partners_saw(
    app: Flask, make, client, sign_in, held
) -> None:
    partner = app.test_client()
    with freeze_time("2029-09-03 10:00:00"):
        sign_in(partner, "partner", organisation_id=held.organisation_id)
        register_path = f"/partner/registers/{held.session_id}/{MARKED_ON.isoformat()}"
        assert f"{FIRST} Q." in partner.get(f"/partner/referrals/{held.referral_id}").get_data(as_text=True)
        assert f"{FIRST} Q." in partner.get(register_path).get_data(as_text=True)
        assert f"{FIRST} Q." in partner.get("/partner/referrals/").get_data(as_text=True)

        reviewer_id = sign_in(client, "officer", full_name="Dana Disposer")
        review_page = client.get(f"/retention/subjects/{held.subject_id}").get_data(as_text=True)
        assert "Order " + str(held.neighbour_order_id) in review_page  # the reviewer is told who else names them
        response = decide(
            client,
            held.subject_id,
            decision="dispose",
            rationale="Order ended two years ago; no further policing purpose",
            confirm_disposal="y",
        )
        assert response.status_code == 302
        record = client.get(response.headers["Location"])
        assert "MPS-RET-0001 has been disposed of" in banner(record)
        summary = page(record).get_text(" ", strip=True)
        assert "Dana Disposer" in summary and "no further policing purpose" in summary

        # The partner's copies are gone: the referral disappears, the register no longer expects anyone.
        referrals = partner.get("/partner/referrals/")
        assert referrals.status_code == 200 and FIRST not in referrals.get_data(as_text=True)
        assert partner.get(f"/partner/referrals/{held.referral_id}").status_code == 404
        assert partner.get(register_path).status_code == 404
        registers = partner.get("/partner/registers/")
        assert registers.status_code == 200 and FIRST not in registers.get_data(as_text=True)

        # No page meets the erased subject with an error.
        for path, status in [
            (f"/subjects/{held.subject_id}", 404),
            (f"/orders/{held.order_id}", 404),
            (f"/evidence/orders/{held.order_id}", 404),
            ("/subjects/", 200),
            ("/dashboard/", 200),
            ("/reports/", 200),
            (f"/subjects/{held.neighbour_id}", 200),
            (f"/orders/{held.neighbour_order_id}", 200),
            (f"/orders/{held.drafter_order_id}", 200),
            ("/retention/review-queue", 200),
        ]:
            assert client.get(path).status_code == status, path
        again = client.get(f"/retention/subjects/{held.subject_id}")
        assert again.status_code == 303 and "already been disposed of" in banner(client.get(again.headers["Location"]))

    # Nothing of the person is left anywhere, the audit log included.
    assert rows_naming(app, FIRST, LAST) == []
    erased = {
        Subject: Subject.id == held.subject_id,
        Order: Order.subject_id == held.subject_id,
        Requirement: Requirement.id == held.requirement_id,
        Referral: Referral.id == held.referral_id,
        AttendanceMark: AttendanceMark.requirement_id == held.requirement_id,
        NonComplianceReport: NonComplianceReport.order_id == held.order_id,
        ReportCorrection: sa.true(),
        ComplianceEvent: ComplianceEvent.order_id == held.order_id,
        SubjectNote: sa.true(),
        SubjectWindow: sa.true(),
        ExclusionZone: sa.true(),
        NonAssociation: sa.true(),
        CalendarFeed: sa.true(),
        Occasion: sa.true(),
    }
    assert {model.__name__: count(app, model, where) for model, where in erased.items()} == dict.fromkeys(
        (model.__name__ for model in erased), 0
    )
    with app.app_context():
        # Other people's orders keep their prohibitions without the name (a draft simply drops it).
        kept = db.session.scalars(select(Prohibition).where(Prohibition.order_id == held.neighbour_order_id)).one()
        assert kept.person_subject_id is None and kept.description.startswith("A person whose record was erased")
        assert db.session.scalar(select(func.count()).where(Prohibition.order_id == held.drafter_order_id)) == 0

        # Metadata only: the decision, one erasure record and one erasure event per kind of record.
        [decision] = db.session.scalars(select(RetentionDecision)).all()
        assert (decision.decision, decision.reference, decision.record_id) == (
            "dispose",
            held.reference,
            held.subject_id,
        )
        assert decision.reviewer_id == reviewer_id
        records = {row.record_type: row for row in db.session.scalars(select(ErasureRecord))}
        assert records["subject"].record_ids == [held.subject_id]
        assert sorted(records["order"].record_ids) == sorted([held.order_id, held.earlier_order_id])
        assert records["referral"].record_ids == [held.referral_id]
        assert records["saved-search"].count == 1 and records["saved-search"].record_ids == []
        assert {row.erased_by_id for row in records.values()} == {reviewer_id}
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == audit.ERASURE)).all()
        kinds = [event.record_type for event in events]
        assert sorted(kinds) == sorted(records) and len(kinds) == len(set(kinds))
        assert set(kinds) >= {
            "subject", "subject-note", "subject-window", "exclusion-zone", "non-association", "calendar-feed",
            "saved-search", "order", "occasion", "requirement", "prohibition", "referral", "attendance-mark",
            "compliance-event", "non-compliance-report", "report-correction",
        }  # fmt: skip
        referral_event = next(event for event in events if event.record_type == "referral")
        assert referral_event.detail["recipient_organisation_ids"] == [held.organisation_id]
        assert all(event.detail["subject_id"] == held.subject_id for event in events)
        assert all(event.user_id == reviewer_id for event in events)
        assert "policing purpose" not in str([(event.detail, event.purpose) for event in events])  # kept apart
    # The audit chain still verifies: nothing in the log was touched.
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_failure_part_way_through_disposal_rolls_all_of_it_back(
    app: Flask, client, sign_in, held, monkeypatch
) -> None:
    record = audit.record

    def failing(action: str, record_type: str, *args, **kwargs):
        if action == audit.ERASURE and record_type == "order":  # by now the rows are deleted, half the metadata written
            raise RuntimeError("the database went away")
        return record(action, record_type, *args, **kwargs)

    with freeze_time("2029-09-03 10:00:00"):
        sign_in(client, "officer")
        monkeypatch.setattr(audit, "record", failing)
        response = decide(client, held.subject_id, decision="dispose", rationale="Not needed", confirm_disposal="y")
        monkeypatch.setattr(audit, "record", record)
    assert response.status_code == 500
    assert count(app, Subject, Subject.id == held.subject_id) == 1
    assert count(app, Order, Order.subject_id == held.subject_id) == 2
    assert count(app, Referral, Referral.id == held.referral_id) == 1
    assert count(app, AttendanceMark, AttendanceMark.requirement_id == held.requirement_id) == 1
    assert count(app, SubjectNote) == 1 and count(app, ReportCorrection) == 1
    assert count(app, RetentionDecision) == 0 and count(app, ErasureRecord) == 0
    assert count(app, AuditEvent, AuditEvent.action == audit.ERASURE) == 0
    with app.app_context():
        named = db.session.scalars(
            select(Prohibition.description).where(Prohibition.order_id == held.neighbour_order_id)
        )
        assert list(named) == [f"{FIRST} {LAST}"]


def test_every_reference_to_an_erased_table_is_dealt_with_by_disposal(app: Flask) -> None:
    """A table added later that points at a subject, order, requirement, referral or report must be added to
    disposal (portal.data.retention.ERASABLE and HANDLED_REFERENCES), or this fails."""
    from portal.data.retention import ERASABLE, HANDLED_REFERENCES

    erased_tables = {model.__tablename__ for model in ERASABLE.values()} - {"saved_searches"}
    references = {
        (table.name, key.parent.name)
        for table in db.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name in erased_tables
    }
    assert references == set(HANDLED_REFERENCES)


# Access -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner", "auditor"])
def test_partners_and_other_roles_cannot_reach_the_review_pages(app: Flask, client, sign_in, held, role: str) -> None:
    with freeze_time("2029-09-03 10:00:00"):
        sign_in(client, role, organisation_id=held.organisation_id if role == "partner" else None)
        review = f"/retention/subjects/{held.subject_id}"
        assert client.get("/retention/review-queue").status_code == 403
        assert client.get(review).status_code == 403
        answers = {"decision": "dispose", "rationale": "x", "confirm_disposal": "y"}
        assert client.post(review, data=answers).status_code == 403
        assert client.get("/retention/disposals/1").status_code == 403
        assert client.get("/admin/retention-policy").status_code == 403
    assert count(app, Subject, Subject.id == held.subject_id) == 1 and count(app, RetentionDecision) == 0


def test_only_admins_set_the_review_periods(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/admin/retention-policy").status_code == 403
    assert client.post("/admin/retention-policy", data={"months_after_order_end": "1"}).status_code == 403


# Local policy -----------------------------------------------------------------------------------------------------


def policy_form(client: FlaskClient, **periods: str) -> dict[str, str]:
    current = page(client.get("/admin/retention-policy"))
    names = (
        "version",
        "months_after_order_end",
        "months_after_unmade_order",
        "months_without_order",
        "months_after_retain",
    )
    return {name: current.select_one(f'input[name="{name}"]')["value"] for name in names} | periods


def test_changing_the_review_periods_recalculates_every_review_date(app: Flask, make, client, sign_in) -> None:
    with freeze_time("2026-03-01 09:00:00"):
        alone = make.subject()
        with_order = make.subject()
        order_id = make.order(with_order, status=OrderStatus.MADE, made_on=date(2026, 1, 1), duration_months=12)
    with app.app_context():
        versions = {row.id: row.version for row in db.session.scalars(select(Subject))}
    assert (review_due(app, Subject, alone), review_due(app, Subject, with_order)) == (
        date(2027, 3, 1),
        date(2028, 12, 31),
    )

    with freeze_time("2026-09-02 09:00:00"):
        sign_in(client, "admin")
        assert queue_references(client) == []
        form = page(client.get("/admin/retention-policy"))
        assert (
            "Local policy, not law" in form.get_text() and "24" == form.select_one("#months_after_order_end")["value"]
        )
        response = client.post(
            "/admin/retention-policy", data=policy_form(client, months_after_order_end="36", months_without_order="6")
        )
        assert response.status_code == 302
        assert "review date has been recalculated" in banner(client.get(response.headers["Location"]))
        assert len(queue_references(client)) == 1  # the subject with no order: due 1 September 2026 now

    assert review_due(app, Subject, alone) == date(2026, 9, 1)
    assert review_due(app, Order, order_id) == date(2029, 12, 31)
    assert review_due(app, Subject, with_order) == date(2029, 12, 31)
    with app.app_context():  # a date the portal keeps never makes someone's open edit form stale
        assert {row.id: row.version for row in db.session.scalars(select(Subject))} == versions
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "policy")).all()
        assert event.detail["setting"] == "retention"


@pytest.mark.parametrize(
    ("periods", "field", "message"),
    [
        (
            {"months_after_order_end": ""},
            "months_after_order_end",
            "Enter how many months after an order ends it is reviewed",
        ),
        (
            {"months_without_order": "0"},
            "months_without_order",
            "Months after the record of a subject with no order was created must be between 1 and 120",
        ),
        (
            {"months_after_retain": "48"},
            "months_after_retain",
            "Months until the next review after a decision to retain must be between 1 and 36",
        ),
        (
            {"months_after_unmade_order": "soon"},
            "months_after_unmade_order",
            "Months after an order no court made was started must be a whole number, like 12",
        ),
    ],
)
def test_review_periods_that_make_no_sense_are_refused(
    app: Flask, client, sign_in, periods: dict, field: str, message: str
) -> None:
    sign_in(client, "admin")
    response = client.post("/admin/retention-policy", data=policy_form(client, **periods))
    assert response.status_code == 200
    assert message in error_summary(response) and field_error(response, field) == message
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.record_type == "policy"))
            == 0
        )


# Migration ------------------------------------------------------------------------------------------------------


def test_the_migration_gives_existing_records_their_review_dates(empty_database_url: str) -> None:  # noqa: F811
    application = app_for(empty_database_url)
    with application.app_context():
        upgrade(revision="a7c1e2f3b4d5")
        now = datetime(2026, 3, 1, 9, 0)
        subjects = sa.table("subjects", *(sa.column(name, kind) for name, kind in SUBJECT_COLUMNS.items()))
        orders = sa.table("orders", *(sa.column(name, kind) for name, kind in ORDER_COLUMNS.items()))
        with db.engine.begin() as connection:
            for number in (1, 2):
                connection.execute(subjects.insert().values(**subject_row(number, now)))
            connection.execute(orders.insert().values(**order_row(2, now, made_on=date(2026, 1, 1), duration=12)))
            connection.execute(orders.insert().values(**order_row(2, now, status="superseded")))
        upgrade()
        with db.engine.connect() as connection:
            subject_dates = dict(connection.execute(sa.text("SELECT id, review_due FROM subjects ORDER BY id")).all())
            order_dates = [row[0] for row in connection.execute(sa.text("SELECT review_due FROM orders ORDER BY id"))]
        db.engine.dispose()
    as_date = [value if isinstance(value, date) else date.fromisoformat(value) for value in subject_dates.values()]
    assert as_date == [date(2027, 3, 1), date(2028, 12, 31)]
    assert [value if isinstance(value, date) else date.fromisoformat(value) for value in order_dates] == [
        date(2028, 12, 31),
        date(2027, 3, 1),
    ]


def _typed(names: str, kind: sa.types.TypeEngine) -> dict[str, sa.types.TypeEngine]:
    return dict.fromkeys(names.split(), kind)


# The two tables as they stood at revision a7c1e2f3b4d5, before review dates.
SUBJECT_COLUMNS = (
    _typed("id home_easting home_northing version", sa.Integer())
    | _typed("reference first_name last_name gender home_postcode category interest_text", sa.String())
    | _typed("languages interest_activity_types needs", sa.JSON())
    | _typed("date_of_birth", sa.Date())
    | _typed("created_at updated_at", sa.DateTime())
)
ORDER_COLUMNS = (
    _typed("subject_id order_version duration_months version", sa.Integer())
    | _typed(
        "status route police_area applicant court necessity_statement conviction_offence sentence yot_team "
        "yot_outcome guardian_name guardian_relationship guardian_absent_reason made_by_court final_terms",
        sa.String(),
    )
    | _typed("start_on_release", sa.Boolean())
    | _typed("made_on", sa.Date())
    | _typed("created_at updated_at", sa.DateTime())
)


def subject_row(number: int, now: datetime) -> dict:
    return {
        "id": number,
        "reference": f"MPS-MIG-{number}",
        "first_name": "Old",
        "last_name": "Record",
        "date_of_birth": date(2010, 1, 1),
        "gender": "male",
        "home_postcode": "E3 2AA",
        "home_easting": 536823,
        "home_northing": 183099,
        "category": "suspect",
        "languages": [],
        "interest_activity_types": [],
        "interest_text": "",
        "needs": [],
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def order_row(
    subject_id: int, now: datetime, *, status: str = "made", made_on: date | None = None, duration: int = 12
) -> dict:
    texts = dict.fromkeys(
        "route police_area applicant court necessity_statement conviction_offence sentence yot_team yot_outcome "
        "guardian_name guardian_relationship guardian_absent_reason made_by_court final_terms".split(),
        "",
    )
    return texts | {
        "subject_id": subject_id,
        "status": status,
        "order_version": 1,
        "route": "s14",
        "start_on_release": False,
        "duration_months": duration,
        "made_on": made_on,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
