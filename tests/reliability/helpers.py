"""Helpers for the reliability proofs: signed-in clients and forms filled exactly as the page shows them."""

import re
from typing import Any

from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from tests.utils import page

CHANGED = "changed this record since you opened it"


def client_for(app: Flask, sign_in, role: str, organisation_id: int | None = None, **fields: Any) -> FlaskClient:
    """A new test client with its own signed-in user (a real server-side session)."""
    client = app.test_client()
    sign_in(client, role, organisation_id=organisation_id, **fields)
    return client


def form_on(response: TestResponse, action: str | None = None) -> Tag:
    """The form on a page: the one whose action ends with `action`, else the one with a version field, else the
    first POST form."""
    assert response.status_code == 200, response.status_code
    forms = [form for form in page(response).find_all("form") if (form.get("method") or "get").lower() == "post"]
    if action is not None:
        forms = [form for form in forms if re.search(re.escape(action) + r"$", form.get("action") or "")]
    versioned = [form for form in forms if form.find("input", attrs={"name": "version"})]
    chosen = (versioned or forms)[:1]
    assert chosen, f"no POST form on the page (action {action!r})"
    return chosen[0]


def fields_of(form: Tag) -> MultiDict:
    """What the browser would send for this form untouched: inputs, checked boxes, chosen options and text areas."""
    data: MultiDict = MultiDict()
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            data.add(name, element.get_text())
        elif element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            data.add(name, chosen.get("value", chosen.get_text()) if chosen else "")
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.add(name, element.get("value", "on"))
        elif element.get("type") not in ("submit", "button", "image", "file"):
            data.add(name, element.get("value", ""))
    return data


def opened_form(client: FlaskClient, url: str, action: str | None = None) -> MultiDict:
    """Open a page and return its form's fields as they stand: the version it was opened on included."""
    return fields_of(form_on(client.get(url), action))


def changed(fields: MultiDict, **values: Any) -> MultiDict:
    data = fields.copy()
    for name, value in values.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def message_after(client: FlaskClient, response: TestResponse) -> str:
    """The banner the person sees after a redirect (or on the page itself)."""
    if response.status_code in (302, 303):
        response = client.get(response.headers["Location"])
    banners = page(response).select(".govuk-notification-banner")
    return " ".join(" ".join(found.get_text(" ", strip=True).split()) for found in banners) or page_text(
        response.get_data(as_text=True)
    )


def page_text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ", strip=True).split())
