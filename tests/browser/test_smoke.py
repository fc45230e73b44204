"""Smoke test of the main pages per role in a real browser: headings, header, no console errors, no external
requests, and axe (WCAG 2.2 AA rule set) on every page, including a form showing its errors."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, OFFICER, PARTNER, assert_page_ok, sign_in_as, sign_out

pytestmark = pytest.mark.browser


def test_public_pages(page: Page) -> None:
    for path, name, heading in [
        ("/", "public-home", "KCPO partner portal"),
        ("/sign-in", "public-sign-in", "Sign in"),
        ("/register-organisation", "public-register-organisation", "Register your organisation"),
        ("/accessibility", "public-accessibility", "Accessibility statement"),
        ("/privacy", "public-privacy", "Privacy notice"),
    ]:
        page.goto(path)
        assert_page_ok(page, name, heading)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_officer_pages(page: Page) -> None:
    sign_in_as(page, OFFICER)
    page.goto("/directory/")
    assert_page_ok(page, "officer-directory", "Find programmes")

    page.get_by_label("Keyword").fill("fotball")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results-heading")).to_contain_text("found")
    results = page.locator(".app-results__item h3 a")
    expect(results.first).to_be_visible()
    # "fotball" is a typo: the fuzzy keyword match must still find football programmes.
    assert any("football" in title.lower() for title in results.all_inner_texts()), results.all_inner_texts()
    assert_page_ok(page, "officer-directory-results", "Find programmes")

    title = results.first.inner_text().strip()
    results.first.click()
    assert_page_ok(page, "officer-programme", title)

    sign_out(page)


def test_partner_pages(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.goto("/partner/programmes")
    assert_page_ok(page, "partner-programmes", "Your programmes")

    first = page.locator("table.govuk-table tbody a").first
    title = first.inner_text().strip()
    first.click()
    assert_page_ok(page, "partner-programme", title)

    for path, name, heading in [
        ("/partner/programmes/new", "partner-programme-new", "About the programme"),  # the task list's first section
        ("/partner/venues", "partner-venues", "Your venues"),
        ("/partner/venues/new", "partner-venue-new", "Add a venue"),
        ("/partner/organisation", "partner-organisation", "Bow"),
        ("/partner/registers/", "partner-registers", "Registers"),
        ("/calendars/partner", "partner-calendar", "alendar"),
    ]:
        page.goto(path)
        assert_page_ok(page, name, heading)

    sign_out(page)


def test_admin_pages(page: Page) -> None:
    sign_in_as(page, ADMIN)
    page.goto("/admin/organisations")
    assert_page_ok(page, "admin-organisations", "Partner organisations")
    page.goto("/admin/organisations?status=approved")
    assert_page_ok(page, "admin-organisations-approved", "Partner organisations")

    first = page.locator("table.govuk-table tbody a").first
    name = first.inner_text().strip()
    first.click()
    assert_page_ok(page, "admin-organisation", name)

    page.goto("/admin/users")
    assert_page_ok(page, "admin-users", "Users")
    page.goto("/admin/users/new")
    assert_page_ok(page, "admin-user-new", "Add a user")
    for path, name, heading in [
        ("/admin/legal-bases", "admin-legal-bases", "Where the KCPO power is in force"),
        ("/admin/legal-bases/new", "admin-legal-basis-new", "Add a legal basis"),
        ("/admin/policy", "admin-policy", "policy"),
    ]:
        page.goto(path)
        assert_page_ok(page, name, heading)

    sign_out(page)


def test_form_error_state(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.goto("/partner/programmes/new")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary.locator("a").first).to_be_visible()
    expect(page.locator(".govuk-error-message").first).to_be_visible()
    assert_page_ok(page, "partner-programme-new-errors", "About the programme")
