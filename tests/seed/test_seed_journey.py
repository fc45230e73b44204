"""The demo's order journey: after `load_demo()` a subject stands at every stage, dated from the day the seed runs,
and every role's first page has something to show."""

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.data import accounts
from portal.data.dashboard import officer_dashboard
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    NonComplianceReport,
    Order,
    OrderStatus,
    ReferralStatus,
    Subject,
    User,
)
from seed.loader import load_demo
from tests.conftest import built_once
from tests.utils import page

TODAYS = [datetime(2026, 12, 6, 12), datetime(2027, 9, 15, 12)]  # the second after the catalogue's academic year


@pytest.fixture(params=TODAYS, ids=lambda moment: moment.date().isoformat())
def seeded_on(app: Flask, request: pytest.FixtureRequest):
    """The demo loaded on a frozen day (built once per worker per database, `built_once`); yields that day with the
    clock still frozen there."""

    def load() -> None:
        with app.app_context():
            load_demo()
            db.session.commit()

    with freeze_time(request.param, tick=True):
        built_once(request, f"demo-{request.param.date()}", "", load, frozen=True)
        yield request.param.date()


def order_of(reference: str) -> Order:
    subject_id = db.session.scalar(select(Subject.id).where(Subject.reference == reference))
    return db.session.scalar(select(Order).where(Order.subject_id == subject_id))


def marks_of(order: Order) -> dict[str, list[AttendanceMark]]:
    return {
        requirement.activity: list(
            db.session.scalars(
                select(AttendanceMark)
                .where(AttendanceMark.requirement_id == requirement.id, AttendanceMark.is_current.is_(True))
                .order_by(AttendanceMark.on_date)
            )
        )
        for requirement in order.requirements
    }


def test_a_draft_awaits_one_partner_while_another_has_accepted(app: Flask, seeded_on: date) -> None:
    with app.app_context():
        draft = order_of("KCPO-DEMO-004")
        assert draft.status == OrderStatus.DRAFT
        assert draft.proposed_start == seeded_on + timedelta(days=28)
        statuses = sorted(str(requirement.referral.status) for requirement in draft.requirements)
        assert statuses == [ReferralStatus.ACCEPTED, ReferralStatus.SENT]


def test_a_filed_order_waits_for_court(app: Flask, seeded_on: date) -> None:
    with app.app_context():
        filed = order_of("KCPO-DEMO-005")
        assert filed.status == OrderStatus.FILED and filed.made_on is None
        assert [requirement.referral.status for requirement in filed.requirements] == [ReferralStatus.ACCEPTED]


def test_a_made_order_has_weeks_of_registers_with_one_late_and_one_absence(app: Flask, seeded_on: date) -> None:
    with app.app_context():
        made = order_of("KCPO-DEMO-006")
        assert made.status == OrderStatus.MADE
        assert made.made_on == seeded_on - timedelta(days=42)
        assert made.filed_at.date() <= made.made_on <= seeded_on  # the made page's rule
        boxing = marks_of(made)["Girls' Boxing Fitness"]
        assert len(boxing) == 6  # every Wednesday from the made date to yesterday
        assert boxing[0].on_date >= made.made_on and boxing[-1].on_date < seeded_on
        assert [str(mark.status) for mark in boxing].count("late") == 1
        assert [str(mark.status) for mark in boxing].count("absent") == 1
        assert all(mark.status == "attended" for mark in marks_of(made)["Winter Futsal Block"])
        assert db.session.scalar(select(func.count()).where(NonComplianceReport.order_id == made.id)) == 0


def test_a_non_compliance_report_awaits_the_officers_decision(app: Flask, seeded_on: date) -> None:
    with app.app_context():
        made = order_of("KCPO-DEMO-007")
        assert made.status == OrderStatus.MADE and made.made_on == seeded_on - timedelta(days=35)
        [report] = db.session.scalars(select(NonComplianceReport).where(NonComplianceReport.order_id == made.id))
        assert report.status == "draft" and report.decision in (None, "")


def test_a_listing_ending_before_its_requirement_offers_replacements(app: Flask, seeded_on: date) -> None:
    with app.app_context():
        officer_id = db.session.scalar(select(User.id).where(User.email == "officer@met.example.org"))
        [gap] = officer_dashboard(officer_id, seeded_on).listing_gaps
        assert gap.requirement.activity == "Winter Futsal Block"
        assert gap.listing_ends == seeded_on + timedelta(days=28) < gap.requirement_ends
        assert gap.replacements


def test_seeding_twice_changes_nothing(app: Flask, seeded_on: date) -> None:
    with app.app_context():
        before = table_counts()
        assert set(load_demo().values()) == {0}
        db.session.commit()
        assert table_counts() == before


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def test_the_audit_chain_verifies_after_seeding(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed"]).exit_code == 0
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "chain intact" in verified.output, verified.output


def signed_in_as(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        token = accounts.start_session(db.session.scalar(select(User).where(User.email == email)))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


@pytest.mark.parametrize(
    "email, shown",
    [
        ("officer@met.example.org", ["KCPO-DEMO-007", "KCPO-DEMO-004", "Winter Futsal Block for KCPO-DEMO-006"]),
        ("partner@bowboxing.example.org", ["Maya H.", "Girls' Boxing Fitness"]),
        ("admin@kcpo.example.org", ["Awaiting approval"]),
        ("auditor@kcpo.example.org", ["referral"]),
    ],
)
def test_every_role_has_something_to_show_on_a_fresh_demo(
    app: Flask, seeded_on: date, email: str, shown: list[str]
) -> None:
    text = page(signed_in_as(app, email).get("/home", follow_redirects=True)).get_text(" ", strip=True)
    for words in shown:
        assert words in text, text[:3000]
