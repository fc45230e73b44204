"""The chrome every page repeats (head links, skip link, phase banner, service navigation, footer) is rendered once
per application and kept by key (`{% cache %}`, portal/templating.py). These tests show that a kept fragment never
carries one person's name, role or navigation into another person's page, and that what belongs to one request
(the CSP nonce, the CSRF token) is never kept."""

import re

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from portal.models import OrganisationStatus
from portal.web.templating import FRAGMENTS_KEPT
from tests.utils import page

HTTPS = "https://localhost"


def _chrome(response) -> dict:
    soup = page(response)
    html = response.get_data(as_text=True)
    return {
        "header": soup.select_one("header.govuk-header").get_text(" ", strip=True),
        "navigation": [link.get_text(strip=True) for link in soup.select(".govuk-service-navigation__link")],
        "current": [link["href"] for link in soup.select('.govuk-service-navigation a[aria-current="page"]')],
        "feedback link": soup.select_one(".govuk-phase-banner a") is not None,
        "nonce": re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1),
        "script nonces": re.findall(r'<script nonce="([^"]+)"', html),
        "csrf": sign_out["value"] if (sign_out := soup.select_one("header form input[name=csrf_token]")) else "",
    }


def test_people_of_different_roles_and_organisations_never_see_each_others_chrome(app: Flask, sign_in, make) -> None:
    people = {
        "officer": ("officer", None, "Priya Shah"),
        "admin": ("admin", None, "Alex Admin"),
        "approved partner": ("partner", make.organisation(name="Sunrise Boxing Club"), "Sam Jones"),
        "pending partner": (
            "partner",
            make.organisation(status=OrganisationStatus.PENDING, name="New Youth Trust"),
            "Kim Lee",
        ),
    }
    clients: dict[str, FlaskClient] = {}
    for who, (role, organisation_id, full_name) in people.items():
        clients[who] = app.test_client()
        sign_in(clients[who], role, organisation_id=organisation_id, full_name=full_name)
    clients["signed out"] = app.test_client()

    seen: dict[str, list[dict]] = {who: [] for who in clients}
    for _round in range(2):  # the second round is served from the kept fragments
        for path in ("/accessibility", "/privacy", "/no-such-page"):
            for who, client in clients.items():
                seen[who].append(_chrome(client.get(path, base_url=HTTPS)))

    for who, pages in seen.items():
        for chrome in pages:
            if who == "signed out":
                assert "Signed in as" not in chrome["header"] and chrome["navigation"] == []
                assert not chrome["feedback link"]
                continue
            _role, _organisation, full_name = people[who]
            assert f"Signed in as {full_name}" in chrome["header"]
            others = [name for other, (_r, _o, name) in people.items() if other != who]
            assert not any(name in chrome["header"] for name in others)
            assert chrome["feedback link"] and chrome["current"] == []
        assert all(chrome["navigation"] == pages[0]["navigation"] for chrome in pages), who
    assert seen["officer"][0]["navigation"][:2] == ["Dashboard", "Subjects"]
    assert seen["admin"][0]["navigation"][0] == "Organisations"
    assert seen["approved partner"][0]["navigation"][:2] == ["Referrals", "Registers"]
    pending = seen["pending partner"][0]["navigation"]
    assert "Programmes" in pending and "Referrals" not in pending and "Registers" not in pending


def test_the_current_page_is_marked_on_each_page_not_the_one_kept_first(client: FlaskClient, sign_in) -> None:
    sign_in(client, "officer")
    for _round in range(2):
        for path in ("/dashboard/", "/subjects/", "/accessibility"):
            current = _chrome(client.get(path, base_url=HTTPS))["current"]
            assert current == ([] if path == "/accessibility" else [path])


def test_nonce_and_csrf_token_are_this_requests_own_on_every_page(app: Flask, sign_in) -> None:
    officer, partner = app.test_client(), app.test_client()
    sign_in(officer, "officer")
    sign_in(partner, "partner")
    nonces, tokens = set(), {}
    for _ in range(3):
        for who, client in (("officer", officer), ("partner", partner)):
            chrome = _chrome(client.get("/accessibility", base_url=HTTPS))
            assert chrome["script nonces"] == [chrome["nonce"]]
            nonces.add(chrome["nonce"])
            tokens.setdefault(who, set()).add(chrome["csrf"])
    assert len(nonces) == 6, "a nonce must be fresh for every response"
    assert tokens["officer"].isdisjoint(tokens["partner"])
    # Each person's sign-out form works with the token their own page gave them.
    answer = officer.post("/sign-out", data={"csrf_token": max(tokens["officer"])}, base_url=HTTPS)
    assert answer.status_code in (302, 303)


def test_a_fragment_holding_this_requests_nonce_or_csrf_token_is_never_kept(app: Flask) -> None:
    template = (
        '{% cache "test: request secrets" %}<script nonce="{{ cspNonce }}"></script>{{ csrf_token() }}{% endcache %}'
    )
    rendered = []
    for _ in range(2):
        with app.test_request_context("/", base_url=HTTPS):
            rendered.append(render_template_string(template))
    assert rendered[0] != rendered[1]
    assert ("test: request secrets",) not in app.jinja_env.fragment_cache


def test_kept_fragments_are_bounded(app: Flask) -> None:
    template = app.jinja_env.from_string('{% cache "test: bounded", n %}{{ n }}{% endcache %}')
    for n in range(FRAGMENTS_KEPT + 10):
        assert template.render(n=n) == str(n)
    assert len(app.jinja_env.fragment_cache) <= FRAGMENTS_KEPT
    assert template.render(n=3) == "3"
