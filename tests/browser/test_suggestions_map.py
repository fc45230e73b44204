"""The suggestions page in a real browser on the demo subject: axe passes, the map's markers as drawn never cover
each other, the zone label is above them, and the next page of suggestions and every ruled-out programme are
reachable."""

import itertools
import math
import re

import pytest
from playwright.sync_api import Page, expect

from portal.blueprints.suggestions.routes import SHOWN_SUGGESTIONS
from tests.browser.conftest import OFFICER, assert_page_ok, sign_in_as

pytestmark = pytest.mark.browser


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_suggestions_map_is_legible_and_every_page_passes_axe(page: Page) -> None:
    sign_in_as(page, OFFICER)
    page.goto("/subjects/")
    page.get_by_role("link", name=re.compile("KCPO-DEMO-001")).first.click()
    page.get_by_text("Find suggested requirements").click()
    assert_page_ok(page, "officer-suggestions-map", "Suggested requirements")
    boxes = [marker.bounding_box() for marker in page.locator("svg.app-map g.app-map__marker circle").all()]
    assert len(boxes) == page.locator("#suggested .app-suggestions__item").count()
    for a, b in itertools.combinations(boxes, 2):
        assert math.dist(centre(a), centre(b)) >= (a["width"] + b["width"]) / 2 - 1  # white rings may touch, no more
    label = page.locator("svg.app-map text.app-map__label").first
    expect(label).to_have_text("Whitechapel Road area")
    page.locator(".govuk-pagination__next a").click()
    assert_page_ok(page, "officer-suggestions-page-2", "Suggested requirements")
    expect(page.locator("#suggestions-shown")).to_contain_text(f"Showing {SHOWN_SUGGESTIONS + 1} to")
    page.get_by_role("tab", name=re.compile("Excluded")).click()
    expect(page.locator("#excluded tbody tr").first).to_be_visible()
    page.get_by_role("link", name="See every ruled-out programme and why").click()
    assert_page_ok(page, "officer-suggestions-excluded", "Programmes ruled out")
    expect(page.locator("main tbody tr").first).to_contain_text("For female participants only")
    page.get_by_role("link", name="Back to the suggestions").click()
    assert_page_ok(page, "officer-suggestions-back", "Suggested requirements")
