"""A partner imports a file whose service says who may take part in words the portal cannot read: the listing is
held for review, the partner reviews it (the error state first) and publishes it; every page passes axe. The import
saves, so this module runs its own server."""

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, PARTNER, LiveServer, assert_page_ok, serve_seeded_portal, sign_in_as, sign_out
from tests.oruk.conftest import fixture

pytestmark = pytest.mark.browser
TITLE = "Sisters United boxing"
LEFT_HELD = "Hackney residents boxing"


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_seeded_portal(tmp_path_factory.mktemp("held-listing") / "portal.sqlite3") as server:
        yield server


@pytest.fixture(scope="module")
def live_server(review_server: LiveServer) -> str:
    """Overrides the session's server for this module: `page` opens this module's own server."""
    return review_server.url


def held_service(name: str, eligibility: str, number: int) -> dict:
    service = copy.deepcopy(fixture("youth_services.json")[0])
    service["id"] = service["id"][:-1] + str(number)
    service["name"] = name
    service["eligibility_description"] = eligibility
    return service


def held_service_file(folder: Path) -> Path:
    path = folder / "held.json"
    services = [
        held_service(TITLE, "Members of the Sisters United circle.", 7),
        held_service(LEFT_HELD, "Must live in Hackney.", 8),
    ]
    path.write_text(json.dumps(services), encoding="utf-8")
    return path


def test_a_partner_reviews_and_publishes_a_held_listing(page: Page, tmp_path: Path) -> None:
    sign_in_as(page, PARTNER)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Open Referral UK file").set_input_files(str(held_service_file(tmp_path)))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#import-problems")).to_contain_text("is held for review")

    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    assert_page_ok(page, "held-listing", TITLE)
    expect(page.locator("#not-offered")).to_contain_text("held for review")
    page.get_by_role("link", name="Review what the import could not read").click()
    assert_page_ok(page, "held-listing-review", f"Review {TITLE}")
    expect(page.locator("#unmapped-items")).to_contain_text("Members of the Sisters United circle")

    page.get_by_role("radio", name="Girls and young women only").check()
    page.get_by_role("button", name="Publish with this rule").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_contain_text("Confirm you have read every item the import could not read")
    assert_page_ok(page, "held-listing-review-errors", f"Review {TITLE}")

    page.get_by_label(re.compile("I have read every item")).check()
    page.get_by_role("button", name="Publish with this rule").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Reviewed and published")
    expect(page.locator("h1")).not_to_contain_text("Held for review")
    expect(page.locator("#not-offered")).to_contain_text("places not confirmed")
    sign_out(page)


def test_an_admin_finds_the_listing_still_held(page: Page) -> None:
    sign_in_as(page, ADMIN)
    page.get_by_role("link", name="Held for review").click()
    assert_page_ok(page, "admin-held-listings", "Listings held for review")
    expect(page.locator("table")).not_to_contain_text(TITLE)
    page.get_by_role("link", name=LEFT_HELD).click()
    assert_page_ok(page, "admin-held-listing-review", f"Review {LEFT_HELD}")
    expect(page.locator("#unmapped-items")).to_contain_text("Must live in Hackney")
    sign_out(page)
