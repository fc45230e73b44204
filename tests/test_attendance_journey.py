"""The attendance journey on the London demo: a made order generates the partner's register; two unacceptable
absences by an under-18 raise a report the officer reviews and locks; one does not; overdue registers are chased."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.data.attendance_summaries import notify_overdue_registers
from portal.extensions import db
from portal.models import NonComplianceReport, Order, OutboxMessage, Requirement
from portal.rules.schedule import london_today
from tests.test_orders import (
    accept_weekly_plan,
    add_occasions,
    fill_details,
    give_rationales,
    officer,  # noqa: F401 - fixture
    partners_accept_all,
)
from tests.utils import page


@pytest.fixture
def made_order(app, officer, sign_in, demo):  # noqa: F811
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    officer.post(f"/orders/{order_id}/file", data={"version": version})
    with app.app_context():  # set-up: filed four weeks ago, as the court cannot make an order before its filing
        db.session.get(Order, order_id).filed_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(weeks=4)
        db.session.commit()
    made_on = london_today() - timedelta(days=22)
    version = page(officer.get(f"/orders/{order_id}/made")).select_one('input[name="version"]')["value"]
    response = officer.post(
        f"/orders/{order_id}/made",
        data={
            "version": version,
            "made_on": [str(made_on.day), str(made_on.month), str(made_on.year)],
            "made_by_court": "Thames Magistrates' Court",
        },
    )
    assert response.status_code == 302
    return order_id


def first_requirement(app, order_id: int) -> tuple[int, int, int]:
    with app.app_context():
        requirement = db.session.scalars(select(Requirement).where(Requirement.order_id == order_id)).first()
        return requirement.id, requirement.session_id, requirement.referral.organisation_id


def partner_for(app, sign_in, organisation_id: int):
    partner = app.test_client()
    sign_in(partner, "partner", organisation_id=organisation_id)
    return partner


def register_dates(partner, session_id: int) -> list[str]:
    soup = page(partner.get("/partner/registers/"))
    links = [a["href"] for a in soup.select(f'a[href^="/partner/registers/{session_id}/"]')]
    return sorted(
        {href.rsplit("/", 1)[1] for href in links if date.fromisoformat(href.rsplit("/", 1)[1]) < london_today()}
    )


def mark_absent(partner, requirement_id: int, session_id: int, on_date: str) -> None:
    path = f"/partner/registers/{session_id}/{on_date}"
    soup = page(partner.get(path))
    data = {field["name"]: field.get("value", "") for field in soup.select("form input[type=hidden]")}
    data |= {
        f"r{requirement_id}-status": "absent",
        f"r{requirement_id}-absence_reason": "No reason given",
        f"r{requirement_id}-absence_acceptable": "no",
        f"r{requirement_id}-contact_attempts": "Phoned twice",
    }
    response = partner.post(path, data=data)
    assert response.status_code == 302, page(response).select_one(".govuk-error-summary")


def reports_for(app, order_id: int) -> list[NonComplianceReport]:
    with app.app_context():
        return list(db.session.scalars(select(NonComplianceReport).where(NonComplianceReport.order_id == order_id)))


def test_a_made_order_generates_the_partners_register(app, sign_in, made_order) -> None:
    requirement_id, session_id, organisation_id = first_requirement(app, made_order)
    partner = partner_for(app, sign_in, organisation_id)
    dates = register_dates(partner, session_id)
    assert len(dates) >= 3  # weekly since the order was made 22 days ago
    assert "Ayaan K." in page(partner.get(f"/partner/registers/{session_id}/{dates[0]}")).get_text()


def test_two_unacceptable_absences_raise_a_report_that_the_officer_locks(app, officer, sign_in, made_order) -> None:  # noqa: F811
    requirement_id, session_id, organisation_id = first_requirement(app, made_order)
    partner = partner_for(app, sign_in, organisation_id)
    dates = register_dates(partner, session_id)
    mark_absent(partner, requirement_id, session_id, dates[0])
    assert reports_for(app, made_order) == []  # one absence by an under-18 is not "more than trivial"
    mark_absent(partner, requirement_id, session_id, dates[1])
    [report] = reports_for(app, made_order)
    assert report.status == "draft" and "Phoned twice" in report.facts

    soup = page(officer.get(f"/reports/{report.id}"))
    version = soup.select_one('input[name="version"]')["value"]
    response = officer.post(
        f"/reports/{report.id}",
        data={
            "version": version,
            "assessment": "Two missed sessions without reason.",
            "decision": "warning",
            "reason": "First failure; warning letter.",
        },
    )
    assert response.status_code in (302, 303)
    [locked] = reports_for(app, made_order)
    assert locked.status == "submitted" and locked.decision == "warning"


def test_overdue_registers_are_chased_once(app, made_order) -> None:
    with app.app_context():
        assert notify_overdue_registers() > 0
        db.session.commit()
        first = db.session.scalar(
            select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "register-overdue")
        )
        notify_overdue_registers()
        db.session.commit()
        again = db.session.scalar(
            select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "register-overdue")
        )
    assert first > 0 and again == first
