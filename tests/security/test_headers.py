"""Security bar item 18 (ASVS 3.4.1, 3.4.3-3.4.6, 14.3.2): security headers on every response, tested over https.

The CSP is nonce-based with no 'unsafe-inline': the GOV.UK template's one inline script carries the nonce, and no
template may hold an inline script without it, a `style` attribute or an `on*=` handler (all blocked by the CSP).
"""

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.security.conftest import World, get_rules, page_from, path_for, roles_for

HTTPS = "https://localhost"
TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"
REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp_of(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def assert_security_headers(response, what: str, *, authenticated: bool = True, https: bool = True) -> None:
    csp = csp_of(response)
    for directive, value in REQUIRED_DIRECTIVES.items():
        assert csp.get(directive) == value, f"{what}: {directive} is {csp.get(directive)!r}"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{22,}'", csp["script-src"]), f"{what}: {csp['script-src']}"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], what
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"], what
    if https:
        hsts = response.headers.get("Strict-Transport-Security", "")
        max_age = int(re.search(r"max-age=(\d+)", hsts).group(1)) if "max-age" in hsts else 0
        assert max_age >= 31536000 and "includeSubDomains" in hsts, f"{what}: HSTS {hsts!r}"
    assert response.headers["X-Content-Type-Options"] == "nosniff", what
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert "camera=()" in response.headers["Permissions-Policy"], what
    assert response.headers["X-Frame-Options"] == "DENY", what
    if authenticated:
        assert "no-store" in response.headers["Cache-Control"], f"{what}: {response.headers.get('Cache-Control')}"


def test_sign_in_page_404_and_static_assets_have_the_headers(client) -> None:
    assert_security_headers(client.get("/sign-in", base_url=HTTPS), "sign-in")
    missing = client.get("/no-such-page", base_url=HTTPS)
    assert missing.status_code == 404
    assert_security_headers(missing, "404")
    for asset in ("/assets/init.js", "/assets/kcpo-icon.svg"):
        response = client.get(asset, base_url=HTTPS)
        assert response.status_code == 200, asset
        assert_security_headers(response, asset, authenticated=False)
        response.close()


@pytest.mark.own_app
def test_a_500_page_has_the_headers(app: Flask, client) -> None:
    from portal.web.auth import public

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @public
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/explode-for-headers", "explode_for_headers", explode)
    response = client.get("/explode-for-headers", base_url=HTTPS)
    assert response.status_code == 500
    assert_security_headers(response, "500")


def test_every_signed_in_page_has_the_headers_and_no_store(world: World) -> None:
    app, visited = world.app, 0
    for rule in get_rules(app):
        roles = roles_for(app, rule)
        if not roles:
            continue
        response = world.client_for(roles[0]).get(path_for(rule, world.ids), base_url=HTTPS)
        assert_security_headers(response, rule.rule)
        visited += 1
    assert visited > 30


def test_the_gov_uk_inline_script_carries_this_requests_nonce(client) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/sign-in", base_url=HTTPS)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        scripts = page_from(response.get_data(as_text=True)).find_all("script")
        inline = [script for script in scripts if not script.get("src")]
        assert inline, "the GOV.UK js-enabled script is expected"
        assert all(script.get("nonce") == nonce for script in inline)
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a nonce must be fresh for every response"


def test_hsts_is_sent_over_https_and_in_production_only(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers  # plain http in development
    assert "Strict-Transport-Security" in client.get("/sign-in", base_url=HTTPS).headers


def test_production_sends_hsts_even_behind_a_tls_terminating_proxy(production_app) -> None:
    app = production_app()
    response = app.test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_templates_hold_nothing_the_csp_blocks(template: Path) -> None:
    text = template.read_text()
    assert not re.search(r"\sstyle\s*=", text), "style= attributes are blocked by style-src 'self': use a class"
    assert not re.search(r"\son[a-z]+\s*=", text), "on*= handlers are blocked by the CSP: use a module script"
    assert not re.search(r"javascript:", text, re.IGNORECASE)
    for script in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in script or "cspNonce" in script, f"inline script without the nonce: {script}"
    assert "<style" not in text, "inline <style> is blocked by style-src 'self'"
