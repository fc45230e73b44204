"""Real-browser fixtures: a live server on a seeded SQLite database, Debian's Chromium driven by Playwright.

Nothing here downloads anything: Chromium is the system one at /usr/bin/chromium, and the browser is told to
resolve every host name other than the loopback address to "not found", so a page that tries to reach the
internet fails at once (and the request is still recorded and reported by `assert_page_ok`).
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from flask import Flask
from playwright._impl import _sync_base
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.config import TestConfig
from portal.data import catalogue_index
from portal.infra import mfa
from portal.rules.schedule import london_today

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
KEEP_SCREENSHOTS = os.environ.get("KCPO_SCREENSHOTS") == "1"
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


_prepared: dict[str, Path] = {}  # what this test process already did: "assets" built, the "migrated" database


def _build_assets() -> None:
    """Bring portal/static up to date with assets/ (the script only recompiles what changed, in well under a second
    when nothing did), so the browser sees the SCSS as it is now. Without Node.js, an existing build is used. Once
    per test process: every server of the run serves the same files."""
    if "assets" in _prepared:
        return
    _prepared["assets"] = ROOT / "portal" / "static"
    built = (ROOT / "portal" / "static" / "application.css").exists()
    if built and shutil.which("node") is None:
        return
    subprocess.run(["bash", str(ROOT / "scripts" / "build-assets.sh")], cwd=ROOT, check=True, capture_output=built)


def _browser_test_config(database_path: Path) -> dict:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database_path}")
    return config


@dataclass
class LiveServer:
    """A running portal: its base URL and the Flask app behind it (for reading what a journey left behind)."""

    url: str
    app: Flask


def _copy_migrated_database(database_path: Path) -> None:
    """A SQLite database migrated to head at `database_path`: migrated once per test process, then copied."""
    migrated = _prepared.get("migrated")
    if migrated is None:
        from flask_migrate import upgrade

        from portal.extensions import db

        migrated = database_path.with_name("migrated.sqlite3")
        app = create_app(_browser_test_config(migrated))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        _prepared["migrated"] = migrated
    shutil.copy(migrated, database_path)


def _copy_seeded_database(database_path: Path) -> None:
    """A SQLite database with the London demo loaded at `database_path`: seeded once per test process and hour (the
    demo's dates count from now), then copied."""
    hour = datetime.now(UTC).strftime("%Y-%m-%d %H")
    seeded = _prepared.get(f"seeded {hour}")
    if seeded is None:
        from portal.extensions import db
        from portal.infra import audit_chain
        from seed.loader import load_demo

        _copy_migrated_database(database_path)
        app = create_app(_browser_test_config(database_path))
        with app.app_context():
            load_demo()
            db.session.commit()
            db.session.remove()
            audit_chain.settle_all()  # the demo's events linked before the copy is taken
            db.engine.dispose()
        seeded = database_path.with_name(f"seeded-{hour[-2:]}.sqlite3")
        seeded.unlink(missing_ok=True)
        connection = sqlite3.connect(database_path)
        try:
            connection.execute("VACUUM INTO ?", (str(seeded),))
        finally:
            connection.close()
        _prepared[f"seeded {hour}"] = seeded
        return
    shutil.copy(seeded, database_path)


# Werkzeug gives its request log a handler of its own, bound to whatever sys.stderr is the first time it logs: here
# a test's captured output, closed when that test ends, so a request still in flight later fails to log. With this
# handler it keeps none: each request is logged to the root logger, whose records pytest shows with a failing test.
logging.getLogger("werkzeug").addHandler(logging.NullHandler())


@contextmanager
def serve_seeded_portal(database_path: Path) -> Iterator[LiveServer]:
    """A fresh SQLite database at `database_path` with the demo loaded, served from a background thread on a free
    loopback port until the block ends."""
    _build_assets()
    # The prepared catalogue is cached per process by catalogue version: two seeded databases can share a version
    # number with different contents, so each server starts, and leaves, with no cached copy.
    catalogue_index.forget()
    _copy_seeded_database(database_path)
    app = create_app(_browser_test_config(database_path))
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            from portal.extensions import db

            db.engine.dispose()
        catalogue_index.forget()


@pytest.fixture(scope="session")
def _shared_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """The shared portal's base URL for each London day of the run, started the first time a module asks that day."""
    servers: dict[date, str] = {}
    with ExitStack() as stack:

        def for_today() -> str:
            today = london_today()
            if today not in servers:
                database = tmp_path_factory.mktemp(f"browser-{today}") / "portal.sqlite3"
                servers[today] = stack.enter_context(serve_seeded_portal(database)).url
            return servers[today]

        yield for_today


@pytest.fixture(scope="module")
def live_server(_shared_servers: Callable[[], str]) -> str:
    """Base URL of the portal the module's tests share, on its own seeded database: one for the whole run, or a new
    one when a module starts on the next day (the demo's dates count from the day it was seeded).

    A module whose tests build on each other's state overrides this fixture with a server of its own (see
    `serve_seeded_portal`), so `page` then opens that server instead."""
    return _shared_servers()


# --- browser ----------------------------------------------------------------------------------------------


class _CallerStack:
    """Before every call, Playwright's sync API records the caller's stack (file, line and function: what its error
    messages and traces name) with `inspect.stack(0)`. That also looks up each frame's source file, and for a frame
    with none (pytest-xdist runs its workers from a string) searches every loaded module, every time: about a tenth
    of the CPU of a browser test (py-spy). This records the same file, line and function, without the lookups."""

    def __getattr__(self, name: str) -> object:
        return getattr(inspect, name)

    @staticmethod
    def stack(context: int = 1) -> list[inspect.FrameInfo]:
        frames = []
        frame = sys._getframe(1)
        while frame is not None:
            code = frame.f_code
            frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
            frame = frame.f_back
        return frames


_sync_base.inspect = _CallerStack()  # type: ignore[assignment]


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


@contextmanager
def open_page(browser: Browser, base_url: str, **context_options: object) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies), logging console errors and every request for
    `assert_page_ok`. `context_options` go to `new_context`, e.g. `java_script_enabled=False`."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.javascript_enabled = context_options.get("java_script_enabled", True)  # type: ignore[attr-defined]
    log = PageLog()
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    page.on("request", log.on_request)
    page.log = log  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


def _screenshot_if_failed(request: pytest.FixtureRequest, page: Page) -> None:
    """A failing test leaves a screenshot of where it stopped, FAILED-<test>.png; passing removes an old one."""
    report = getattr(request.node, "report_call", None)
    path = SCREENSHOTS / f"FAILED-{request.node.name}.png"
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception:  # noqa: BLE001 - a closed or crashed page has nothing to show
            pass
    elif report is not None and report.passed:
        path.unlink(missing_ok=True)


@pytest.fixture
def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    with open_page(browser, live_server) as opened:
        yield opened
        _screenshot_if_failed(request, opened)


@pytest.fixture
def no_js_page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page with JavaScript turned off: every core task must still work."""
    with open_page(browser, live_server, java_script_enabled=False) as opened:
        yield opened
        _screenshot_if_failed(request, opened)


# --- ordered journeys -------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "journey_steps: the module's tests are ordered steps of one journey; after a failing step the rest are "
        "skipped rather than failing for the same reason",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser module's tests run on one worker (`--dist loadgroup`, as scripts/test.sh runs the suite), in their
    order: a journey's steps, and a module with a server of its own, build on what the tests before them did in
    that server's database, which a test on another worker would never see."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.report_call = report  # type: ignore[attr-defined]  # for the failure screenshot
    if report.failed and item.get_closest_marker("journey_steps") is not None:
        item.module.__dict__.setdefault("_failed_step", item.name)  # type: ignore[attr-defined]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("journey_steps") is not None:
        failed = getattr(item.module, "_failed_step", None)  # type: ignore[attr-defined]
        if failed is not None:
            pytest.skip(f"an earlier step of this journey failed: {failed}")


# --- helpers ----------------------------------------------------------------------------------------------


def sign_in_as(page: Page, email: str, password: str | None = None) -> None:
    """Sign in through the real form (real CSRF token) and wait for the signed-in header. The password defaults to
    the demo users' one."""
    from seed.demo import DEMO_PASSWORD

    page.goto("/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password or DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    page.get_by_label("Code").fill(next_code(page, email))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


_last_step_used: dict[tuple[str, str], int] = {}  # (server, email): each server has a database of its own
_authenticator_keys: dict[str, str] = {}  # accounts set up during the run; demo accounts share the demo key


class AuthenticatorClock:
    """The clock of the sign-in codes, for the portal and the authenticator alike, while browser tests run.

    Each code works once per account, and the portal accepts a code only from the 30-second step before, at or after
    now, so a journey that signs one person in three times within 30 seconds would have to wait for the next step: over
    half of the browser suite's time was that waiting. Instead, this clock moves on by whole steps when a code is
    needed from a step that has not come yet, as if the person signed in a little later. Only the codes' clock
    moves, and it never goes back, so every code a portal has taken stays used and the portal's checks run
    unchanged."""

    def __init__(self, real_current_step: Callable[..., int]) -> None:
        self._real_current_step = real_current_step
        self.steps_ahead = 0

    def current_step(self, now: float | None = None) -> int:
        if now is not None:
            return self._real_current_step(now)
        return self._real_current_step() + self.steps_ahead

    def move_to(self, step: int) -> None:
        self.steps_ahead += max(0, step - self.current_step())


_authenticator_clock = AuthenticatorClock(mfa.current_step)  # one per test process: it never goes back


@pytest.fixture(scope="module", autouse=True)
def authenticator_clock() -> Iterator[AuthenticatorClock]:
    """The portal's sign-in codes follow the `AuthenticatorClock` during each browser module; other tests see the
    real clock."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mfa, "current_step", _authenticator_clock.current_step)
        yield _authenticator_clock


def next_code(page: Page, email: str, secret: str | None = None) -> str:
    """A sign-in code the portal behind `page` will take for this account: each code works once per account, so a
    second sign-in within the same 30 seconds uses the next step's code (the portal accepts one step either side of
    now), and a third moves the codes' clock on (`AuthenticatorClock`). Never the step before now: on a busy
    machine the clock can move on before the portal reads the code, and then it is too old. Each server of the run
    has its own database, so its own record of the codes used."""
    from seed.demo import DEMO_TOTP_SECRET

    account = (urlsplit(page.url).netloc, email)
    now = mfa.current_step()
    step = max(now, _last_step_used.get(account, now - 1) + 1)
    if step > now + mfa.ALLOWED_DRIFT_STEPS:
        _authenticator_clock.move_to(step)
    _last_step_used[account] = step
    return mfa.code_at(secret or _authenticator_keys.get(email, DEMO_TOTP_SECRET), step)


def set_up_authenticator_in(page: Page, email: str) -> list[str]:
    """On the first sign-in's set-up page: read the key as a person would type it into an app, enter a code.
    Returns the recovery codes shown."""
    expect(page).to_have_url(re.compile(r"/sign-in/set-up-authenticator$"))
    assert_page_ok(page, "set-up-authenticator", "Set up your authenticator app")
    secret = _authenticator_keys[email] = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(next_code(page, email, secret))
    page.get_by_role("button", name="Confirm and continue").click()
    assert_page_ok(page, "recovery-codes", "Save your recovery codes")
    return page.locator("#recovery-codes li").all_inner_texts()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def check_accessibility(page: Page, name: str) -> None:
    """Run axe (WCAG 2.0/2.1/2.2 A and AA rules) on the page, fail on any violation, and with KCPO_SCREENSHOTS=1 keep
    a full-page screenshot of it to look at (a tenth of a browser test's time, so not on every run)."""
    if KEEP_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if getattr(page, "javascript_enabled", True):
        violations = _axe_violations(page)
    else:
        violations = _axe_on_a_copy(page)
    violations = _without_known_govuk_frontend_issues(violations)
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    assert not violations, f"{len(violations)} accessibility violation(s) on {name} ({page.url}):\n" + "\n".join(lines)


# axe-core is put on a page once (it is 500 KB of script), and asked only for violations: its passes and inapplicable
# results, which nothing here reads, are most of its work and of what it sends back.
_AXE_RUN = "options => axe.run(document, options)"
_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def _axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(_AXE_RUN, _AXE_OPTIONS)["violations"]


def _axe_on_a_copy(page: Page) -> list[dict]:
    """axe on a page whose JavaScript is turned off: axe itself needs timers, which never fire there, so it runs on
    a copy of the page as served, its scripts removed, at the same address (so the same stylesheet applies), in a
    page of its own with JavaScript on. That page is opened once per browser and used for every copy."""
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.DOTALL | re.IGNORECASE)
    copy = _copy_page(page.context.browser, page.viewport_size)  # type: ignore[arg-type]
    address = page.url.split("#", 1)[0]
    copy.route(address, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    try:
        copy.goto(address)
        return _axe_violations(copy)
    finally:
        copy.unroute(address)


_copy_pages: dict[int, Page] = {}  # per browser: the page `_axe_on_a_copy` opens copies in


def _copy_page(browser: Browser, viewport: dict | None) -> Page:
    copy = _copy_pages.get(id(browser))
    if copy is None or copy.is_closed():
        copy = _copy_pages[id(browser)] = browser.new_context().new_page()
    copy.set_viewport_size(viewport or {"width": 1280, "height": 900})
    return copy


def _is_conditional_reveal_aria_expanded(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend puts aria-expanded on a radio or checkbox that reveals conditional content. ARIA does not
    allow it on those roles, but the Design System keeps it on purpose, after research with screen reader users
    (a documented known issue: alphagov/govuk-frontend#979 and #1280, and w3c/aria#1404). Only that exact case is
    let through; any other disallowed attribute, or this one anywhere else, still fails."""
    html = node.get("html", "")
    return (
        violation["id"] == "aria-allowed-attr"
        and re.search(r'class="govuk-(radios|checkboxes)__input"', html) is not None
        and 'aria-controls="conditional-' in html
        and all(
            check.get("data") in (['aria-expanded="true"'], ['aria-expanded="false"'])
            for check in node.get("all", []) + node.get("any", []) + node.get("none", [])
        )
    )


def _without_known_govuk_frontend_issues(violations: list[dict]) -> list[dict]:
    kept = []
    for violation in violations:
        nodes = [node for node in violation["nodes"] if not _is_conditional_reveal_aria_expanded(violation, node)]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


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
    assert_labels_reach_their_controls(page, name)
    check_accessibility(page, name)


_LABEL_PROBLEMS = """() => {
  const problems = [];
  const seen = new Map();
  for (const element of document.querySelectorAll("[id]")) {
    seen.set(element.id, (seen.get(element.id) || 0) + 1);
  }
  // A repeated id matters when something points at it: a label, an ARIA relation or an in-page link.
  const referenced = new Set();
  for (const element of document.querySelectorAll("label[for]")) referenced.add(element.htmlFor);
  for (const attribute of ["aria-labelledby", "aria-describedby", "aria-controls", "aria-owns"]) {
    for (const element of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of element.getAttribute(attribute).split(/\\s+/)) referenced.add(id);
    }
  }
  for (const link of document.querySelectorAll('a[href^="#"]')) referenced.add(decodeURIComponent(link.hash.slice(1)));
  for (const [id, count] of seen) {
    if (count > 1 && referenced.has(id)) problems.push(`id "${id}" is used ${count} times and referred to`);
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!label.control) {
      problems.push(`label "${label.innerText.trim()}" points at #${label.htmlFor}, which is not a form control`);
    }
  }
  return problems;
}"""


def assert_labels_reach_their_controls(page: Page, name: str) -> None:
    """Every <label for> labels a form control, and no id is used twice. axe matches labels to controls by the
    `for` value alone, so it misses a control whose id an earlier element also has: browsers (and screen readers)
    then give that control no label at all, and its error summary link goes to the wrong place."""
    problems = page.evaluate(_LABEL_PROBLEMS)
    assert not problems, f"labelling problems on {name} ({page.url}): {problems}"


def assert_service_header(page: Page) -> None:
    header = page.locator("header.govuk-header")
    expect(header).to_be_visible()
    expect(header.locator(".govuk-header__link--homepage")).to_have_text(SERVICE_NAME)
    expect(page.locator(".govuk-header__logotype")).to_have_count(0)
    expect(page.locator("header svg")).to_have_count(0)  # the crown is an inline SVG


def fill_date(page: Page, legend: str, day: date) -> None:
    """Fill a GOV.UK date input (Day, Month and Year boxes in a fieldset) found by its legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


# --- keyboard ---------------------------------------------------------------------------------------------

_FOCUS = """(selector) => {
  const e = document.activeElement;
  if (!e || e === document.body) {
    return {tag: "body", id: "", name: "", type: "", text: "", visible: true, matches: false};
  }
  const label = e.labels && e.labels.length ? e.labels[0].innerText : (e.getAttribute("aria-label") || "");
  const shown = (style) => (style.outlineStyle !== "none" && style.outlineWidth !== "0px"
      && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(style.outlineColor)) || style.boxShadow !== "none";
  const style = getComputedStyle(e);
  // GOV.UK radios and checkboxes hide the native control and draw the focus ring on the label's ::before.
  const visible = shown(style) || style.backgroundColor === "rgb(255, 221, 0)"
      || (e.labels && e.labels.length > 0 && shown(getComputedStyle(e.labels[0], "::before")));
  return {
    tag: e.tagName.toLowerCase(), id: e.id || "", name: e.getAttribute("name") || "", type: e.type || "",
    text: (label || e.innerText || e.value || "").replace(/\\s+/g, " ").trim(),
    visible: visible, matches: selector ? e.matches(selector) : false,
  };
}"""


def focused(page: Page, selector: str = "") -> dict:
    """What has the keyboard focus: tag, id, name, type, its label or text, whether its focus indicator shows, and
    whether it matches `selector`."""
    return page.evaluate(_FOCUS, selector)


def tab_to(page: Page, selector: str, *, limit: int = 40) -> dict:
    """Press Tab until the focused element matches `selector` (never clicking), failing after `limit` presses.

    Every element tabbed onto on the way must show a visible focus indicator (WCAG 2.4.7)."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page, selector)
        passed.append(f"{now['tag']}#{now['id']} {now['text'][:40]!r}")
        assert now["visible"], f"no visible focus indicator on {passed[-1]} ({page.url})"
        if now["matches"]:
            return now
    raise AssertionError(f"Tab never reached {selector} on {page.url} in {limit} presses; focus went: {passed}")


def keyboard_sign_in(page: Page, email: str) -> None:
    """Sign in with the keyboard alone: Tab to each field from the top of the page, type, press Enter."""
    from seed.demo import DEMO_PASSWORD

    page.goto("/sign-in")
    assert tab_to(page, "a.govuk-skip-link", limit=1)["text"] == "Skip to main content"  # the first Tab stop
    assert tab_to(page, "input[name=email]")["text"] == "Email address"
    page.keyboard.type(email)
    assert tab_to(page, "input[name=password]", limit=2)["text"] == "Password"
    page.keyboard.type(DEMO_PASSWORD)
    assert tab_to(page, "button[type=submit], input[type=submit]", limit=3)["text"] == "Sign in"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    assert tab_to(page, "input[name=code]")["text"] == "Code"
    page.keyboard.type(next_code(page, email))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
