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

Requests are paced, not users: every request a user makes waits for the next slot of one shared schedule, so the
rate offered to the portal is fixed whatever its responses take (an open arrival, as people arriving on their own
would make; a user busy with a slow response simply leaves the next slot to another). With enough users the rate is
reached; when no user is free the slots are lost and the achieved rate says so. The run goes through phases, once
every user has signed in (signing in is never measured), and quits by itself at the end:

    LOAD_PHASE=fixed  warm up for LOAD_WARMUP_SECONDS (not measured), then LOAD_FIXED_SECONDS at LOAD_FIXED_RATE
                      requests/s, measured: response times per request name, errors, CPU of gunicorn and PostgreSQL
    LOAD_PHASE=ramp   steps of LOAD_RAMP_STEP_SECONDS, from the fixed phase's result (LOAD_RAMP_FROM, the fixed
                      run's writes file) up by LOAD_RAMP_FACTOR while p95 <= 250 ms with no errors, down when the
                      fixed rate is already beyond that (load/phases.py's next_ramp_rate); at most LOAD_RAMP_MAX_STEPS
    (none)            no pacing: users run their tasks back to back until locust's own -t runs out

Environment:

    LOAD_OUT           where accounts.json is read from and writes.json is written (default instance/load)
    LOAD_GUNICORN_PID  the gunicorn master, whose workers' CPU is measured (with the PostgreSQL backends of the
                       database named in LOAD_DATABASE_URL)
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
import pyotp
from locust import FastHttpUser, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402
import phases  # noqa: E402

OUT = Path(os.environ.get("LOAD_OUT") or Path(__file__).resolve().parent.parent / "instance" / "load")
ACCOUNTS = json.loads((OUT / "accounts.json").read_text()) if (OUT / "accounts.json").exists() else None
PHASE = os.environ.get("LOAD_PHASE", "")
# gunicorn closes a connection idle for 2 s (its keepalive). A user that waited longer for its slot opens a new one
# first, as a browser does once its idle connection has expired; reusing the closed one would fail a POST (a GET is
# retried by the client).
IDLE_SECONDS = 1.5

WRITES: Counter[str] = Counter()  # successful writes, by kind (see load/run.sh for the rows each one adds)
STATUS: Counter[str] = Counter()  # responses by status class
SIGN_INS: Counter[str] = Counter()  # users signed in ("done") or refused ("failed")
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
    wait_time = constant(0)  # the pacer spaces the requests (see the module's docstring)
    # One connection per user, no pooling beyond that: 50 users are 50 browsers.
    concurrency = 1
    insecure = True

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}
        self.signed_in = False  # signing in is neither paced nor measured
        self.last_answer = time.monotonic()
        self.host_name = urlsplit(self.host).netloc
        self.last_page = "/"
        number = next(_client_numbers)
        self.forwarded_for = f"10.8.{number // 250}.{number % 250 + 1}"  # each person at their own machine
        self.account = self.take_account()
        try:
            self.sign_in()
        except Exception:
            SIGN_INS["failed"] += 1
            raise
        SIGN_INS["done"] += 1
        self.signed_in = True

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

    def _keep_cookies(self, response) -> None:
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

    def request(self, method: str, path: str, name: str, data: dict | None = None, expect: tuple = (200,)):
        """One request, never following redirects; a status outside `expect` is a failure with its reason."""
        if self.signed_in:
            PACER.wait()
            if time.monotonic() - self.last_answer > IDLE_SECONDS:
                self.client.client.clientpool.close()  # as a browser would, after the server closed it
        segment = RECORDER.begin() if self.signed_in else None
        started = time.perf_counter()
        try:
            response, failed = self._send(method, path, name, data, expect)
        except BaseException:  # a request that broke off counts as an error of its segment
            RECORDER.end(segment, name, (time.perf_counter() - started) * 1000, True)
            raise
        RECORDER.end(segment, name, (response.request_meta or {}).get("response_time") or 0.0, failed)
        self.last_answer = time.monotonic()
        return response

    def _send(self, method: str, path: str, name: str, data: dict | None, expect: tuple):
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
            failed = status not in expect
            if failed:
                where = response.headers.get("Location", "") if response.headers else ""
                response.failure(f"{status} {urlsplit(where).path}".strip())
            else:
                response.success()
            return response, failed

    def get(self, path: str, name: str, expect: tuple = (200,)):
        return self.request("GET", path, name, expect=expect)

    def post(self, path: str, name: str, data: dict, expect: tuple = (302, 303)):
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

    def follow(self, location: str, name: str):
        """Follow a chain of redirects, the way a browser would."""
        response = self.get(location, name, expect=(200, 302, 303))
        hops = 0
        while response.status_code in (302, 303) and hops < 5:
            location = path_of(response.headers.get("Location", "/"))
            response = self.get(location, f"GET {location.split('?')[0]} (redirect)", expect=(200, 302, 303))
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


# -- phases: pacing, recording, CPU, and the controller that runs them ----------------------------------------------


class Pacer:
    """One schedule for every user: each request takes the next slot (load/phases.py's take_slot). Before the first
    phase starts, users wait; with no phase at all (LOAD_PHASE unset) they are not paced."""

    TOLERANCE = 0.5  # seconds a slot may wait for a free user before it is given up as lost

    def __init__(self) -> None:
        self.rate: float | None = None if PHASE else 0.0
        self.next_slot = 0.0
        self.missed = 0
        self.schedule = 0  # which rate's schedule the slots belong to

    def set_rate(self, rate: float) -> None:
        self.rate = rate
        self.next_slot = time.monotonic()
        self.schedule += 1

    def wait(self) -> None:
        while self.rate is None:
            gevent.sleep(0.2)
        while self.rate > 0:
            schedule, now = self.schedule, time.monotonic()
            slot, self.next_slot, missed = phases.take_slot(self.next_slot, now, 1 / self.rate, self.TOLERANCE)
            self.missed += missed
            if slot > now:
                gevent.sleep(slot - now)
            if schedule == self.schedule:
                return
            # the rate changed while this user waited: its slot belonged to the old schedule; take one on the new


PACER = Pacer()


class Recorder:
    """Response times (ms) per request name of the requests that *start* while a measured segment is open, however
    long they take: a request started before it (in a queue left by the step before) is not the segment's, and one
    started in it and answered after it is. Closing a segment waits for its requests to be answered."""

    def __init__(self) -> None:
        self.open: dict | None = None

    def start(self) -> None:
        self.open = {"names": {}, "in_flight": 0, "started": time.monotonic()}

    def begin(self) -> dict | None:
        """At a request's start: the segment it belongs to, if any."""
        if self.open is not None:
            self.open["in_flight"] += 1
        return self.open

    def end(self, segment: dict | None, name: str, response_time: float, failed: bool) -> None:
        if segment is None:
            return
        item = segment["names"].setdefault(name, {"times": [], "failures": 0})
        item["times"].append(round(response_time, 1))
        item["failures"] += int(failed)
        segment["in_flight"] -= 1

    def close(self) -> dict:
        """Close the open segment: no request starting from now on is its."""
        segment, self.open = self.open, None
        segment["seconds"] = time.monotonic() - segment["started"]
        return segment

    def drain(self, segment: dict, seconds: float = 180) -> dict:
        """Wait for the segment's requests still running; one not answered by then counts as an error."""
        deadline = time.monotonic() + seconds
        while segment["in_flight"] > 0 and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if segment["in_flight"]:
            segment["names"]["(no answer)"] = {"times": [], "failures": segment["in_flight"]}
        return {"seconds": segment["seconds"], "names": segment["names"]}


RECORDER = Recorder()


class CpuWatch:
    """CPU seconds of the gunicorn master and workers, the PostgreSQL backends of the load database and this locust
    process, sampled every 2 s so a process that ends during a segment still counts up to its last sample."""

    def __init__(self) -> None:
        self.master = os.environ.get("LOAD_GUNICORN_PID", "")
        self.first: dict[str, dict[str, float]] = {}
        self.seen: dict[str, dict[str, float]] = {}
        self.greenlet = None

    def snapshot(self) -> dict[str, dict[str, float]]:
        return machine.cpu_snapshot(self.master, machine.DATABASE)

    def start(self) -> None:
        self.first = self.snapshot()
        self.seen = {kind: dict(pids) for kind, pids in self.first.items()}
        self.busy = machine.busy_seconds()
        self.greenlet = gevent.spawn(self._sample)

    def _sample(self) -> None:
        while True:
            gevent.sleep(2)
            self._merge(self.snapshot())

    def _merge(self, latest: dict[str, dict[str, float]]) -> None:
        for kind, pids in latest.items():
            seen = self.seen.setdefault(kind, {})
            for pid, value in pids.items():
                seen[pid] = max(seen.get(pid, 0.0), value)

    def stop(self) -> dict:
        self.greenlet.kill()
        self._merge(self.snapshot())
        return {
            "seconds": {kind: phases.cpu_spent(self.first.get(kind, {}), pids) for kind, pids in self.seen.items()},
            "machine_busy": machine.busy_seconds() - self.busy,
            "processes": {kind: len(pids) for kind, pids in self.seen.items()},
        }


def measure(label: str, rate: float, duration: float, settle: float = 0.0) -> dict:
    """Offer `rate` requests/s for `settle` s (not measured: slots taken at the previous rate run out), then for
    `duration` s measured: response times, lost slots and CPU."""
    PACER.set_rate(rate)
    if settle:
        gevent.sleep(settle)
    missed, cpu = PACER.missed, CpuWatch()
    cpu.start()
    RECORDER.start()
    gevent.sleep(duration)
    open_segment = RECORDER.close()
    cpu_spent, missed = cpu.stop(), PACER.missed - missed
    segment = RECORDER.drain(open_segment)  # its requests still running; the next rate is offered meanwhile
    segment |= {"label": label, "offered": rate, "missed_slots": missed, "cpu": cpu_spent}
    _names, _types, total = phases.by_name_and_type(segment)
    spent = cpu_spent["seconds"]
    server_ms = (spent.get("gunicorn", 0.0) + spent.get("postgresql", 0.0)) * 1000 / max(total["requests"], 1)
    segment["figures"] = total | {"offered": rate, "achieved": total["rate"], "server_cpu_ms": server_ms}
    print(
        f"[{label}] offered {rate:.1f} req/s, achieved {total['rate']:.1f}, p50 {total['p50']:.0f} ms, "
        f"p95 {total['p95']:.0f} ms, p99 {total['p99']:.0f} ms, {total['failures']} errors, "
        f"gunicorn + PostgreSQL CPU {server_ms:.1f} ms a request",
        flush=True,
    )
    return segment


def wait_for_sign_ins(environment) -> None:
    """Until every user spawned has signed in (or failed to), at most 10 minutes (a sign-in code can wait 30 s)."""
    deadline = time.monotonic() + 600
    while environment.runner.state in ("ready", "spawning") and time.monotonic() < deadline:
        gevent.sleep(0.5)
    expected = environment.runner.user_count  # fixed_count: 25 officers and 25 partners, whatever -u says
    while SIGN_INS["done"] + SIGN_INS["failed"] < expected and time.monotonic() < deadline:
        gevent.sleep(0.5)
    print(f"Signed in: {SIGN_INS['done']} of {expected} users ({SIGN_INS['failed']} refused)", flush=True)


def setting(name: str, default: str = "") -> float:
    return phases.seconds(os.environ.get(name) or default)


def run_fixed() -> list[dict]:
    rate = float(os.environ["LOAD_FIXED_RATE"])
    warmup = setting("LOAD_WARMUP_SECONDS", "0")
    if warmup:
        print(f"[warm-up] {rate:.1f} req/s for {warmup:g} s, not measured", flush=True)
        PACER.set_rate(rate)
        gevent.sleep(warmup)
    return [measure("fixed", rate, setting("LOAD_FIXED_SECONDS", "300"))]


def run_ramp() -> list[dict]:
    fixed = json.loads(Path(os.environ["LOAD_RAMP_FROM"]).read_text())["phase"]["segments"][-1]
    step_seconds = setting("LOAD_RAMP_STEP_SECONDS", "40")
    settle = setting("LOAD_RAMP_SETTLE_SECONDS", "3")
    factor = float(os.environ.get("LOAD_RAMP_FACTOR") or 1.5)
    max_steps = int(os.environ.get("LOAD_RAMP_MAX_STEPS") or 12)
    steps, segments = [fixed["figures"]], []
    while (rate := phases.next_ramp_rate(steps, factor, max_steps)) is not None:
        segment = measure(f"ramp {len(steps)}", rate, step_seconds, settle)
        segments.append(segment)
        steps.append(segment["figures"])
    PACER.set_rate(fixed["offered"])  # users finish their tasks at a rate the portal keeps up with
    return segments


PHASE_RESULT: dict = {}


def control(environment) -> None:
    try:
        wait_for_sign_ins(environment)
        PHASE_RESULT["signed_in"] = SIGN_INS["done"]
        PHASE_RESULT["segments"] = run_fixed() if PHASE == "fixed" else run_ramp()
    except Exception as error:  # reported in the writes file; run.sh's report then fails the phase
        PHASE_RESULT["error"] = repr(error)
        print(f"Phase {PHASE} failed: {error!r}", flush=True)
    finally:
        environment.runner.quit()


@events.test_start.add_listener
def _start_phase(environment, **_kwargs) -> None:
    if PHASE:
        PHASE_RESULT.update(phase=PHASE, segments=[])
        gevent.spawn(control, environment)


def _stats_row(entry) -> dict:
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
def _write_counts(environment, **_kwargs) -> None:
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
        "phase": PHASE_RESULT,
    }
    target.write_text(json.dumps(report, indent=2) + "\n")
