"""Issue 14's new pages in a real browser, at a desktop (1280 px) and a phone (375 px) width: the confirmation
pages before disabling, suspending and archiving, the partner's past registers and the auditor's log. Each gets the
usual page checks and axe (WCAG 2.2 A and AA); no page runs wider than the screen. Every journey stops at
"Cancel", so the shared demo database is left as it was."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, PARTNER, assert_page_ok, sign_in_as, sign_out

pytestmark = pytest.mark.browser

AUDITOR = "auditor@kcpo.example.org"
WIDTHS = (1280, 375)


def at_each_width(page: Page, name: str, heading: str) -> None:
    """The page checks at each width, and nothing wider than the window (a wide table scrolls in its own region)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_page_ok(page, f"{name}-{width}", heading)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px window"
    page.set_viewport_size({"width": 1280, "height": 900})


def expect_refused_filter(page: Page, message: str) -> None:
    """A filter that cannot be used answers 400 with its error summary; the browser logs the 400 itself, which is
    the only console message let through."""
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    log = page.log  # type: ignore[attr-defined]
    log.console_errors[:] = [line for line in log.console_errors if "status of 400" not in line]


def assert_confirmation(page: Page, name: str, heading: str, button: str) -> None:
    at_each_width(page, name, heading)
    expect(page.locator(".govuk-warning-text")).to_be_visible()
    expect(page.get_by_role("button", name=button)).to_have_class(re.compile("govuk-button--warning"))
    page.get_by_role("link", name="Cancel").click()


def test_admin_confirms_before_disabling_or_suspending(page: Page) -> None:
    sign_in_as(page, ADMIN)
    page.goto("/admin/users")
    disable = page.locator("main a", has_text=re.compile(r"^Disable")).first
    disable.click()
    assert_confirmation(page, "confirm-disable-account", "account?", "Disable account")
    expect(page).to_have_url(re.compile(r"/admin/users$"))

    page.goto("/admin/organisations?status=approved")
    page.locator("main table a").first.click()
    organisation = page.locator("h1").inner_text().split("\n")[0].strip()
    page.get_by_label("Reason").fill("Safeguarding review under way")
    page.get_by_role("button", name="Suspend organisation").click()
    assert_confirmation(page, "confirm-suspend-organisation", "Suspend", "Suspend organisation")
    expect(page.locator("h1")).to_contain_text(organisation)
    sign_out(page)


def test_partner_confirms_before_archiving_and_reaches_past_registers(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.goto("/partner/programmes")
    page.locator("table.govuk-table tbody tr", has_text="Active").locator("a").first.click()
    programme_page = page.url
    page.get_by_role("button", name="Archive programme").click()  # a link styled as a button: opening changes nothing
    assert_confirmation(page, "confirm-archive-programme", "Archive", "Archive programme")
    expect(page).to_have_url(programme_page)

    page.goto("/partner/registers/")
    page.get_by_role("link", name="Find an older register").click()
    at_each_width(page, "registers-history", "Past registers")
    for part, typed in zip(("day", "month", "year"), ("31", "2", "2026"), strict=True):  # 31 February
        page.locator(f"#from-{part}").fill(typed)
    page.get_by_role("button", name="Show registers").click()
    expect_refused_filter(page, "From must be a real date")
    at_each_width(page, "registers-history-error", "Past registers")
    sign_out(page)


def test_auditor_reads_the_log_in_london_time_by_subject_reference(page: Page) -> None:
    sign_in_as(page, AUDITOR)
    page.goto("/audit/events")
    at_each_width(page, "audit-log", "Audit log")
    expect(page.locator("input[type=date]")).to_have_count(0)
    expect(page.locator("thead")).to_contain_text("Time (London)")
    region = page.locator(".app-table-scroll")
    page.set_viewport_size({"width": 375, "height": 900})
    assert region.evaluate("element => element.scrollWidth > element.clientWidth"), "the table should scroll in place"
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Subject reference").fill("KCPO-DEMO-001")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    at_each_width(page, "audit-log-by-reference", "Audit log")

    page.get_by_label("Subject reference").fill("NO-SUCH-REFERENCE")
    page.get_by_role("button", name="Filter").click()
    expect_refused_filter(page, "There is no subject with that reference")
    at_each_width(page, "audit-log-error", "Audit log")
    sign_out(page)
