"""Retention review in a real browser (security bar item 27): the queue, a subject's review with its conditional
answers and its error state, and the admins' review periods, each with axe and the usual page checks. Nothing is
saved, so the shared demo database is left as it was."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, OFFICER, assert_page_ok, sign_in_as, sign_out

pytestmark = pytest.mark.browser


def test_an_officer_reviews_an_overdue_record(page: Page) -> None:
    sign_in_as(page, OFFICER)
    page.get_by_role("link", name="Retention review").click()
    assert_page_ok(page, "retention-queue", "Retention review")
    queue = page.locator("[data-section=review-queue]")
    expect(queue).to_contain_text("KCPO-DEMO-003")
    expect(queue).not_to_contain_text("Amara")  # the queue names records by reference only

    queue.get_by_role("link", name=re.compile("KCPO-DEMO-003")).click()
    assert_page_ok(page, "retention-review", "KCPO-DEMO-003")
    confirm = page.get_by_label(re.compile("I understand that disposal permanently erases"))
    expect(confirm).to_be_hidden()  # revealed only for a disposal
    page.get_by_role("radio", name=re.compile("Dispose")).check()
    expect(confirm).to_be_visible()
    page.get_by_role("button", name="Record decision").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_contain_text("Enter the rationale for your decision")
    expect(summary).to_contain_text("Confirm that you want to erase this record permanently")
    assert_page_ok(page, "retention-review-errors", "KCPO-DEMO-003")
    sign_out(page)


def test_an_admin_sees_the_review_periods(page: Page) -> None:
    sign_in_as(page, ADMIN)
    page.goto("/admin/policy")
    page.get_by_role("link", name="retention review periods").click()
    assert_page_ok(page, "admin-retention-policy", "Retention review periods")
    expect(page.get_by_label("Months after an order ends")).to_have_value("24")
    page.goto("/retention/review-queue")
    assert_page_ok(page, "admin-retention-queue", "Retention review")
    sign_out(page)
