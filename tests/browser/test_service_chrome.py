"""The service's chrome in a real browser: the service navigation per role on one line at 1280 px and behind a Menu
button at 375 px, the beta banner's feedback page, link buttons level with real buttons, and all of it without
JavaScript too. axe on every page at both widths."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, OFFICER, PARTNER, assert_page_ok, sign_in_as, sign_out

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}


def tops(page: Page, selector: str) -> set[int]:
    return {round(box["y"]) for box in (item.bounding_box() for item in page.locator(selector).all()) if box}


@pytest.mark.parametrize("email", [OFFICER, PARTNER, ADMIN])
def test_each_roles_navigation_fits_one_line_wide_and_folds_behind_menu_narrow(page: Page, email: str) -> None:
    role = email.split("@")[0]
    sign_in_as(page, email)
    page.set_viewport_size(WIDE)
    assert len(tops(page, "#app-navigation > li")) == 1, f"the {role}'s navigation wraps at 1280 px"
    expect(page.locator('#app-navigation a[aria-current="page"]')).to_have_count(1)
    assert_page_ok(page, f"chrome-{role}-1280", "")

    page.set_viewport_size(NARROW)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.locator("#app-navigation")).to_be_hidden()
    menu.click()
    expect(page.locator("#app-navigation")).to_be_visible()
    assert_page_ok(page, f"chrome-{role}-375-menu-open", "")
    sign_out(page)


def test_the_beta_banner_leads_to_feedback_that_admins_read(page: Page) -> None:
    sign_in_as(page, OFFICER)
    banner = page.locator(".govuk-phase-banner")
    expect(banner).to_contain_text("Beta")
    banner.get_by_role("link", name="Your feedback").click()
    assert_page_ok(page, "chrome-feedback-1280", "Give feedback")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what you were doing")
    assert_page_ok(page, "chrome-feedback-errors-1280", "Give feedback")
    page.set_viewport_size(NARROW)
    assert_page_ok(page, "chrome-feedback-errors-375", "Give feedback")
    page.get_by_label("What were you doing?").fill("Reading the dashboard on my phone")
    page.get_by_label("What went wrong, or what would help?").fill("The chart key was hard to find")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Thank you")
    sign_out(page)

    page.set_viewport_size(WIDE)
    sign_in_as(page, ADMIN)
    page.locator("#app-navigation").get_by_role("link", name="Feedback").click()
    assert_page_ok(page, "chrome-admin-feedback-1280", "Feedback")
    expect(page.locator("tbody")).to_contain_text("The chart key was hard to find")


def test_a_link_button_sits_level_with_the_real_button_beside_it(page: Page) -> None:
    sign_in_as(page, PARTNER)
    page.goto("/partner/programmes")
    page.locator("main table a").first.click()
    group = page.locator(".govuk-button-group", has=page.locator("form button.govuk-button")).first
    link_top = round(group.locator("a.govuk-button").first.bounding_box()["y"])
    button_top = round(group.locator("form button.govuk-button").first.bounding_box()["y"])
    assert link_top == button_top


def test_without_javascript_the_navigation_shows_and_feedback_is_sent(no_js_page: Page) -> None:
    page = no_js_page
    sign_in_as(page, PARTNER)
    page.set_viewport_size(NARROW)
    expect(page.locator("#app-navigation")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    page.get_by_role("link", name="Your feedback").click()
    assert_page_ok(page, "chrome-feedback-no-js-375", "Give feedback")
    page.get_by_label("What were you doing?").fill("Marking a register")
    page.get_by_label("What went wrong, or what would help?").fill("Nothing, it worked")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Thank you")


def test_a_programmes_activities_and_languages_read_as_separate_tags(page: Page) -> None:
    sign_in_as(page, OFFICER)
    page.goto("/directory/")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator(".app-results__item h3 a").first.click()
    tags = page.locator("main .app-tag-list").first.locator(".govuk-tag")
    expect(tags.first).to_be_visible()
    assert_page_ok(page, "chrome-programme-tags-1280", "")
    page.set_viewport_size(NARROW)
    assert_page_ok(page, "chrome-programme-tags-375", "")
