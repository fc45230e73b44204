"""The officer's journey in a real browser on the demo subject: explained suggestions, weekly plan into a draft
order, the partner sees the referral, and the checks, print and court document pages. axe runs on every page.

The whole journey on a subject created in the browser, through the partners' acceptance, the made order, the
register and a non-compliance decision, is test_order_journey.py."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OFFICER, PARTNER, assert_page_ok, sign_in_as, sign_out

pytestmark = pytest.mark.browser


def test_officer_takes_suggestions_into_a_draft_order(page: Page) -> None:
    sign_in_as(page, OFFICER)
    assert_page_ok(page, "officer-dashboard", "Your dashboard")
    page.goto("/reports/")
    assert_page_ok(page, "officer-reports", "Non-compliance")
    page.goto("/subjects/")
    assert_page_ok(page, "officer-subjects", "Subjects")
    page.get_by_role("link", name=re.compile("KCPO-DEMO-001")).first.click()
    assert_page_ok(page, "officer-subject", "Ayaan Khan")

    page.get_by_text("Find suggested requirements").click()
    assert_page_ok(page, "officer-suggestions", "Suggested requirements")
    expect(page.locator("svg.app-map")).to_be_visible()
    page.get_by_role("tab", name=re.compile("Excluded")).click()
    expect(page.locator("#excluded")).to_contain_text("clashes with")
    page.get_by_role("tab", name=re.compile("Weekly plan")).click()
    assert_page_ok(page, "officer-suggestions-plan", "Suggested requirements")
    page.get_by_role("button", name=re.compile("Add this weekly plan")).click()

    assert_page_ok(page, "officer-draft-order", "Knife Crime Prevention Order")
    expect(page.locator("main")).to_contain_text("Sent to partner")
    page.get_by_role("link", name="Check against the rules").click()
    assert_page_ok(page, "officer-order-checks", "Checks against the rules")
    expect(page.locator("#problems")).to_contain_text("confirm")
    page.get_by_role("link", name="Back to the order").click()
    page.get_by_role("link", name="Print view").click()
    assert_page_ok(page, "officer-order-print", "Knife Crime Prevention Order")
    page.goto(page.url.replace("/print", "/details"))
    assert_page_ok(page, "officer-order-details", "Order details")
    with page.expect_download() as download:
        page.goto(page.url.replace("/details", ""))
        page.get_by_role("link", name=re.compile("Download court document")).click()
    assert download.value.suggested_filename.endswith(".docx")
    sign_out(page)


def test_partner_sees_referrals(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.goto("/partner/referrals/")
    assert_page_ok(page, "partner-referrals", "Referrals")
    sign_out(page)
