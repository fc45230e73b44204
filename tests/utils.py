"""Helpers for reading pages the way a user sees them."""

from bs4 import BeautifulSoup
from werkzeug.test import TestResponse


def page(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_summary(response: TestResponse) -> list[str]:
    summary = page(response).select(".govuk-error-summary__list a")
    return [link.get_text(strip=True) for link in summary]


def field_error(response: TestResponse, field_id: str) -> str:
    """The error message shown beside a field (GOV.UK puts it in <p id="FIELD-error">)."""
    found = page(response).find(id=f"{field_id}-error")
    return found.get_text(" ", strip=True).replace("Error:", "").strip() if found else ""


def h1(response: TestResponse) -> str:
    heading = page(response).find("h1")
    return heading.get_text(" ", strip=True) if heading else ""


def banner(response: TestResponse) -> str:
    found = page(response).select_one(".govuk-notification-banner")
    return found.get_text(" ", strip=True) if found else ""
