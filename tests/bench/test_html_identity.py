"""Issue #17: the pages of the page-cost benchmark (bench/page_cost.py) render the same HTML before and after the
work that makes them cheaper. Each page is rendered on the demo seed, loaded on a frozen day, and compared with a
normalised copy stored in tests/bench/html_snapshots/ (CSP nonces, CSRF tokens and the like removed).

The copies were taken on the code before the change and are kept only for this comparison. When a page changes on
purpose, refresh them deliberately and review the diff:

    REFRESH_HTML_SNAPSHOTS=1 .venv/bin/python -m pytest tests/bench/test_html_identity.py -p no:cacheprovider -n 0

Runs on SQLite and PostgreSQL against the same stored copies: the demo makes the same rows with the same ids on
both (PostgreSQL's tables are truncated with their identities restarted) and the pages order them the same way.
The day is frozen (freezegun) for seeding and rendering, so the copies do not depend on the day they are run.
"""

import json
import os
import re
from collections.abc import Iterator
from datetime import datetime
from difflib import unified_diff
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from portal import create_app
from portal.data import accounts, catalogue_index, tokens
from portal.extensions import db
from portal.models import Subject, User
from seed.loader import load_demo
from tests.conftest import _test_config, _truncate_postgres

SNAPSHOTS = Path(__file__).resolve().parent / "html_snapshots"
REFRESH = os.environ.get("REFRESH_HTML_SNAPSHOTS") == "1"
FROZEN_AT = datetime(2026, 12, 7, 10, 30)  # a Monday in term time: registers due, referrals waiting
OFFICER = "officer@met.example.org"  # the demo journey's officer, who owns KCPO-DEMO-001
SUBJECT = "KCPO-DEMO-001"
ACCESS_REASON = "Preparing a KCPO application"

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
REGISTER_LINK = re.compile(r'href="(/partner/registers/\d+/\d{4}-\d{2}-\d{2})"')
REFERRAL_LINK = re.compile(r'href="/partner/referrals/(\d+)"')
PROGRAMME_LINK = re.compile(r'href="(/directory/programmes/\d+)"')
MARK_ROW = re.compile(r'name="(r\d+)-status"')

# What differs between two renderings of the same page on the same data: per-request or per-session secrets.
NORMALISE = [
    (re.compile(r'nonce="[^"]*"'), 'nonce="NONCE"'),
    (re.compile(r'(name="[\w-]*csrf_token"[^>]*value=")[^"]*(")'), r"\1CSRF\2"),  # also a form's prefixed one
    (re.compile(r'(value=")[^"]*("[^>]*name="[\w-]*csrf_token")'), r"\1CSRF\2"),
    (re.compile(r"search=[0-9a-f]{32}"), "search=SEARCH"),  # a saved search's random key
]

STATEMENT = {
    "capacity": "Yes, we have a place in this session on these dates.",
    "dates": "We can supervise from the proposed start to the end of the order.",
    "safeguarding": "Two DBS-checked staff at every session; our safeguarding lead is named on the programme.",
    "attendance": "We mark the register in the portal at the end of every session.",
}


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    return unescape(match.group(1) or match.group(2)) if match else ""


@pytest.fixture
def frozen_app(database_url: str) -> Iterator[Flask]:
    """The demo on a freshly migrated database, with the clock frozen for the whole test; CSRF checked and the
    reason for access asked, as in production."""
    settings = _test_config() | {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": True,
        "ACCESS_REASON_REQUIRED": True,
    }
    catalogue_index.forget()
    with freeze_time(FROZEN_AT, tick=False):
        app = create_app(settings)
        if database_url.startswith("postgresql"):
            _truncate_postgres(app)
        with app.app_context():
            load_demo()
            db.session.commit()
        yield app
        with app.app_context():
            db.engine.dispose()
    catalogue_index.forget()


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = accounts.start_session(user)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def demo_partner_email(app: Flask) -> str:
    """Bow Boxing Club's partner: the demo journey's programmes and referrals are theirs."""
    with app.app_context():
        return db.session.scalar(select(User.email).where(User.email.like("partner@%")).order_by(User.id))


def waiting_referrals(partner: FlaskClient) -> list[str]:
    listing = partner.get("/partner/referrals/").get_data(as_text=True)
    found = []
    for group in ("new", "awaiting"):
        marker = f'data-group="{group}"'
        if marker in listing:
            found += REFERRAL_LINK.findall(listing.split(marker, 1)[1].split("</table>", 1)[0])
    return found


def render_pages(app: Flask) -> dict[str, str]:
    """Each page of the benchmark, in its order, as the person it is measured for sees it; a POST as its status and
    where it sends the browser, then the page it sends them to."""
    partner_email = demo_partner_email(app)
    officer, partner = signed_in(app, OFFICER), signed_in(app, partner_email)
    with app.app_context():
        subject_id = db.session.scalar(select(Subject.id).where(Subject.reference == SUBJECT))
        partner_user = db.session.scalar(select(User).where(User.email == partner_email))
        _token, api_token = tokens.create_token(partner_user.id, "HTML identity test")
        db.session.commit()
    pages: dict[str, str] = {}

    def keep(name: str, response) -> str:
        text = response.get_data(as_text=True)
        location = response.headers.get("Location", "")
        pages[name] = f"{response.status_code} {location}\n{text}" if location else f"{response.status_code}\n{text}"
        return text

    asked = officer.get(f"/subjects/{subject_id}")
    keep("reason-for-access", asked)
    reason_page = keep("reason-for-access-form", officer.get(asked.headers["Location"]))
    officer.post(
        asked.headers["Location"], data={"reason": ACCESS_REASON, "other": "", "csrf_token": csrf_of(reason_page)}
    )
    keep("accessibility", officer.get("/accessibility"))
    keep("officer-dashboard", officer.get("/dashboard/"))
    keep("subject", officer.get(f"/subjects/{subject_id}"))
    keep("suggestions", officer.get(f"/subjects/{subject_id}/suggestions"))
    directory = keep("directory", officer.get("/directory/"))
    search = {"keyword": "", "postcode": "E3 2SJ", "distance_km": "10", "csrf_token": csrf_of(directory)}
    searched = officer.post("/directory/", data=search)
    keep("search-post", searched)
    results = keep("directory-results", officer.get(searched.headers["Location"]))
    keep("programme", officer.get(PROGRAMME_LINK.search(results).group(1)))

    registers = keep("registers-list", partner.get("/partner/registers/"))
    register_path = REGISTER_LINK.search(registers.split('id="upcoming"', 1)[0]).group(1)
    register = keep("register", partner.get(register_path))
    marks = {"csrf_token": csrf_of(register)}
    for row in sorted(set(MARK_ROW.findall(register))):
        revision = re.search(rf'name="{row}-revision"[^>]*value="(\d+)"', register)
        was_attended = re.search(rf'name="{row}-status"[^>]*value="attended"[^>]*checked', register)
        marks |= {
            f"{row}-revision": revision.group(1) if revision else "0",
            f"{row}-status": "late" if was_attended else "attended",
            f"{row}-minutes_late": "5",
            f"{row}-correction_reason": "Corrected after checking the sign-in sheet.",
        }
    keep("mark-post", partner.post(register_path, data=marks))
    keep("register-after-marking", partner.get(register_path))

    keep("referrals-list", partner.get("/partner/referrals/"))
    waiting = waiting_referrals(partner)
    viewed = waiting[0]
    referral = keep("partner-referral", partner.get(f"/partner/referrals/{viewed}"))
    version = VERSION.search(referral)
    answer = {"csrf_token": csrf_of(referral), "version": (version.group(1) or version.group(2)) if version else ""}
    keep("accept-post", partner.post(f"/partner/referrals/{viewed}/accept", data=answer | STATEMENT))
    keep("partner-referral-accepted", partner.get(f"/partner/referrals/{viewed}"))

    api = app.test_client().get("/api/v1/programmes", headers={"Authorization": f"Bearer {api_token}"})
    pages["api-programmes"] = f"{api.status_code}\n{json.dumps(api.get_json(), indent=1, sort_keys=True)}\n"
    return {name: normalise(text) for name, text in pages.items()}


def test_every_benchmark_page_renders_the_html_stored_before_the_change(frozen_app: Flask) -> None:
    rendered = render_pages(frozen_app)
    if REFRESH:
        SNAPSHOTS.mkdir(exist_ok=True)
        for stale in SNAPSHOTS.glob("*.html"):
            stale.unlink()
        for name, text in rendered.items():
            (SNAPSHOTS / f"{name}.html").write_text(text)
    stored = {path.stem: path.read_text() for path in sorted(SNAPSHOTS.glob("*.html"))}
    assert sorted(rendered) == sorted(stored), "pages rendered and pages stored differ: refresh deliberately"
    changed = [name for name in rendered if rendered[name] != stored[name]]
    assert not changed, f"these pages' HTML changed: {changed}\n" + "".join(
        "".join(list(unified_diff(stored[name].splitlines(True), rendered[name].splitlines(True), name, name))[:40])
        for name in changed
    )


def test_the_snapshots_are_of_real_pages() -> None:
    """Each stored page is a whole page (or, for a POST, where it sent the browser), as the portal answers it."""
    stored = {path.stem: path.read_text() for path in SNAPSHOTS.glob("*.html")}
    assert {"accessibility", "subject", "suggestions", "register", "partner-referral", "api-programmes"} <= set(stored)
    for name, text in stored.items():
        if name.endswith("-post") or name == "reason-for-access":
            assert re.match(r"30[23] /", text), name
        elif name != "api-programmes":
            assert text.startswith("200\n"), name
            assert "Sign out" in text, name
