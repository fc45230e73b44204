"""Security bar item 17 (ASVS 3.7.2, 1.2.4: redirects and injection) and item 26 (DPA s.37, ASVS 14.2.1: no
personal data in URLs; searches are POSTs that redirect to an opaque id)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from portal.web.safety import safe_next_url
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, Factory
from tests.security.conftest import BANDIT, bandit_findings, is_web_rule
from tests.utils import page, sign_in_with_code

ROOT = Path(__file__).resolve().parents[2]
OFF_SITE = [
    "https://evil.example",
    "http://evil.example/path",
    "//evil",
    "//evil.example/x",
    "/\\evil",
    "\\\\evil",
    "\\/evil",
    "/\t/evil",
    "/\n/evil",
    " //evil",
    "javascript:alert(1)",
    "https:evil.example",
    "///evil",
]
INJECTION = "' OR 1=1--"


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_url_refuses_anything_off_site(target: str) -> None:
    assert safe_next_url(target) is None


@pytest.mark.parametrize("target", ["/home", "/subjects/?search=abc", "/partner/programmes/3"])
def test_safe_next_url_keeps_paths_on_this_site(target: str) -> None:
    assert safe_next_url(target) == target


def test_signing_in_with_an_off_site_next_stays_on_site(app: Flask, make) -> None:
    make.user("officer", email="next@example.org")
    for target in OFF_SITE:
        response = app.test_client().post(
            "/sign-in", query_string={"next": target}, data={"email": "next@example.org", "password": TEST_PASSWORD}
        )
        assert response.status_code == 302, target
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and location.path.startswith("/"), target
        assert not response.headers["Location"].startswith("//") and "evil" not in response.headers["Location"]


def test_signing_in_with_an_on_site_next_goes_there(client, make) -> None:
    make.user("officer", email="next2@example.org")
    response = sign_in_with_code(client, "next2@example.org", TEST_PASSWORD, TEST_TOTP_SECRET, next_url="/subjects/")
    assert response.headers["Location"] == "/subjects/"


def test_an_injection_in_the_subject_search_returns_nothing_extra(client, sign_in, demo) -> None:
    sign_in(client, "officer")
    everyone = page(client.get("/subjects/")).select("table tbody tr")
    assert everyone, "the demo subjects should be listed"
    for text in (INJECTION, "%' OR '1'='1", '" OR ""="', "x'; DROP TABLE subjects;--"):
        response = client.post("/subjects/", data={"query": text}, follow_redirects=True)
        assert response.status_code == 200
        assert page(response).select("table tbody tr") == [], text
    assert len(page(client.get("/subjects/")).select("table tbody tr")) == len(everyone)  # and nothing dropped


def test_an_injection_in_the_directory_search_returns_nothing_extra(client, sign_in, demo) -> None:
    sign_in(client, "officer")

    def found(keyword: str) -> int:
        response = client.post("/directory/", data={"keyword": keyword}, follow_redirects=True)
        assert response.status_code == 200
        heading = page(response).select_one("#results-heading").get_text()
        return int(re.match(r"\s*([\d,]+) programme", heading).group(1).replace(",", ""))

    # The directory's keyword match is fuzzy and ignores words too short to mean anything ("OR", "1"), so the
    # injection is tied to a real filter: it must never widen it.
    football, everything = found("football"), found("")
    assert 0 < football < everything
    for injection in (INJECTION, "%' OR '1'='1", '" OR ""="', "') OR ('a'='a"):
        assert found(f"football{injection}") <= football, injection
        assert found(f"zzzzqqq{injection}") == 0, injection


@pytest.mark.skipif(not BANDIT.exists(), reason="bandit missing")
def test_bandit_finds_no_sql_built_from_strings() -> None:
    found = [r for r in bandit_findings() if r["test_id"] == "B608"]
    assert found == [], [(r["filename"], r["line_number"], r["code"]) for r in found]


# --- 26: no personal data in URLs -------------------------------------------------------------------------------

PERSONAL = re.compile(r"name|dob|birth|postcode|reference|email|phone|address|query|keyword", re.IGNORECASE)


def test_no_route_takes_personal_data_as_a_parameter(app: Flask) -> None:
    offending = [
        f"{rule.rule} ({argument})"
        for rule in app.url_map.iter_rules()
        if is_web_rule(rule)
        for argument in rule.arguments
        if PERSONAL.search(argument)
    ]
    assert offending == []


def test_subject_search_is_a_post_that_leaves_only_an_opaque_id_in_the_url(client, sign_in, make) -> None:
    make.subject(first_name="Zebedee", last_name="Quixote", reference="MPS-SEARCH-1")
    sign_in(client, "officer")
    for text in ("Quixote", "MPS-SEARCH-1"):
        response = client.post("/subjects/", data={"query": text})
        assert response.status_code == 302
        location = response.headers["Location"]
        assert text.lower() not in location.lower() and re.fullmatch(r"/subjects/\?search=[A-Za-z0-9_-]+", location)
        assert "Quixote" in client.get(location).get_data(as_text=True)
    # A name in the query string is not a search: it is ignored.
    ignored = client.get("/subjects/", query_string={"query": "Zebedee"})
    assert "search" not in ignored.request.args


def test_directory_search_is_a_post_that_leaves_only_an_opaque_id_in_the_url(client, sign_in) -> None:
    sign_in(client, "officer")
    response = client.post("/directory/", data={"keyword": "boxing", "postcode": "E3 2AA", "age": "15"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(r"/directory/\?search=[A-Za-z0-9_-]+", location), location
    assert "E3" not in location and "boxing" not in location


def test_another_officers_search_id_shows_nothing(client, sign_in, make, app: Flask) -> None:
    sign_in(client, "officer")
    location = client.post("/subjects/", data={"query": "Tester"}).headers["Location"]
    other = app.test_client()
    Factory(app)  # noqa: B018 - the same factory as `make`
    sign_in(other, "officer")
    response = other.get(location)
    assert response.status_code in (200, 404)
    assert "Tester" not in page(response).select_one("main").get_text() if response.status_code == 200 else True
