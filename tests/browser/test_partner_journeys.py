"""A partner organisation's journeys in a real browser: registering and being approved by an administrator, and
listing a programme with a new venue and two weekly sessions, the second with JavaScript turned off throughout.

axe runs on every page visited (`assert_page_ok`), which also saves a screenshot of it with KCPO_SCREENSHOTS=1."""

import re
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.rules.schedule import london_today
from tests.browser.conftest import (
    ADMIN,
    PARTNER,
    LiveServer,
    assert_page_ok,
    fill_date,
    serve_seeded_portal,
    set_up_authenticator_in,
    sign_in_as,
    sign_out,
)

pytestmark = pytest.mark.browser

NEW_ORGANISATION = "Mile End Youth Boxing Club"
NEW_PARTNER = "ayesha@mileendyouthboxing.example.org"
NEW_PASSWORD = "four unrelated words here"
PENDING_WARNING = "Officers cannot see your programmes until an administrator approves it"


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_seeded_portal(tmp_path_factory.mktemp("partner-journeys") / "portal.sqlite3") as server:
        yield server


@pytest.fixture(scope="module")
def live_server(journey_server: LiveServer) -> str:
    """Overrides the session's server for this module, so the registration email can be read from its outbox."""
    return journey_server.url


def emailed_link(server: LiveServer, email: str) -> str:
    from portal.extensions import db
    from portal.models import OutboxMessage

    with server.app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        )
    return re.search(r"/register-organisation/continue/[\w-]+", body).group(0)


def test_1_partner_registers_an_organisation_and_an_admin_approves_it(page: Page, journey_server: LiveServer) -> None:
    page.goto("/")
    page.get_by_role("link", name="Register your organisation").first.click()
    assert_page_ok(page, "partner-register", "Register your organisation")

    page.get_by_label("Organisation name").fill(NEW_ORGANISATION)
    page.get_by_label("Sports club").check()
    page.get_by_label("Borough or area").fill("Tower Hamlets")
    page.get_by_label("Address", exact=True).fill("2 Mile End Road, London")
    page.get_by_label("Postcode").fill("e1 4ns")
    page.get_by_label("Organisation email address").fill("hello@mileendyouthboxing.example.org")
    page.get_by_label("Telephone number").fill("020 7946 0123")
    page.get_by_label("What your organisation does").fill("Boxing and mentoring for young people in Mile End.")
    page.get_by_label("Your full name").fill("Ayesha Rahman")
    page.get_by_label("Your email address").fill(NEW_PARTNER)
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Register organisation").click()
    assert_page_ok(page, "partner-register-check-email", "Check your email")
    page.goto(emailed_link(journey_server, NEW_PARTNER))
    assert_page_ok(page, "partner-register-continue", "Continue your registration")
    page.get_by_role("button", name="Continue").click()

    assert len(set_up_authenticator_in(page, NEW_PARTNER)) == 10
    page.get_by_role("button", name="I have saved my recovery codes").click()
    assert_page_ok(page, "partner-registered", "Your organisation is waiting for approval")
    expect(page.locator("main")).to_contain_text(NEW_ORGANISATION)
    page.get_by_role("link", name="Programmes").first.click()
    assert_page_ok(page, "partner-programmes-pending", "Your programmes")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Your organisation is pending")
    expect(page.locator(".govuk-warning-text")).to_contain_text(PENDING_WARNING)
    sign_out(page)

    sign_in_as(page, ADMIN)
    page.get_by_role("link", name="Organisations").first.click()
    assert_page_ok(page, "admin-organisations-pending", "Partner organisations")
    expect(page.locator("nav[aria-label='Organisations by status'] [aria-current=page]")).to_contain_text(
        "Awaiting approval"
    )
    page.get_by_role("link", name=NEW_ORGANISATION).click()
    assert_page_ok(page, "admin-organisation-pending", NEW_ORGANISATION)
    expect(page.locator("h1 .govuk-tag")).to_contain_text(re.compile("pending", re.IGNORECASE))
    expect(page.locator("main")).to_contain_text("Ayesha Rahman")
    page.get_by_role("button", name="Approve organisation").click()
    expect(page.locator("h1 .govuk-tag")).to_contain_text(re.compile("approved", re.IGNORECASE))
    assert_page_ok(page, "admin-organisation-approved", NEW_ORGANISATION)
    expect(page.get_by_role("button", name="Approve organisation")).to_have_count(0)
    page.goto("/admin/organisations")
    expect(page.get_by_role("link", name=NEW_ORGANISATION)).to_have_count(0)  # no longer waiting
    assert_page_ok(page, "admin-organisations-after-approval", "Partner organisations")
    sign_out(page)

    sign_in_as(page, NEW_PARTNER, NEW_PASSWORD)
    page.get_by_role("link", name="Programmes").first.click()
    assert_page_ok(page, "partner-programmes-approved", "Your programmes")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    expect(page.get_by_text(PENDING_WARNING)).to_have_count(0)
    page.get_by_role("link", name="Organisation").first.click()
    assert_page_ok(page, "partner-organisation-approved", NEW_ORGANISATION)
    expect(page.locator("main .govuk-tag").first).to_contain_text(re.compile("approved", re.IGNORECASE))
    sign_out(page)


PROGRAMME = "Old Ford Evening Boxing"
VENUE = "Old Ford Community Gym"


def test_2_partner_lists_a_programme_with_a_new_venue_and_two_sessions_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    sign_in_as(page, PARTNER)
    # The template's first script marks <body> when JavaScript runs: here it never does.
    expect(page.locator("body")).not_to_have_class(re.compile("js-enabled"))
    page.get_by_role("link", name="Programmes").first.click()
    assert_page_ok(page, "nojs-partner-programmes", "Your programmes")
    page.get_by_role("button", name="Add a programme").click()
    # The task list's sections, one page each (issue 19), the first asked straight away.
    assert_page_ok(page, "nojs-partner-programme-new", "About the programme")
    expect(page.locator(".govuk-caption-l")).to_have_text("Add a programme")

    page.get_by_label("Programme title").fill(PROGRAMME)
    page.get_by_label("Description", exact=True).fill("Boxing coaching with mentoring, two evenings a week.")
    page.get_by_role("group", name="Activity types").get_by_label("Boxing", exact=True).check()
    page.get_by_label("Tags (optional)").fill("fitness, discipline")
    page.get_by_role("button", name="Save and continue").click()
    assert_page_ok(page, "nojs-partner-programme-task-list", "Add a programme")

    open_task(page, "Who it is for")
    page.get_by_label("Minimum age").fill("13")
    page.get_by_label("Maximum age").fill("18")
    page.get_by_role("group", name="Who can take part").get_by_label("Anyone").check()
    page.get_by_role("button", name="Save and continue").click()
    open_task(page, "Cultural and faith provision")
    languages = page.get_by_role("group", name="Languages staff can work in")
    languages.get_by_label("English", exact=True).check()
    languages.get_by_label("Bengali", exact=True).check()
    page.get_by_label("Halal food").check()
    page.get_by_role("button", name="Save and continue").click()
    open_task(page, "Supervisor")
    page.get_by_label("Supervisor's full name").fill("Dan Hughes")
    page.get_by_label("Supervisor's role").fill("Head coach")
    page.get_by_label("Supervisor's email address").fill("dan@bowboxing.example.org")
    page.get_by_label("Supervisor's telephone number").fill("020 7946 0999")
    page.get_by_label("Referral process").fill("Email the head coach; we reply within two working days.")
    page.get_by_role("button", name="Save and continue").click()
    open_task(page, "Venue and sessions")
    fill_date(page, "Runs from", date(london_today().year, 9, 1))
    page.get_by_label("Places per session").fill("12")
    page.get_by_role("button", name="Save and continue").click()
    assert_page_ok(page, "nojs-partner-draft-sessions", "Weekly sessions")
    expect(page.locator("main")).to_contain_text("No sessions yet")

    # First session: at a venue added on the way.
    page.get_by_role("button", name="Add a session").click()
    assert_page_ok(page, "nojs-partner-session-new", "Add a weekly session")
    page.get_by_role("group", name="Day of the week").get_by_label("Tuesday", exact=True).check()
    page.get_by_label("Start time").fill("17:00")
    page.get_by_label("End time").fill("19:00")
    page.get_by_role("button", name="Add a new venue").click()  # what was typed goes with it
    assert_page_ok(page, "nojs-partner-venue-new", "Add a venue")
    page.get_by_label("Venue name").fill(VENUE)
    page.get_by_label("Address").fill("12 Old Ford Road, London")
    page.get_by_label("Postcode").fill("e3 2aa")
    page.get_by_role("button", name="Save venue").click()
    assert_page_ok(page, "nojs-partner-session-new-after-venue", "Add a weekly session")  # back where it started
    expect(page.get_by_role("group", name="Day of the week").get_by_label("Tuesday", exact=True)).to_be_checked()
    expect(page.get_by_label("Start time")).to_have_value("17:00")
    expect(page.get_by_label("End time")).to_have_value("19:00")
    expect(page.get_by_label("Venue").locator("option:checked")).to_have_text(f"{VENUE}, E3 2AA")  # the new venue
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session added")

    # Second session, at the same new venue, with two dates off.
    page.get_by_role("button", name="Add another session").click()
    add_session(page, "Thursday", "18.30", "2000", exceptions="24/12/2026\n31 12 2026")
    page.get_by_role("button", name="Continue").click()
    open_task(page, "Check and publish")
    assert_page_ok(page, "nojs-partner-check-your-answers", "Check your answers before publishing")
    page.get_by_role("button", name="Publish programme").click()
    assert_page_ok(page, "nojs-partner-programme-saved", PROGRAMME)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Programme published.")

    sessions = page.locator("table", has=page.get_by_role("columnheader", name="Day and time")).locator("tbody tr")
    expect(sessions).to_have_count(2)
    expect(sessions.nth(0)).to_contain_text("Tuesday 17:00–19:00")
    expect(sessions.nth(1)).to_contain_text("Thursday 18:30–20:00")
    expect(sessions.nth(1)).to_contain_text("2 dates with no session")
    for index in range(2):
        expect(sessions.nth(index)).to_contain_text(f"{VENUE}, E3 2AA")
    assert_page_ok(page, "nojs-partner-programme-with-sessions", PROGRAMME)

    page.get_by_role("link", name="All programmes").click()
    listed = page.locator("table.govuk-table tbody tr", has=page.get_by_role("link", name=PROGRAMME))
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Tuesday 17:00–19:00")
    expect(listed).to_contain_text("Thursday 18:30–20:00")
    expect(listed).to_contain_text("13 to 18")
    assert_page_ok(page, "nojs-partner-programmes-listed", "Your programmes")
    page.get_by_role("link", name="Venues").first.click()
    expect(page.locator("main table")).to_contain_text(VENUE)
    sign_out(page)


def open_task(page: Page, name: str) -> None:
    """Follow a task's link on the task list."""
    page.locator(".govuk-task-list__item").get_by_role("link", name=name, exact=True).click()


def add_session(page: Page, day: str, start: str, end: str, exceptions: str = "") -> None:
    page.get_by_label("Venue").select_option(label=f"{VENUE}, E3 2AA")
    page.get_by_role("group", name="Day of the week").get_by_label(day, exact=True).check()
    page.get_by_label("Start time").fill(start)
    page.get_by_label("End time").fill(end)
    if exceptions:
        page.get_by_label("Dates with no session (optional)").fill(exceptions)
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session added")
