"""The load scenario of issue #8: officers search the directory and run matches; partners mark registers and accept
referrals. Run it through load/run.sh, which prepares the database and the accounts this reads.

Each virtual user signs in once, with its own account (load/prepare.py makes one per user, so sessions and one-time
sign-in codes never collide), then repeats its tasks. Every form is read first for its CSRF token, as a browser
would. The portal runs behind a TLS-terminating proxy in production; this scenario plays that proxy's part by sending
X-Forwarded-Proto and X-Forwarded-For (gunicorn runs with TRUSTED_PROXY_HOPS=1); like a browser, it keeps the
`Secure` session cookie (locust's own jar would not send it over the plain connection to gunicorn) and sends a
same-site Referer with each form (Flask-WTF checks it on HTTPS).

Successful writes are counted per kind and written, with locust's final figures per endpoint, to $LOAD_WRITES_FILE
(default $LOAD_OUT/writes.json) when the run stops, so run.sh can check that the database grew by exactly that much.
Environment:

    LOAD_OUT        where accounts.json is read from and writes.json is written (default instance/load)
    LOAD_RATE       tasks per second each virtual user aims at (default 2.2: about 330 requests per second over 50
                    users when the portal keeps up; 0 for no pause at all)
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from collections import Counter
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
import pyotp
from locust import FastHttpUser, constant, constant_throughput, events, task

OUT = Path(os.environ.get("LOAD_OUT") or Path(__file__).resolve().parent.parent / "instance" / "load")
ACCOUNTS = json.loads((OUT / "accounts.json").read_text()) if (OUT / "accounts.json").exists() else None
RATE = float(os.environ.get("LOAD_RATE", "2.2"))

WRITES: Counter[str] = Counter()  # successful writes, by kind (see load/run.sh for the rows each one adds)
STATUS: Counter[str] = Counter()  # responses by status class
_lock = threading.Lock()
_officer_accounts = itertools.count()
_partner_accounts = itertools.count()
_client_numbers = itertools.count(10)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
INPUT = re.compile(r"<input\b[^>]*>")
TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
REGISTER_ROW = re.compile(r'<tr class="govuk-table__row" data-session="\d+"[^>]*>(.*?)</tr>', re.S)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')
REGISTER_LINK = re.compile(r'href="(/partner/registers/(\d+)/(\d{4}-\d{2}-\d{2}))"')
REFERRAL_LINK = re.compile(r'href="/partner/referrals/(\d+)"')
PROGRAMME_LINK = re.compile(r'href="(/directory/programmes/\d+)"')
STATUS_FIELD = re.compile(r'name="(r\d+)-status"')

KEYWORDS = [
    "football",
    "fotball",
    "footy",
    "boxing",
    "music production",
    "mentoring",
    "basketball",
    "dance",
    "drama",
    "coding",
    "gym",
    "martial arts",
    "swimming",
    "youth club",
    "cooking",
    "first aid",
    "knife crime",
    "art",
]
ACTIVITY_TYPES = ["", "", "", "football", "boxing", "mentoring", "music", "sport", "dance", "youth-club"]
MATCH_FILTERS = [
    {},
    {},
    {"months": "12", "activity_type": "football"},
    {"months": "6", "distance_km": "5"},
    {"months": "12", "weekday": "2"},
]
STATEMENT = {
    "capacity": "Yes, we have a place in this session on these dates.",
    "dates": "We can supervise from the proposed start to the end of the order.",
    "safeguarding": "Two DBS-checked staff at every session; our safeguarding lead is named on the programme.",
    "attendance": "We mark the register in the portal at the end of every session.",
}


def count_write(kind: str, amount: int = 1) -> None:
    with _lock:
        WRITES[kind] += amount


def form_fields(html: str) -> dict[str, str]:
    """Hidden inputs (CSRF token, versions, revisions) of the page, by name."""
    fields = {}
    for tag in HIDDEN.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = unescape(attributes.get("value", ""))
    return fields


def register_form_values(html: str) -> dict[str, str]:
    """What the register form would send as shown: its CSRF token and every young person's current answers."""
    button = html.find("Save register")
    form = html[html.rfind("<form", 0, button) : html.find("</form>", button)] if button >= 0 else html
    values: dict[str, str] = {}
    for tag in INPUT.findall(form):
        attributes = dict(ATTRIBUTE.findall(tag))
        name = attributes.get("name", "")
        if not name or attributes.get("type") == "submit":
            continue
        if attributes.get("type") in ("radio", "checkbox"):
            if re.search(r"\schecked(\s|>|=)", tag):
                values[name] = unescape(attributes.get("value", ""))
            continue
        values[name] = unescape(attributes.get("value", ""))
    for name, text in TEXTAREA.findall(form):
        values[name] = unescape(text).removeprefix("\n")
    return values


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        return ""
    return unescape(match.group(1) or match.group(2))


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class PortalUser(FastHttpUser):
    """A signed-in person behind the TLS proxy; follows redirects by hand, so each hop is measured on its own."""

    abstract = True
    role = ""
    wait_time = constant_throughput(RATE) if RATE > 0 else constant(0)
    # One connection per user, no pooling beyond that: 50 users are 50 browsers.
    concurrency = 1
    insecure = True

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}
        self.host_name = urlsplit(self.host).netloc
        self.last_page = "/"
        number = next(_client_numbers)
        self.forwarded_for = f"10.8.{number // 250}.{number % 250 + 1}"  # each person at their own machine
        self.account = self.take_account()
        self.sign_in()

    def take_account(self) -> dict:
        if ACCOUNTS is None:
            raise RuntimeError(f"No {OUT / 'accounts.json'}: run load/prepare.py (load/run.sh does) first")
        accounts = ACCOUNTS[f"{self.role}s"]
        counter = _officer_accounts if self.role == "officer" else _partner_accounts
        number = next(counter)
        if number >= len(accounts):
            raise RuntimeError(f"More {self.role} users than prepared accounts ({len(accounts)})")
        return accounts[number]

    # -- HTTP, with the browser's side of the proxy: cookies and Referer ------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.forwarded_for,
            # Flask-WTF checks that an HTTPS form post comes from a page of the same site, as browsers say it does.
            "Referer": f"https://{self.host_name}{self.last_page}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def _keep_cookies(self, response) -> None:  # noqa: ANN001
        """Locust's cookie jar never sends a `Secure` cookie over plain HTTP, so the session cookie is kept here."""
        if response.headers is None:
            return
        for value in response.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, cookie_value = pair.partition("=")
            lowered = value.lower()
            if not cookie_value or "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie_value.strip()

    def request(self, method: str, path: str, name: str, data: dict | None = None, expect: tuple = (200,)):  # noqa: ANN201
        """One request, never following redirects; a status outside `expect` is a failure with its reason."""
        body = urlencode(data, doseq=True) if data is not None else None
        headers = self._headers()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(
            method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            self._keep_cookies(response)
            if method == "GET":
                self.last_page = path
            status = response.status_code or 0
            with _lock:
                STATUS[f"{status // 100}xx" if status else "no-response"] += 1
            if status not in expect:
                where = response.headers.get("Location", "") if response.headers else ""
                response.failure(f"{status} {urlsplit(where).path}".strip())
            else:
                response.success()
            return response

    def get(self, path: str, name: str, expect: tuple = (200,)):  # noqa: ANN201
        return self.request("GET", path, name, expect=expect)

    def post(self, path: str, name: str, data: dict, expect: tuple = (302, 303)):  # noqa: ANN201
        return self.request("POST", path, name, data=data, expect=expect)

    # -- signing in ---------------------------------------------------------------------------------------------

    def sign_in(self) -> None:
        page = self.get("/sign-in", "GET /sign-in")
        response = self.post(
            "/sign-in",
            "POST /sign-in",
            {"email": self.account["email"], "password": ACCOUNTS["password"], "csrf_token": csrf_of(page.text or "")},
        )
        if response.status_code not in (302, 303):
            raise RuntimeError(f"Sign-in refused for {self.account['email']}: {response.status_code}")
        count_write("sign_in")
        location = path_of(response.headers.get("Location", "/"))
        if location.startswith("/sign-in/code"):
            code_page = self.get(location, "GET /sign-in/code")
            totp = pyotp.TOTP(self.account["totp_secret"])
            response = self.post(
                location,
                "POST /sign-in/code",
                {"code": totp.now(), "csrf_token": csrf_of(code_page.text or "")},
                expect=(200, 302, 303),
            )
            if response.status_code == 200:  # this 30-second code was used already (an earlier run): the next one
                gevent.sleep(totp.interval - time.time() % totp.interval + 1)
                response = self.post(
                    location, "POST /sign-in/code", {"code": totp.now(), "csrf_token": csrf_of(response.text or "")}
                )
            if response.status_code not in (302, 303):
                raise RuntimeError(f"Sign-in code refused for {self.account['email']}: {response.status_code}")
            count_write("sign_in_code")
            location = path_of(response.headers.get("Location", "/"))
        home = self.follow(location, "GET / (home)")
        if "Sign out" not in (home.text or ""):
            raise RuntimeError(f"Not signed in as {self.account['email']} after the sign-in steps")

    def follow(self, location: str, name: str):  # noqa: ANN201
        """Follow a chain of redirects, the way a browser would."""
        response = self.get(location, name, expect=(200, 302, 303))
        hops = 0
        while response.status_code in (302, 303) and hops < 5:
            location = path_of(response.headers.get("Location", "/"))
            response = self.get(location, f"GET {location.split('?')[0]} (redirect)")
            hops += 1
        return response


class Officer(PortalUser):
    """Searches the directory (POST + an opaque saved-search id) and opens match suggestions for their subjects."""

    role = "officer"
    fixed_count = 25

    def on_start(self) -> None:
        super().on_start()
        self.rng = random.Random()
        self.form_page = ""  # the last page holding the directory form (its CSRF token)
        self.purpose_given = False

    def criteria(self) -> dict[str, str]:
        rng = self.rng
        criteria = {
            "keyword": rng.choice(KEYWORDS),
            "activity_type": "",
            "weekday": "",
            "time_from": "",
            "time_to": "",
            "age": "",
            "language": "",
            "provision": "",
            "postcode": "",
            "distance_km": "",
        }
        roll = rng.random()
        if roll < 0.5:
            criteria["postcode"] = rng.choice(ACCOUNTS["postcodes"])
            criteria["distance_km"] = rng.choice(["5", "10", "20"])
        if rng.random() < 0.3:
            criteria["activity_type"] = rng.choice(ACTIVITY_TYPES)
            if criteria["activity_type"]:
                criteria["keyword"] = ""
        if rng.random() < 0.3:
            criteria["weekday"] = str(rng.randrange(7))
        if rng.random() < 0.3:
            criteria["age"] = str(rng.randint(12, 18))
        return criteria

    @task(5)
    def search_directory(self) -> None:
        if not self.form_page:
            self.form_page = self.get("/directory/", "GET /directory/").text or ""
        data = self.criteria() | {"csrf_token": csrf_of(self.form_page)}
        response = self.post("/directory/", "POST /directory/ (search)", data)
        if response.status_code not in (302, 303):
            self.form_page = ""
            return
        count_write("directory_search")
        results = self.get(path_of(response.headers["Location"]), "GET /directory/?search=[id]")
        self.form_page = results.text or ""
        programmes = PROGRAMME_LINK.findall(self.form_page)
        if programmes and self.rng.random() < 0.4:
            self.get(self.rng.choice(programmes), "GET /directory/programmes/[id]")

    @task(3)
    def open_suggestions(self) -> None:
        subject_id = self.rng.choice(self.account["subject_ids"])
        if self.rng.random() < 0.3 or not self.purpose_given:
            self.open_subject(subject_id)
        query = self.rng.choice(MATCH_FILTERS)
        path = f"/subjects/{subject_id}/suggestions" + (f"?{urlencode(query)}" if query else "")
        self.get(path, "GET /subjects/[id]/suggestions (match)")

    def open_subject(self, subject_id: int) -> None:
        """The subject's record; the first time in a session the portal asks why (reason for access)."""
        path = f"/subjects/{subject_id}"
        response = self.get(path, "GET /subjects/[id]", expect=(200, 302, 303))
        if response.status_code in (302, 303):
            location = path_of(response.headers.get("Location", ""))
            if "reason-for-access" not in location:
                response.failure(f"unexpected redirect to {location}")
                return
            form = self.get(location, "GET /audit/reason-for-access")
            answer = self.post(
                location,
                "POST /audit/reason-for-access",
                {"reason": "Preparing a KCPO application", "other": "", "csrf_token": csrf_of(form.text or "")},
            )
            if answer.status_code in (302, 303):
                count_write("access_reason")
                self.purpose_given = True
                self.get(path_of(answer.headers["Location"]), "GET /subjects/[id]")
        else:
            self.purpose_given = True


class Partner(PortalUser):
    """Marks registers for their own organisation's sessions and accepts the referrals sent to them."""

    role = "partner"
    fixed_count = 25

    def on_start(self) -> None:
        super().on_start()
        self.rng = random.Random()

    @task(3)
    def mark_register(self) -> None:
        """Open the registers list, mark one still to do (or, when every recent one is complete, correct a mark),
        submitting the whole form as the page shows it, as a browser would."""
        listing = self.get("/partner/registers/", "GET /partner/registers/").text or ""
        recent = listing.split('id="upcoming"', 1)[0]
        to_do, complete = [], []
        for row in REGISTER_ROW.findall(recent):
            link = REGISTER_LINK.search(row)
            if link:
                (complete if "Complete" in row else to_do).append(link.group(1))
        if not to_do and not complete:
            return
        path = self.rng.choice(to_do or complete)
        page = self.get(path, "GET /partner/registers/[session]/[date]").text or ""
        if "Save register" not in page:
            return  # cancelled or not open: nothing to mark
        data = register_form_values(page)
        rows = sorted(set(STATUS_FIELD.findall(page)))
        unmarked = [row for row in rows if not data.get(f"{row}-status")]
        changing = unmarked or [self.rng.choice(rows)]
        for row in changing:
            was = data.get(f"{row}-status")
            status = self.rng.choice([s for s in ("attended", "attended", "attended", "late", "absent") if s != was])
            data[f"{row}-status"] = status
            if status == "late":
                data[f"{row}-minutes_late"] = str(self.rng.randint(2, 10))
            if status == "absent":
                data[f"{row}-absence_reason"] = "Unwell; their parent phoned before the session."
                data[f"{row}-absence_acceptable"] = "yes"
            if was:
                data[f"{row}-correction_reason"] = "Corrected after checking the sign-in sheet."
        response = self.post(path, "POST /partner/registers/[session]/[date] (mark)", data)
        if response.status_code in (302, 303):
            count_write("attendance_marks", len(changing))  # one new row per mark given or corrected
            count_write("register_saves")
            self.get(path_of(response.headers["Location"]), "GET /partner/registers/[session]/[date]")

    @task(1)
    def accept_referral(self) -> None:
        listing = self.get("/partner/referrals/", "GET /partner/referrals/").text or ""
        waiting = []
        for group in ("new", "awaiting"):
            marker = f'data-group="{group}"'
            if marker in listing:
                table = listing.split(marker, 1)[1].split("</table>", 1)[0]
                waiting += REFERRAL_LINK.findall(table)
        if not waiting:
            return
        referral_id = self.rng.choice(waiting[:10])
        path = f"/partner/referrals/{referral_id}"
        page = self.get(path, "GET /partner/referrals/[id]").text or ""
        if "Accept and confirm supervision" not in page:
            return
        fields = form_fields(page)
        data = {"csrf_token": fields.get("csrf_token", ""), "version": fields.get("version", "")} | STATEMENT
        response = self.post(f"{path}/accept", "POST /partner/referrals/[id]/accept", data)
        if response.status_code in (302, 303):
            count_write("referral_accepts")
            self.get(path_of(response.headers["Location"]), "GET /partner/referrals/[id]")


def _stats_row(entry) -> dict:  # noqa: ANN001
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        "p50": entry.get_response_time_percentile(0.50),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
    }


@events.quitting.add_listener
def _write_counts(environment, **_kwargs) -> None:  # noqa: ANN001
    """The writes and statuses counted here, and locust's own figures per endpoint, as they stand at the very end
    (the CSV files are written once a second, so they can miss the last requests, those of the graceful stop)."""
    target = Path(os.environ.get("LOAD_WRITES_FILE") or OUT / "writes.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    stats = environment.stats
    report = {
        "writes": dict(WRITES),
        "status": dict(STATUS),
        "endpoints": [_stats_row(entry) for entry in stats.entries.values()],
        "total": _stats_row(stats.total) | {"method": "", "name": "Aggregated"},
    }
    target.write_text(json.dumps(report, indent=2) + "\n")


class ReferenceUser(PortalUser):
    """The reference run (load/run.sh runs it after the measured one): the same people signed in the same way, each
    then asking only for the accessibility statement — a signed-in page with the service's layout and no records on
    it — with no pause. What the server, the database and locust manage on this machine for the cheapest page there
    is: the ceiling any scenario on this stack is measured against. Chosen by name on the locust command line."""

    abstract = True
    wait_time = constant(0)

    @task
    def reference_page(self) -> None:
        self.get("/accessibility", "GET /accessibility (reference)")


class ReferenceOfficer(ReferenceUser):
    role = "officer"
    fixed_count = 25


class ReferencePartner(ReferenceUser):
    role = "partner"
    fixed_count = 25
