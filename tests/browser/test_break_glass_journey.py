"""An officer of another borough opens a demo subject's record (the demo's subjects belong to Tower Hamlets): the
break-glass question first, with its error, then the record. axe runs on each page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_page_ok, sign_in_as

pytestmark = pytest.mark.browser

HACKNEY_OFFICER = "officer.hackney@met.example.org"


def test_an_officer_of_another_borough_gives_a_reason_before_the_record_opens(page: Page) -> None:
    sign_in_as(page, HACKNEY_OFFICER)
    page.goto("/subjects/")
    page.get_by_role("link", name=re.compile("KCPO-DEMO-001")).first.click()
    assert_page_ok(page, "officer-break-glass", "This record belongs to another borough")
    expect(page.locator("main")).to_contain_text("Tower Hamlets")
    expect(page.locator("main")).not_to_contain_text("Ayaan")

    page.get_by_role("button", name="Open the record").click()
    assert_page_ok(page, "officer-break-glass-error", "This record belongs to another borough")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you need to open this record")

    page.get_by_label("Why do you need to open this record?").fill("Stop in Hackney: checking the order's conditions")
    page.get_by_role("button", name="Open the record").click()
    assert_page_ok(page, "officer-subject-after-break-glass", "Ayaan Khan")
