"""Issue 14 in Debian's chromium: one order, one period, from the suggestions page to the partner's registers.

The period chosen on the suggestions page is the draft's; the partner sees its dates; filing goes through check
your answers and a confirmation; the court makes the order today and the registers start that day. The same first
and last day appear on every page and in the .docx.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.rules.dates import long_date, period_end
from tests.browser.conftest import (
    OFFICER,
    LiveServer,
    assert_page_ok,
    fill_date,
    serve_seeded_portal,
    sign_in_as,
    sign_out,
)
from tests.browser.test_order_journey import partner_for_referrals

pytestmark = [pytest.mark.browser]


@dataclass(frozen=True)
class Period:
    """Twelve months from the day the journey runs: the order's period, the same on every page."""

    today: date

    @property
    def start(self) -> str:
        return long_date(self.today)

    @property
    def end(self) -> str:
        return long_date(period_end(self.today, 12))

    @property
    def shown(self) -> str:
        return f"{self.start} to {self.end} (12 months)"


@pytest.fixture
def period(today: date) -> Period:
    return Period(today)


@pytest.fixture(scope="module")
def period_server(tmp_path_factory: pytest.TempPathFactory):
    with serve_seeded_portal(tmp_path_factory.mktemp("period-journey") / "portal.sqlite3") as server:
        yield server


@pytest.fixture(scope="module")
def live_server(period_server: LiveServer) -> str:
    return period_server.url


def _demo_subject_id(server: LiveServer) -> int:
    from portal.extensions import db
    from portal.models import Subject

    with server.app.app_context():
        return db.session.scalar(select(Subject.id).where(Subject.reference == "KCPO-DEMO-001"))


def _order_session_ids(server: LiveServer, order_id: int) -> set[str]:
    from portal.extensions import db
    from portal.models import Requirement

    with server.app.app_context():
        found = db.session.scalars(select(Requirement.session_id).where(Requirement.order_id == order_id))
        return {str(session_id) for session_id in found}


def _period_row(page: Page) -> str:
    return page.locator(".govuk-summary-list__row", has=page.get_by_text("Period", exact=True)).inner_text()


def officer_drafts_from_suggestions(page: Page, subject_id: int, period: Period) -> int:
    sign_in_as(page, OFFICER)
    page.goto(f"/subjects/{subject_id}/suggestions")
    fill_date(page, "Order would start on", period.today)
    page.get_by_label("For", exact=True).select_option("12")
    page.get_by_role("button", name="Update suggestions").click()
    assert_page_ok(page, "period-suggestions", "Suggested requirements")
    expect(page.locator("main")).to_contain_text(f"For an order from {period.start} to {period.end}")
    page.get_by_role("tab", name=re.compile("Weekly plan")).click()
    page.locator("#weekly-plan").get_by_role("button", name=re.compile("weekly plan")).click()
    assert_page_ok(page, "period-draft", "Draft Knife Crime Prevention Order")
    assert period.shown in _period_row(page)
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def officer_completes_the_draft(page: Page, period: Period) -> None:
    order_url = page.url
    page.get_by_role("link", name="Change order details").click()
    page.get_by_label("Without conviction: police application by complaint (section 14)").check()
    page.get_by_label("Police area").fill("Metropolitan Police district")
    page.get_by_label("Court").fill("Thames Magistrates' Court")
    page.get_by_label("Why the order is necessary").fill("To protect him and the public from knife crime.")
    page.get_by_label("Youth offending team consulted").fill("Tower Hamlets Youth Justice Service")
    fill_date(page, "Date of the youth offending team consultation", date.fromordinal(period.today.toordinal() - 20))
    page.get_by_label("Outcome of the consultation").fill("Supports positive requirements.")
    page.get_by_label("Parent or guardian's name").fill("Farah Khan")
    page.get_by_label("Relationship to the subject").fill("Mother")
    page.get_by_role("button", name="Save order details").click()
    assert period.shown in _period_row(page)  # saving the details kept the period the suggestions were checked for
    for days_ago in (100, 60):
        page.get_by_role("link", name="Add an occasion").click()
        fill_date(page, "Date of the occasion", date.fromordinal(period.today.toordinal() - days_ago))
        page.get_by_label("A public place").check()
        page.get_by_label("Summary of the facts").fill("Stopped near Mile End station with a kitchen knife.")
        page.get_by_role("button", name="Add occasion").click()
    requirements = page.locator("table", has=page.get_by_role("columnheader", name="Supervisor")).locator("tbody tr")
    expect(requirements).not_to_have_count(0)  # the order page has loaded after the last occasion: count() never waits
    for index in range(requirements.count()):
        page.goto(order_url)
        requirements.nth(index).get_by_role("link", name=re.compile("^Change")).click()
        page.get_by_label("Why this requirement is necessary").fill("Structured activity after school.")
        page.get_by_role("button", name="Save requirement").click()
    page.goto(order_url)
    requirements.first.get_by_role("link", name=re.compile("^Remove")).click()
    assert_page_ok(page, "period-requirement-remove", "Remove this requirement?")
    expect(page.locator("main")).to_contain_text("The partner will be told their referral is withdrawn")
    page.get_by_role("link", name="Cancel").click()  # nothing removed: the journey goes on with every requirement
    expect(requirements).not_to_have_count(0)
    sign_out(page)


def partners_accept(page: Page, server: LiveServer, order_id: int, period: Period) -> None:
    for email in partner_for_referrals(server, order_id).values():
        sign_in_as(page, email)
        page.goto("/partner/referrals/")
        waiting = page.locator("table[data-group=new] tbody tr", has_text="Ayaan")
        for _ in range(waiting.count()):
            waiting.first.locator("a").first.click()
            assert_page_ok(page, "period-partner-referral", "Ayaan")
            dates = page.locator(".govuk-summary-list__row", has=page.get_by_text("Dates", exact=True)).inner_text()
            assert period.start in dates and "Not set" not in dates  # the real dates, never "Not set to not set"
            for name, text in {
                "capacity": "We have a place.",
                "dates": "From the start of the order.",
                "safeguarding": "DBS-checked coaches.",
                "attendance": "Register at every session.",
            }.items():
                page.locator(f"textarea[name={name}]").fill(text)
            page.get_by_role("button", name="Accept and confirm supervision").click()
            expect(page.locator(".govuk-panel")).to_contain_text("Referral accepted")
            page.goto("/partner/referrals/")
        sign_out(page)


def test_one_period_from_the_suggestions_to_the_registers(
    page: Page, period_server: LiveServer, tmp_path: Path, period: Period
) -> None:
    from docx import Document

    order_id = officer_drafts_from_suggestions(page, _demo_subject_id(period_server), period)
    officer_completes_the_draft(page, period)
    partners_accept(page, period_server, order_id, period)

    sign_in_as(page, OFFICER)
    page.goto(f"/orders/{order_id}/checks")
    assert_page_ok(page, "period-checks", "Checks against the rules")
    expect(page.locator("main")).to_contain_text("Ready for court")
    page.goto(f"/orders/{order_id}")
    page.get_by_role("link", name="Mark as filed").click()
    assert_page_ok(page, "period-check-answers", "Check the order before you file it")
    assert period.shown in _period_row(page)
    page.get_by_role("button", name="Confirm and file").click()
    assert_page_ok(page, "period-filed", "Order filed")
    expect(page.locator(".govuk-panel")).to_contain_text(period.shown)
    page.get_by_role("link", name="Record that the court made the order").click()
    fill_date(page, "Date the court made the order", period.today)
    page.get_by_label("Court", exact=True).fill("Thames Magistrates' Court")
    page.get_by_role("button", name="Record the order as made").click()
    expect(page.locator("h1")).to_contain_text("Made")
    assert period.shown in _period_row(page)
    page.goto(f"/orders/{order_id}/print")
    expect(page.locator("main")).to_contain_text(f"from {period.start} until {period.end}")
    with page.expect_download() as info:
        page.goto(f"/orders/{order_id}")
        page.get_by_role("link", name="Download court document (.docx)").click()
    saved = tmp_path / "order.docx"
    info.value.save_as(saved)
    assert f"from {period.start} until {period.end}" in "\n".join(p.text for p in Document(str(saved)).paragraphs)
    sign_out(page)

    sessions = _order_session_ids(period_server, order_id)
    email = next(iter(partner_for_referrals(period_server, order_id).values()))
    sign_in_as(page, email)
    page.goto("/partner/registers/")
    rows = page.locator("table[data-group] tbody tr[data-session]")
    ours = [
        rows.nth(index).get_attribute("data-date")
        for index in range(rows.count())
        if rows.nth(index).get_attribute("data-session") in sessions
    ]
    # the registers start the day the order was made
    assert ours and all(date.fromisoformat(day) >= period.today for day in ours), ours
    sign_out(page)
