"""Issue 19: a partner adds a programme through the task list in a real browser. They start it, leave half way (sign
out), come back later to find it on their programmes list with "Continue", see what is done and what is not, finish
it, check their answers and publish. Every new page gets the usual page checks and axe (WCAG 2.2 A and AA) at a
desktop (1280 px) and a phone (375 px) width, with a screenshot of each in test-artifacts/screenshots
(KCPO_SCREENSHOTS=1)."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.rules.schedule import london_today
from tests.browser.conftest import PARTNER, LiveServer, assert_page_ok, serve_seeded_portal, sign_in_as, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.journey_steps]

TITLE = "Bow Girls' Boxing Nights"
WIDTHS = (1280, 375)
TASKS = (
    "About the programme",
    "Who it is for",
    "Cultural and faith provision",
    "Supervisor",
    "Venue and sessions",
    "Check and publish",
)


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_seeded_portal(tmp_path_factory.mktemp("programme-task-list") / "portal.sqlite3") as server:
        yield server


@pytest.fixture(scope="module")
def live_server(journey_server: LiveServer) -> str:
    """A server of this module's own: the journey leaves a draft, then a programme, behind."""
    return journey_server.url


def at_each_width(page: Page, name: str, heading: str) -> None:
    """The page checks at each width, and nothing wider than the window."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_page_ok(page, f"programme-tasks-{name}-{width}", heading)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px window"
    page.set_viewport_size({"width": 1280, "height": 900})


def task(page: Page, name: str) -> Locator:
    return page.locator(".govuk-task-list__item", has=page.get_by_text(name, exact=True))


def expect_statuses(page: Page, *statuses: str) -> None:
    """The task list as a person reads it: each task in order, with its status."""
    items = page.locator(".govuk-task-list__item")
    expect(items).to_have_count(len(TASKS))
    for index, (name, status) in enumerate(zip(TASKS, statuses, strict=True)):
        expect(items.nth(index).locator(".govuk-task-list__name-and-hint")).to_contain_text(name)
        expect(items.nth(index).locator(".govuk-task-list__status")).to_have_text(status)


def test_1_partner_starts_a_programme_and_leaves_half_way(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.get_by_role("link", name="Programmes").first.click()
    page.get_by_role("button", name="Add a programme").click()
    at_each_width(page, "about", "About the programme")
    expect(page.locator(".govuk-caption-l")).to_have_text("Add a programme")

    page.get_by_label("Programme title").fill(TITLE)
    page.get_by_label("Description", exact=True).fill("Boxing coaching and mentoring for girls, two evenings a week.")
    page.get_by_role("group", name="Activity types").get_by_label("Boxing", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    at_each_width(page, "task-list-started", "Add a programme")
    expect(page.locator("main")).to_contain_text("You have completed 1 of 6 sections.")
    expect_statuses(page, "Completed", "Not started", "Not started", "Not started", "Not started", "Cannot start yet")
    expect(task(page, "Check and publish").get_by_role("link")).to_have_count(0)  # nothing to open yet

    task(page, "Who it is for").get_by_role("link").click()
    at_each_width(page, "who-it-is-for", "Who the programme is for")
    page.get_by_label("Minimum age").fill("13")
    page.get_by_label("Maximum age").fill("9")  # a slip: the page says which field, and saves nothing
    page.get_by_role("group", name="Who can take part").get_by_label("Girls and young women only").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Minimum age must be the same as or lower than the maximum age"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    at_each_width(page, "who-it-is-for-error", "Who the programme is for")
    page.get_by_label("Maximum age").fill("17")
    page.get_by_role("button", name="Save and continue").click()

    task(page, "Cultural and faith provision").get_by_role("link").click()
    at_each_width(page, "provision", "Cultural, faith and access provision")
    languages = page.get_by_role("group", name="Languages staff can work in")
    expect(languages.get_by_label("English", exact=True)).to_be_checked()  # the usual answer, already ticked
    languages.get_by_label("Somali", exact=True).check()
    page.get_by_label("Female staff available").check()
    page.get_by_role("button", name="Save and continue").click()
    expect_statuses(page, "Completed", "Completed", "Completed", "Not started", "Not started", "Cannot start yet")
    sign_out(page)  # half way: three sections done


def test_2_partner_comes_back_finishes_and_publishes(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.get_by_role("link", name="Programmes").first.click()
    drafts = page.locator("#drafts")
    expect(drafts).to_contain_text(TITLE)
    expect(drafts).to_contain_text("Draft")
    at_each_width(page, "programmes-with-draft", "Your programmes")
    drafts.get_by_role("link", name=f"Continue {TITLE}").click()

    at_each_width(page, "task-list-half-way", "Add a programme")
    expect(page.locator(".govuk-caption-l")).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("You have completed 3 of 6 sections.")
    expect_statuses(page, "Completed", "Completed", "Completed", "Not started", "Not started", "Cannot start yet")

    task(page, "Supervisor").get_by_role("link").click()
    at_each_width(page, "supervisor", "Who would supervise a requirement")
    page.get_by_label("Supervisor's full name").fill("Grace Adeyemi")
    page.get_by_label("Supervisor's role").fill("Head coach")
    page.get_by_label("Supervisor's email address").fill("grace@bowboxing.example.org")
    page.get_by_label("Supervisor's telephone number").fill("020 7946 0888")
    page.get_by_label("Referral process").fill("Email Grace; she replies within two working days.")
    page.get_by_role("button", name="Save and continue").click()

    task(page, "Venue and sessions").get_by_role("link").click()
    at_each_width(page, "dates-and-places", "When it runs, places and cost")
    group = page.get_by_role("group", name="Runs from", exact=True)
    group.get_by_label("Day").fill("1")
    group.get_by_label("Month").fill("9")
    group.get_by_label("Year").fill(str(london_today().year))
    page.get_by_label("Places per session").fill("14")
    page.get_by_role("button", name="Save and continue").click()

    at_each_width(page, "sessions-none", "Weekly sessions")
    expect(page.locator("main")).to_contain_text("No sessions yet")
    page.get_by_role("link", name="Save and come back later").click()
    expect_statuses(page, "Completed", "Completed", "Completed", "Completed", "In progress", "Cannot start yet")

    task(page, "Venue and sessions").get_by_role("link").click()
    page.get_by_role("button", name="Add a session").click()
    at_each_width(page, "session-new", "Add a weekly session")
    page.get_by_label("Venue").select_option(index=1)
    page.get_by_role("group", name="Day of the week").get_by_label("Wednesday", exact=True).check()
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("End time").fill("19:30")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session added")
    at_each_width(page, "sessions-one", "Weekly sessions")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table")).to_contain_text("Wednesday 18:00–19:30")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("main")).to_contain_text("You have completed 5 of 6 sections.")
    expect_statuses(page, "Completed", "Completed", "Completed", "Completed", "Completed", "Not started")
    at_each_width(page, "task-list-ready", "Add a programme")
    task(page, "Check and publish").get_by_role("link").click()

    at_each_width(page, "check-your-answers", "Check your answers before publishing")
    who = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Who it is for"))
    expect(who).to_contain_text("13 to 17")
    expect(who).to_contain_text("Girls and young women only")
    provision = page.locator(
        ".govuk-summary-card", has=page.get_by_role("heading", name="Cultural and faith provision")
    )
    expect(provision).to_contain_text("Somali")
    expect(provision).to_contain_text("Female staff available")
    # A change from here: the section's own page, then straight back here.
    who.get_by_role("link", name="Change who it is for").click()
    expect(page.locator("h1")).to_have_text("Who the programme is for")
    page.get_by_label("Maximum age").fill("18")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before publishing")
    expect(page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Who it is for"))).to_contain_text(
        "13 to 18"
    )
    page.get_by_role("button", name="Publish programme").click()

    at_each_width(page, "published", TITLE)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Programme published.")
    expect(page.locator("main table")).to_contain_text("Wednesday 18:00–19:30")
    page.get_by_role("link", name="All programmes").click()
    expect(page.locator("#drafts")).to_have_count(0)
    expect(page.locator("table.govuk-table").get_by_role("link", name=TITLE)).to_have_count(1)
    sign_out(page)


def test_3_partner_changes_one_section_of_the_published_programme(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.get_by_role("link", name="Programmes").first.click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Change details").click()
    at_each_width(page, "change-details", "Change programme details")
    page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Supervisor")).get_by_role(
        "link", name="Change supervisor"
    ).click()
    at_each_width(page, "change-supervisor", "Who would supervise a requirement")
    expect(page.get_by_label("Supervisor's full name")).to_have_value("Grace Adeyemi")
    page.get_by_label("Supervisor's full name").fill("Grace Adeyemi-Stone")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Programme updated.")
    expect(page.locator("main")).to_contain_text("Grace Adeyemi-Stone")
    sign_out(page)
