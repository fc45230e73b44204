"""The subject record's and the draft order's task lists in a real browser, at a desktop (1280 px) and a phone
(375 px) width: every new or changed page gets the usual page checks and axe (WCAG 2.2 A and AA), a screenshot
under test-artifacts/screenshots/ (record-tasks-*, with KCPO_SCREENSHOTS=1), and nothing wider than the screen. Runs
on a server and database of its own, since it records a new subject."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from portal.rules.schedule import london_today
from tests.browser.conftest import OFFICER, fill_date, serve_seeded_portal, sign_in_as, sign_out
from tests.browser.test_flows_pages import at_each_width

pytestmark = pytest.mark.browser

REFERENCE = "KCPO-TASKS-001"
NAME = "Amir Osei"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Overrides the session's server for this module: `page` opens this module's own server."""
    with serve_seeded_portal(tmp_path_factory.mktemp("record-tasks") / "portal.sqlite3") as server:
        yield server.url


def task(page: Page, list_id: str, title: str):
    return (
        page.locator(f"[id^='{list_id}-'][id$='-status']")
        .locator("xpath=..")
        .filter(has=page.get_by_text(title, exact=True))
    )


def status_of(page: Page, title: str, list_id: str = "record-section") -> str:
    return task(page, list_id, title).locator(".govuk-task-list__status").inner_text().strip()


def complete_section(page: Page, title: str, name: str) -> None:
    """Open a section from the task list, check its page, say it is done and save."""
    page.get_by_role("link", name=title, exact=True).click()
    at_each_width(page, f"record-tasks-{name}", title)
    page.get_by_role("group", name="Have you completed this section?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{title} saved.")
    assert status_of(page, title) == "Completed"


def test_an_officer_completes_a_record_section_by_section(page: Page) -> None:
    sign_in_as(page, OFFICER)
    page.goto("/subjects/new")
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("First name").fill("Amir")
    page.get_by_label("Last name").fill("Osei")
    fill_date(page, "Date of birth", date(london_today().year - 15, 3, 14))
    page.get_by_role("group", name="Gender").get_by_label("Male", exact=True).check()
    page.get_by_label("Home postcode").fill("E3 4QN")
    page.get_by_role("group", name="Subject category").get_by_label("Suspect").check()
    page.get_by_role("button", name="Save subject").click()

    at_each_width(page, "record-tasks-new-record", NAME)
    expect(page.get_by_text("You have completed 1 of 7 sections.")).to_be_visible()
    assert status_of(page, "Personal details") == "Completed"
    assert status_of(page, "Languages and interests") == "Not started"
    assert status_of(page, "Find suggested requirements", "record-next") == "Cannot start yet"
    expect(page.get_by_role("link", name="Find suggested requirements")).to_have_count(0)

    # A section answered in part, with the completion question left out: the error names it, nothing is saved.
    page.get_by_role("link", name="Languages and interests", exact=True).click()
    page.get_by_role("group", name="Languages").get_by_label("English", exact=True).check()
    page.get_by_role("group", name="Interests", exact=True).get_by_label("Football", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    at_each_width(page, "record-tasks-section-error", "Languages and interests")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether you have completed this section")
    page.get_by_role("group", name="Have you completed this section?").get_by_label(
        "No, I’ll come back to it later"
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    assert status_of(page, "Languages and interests") == "In progress"

    complete_section(page, "Languages and interests", "languages-and-interests")
    complete_section(page, "Faith, culture and access needs", "needs")

    # A list section: add to it from its own page and come back to that page.
    page.get_by_role("link", name="School, work and faith observances", exact=True).click()
    page.get_by_role("button", name="Add a weekly commitment").click()
    page.get_by_label("Faith observance").check()
    page.get_by_label("Description").fill("Friday prayers")
    page.get_by_label("Friday", exact=True).check()
    page.get_by_label("Start time").fill("12:30")
    page.get_by_label("End time").fill("14:00")
    page.get_by_role("button", name="Add commitment").click()
    expect(page.locator("h1")).to_have_text("School, work and faith observances")
    expect(page.locator("main table")).to_contain_text("Friday 12:30–14:00")
    page.get_by_role("link", name="Back to the record").click()
    assert status_of(page, "School, work and faith observances") == "In progress"
    complete_section(page, "School, work and faith observances", "weekly-commitments")

    complete_section(page, "Curfew and travel", "curfew-and-travel")
    complete_section(page, "Exclusion zones", "exclusion-zones")
    complete_section(page, "Non-associations", "non-associations")

    expect(page.get_by_text("You have completed 7 of 7 sections.")).to_be_visible()
    assert status_of(page, "Find suggested requirements", "record-next") == "Not started"
    at_each_width(page, "record-tasks-complete-record", NAME)
    # The record is the check page: each section's answers, with a change link that opens that section.
    card = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Languages and interests"))
    expect(card).to_contain_text("English")
    card.get_by_role("link", name=re.compile("^Change")).click()
    at_each_width(page, "record-tasks-change-section", "Languages and interests")
    page.get_by_role("link", name="Back to the record").click()

    page.get_by_role("link", name="Find suggested requirements").click()
    expect(page.locator("h1")).to_contain_text("Suggested requirements")
    sign_out(page)


def test_a_draft_awaiting_partners_shows_what_is_left_before_filing(page: Page) -> None:
    sign_in_as(page, OFFICER)
    page.goto("/subjects/")
    page.get_by_role("link", name=re.compile("KCPO-DEMO-004")).first.click()
    assert status_of(page, "Prepare the draft order", "record-next") == "In progress"
    page.get_by_role("link", name="Prepare the draft order").click()

    at_each_width(page, "record-tasks-draft-order", "Draft Knife Crime Prevention Order")
    assert status_of(page, "Partner confirmations", "draft-task") == "In progress"
    expect(task(page, "draft-task", "Partner confirmations")).to_contain_text("awaiting the partner")
    assert status_of(page, "Check and file", "draft-task") == "Cannot start yet"
    expect(page.get_by_role("link", name="Check and file")).to_have_count(0)

    page.get_by_role("link", name="Partner confirmations").click()
    expect(page).to_have_url(re.compile(r"#requirements$"))
    page.goto(page.url.split("#")[0] + "/file")
    at_each_width(page, "record-tasks-order-check-answers", "Check the order before you file it")
    expect(page.get_by_text("This order cannot be filed yet")).to_be_visible()
    requirements = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Requirements"))
    expect(requirements).to_contain_text("awaiting the partner")
    sign_out(page)


def test_without_javascript_a_section_is_saved_and_its_status_changes(no_js_page: Page) -> None:
    page = no_js_page
    sign_in_as(page, OFFICER)
    page.goto("/subjects/")
    page.get_by_role("link", name=re.compile("KCPO-DEMO-003")).first.click()
    assert status_of(page, "Faith, culture and access needs") == "Completed"  # the demo's records are complete
    page.get_by_role("link", name="Faith, culture and access needs", exact=True).click()
    at_each_width(page, "record-tasks-needs-no-js", "Faith, culture and access needs")
    page.get_by_role("group", name="Have you completed this section?").get_by_label(
        "No, I’ll come back to it later"
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Faith, culture and access needs saved.")
    assert status_of(page, "Faith, culture and access needs") in ("In progress", "Not started")
    assert status_of(page, "Find suggested requirements", "record-next") == "Cannot start yet"
    expect(task(page, "record-next", "Find suggested requirements")).to_contain_text(
        "Complete Faith, culture and access needs first"
    )
    sign_out(page)
