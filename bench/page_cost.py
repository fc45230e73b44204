"""What a page costs the server, in process (bench/pages.py): CPU time per request (time.process_time), SQL statements
per request and HTML bytes, for the pages of issue #17 and the load mix, beside the bare Flask page of issue #8's
yardstick (load/bare_app.py), whose batches alternate with each page's in the same process.

The portal runs with the production settings (no debug, CSRF checked with its HTTPS referrer check, audit, reason
for access), except that the session cookie is not marked Secure: production's settings refuse SQLite whenever it
is. People sign in through the sign-in pages with their password and authenticator code, so every request finds a
real server-side session. Form posts really write: each mark post corrects every mark on the register (one new mark
per young person, as the load test's corrections do) and each accept post accepts a referral nobody has answered yet.
"""

from __future__ import annotations

import gc
import re
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

import load.bare_app as bare_app
from portal import create_app
from portal.config import ProductionConfig
from portal.data.accounts import get_user_by_email
from portal.extensions import db

try:
    from portal.data import tokens
    from portal.data.catalogue_index import prepared_catalogue
except ImportError:  # a commit from before issue #18 moved them, measured by --compare
    from portal.catalogue_index import prepared_catalogue  # type: ignore[no-redef]

    from portal.api import tokens  # type: ignore[no-redef]

Progress = Callable[[str], None]

# Issue #17's targets: CPU per request at most this many times the bare page's.
TARGETS = {
    "/accessibility": 4,
    "officer dashboard": 30,
    "subject": 14,
    "suggestions": 45,
    "partner referral": 14,
    "register": 14,
    "accept POST": 14,
    "load mix": 18,
}

# Requests per task of load/locustfile.py: officers and partners run tasks at the same rate (same number of users,
# same constant throughput); an officer searches (weight 5: post, results, 40% a programme) or opens suggestions
# (weight 3: 30% the subject first); a partner marks a register (weight 3: list, register, post, register again) or
# accepts a referral (weight 1: list, referral, post, referral again). Signing in is left out: the steady state.
MIX_WEIGHTS = {
    "search POST": 0.5 * 5 / 8,
    "directory results": 0.5 * 5 / 8,
    "programme": 0.5 * 5 / 8 * 0.4,
    "subject": 0.5 * 3 / 8 * 0.3,
    "suggestions": 0.5 * 3 / 8,
    "registers list": 0.5 * 3 / 4,
    "register": 0.5 * 3 / 4 * 2,
    "mark POST": 0.5 * 3 / 4,
    "referrals list": 0.5 * 1 / 4,
    "partner referral": 0.5 * 1 / 4 * 2,
    "accept POST": 0.5 * 1 / 4,
}

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
REGISTER_LINK = re.compile(r'href="(/partner/registers/\d+/\d{4}-\d{2}-\d{2})"')
REFERRAL_LINK = re.compile(r'href="/partner/referrals/(\d+)"')
PROGRAMME_LINK = re.compile(r'href="(/directory/programmes/\d+)"')
MARK_ROW = re.compile(r'name="(r\d+)-status"')
STATEMENT = {
    "capacity": "Yes, we have a place in this session on these dates.",
    "dates": "We can supervise from the proposed start to the end of the order.",
    "safeguarding": "Two DBS-checked staff at every session; our safeguarding lead is named on the programme.",
    "attendance": "We mark the register in the portal at the end of every session.",
}
ACCESS_REASON = "Preparing a KCPO application"
BARE_BATCH_MIN = 200  # requests: a bare batch shorter than ~0.1 s is at the mercy of one scheduler tick


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    data: dict | None = None
    headers: dict | None = None


@dataclass(frozen=True)
class Page:
    name: str
    client: FlaskClient
    make: Callable[[], Call]  # called before each request, outside the timing: a post reads its form first
    expect: tuple[int, ...] = (200,)


@dataclass
class Measured:
    name: str
    cpu_ms: float  # median over batches of the batch's CPU time per request
    p95_ms: float | None  # over single requests
    statements: float | None  # per request
    html_bytes: float | None
    requests: int
    ratio: float = 0.0  # to the bare page's CPU ms: the median of the batches' ratios
    target: float | None = None


@dataclass
class Run:
    backend: str
    scale: int
    revision: str
    bare: Measured
    pages: list[Measured] = field(default_factory=list)
    mix: Measured | None = None

    def rows(self) -> list[Measured]:
        return [self.bare, *self.pages, *([self.mix] if self.mix else [])]


class StatementCounter:
    def __init__(self, app: Flask) -> None:
        self.count = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: object, **_kwargs: object) -> None:
        self.count += 1


# --------------------------------------------------------------------------- the portal, signed in


def production_like_app(database_url: str) -> Flask:
    settings = {name: getattr(ProductionConfig, name) for name in dir(ProductionConfig) if name.isupper()}
    return create_app(
        settings
        | {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": False,  # production's settings refuse SQLite when it is True
            "SESSION_COOKIE_NAME": "kcpo_session",  # __Host- needs Secure
            "LOG_JSON": False,
            "API_RATE_LIMIT_PER_MINUTE": 10**9,  # still counted per call, never refused
            "IDLE_TIMEOUT": timedelta(hours=12),  # a long page must not time out the session of the next
        }
    )


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    return unescape(match.group(1) or match.group(2)) if match else ""


def location_of(response) -> str:
    return response.headers.get("Location", "")


def sign_in(app: Flask, email: str, password: str, totp_secret: str) -> FlaskClient:
    """Through the sign-in pages: password, then the authenticator code (the next one if this one was used)."""
    client = app.test_client()
    # Requests are HTTPS (PREFERRED_URL_SCHEME), where Flask-WTF checks that a form comes from a page of the site.
    client.environ_base["HTTP_REFERER"] = f"{app.config['PREFERRED_URL_SCHEME']}://localhost/"
    form = client.get("/sign-in").get_data(as_text=True)
    answer = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": csrf_of(form)})
    if "/sign-in/code" in location_of(answer):
        give_code(client, location_of(answer), pyotp.TOTP(totp_secret))
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    if "Sign out" not in home:
        raise SystemExit(f"Could not sign in as {email}")
    return client


def give_code(client: FlaskClient, code_path: str, totp: pyotp.TOTP) -> None:
    token = csrf_of(client.get(code_path).get_data(as_text=True))
    answer = client.post(code_path, data={"code": totp.now(), "csrf_token": token})
    if answer.status_code not in (302, 303):  # this code was used already (an earlier run): wait for the next one
        time.sleep(totp.interval - time.time() % totp.interval + 1)
        client.post(code_path, data={"code": totp.now(), "csrf_token": token})


def give_access_reason(client: FlaskClient, subject_id: int) -> None:
    """The first subject record of a session asks why it is opened; answered once, as the load test does."""
    response = client.get(f"/subjects/{subject_id}")
    if response.status_code in (302, 303) and "reason-for-access" in location_of(response):
        form = client.get(location_of(response)).get_data(as_text=True)
        client.post(location_of(response), data={"reason": ACCESS_REASON, "other": "", "csrf_token": csrf_of(form)})


def api_token(app: Flask, email: str) -> str:
    with app.test_request_context():
        _token, plain = tokens.create_token(get_user_by_email(email).id, "page-cost benchmark")
        db.session.commit()
    return plain


# --------------------------------------------------------------------------- the pages


def get(path: str) -> Callable[[], Call]:
    return lambda: Call("GET", path)


def pages(app: Flask, accounts: dict) -> list[Page]:
    officer_account, partner_account = accounts["officers"][0], accounts["partners"][0]
    officer = sign_in(app, officer_account["email"], accounts["password"], officer_account["totp_secret"])
    partner = sign_in(app, partner_account["email"], accounts["password"], partner_account["totp_secret"])
    subject_id = officer_account["subject_ids"][0]
    give_access_reason(officer, subject_id)
    search = search_post(officer, accounts["postcodes"][0])
    results_path = location_of(officer.post("/directory/", data=search().data))
    results = officer.get(results_path).get_data(as_text=True)
    programme = PROGRAMME_LINK.search(results)
    if programme is None:
        raise SystemExit(f"The directory search found no programme near {accounts['postcodes'][0]}")
    registers = partner.get("/partner/registers/").get_data(as_text=True)
    register_path = REGISTER_LINK.search(registers.split('id="upcoming"', 1)[0]).group(1)
    viewed = waiting_referrals(partner)[0]
    token = api_token(app, partner_account["email"])
    return [
        Page("/accessibility", officer, get("/accessibility")),
        Page("officer dashboard", officer, get("/dashboard/")),
        Page("search POST", officer, search, expect=(302, 303)),
        Page("directory results", officer, get(results_path)),
        Page("programme", officer, get(programme.group(1))),
        Page("subject", officer, get(f"/subjects/{subject_id}")),
        Page("suggestions", officer, get(f"/subjects/{subject_id}/suggestions")),
        Page("registers list", partner, get("/partner/registers/")),
        Page("register", partner, get(register_path)),
        Page("mark POST", partner, mark_post(partner, register_path), expect=(302, 303)),
        Page("referrals list", partner, get("/partner/referrals/")),
        Page("partner referral", partner, get(f"/partner/referrals/{viewed}")),
        Page("accept POST", partner, accept_post(partner, keep=viewed), expect=(302, 303)),
        Page("GET /api/v1/programmes", app.test_client(), api_get("/api/v1/programmes", token)),
    ]


def search_post(officer: FlaskClient, postcode: str) -> Callable[[], Call]:
    token = csrf_of(officer.get("/directory/").get_data(as_text=True))
    data = {"keyword": "football", "postcode": postcode, "distance_km": "10", "csrf_token": token}
    return lambda: Call("POST", "/directory/", data)


def api_get(path: str, token: str) -> Callable[[], Call]:
    return lambda: Call("GET", path, headers={"Authorization": f"Bearer {token}"})


def waiting_referrals(partner: FlaskClient) -> list[str]:
    listing = partner.get("/partner/referrals/").get_data(as_text=True)
    found = []
    for group in ("new", "awaiting"):
        marker = f'data-group="{group}"'
        if marker in listing:
            found += REFERRAL_LINK.findall(listing.split(marker, 1)[1].split("</table>", 1)[0])
    return found


def mark_post(partner: FlaskClient, register_path: str) -> Callable[[], Call]:
    """Every mark on the register changed (attended <-> late), with the revisions the page shows: each post adds one
    mark per young person, so every post writes the same amount."""

    def make() -> Call:
        page = partner.get(register_path).get_data(as_text=True)
        data = {"csrf_token": csrf_of(page)}
        for row in sorted(set(MARK_ROW.findall(page))):
            revision = re.search(rf'name="{row}-revision"[^>]*value="(\d+)"', page)
            was_attended = re.search(rf'name="{row}-status"[^>]*value="attended"[^>]*checked', page)
            data |= {
                f"{row}-revision": revision.group(1) if revision else "0",
                f"{row}-status": "late" if was_attended else "attended",
                f"{row}-minutes_late": "5",
                f"{row}-correction_reason": "Corrected after checking the sign-in sheet.",
            }
        return Call("POST", register_path, data)

    return make


def accept_post(partner: FlaskClient, keep: str) -> Callable[[], Call]:
    """A referral nobody has answered yet for every post (load/prepare.py tops them up before each run); `keep` is
    the one the referral page shows."""
    waiting: list[str] = []

    def make() -> Call:
        if not waiting:
            waiting.extend(found for found in waiting_referrals(partner) if found != keep)
        if not waiting:
            raise SystemExit("No referrals left to accept: fewer --requests or --batches, or prepare again")
        referral_id = waiting.pop()
        page = partner.get(f"/partner/referrals/{referral_id}").get_data(as_text=True)
        version = VERSION.search(page)
        data = {"csrf_token": csrf_of(page), "version": (version.group(1) or version.group(2)) if version else ""}
        return Call("POST", f"/partner/referrals/{referral_id}/accept", data | STATEMENT)

    return make


# --------------------------------------------------------------------------- timing


@dataclass
class Samples:
    """One page's timed requests, batch by batch."""

    batch_ms: list[float] = field(default_factory=list)  # each batch's mean CPU ms per request
    single_ms: list[float] = field(default_factory=list)
    statements: int = 0
    html_bytes: list[int] = field(default_factory=list)

    def add_batch(self, page: Page, counter: StatementCounter | None, requests: int) -> float:
        gc.collect()  # the garbage of the batch before is not this batch's cost
        times = []
        for _ in range(requests):
            seconds, statements, html_bytes = _one(page, counter)
            times.append(seconds * 1000)
            self.statements += statements
            self.html_bytes.append(html_bytes)
        self.batch_ms.append(sum(times) / len(times))
        self.single_ms += times
        return self.batch_ms[-1]

    def measured(self, name: str, counted: bool) -> Measured:
        total = len(self.single_ms)
        return Measured(
            name,
            cpu_ms=statistics.median(self.batch_ms),
            p95_ms=statistics.quantiles(self.single_ms, n=20)[-1] if total > 1 else self.single_ms[0],
            statements=self.statements / total if counted else None,
            html_bytes=statistics.median(self.html_bytes),
            requests=total,
        )


def measure(
    page: Page, counter: StatementCounter, size: tuple, bare: tuple[Page, Samples], bare_requests: int
) -> Measured:
    """`warm-up` untimed requests, then `batches` batches of `requests` ((warm-up, batches, requests) = size), each
    right after a batch of at least `bare_requests` of the bare page: the page's ratio is the median of its batches'
    ratios to those, so a busy spell of the shared machine weighs on both sides of each ratio."""
    warm_up, batches, requests = size
    bare_page, bare_samples = bare
    for _ in range(warm_up):
        _one(page, counter)
        _one(bare_page, None)
    samples, ratios = Samples(), []
    for _ in range(batches):
        bare_ms = bare_samples.add_batch(bare_page, None, max(requests, bare_requests))
        ratios.append(samples.add_batch(page, counter, requests) / bare_ms)
    row = samples.measured(page.name, counted=True)
    row.ratio = statistics.median(ratios)
    return row


def _one(page: Page, counter: StatementCounter | None) -> tuple:
    call = page.make()
    if counter:
        counter.count = 0
    started = time.process_time()
    response = page.client.open(call.path, method=call.method, data=call.data, headers=call.headers)
    body = response.get_data()
    seconds = time.process_time() - started
    if response.status_code not in page.expect:
        raise SystemExit(f"{call.method} {call.path} answered {response.status_code}, not {page.expect}")
    return seconds, counter.count if counter else 0, len(body)


def load_mix(measured: list[Measured]) -> Measured:
    by_name = {row.name: row for row in measured}
    weights = {name: weight for name, weight in MIX_WEIGHTS.items() if name in by_name}
    total = sum(weights.values())

    def mean(value: Callable[[Measured], float]) -> float:
        return sum(weight * value(by_name[name]) for name, weight in weights.items()) / total

    return Measured(
        "load mix",
        cpu_ms=mean(lambda row: row.cpu_ms),
        p95_ms=None,
        statements=mean(lambda row: row.statements or 0),
        html_bytes=mean(lambda row: row.html_bytes or 0),
        requests=sum(by_name[name].requests for name in weights),
        ratio=mean(lambda row: row.ratio),
    )


def run(
    database_url: str,
    accounts: dict,
    size: tuple,
    say: Progress,
    only: list[str] | None = None,
    bare_requests: int | None = None,
    **label: str | int,
) -> Run:
    """Every page (or `only` those named), each beside the bare page measured in this process batch by batch, then
    the mix. `bare_requests`: the bare page's batch size (default BARE_BATCH_MIN). `label`: backend, scale and
    revision, as the report names them."""
    app = production_like_app(database_url)
    bare = (Page("bare Flask page", bare_app.app.test_client(), get("/")), Samples())
    try:
        with app.app_context():
            started = time.perf_counter()
            prepared_catalogue()
            say(f"  [{label['backend']}] catalogue prepared in {time.perf_counter() - started:.1f} s")
        # Long-lived objects (the prepared catalogue: millions at scale 100,000) are left out of later collections,
        # whose cost is then the pages' own garbage rather than the size of the catalogue.
        gc.collect()
        gc.freeze()
        counter = StatementCounter(app)
        measured = []
        chosen = pages(app, accounts)
        unknown = set(only or ()) - {page.name for page in chosen}
        if unknown:
            raise SystemExit(f"No such page: {', '.join(sorted(unknown))}")
        for page in chosen:
            if only and page.name not in only:
                continue
            measured.append(measure(page, counter, size, bare, bare_requests or BARE_BATCH_MIN))
            row = measured[-1]
            say(
                f"  [{label['backend']}] {row.name}: {row.cpu_ms:.2f} ms CPU ({row.ratio:.1f}× bare), "
                f"{row.statements:.1f} statements"
            )
    finally:
        gc.unfreeze()
        with app.app_context():
            db.engine.dispose()
    bare_row = bare[1].measured(bare[0].name, counted=False)
    bare_row.ratio = 1.0
    result = Run(str(label["backend"]), int(label["scale"]), str(label["revision"]), bare_row, measured)
    result.mix = load_mix(measured) if any(row.name in MIX_WEIGHTS for row in measured) else None
    for row in result.rows():
        row.target = TARGETS.get(row.name)
    return result
