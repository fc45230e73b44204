"""Real-browser fixtures: a live server on a seeded SQLite database, Debian's Chromium driven by Playwright.

Nothing here downloads anything: Chromium is the system one at /usr/bin/chromium, and the browser is told to
resolve every host name other than the loopback address to "not found", so a page that tries to reach the
internet fails at once (and the request is still recorded and reported by `assert_page_ok`).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.config import TestConfig

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No internet here, and the app must not need it: fail any non-loopback host name immediately.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
LOCAL_HOSTS = {"127.0.0.1"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERVICE_NAME = "KCPO partner portal"

ADMIN = "admin@kcpo.example.org"
OFFICER = "officer@met.example.org"
PARTNER = "partner@bowboxing.example.org"


# --- live server ------------------------------------------------------------------------------------------


def _build_assets() -> None:
    if not (ROOT / "portal" / "static" / "application.css").exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "build-assets.sh")], cwd=ROOT, check=True)


def _browser_test_config(database_path: Path) -> dict:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database_path}")
    return config


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the portal, served from a background thread on a free loopback port."""
    _build_assets()
    app = create_app(_browser_test_config(tmp_path_factory.mktemp("browser") / "portal.sqlite3"))
    with app.app_context():
        from flask_migrate import upgrade

        from portal.extensions import db
        from seed.loader import load_demo

        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            from portal.extensions import db

            db.engine.dispose()


# --- browser ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageLog:
    """What a page did besides rendering: console errors, uncaught exceptions and every request URL."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def external_requests(self) -> list[str]:
        external = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname not in LOCAL_HOSTS:
                external.append(url)
        return external


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = PageLog()
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    page.on("request", log.on_request)
    page.log = log  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


# --- helpers ----------------------------------------------------------------------------------------------


def sign_in_as(page: Page, email: str) -> None:
    """Sign in through the real form (real CSRF token) and wait for the signed-in header."""
    from seed.demo import DEMO_PASSWORD

    page.goto("/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def check_accessibility(page: Page, name: str) -> None:
    """Run axe (WCAG 2.0/2.1/2.2 A and AA rules) on the page, save a screenshot, fail on any violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    assert not violations, f"{len(violations)} accessibility violation(s) on {name} ({page.url}):\n" + "\n".join(lines)


def assert_page_ok(page: Page, name: str, heading: str) -> None:
    """The checks every page gets: its <h1>, the service header, no console errors, no external requests, axe."""
    h1 = page.locator("h1")
    expect(h1).to_have_count(1)
    expect(h1).to_be_visible()
    expect(h1).to_contain_text(heading)
    assert_service_header(page)
    page.wait_for_load_state("load")
    log: PageLog = page.log  # type: ignore[attr-defined]
    assert not log.external_requests(), f"external requests on {name} ({page.url}): {log.external_requests()}"
    assert not log.console_errors, f"console errors on {name} ({page.url}): {log.console_errors}"
    check_accessibility(page, name)


def assert_service_header(page: Page) -> None:
    header = page.locator("header.govuk-header")
    expect(header).to_be_visible()
    expect(header.locator(".govuk-header__link--homepage")).to_have_text(SERVICE_NAME)
    expect(page.locator(".govuk-header__logotype")).to_have_count(0)
    expect(page.locator("header svg")).to_have_count(0)  # the crown is an inline SVG
