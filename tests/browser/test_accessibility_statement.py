"""The accessibility statement: reachable from every page's footer, and holding the sections a UK public sector
statement must have (the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility
Regulations 2018, following GOV.UK's model statement)."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from portal.rules.schedule import london_today
from tests.browser.conftest import assert_page_ok

pytestmark = pytest.mark.browser

SECTIONS = """() => {
  const sections = {};
  let current = null;
  for (const element of document.querySelectorAll("main h1 ~ *")) {
    if (element.tagName === "H2") { current = element.innerText.trim(); sections[current] = ""; }
    else if (current !== null) sections[current] += " " + element.innerText.trim();
  }
  return sections;
}"""


def statement_sections(page: Page) -> dict[str, str]:
    """The statement's text under each of its <h2> headings, by heading."""
    return {heading: " ".join(text.split()) for heading, text in page.evaluate(SECTIONS).items()}


def section(sections: dict[str, str], heading: str) -> str:
    found = [text for name, text in sections.items() if re.fullmatch(heading, name, re.IGNORECASE)]
    assert found, f"no section headed {heading!r}; the statement's sections are {list(sections)}"
    assert found[0].strip(), f"the section {heading!r} is empty"
    return found[0]


def test_the_accessibility_statement_has_the_sections_public_sector_statements_must_have(page: Page) -> None:
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    expect(page).to_have_url(re.compile(r"/accessibility$"))
    assert_page_ok(page, "accessibility-statement", "Accessibility statement")
    expect(page.locator("h1")).to_contain_text("KCPO partner portal")  # says which service it covers
    sections = statement_sections(page)

    compliance = section(sections, "Compliance status")
    assert re.search(r"\b(fully|partially|not) compliant\b", compliance), compliance
    assert "Web Content Accessibility Guidelines version 2.2 AA" in compliance, compliance

    feedback = section(sections, "Feedback and contact information")
    assert re.search(r"\bcontact\b", feedback, re.IGNORECASE), feedback
    assert re.search(r"different format", feedback), feedback  # how to ask for information in another format
    assert re.search(r"\bwithin \d+ (working )?days\b", feedback), feedback  # when they will hear back

    enforcement = section(sections, "Enforcement procedure")
    assert "Equality and Human Rights Commission" in enforcement, enforcement
    regulations = "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018"
    assert regulations in enforcement, enforcement
    assert "Equality Advisory and Support Service" in enforcement, enforcement

    preparation = section(sections, "Preparation of this accessibility statement")
    prepared = re.search(r"prepared on (\d{1,2} [A-Z][a-z]+ \d{4})", preparation)
    assert prepared, preparation
    assert datetime.strptime(prepared.group(1), "%d %B %Y").date() <= london_today(), preparation
