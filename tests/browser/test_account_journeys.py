"""States that say what happens next (issue 19), in a real browser: a new partner from self-registration to "waiting
for approval" to approved and their start page, and an invited officer from the link to the dashboard with one
sign-in. Each step asserts what the person sees; axe runs on every new or changed page at 1280 px and 375 px, and
each of those pages is kept as a screenshot with KCPO_SCREENSHOTS=1 (test-artifacts/screenshots/account-*.png)."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.browser.conftest import (
    ADMIN,
    LiveServer,
    assert_page_ok,
    open_page,
    serve_seeded_portal,
    set_up_authenticator_in,
    sign_in_as,
    sign_out,
)

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}
ORGANISATION = "Bow Common Youth Football"
PARTNER_EMAIL = "sam@bowcommonfootball.example.org"
OFFICER_EMAIL = "nia.new@met.example.org"
PASSWORD = "four unrelated words here"
SUPPORT = "portal-support@kcpo.example.org"


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_seeded_portal(tmp_path_factory.mktemp("account-journeys") / "portal.sqlite3") as server:
        yield server


@pytest.fixture(scope="module")
def live_server(journey_server: LiveServer) -> str:
    """This module's own server, so the registration email can be read from its outbox."""
    return journey_server.url


def at_both_widths(page: Page, name: str, heading: str) -> None:
    """The usual page checks (axe; a screenshot with KCPO_SCREENSHOTS=1) at 1280 px, then again at 375 px, ending
    back at 1280 px."""
    page.set_viewport_size(WIDE)
    assert_page_ok(page, f"account-{name}-1280", heading)
    page.set_viewport_size(NARROW)
    assert_page_ok(page, f"account-{name}-375", heading)
    page.set_viewport_size(WIDE)


def goto_expecting(page: Page, path: str, status: int) -> None:
    """Open a page that answers with an error status on purpose. Chromium reports any such document as a console
    error ("Failed to load resource"); only that one line, for this very page, is let through."""
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response and response.status)
    log = page.log  # type: ignore[attr-defined]
    own = f"status of {status} "
    log.console_errors[:] = [line for line in log.console_errors if not (own in line and response.url in line)]


def registration_link(server: LiveServer, email: str) -> str:
    from portal.extensions import db
    from portal.models import OutboxMessage

    with server.app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        )
    return re.search(r"/register-organisation/continue/[\w-]+", body).group(0)


def test_a_new_partner_waits_for_approval_and_then_starts_on_their_referrals(
    page: Page, journey_server: LiveServer
) -> None:
    page.goto("/register-organisation")
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Sports club").check()
    page.get_by_label("Borough or area").fill("Tower Hamlets")
    page.get_by_label("Address", exact=True).fill("1 St Paul's Way, London")
    page.get_by_label("Postcode").fill("e3 4as")
    page.get_by_label("Organisation email address").fill("hello@bowcommonfootball.example.org")
    page.get_by_label("Telephone number").fill("020 7946 0456")
    page.get_by_label("What your organisation does").fill("Football coaching and mentoring in Bow.")
    page.get_by_label("Your full name").fill("Sam Okafor")
    page.get_by_label("Your email address").fill(PARTNER_EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Register organisation").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    continue_link = registration_link(journey_server, PARTNER_EMAIL)
    page.goto(continue_link)
    expect(page.locator("h1")).to_have_text("Continue your registration")
    page.get_by_role("button", name="Continue").click()

    # The authenticator, then recovery codes that do not speak of codes the person never had.
    assert len(set_up_authenticator_in(page, PARTNER_EMAIL)) == 10
    expect(page.get_by_text("recovery codes you had before")).to_have_count(0)
    at_both_widths(page, "partner-recovery-codes", "Save your recovery codes")
    page.get_by_role("button", name="I have saved my recovery codes").click()

    # Waiting for approval: what is checked, how long, what to do meanwhile, who to ask.
    expect(page).to_have_url(re.compile(r"/partner/registered$"))
    main = page.locator("main")
    expect(main).to_contain_text(ORGANISATION)
    expect(main.get_by_role("heading", name="What the administrator checks")).to_be_visible()
    expect(main).to_contain_text("suitable for young people on court orders")
    expect(main).to_contain_text("Most organisations are decided within 5 working days")
    expect(main.get_by_role("link", name=SUPPORT)).to_have_attribute("href", f"mailto:{SUPPORT}")
    expect(main.get_by_role("button", name="Add a programme")).to_be_visible()
    at_both_widths(page, "partner-waiting", "Your organisation is waiting for approval")

    page.get_by_role("link", name="Check your organisation's details").click()
    expect(page.locator("main")).to_contain_text(ORGANISATION)
    page.get_by_role("link", name="What happens while your organisation is waiting for approval").click()
    expect(page).to_have_url(re.compile(r"/partner/registered$"))

    # Wherever they go that needs approval, the same page (403), never a bare refusal.
    goto_expecting(page, "/partner/referrals/", 403)
    expect(page.locator("main")).to_contain_text("Most organisations are decided within 5 working days")
    at_both_widths(page, "partner-waiting-refused", "Your organisation is waiting for approval")

    # The registration link, used once, says so.
    goto_expecting(page, continue_link, 410)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    at_both_widths(page, "registration-link-used", "This registration link has already been used")
    page.goto("/home")
    sign_out(page)

    # An administrator approves the organisation.
    sign_in_as(page, ADMIN)
    page.goto("/admin/organisations")
    page.get_by_role("link", name=ORGANISATION).click()
    page.get_by_role("button", name="Approve organisation").click()
    expect(page.locator("h1 .govuk-tag")).to_contain_text(re.compile("approved", re.IGNORECASE))
    page.goto("/admin/organisations?status=rejected")  # none in the demo
    expect(page.locator("main")).to_contain_text("There are no rejected organisations.")
    at_both_widths(page, "admin-organisations-empty", "Partner organisations")
    sign_out(page)

    # Signing in now lands on their normal start: referrals, with a word on what will appear there.
    sign_in_as(page, PARTNER_EMAIL, PASSWORD)
    expect(page).to_have_url(re.compile(r"/partner/referrals/$"))
    expect(page.locator("main")).to_contain_text("You have no referrals yet")
    expect(page.locator("main").get_by_role("button", name="Add a programme")).to_be_visible()
    at_both_widths(page, "partner-referrals-empty", "Referrals")
    page.goto("/partner/registered")
    expect(page).to_have_url(re.compile(r"/partner/referrals/$"))  # no longer waiting
    page.goto("/partner/registers/")
    expect(page.locator("main")).to_contain_text("No registers to mark")
    at_both_widths(page, "partner-registers-empty", "Registers")
    page.goto("/partner/programmes")
    expect(page.locator("main")).to_contain_text("You have not added any programmes yet.")
    expect(page.locator("main").get_by_role("button", name="Add a programme")).to_be_visible()
    at_both_widths(page, "partner-programmes-empty", "Your programmes")
    sign_out(page)


def test_an_invited_officer_goes_from_the_link_to_the_dashboard_with_one_sign_in(
    page: Page, browser: Browser, live_server: str
) -> None:
    sign_in_as(page, ADMIN)
    page.goto("/admin/users/new")
    page.get_by_label("Full name").fill("Nia New")
    page.get_by_label("Email address", exact=True).fill(OFFICER_EMAIL)
    page.get_by_label("Officer", exact=True).check()
    page.get_by_label("Unit (officers)").fill("Tower Hamlets Gangs Unit")
    page.get_by_label("Borough (officers)").fill("Tower Hamlets")
    page.get_by_role("button", name="Create account and invitation link").click()
    invitation = page.locator("main code").inner_text().strip()
    sign_out(page)

    # The officer's own browser: nobody signed in, and no sign-in page anywhere on the way.
    with open_page(browser, live_server) as officer:
        visited: list[str] = []
        officer.on("framenavigated", lambda frame: visited.append(frame.url) if frame == officer.main_frame else None)
        officer.goto(invitation)
        expect(officer.locator("main")).to_contain_text("Nia New")
        at_both_widths(officer, "invitation-set-password", "Set your password")
        officer.get_by_label("Create a password").fill(PASSWORD)
        officer.get_by_label("Confirm password").fill(PASSWORD)
        officer.get_by_role("button", name="Set password").click()

        expect(officer).to_have_url(re.compile(r"/sign-in/set-up-authenticator$"))
        expect(officer.locator(".govuk-notification-banner")).to_contain_text("Your password is set")
        at_both_widths(officer, "invitation-set-up-authenticator", "Set up your authenticator app")
        assert len(set_up_authenticator_in(officer, OFFICER_EMAIL)) == 10
        expect(officer.get_by_text("recovery codes you had before")).to_have_count(0)
        officer.get_by_role("button", name="I have saved my recovery codes").click()

        expect(officer).to_have_url(re.compile(r"/dashboard/$"))
        expect(officer.get_by_role("button", name="Sign out")).to_be_visible()
        main = officer.locator("main")
        expect(main).to_contain_text("You have no court orders to follow yet.")
        expect(main.locator(".app-count")).to_have_count(0)  # no row of zeros
        expect(main.get_by_role("link", name="Find a programme")).to_be_visible()
        at_both_widths(officer, "officer-dashboard-first-steps", "Your dashboard")
        assert not [url for url in visited if re.search(r"/sign-in(\?|$)", url)], visited

        main.get_by_role("button", name="Add a young person").click()
        expect(officer.locator("h1")).to_have_text("Add a subject")

        # The link is spent: opening it again says what happened and what to do, naming nobody.
        goto_expecting(officer, invitation, 410)
        expect(officer.locator("main")).not_to_contain_text(OFFICER_EMAIL)
        expect(officer.locator("main").get_by_role("button", name="Sign in")).to_be_visible()
        at_both_widths(officer, "invitation-link-used", "This invitation link has already been used")

        goto_expecting(officer, "/reset-password/not-a-link-anyone-was-sent", 404)
        expect(officer.locator("main").get_by_role("button", name="Send a new reset link")).to_be_visible()
        at_both_widths(officer, "reset-link-unknown", "This password reset link does not work")
