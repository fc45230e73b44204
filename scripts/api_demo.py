#!/usr/bin/env python3
"""Drive the whole KCPO journey through the JSON API alone, against a running portal.

    python scripts/api_demo.py --base-url http://localhost:5000 --partner-token kcpo_... --officer-token kcpo_...

(or KCPO_API_URL, KCPO_PARTNER_TOKEN and KCPO_OFFICER_TOKEN in the environment). Make the tokens on each account's
page (/account), or on the server: `flask --app portal api create-token --email partner@bowboxing.example.org`.

The partner creates a venue, a programme and a weekly session on today's weekday; the officer adds a subject, matches
them, accepts that session into a draft; the partner accepts the referral; the officer fills in the details,
occasions and rationales, checks pass, files the order and records it as made; the partner marks today's register
and tells the officer of a concern; the officer reviews that report and records a decision. Standard library only.
"""

import argparse
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo


class ApiFailure(Exception):
    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path} -> {status}: {json.dumps(body)[:800]}")
        self.status, self.body = status, body


@dataclass
class Answer:
    status: int
    body: Any
    etag: str | None


class Client:
    """A tiny JSON client for one token."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url.rstrip("/") + "/api/v1", token

    def call(
        self, method: str, path: str, body: Any = None, if_match: str | None = None, ok: tuple = (200, 201)
    ) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if if_match:
            headers["If-Match"] = if_match
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the URL is the caller's
                raw, status, etag = response.read(), response.status, response.headers.get("ETag")
        except urllib.error.HTTPError as error:
            raw, status, etag = error.read(), error.code, error.headers.get("ETag")
        parsed = json.loads(raw) if raw else None
        if status not in ok:
            raise ApiFailure(method, path, status, parsed)
        return Answer(status, parsed, etag)


def say(message: str) -> None:
    print(message, flush=True)


def create_programme(partner: Client, today: date) -> dict[str, Any]:
    """A venue, a programme and one weekly session on today's weekday, 17:00-19:00."""
    tag = secrets.token_hex(3)
    venue = partner.call(
        "POST", "/venues", {"name": f"Demo Gym {tag}", "address": "1 Roman Road, London", "postcode": "E3 2AA"}
    ).body
    programme = partner.call(
        "POST",
        "/programmes",
        {
            "title": f"Demo Football {tag}",
            "description": "Weekly football coaching with mentoring.",
            "activity_types": ["football"],
            "tags": ["football", "mentoring"],
            "min_age": 12,
            "max_age": 18,
            "gender": "any",
            "capacity": 12,
            "languages": ["en"],
            "referral_process": "The coordinator answers referrals within two working days.",
            "supervisor_name": "Sam Coach",
            "supervisor_role": "Head coach",
            "supervisor_email": "sam.coach@example.org",
            "supervisor_phone": "020 7946 0001",
            "valid_from": (today - timedelta(days=30)).isoformat(),
        },
    ).body
    session = partner.call(
        "POST",
        f"/programmes/{programme['id']}/sessions",
        {
            "venue_id": venue["id"],
            "weekday": today.weekday(),
            "start_time": "17:00",
            "end_time": "19:00",
            "term_start": (today - timedelta(days=7)).isoformat(),
        },
    ).body
    say(f"partner: programme {programme['id']} with session {session['id']} at venue {venue['id']}")
    return {
        "programme_id": programme["id"],
        "programme_title": programme["title"],
        "session_id": session["id"],
        "venue_id": venue["id"],
    }


def create_subject(officer: Client, today: date) -> int:
    subject = officer.call(
        "POST",
        "/subjects",
        {
            "reference": f"API-DEMO-{secrets.token_hex(4).upper()}",
            "first_name": "Ayaan",
            "last_name": "Khan",
            "date_of_birth": date(today.year - 16, 1, 15).isoformat(),
            "gender": "male",
            "home_postcode": "E3 2AA",
            "category": "suspect",
            "languages": ["en"],
            "interest_activity_types": ["football"],
            "interest_text": "footy",
        },
    ).body
    say(f"officer: subject {subject['id']} ({subject['reference']})")
    return subject["id"]


def match(officer: Client, subject_id: int, programme_id: int) -> list[int]:
    """The suggested sessions of our programme (with the reasons and the plan the matcher gave)."""
    result = officer.call("POST", "/matching", {"subject_id": subject_id}).body
    ours = [s for s in result["suggestions"] if s["programme_id"] == programme_id]
    if not ours:
        raise SystemExit(f"the demo programme was not suggested: {json.dumps(result['exclusions'])[:600]}")
    say(
        f"officer: {len(result['suggestions'])} suggestions, plan of {len(result['plan']['sessions'])}; ours scores "
        f"{ours[0]['score']}: {ours[0]['summary']}"
    )
    return [session["session_id"] for session in ours[0]["sessions"]][:1]


def accept_sessions(officer: Client, subject_id: int, session_ids: list[int]) -> int:
    order = officer.call("POST", f"/orders/for-subject/{subject_id}/sessions", {"session_ids": session_ids}).body
    say(f"officer: draft order {order['id']} with {len(order['requirements'])} requirement(s), referred to partners")
    return order["id"]


def partner_accepts(partner: Client, programme_title: str) -> list[int]:
    """Accept the new referrals to the demo programme (any others sent to the organisation are left unopened)."""
    accepted = []
    new = partner.call("GET", "/referrals?group=new&per_page=100").body["items"]
    for referral in (item for item in new if item["programme_title"] == programme_title):
        opened = partner.call("GET", f"/referrals/{referral['referral_id']}")
        partner.call(
            "POST",
            f"/referrals/{referral['referral_id']}/accept",
            {
                "capacity": "We have a place for this young person.",
                "dates": "We can supervise from the order's start for its full length.",
                "safeguarding": "DBS-checked coaches; our safeguarding lead is named on the referral.",
                "attendance": "We take a register at every session and send it weekly.",
            },
            if_match=opened.etag,
        )
        accepted.append(referral["referral_id"])
    say(f"partner: accepted referral(s) {accepted}")
    return accepted


def complete_order(officer: Client, order_id: int, today: date) -> dict[str, Any]:
    """Details, two occasions and each requirement's rationale; returns the checks."""
    order = officer.call("GET", f"/orders/{order_id}")
    order = officer.call(
        "PATCH",
        f"/orders/{order_id}",
        {
            "route": "s14",
            "police_area": "Metropolitan Police district",
            "applicant": "Commissioner of Police of the Metropolis",
            "court": "Thames Magistrates' Court",
            "proposed_start": (today + timedelta(days=28)).isoformat(),
            "duration_months": 12,
            "necessity_statement": "To protect the subject and the public from knife crime.",
            "yot_team": "Tower Hamlets Youth Justice Service",
            "yot_consulted_on": (today - timedelta(days=7)).isoformat(),
            "yot_outcome": "Supports a positive requirement in football.",
            "guardian_name": "Farah Khan",
            "guardian_relationship": "Mother",
        },
        if_match=order.etag,
    )
    for days_ago in (70, 40):
        order = officer.call(
            "POST",
            f"/orders/{order_id}/occasions",
            {
                "occurred_on": (today - timedelta(days=days_ago)).isoformat(),
                "location_type": "public-place",
                "summary": "Stopped near Mile End station carrying a kitchen knife.",
            },
            if_match=order.etag,
        )
    for requirement in order.body["requirements"]:
        order = officer.call(
            "PATCH",
            f"/orders/{order_id}/requirements/{requirement['id']}",
            {"necessity_rationale": "Structured, supervised activity at the times of greatest risk."},
            if_match=order.etag,
        )
    checks = officer.call("GET", f"/orders/{order_id}/checks").body
    say(
        f"officer: checks ready_for_court={checks['ready_for_court']} "
        f"problems={[p['code'] for p in checks['problems']]}"
    )
    return checks


def file_and_make(officer: Client, order_id: int, today: date) -> dict[str, Any]:
    order = officer.call("GET", f"/orders/{order_id}")
    order = officer.call("POST", f"/orders/{order_id}/file", if_match=order.etag)
    made = officer.call(
        "POST",
        f"/orders/{order_id}/made",
        {"made_on": today.isoformat(), "made_by_court": "Thames Magistrates' Court"},
        if_match=order.etag,
    ).body
    say(
        f"officer: order {order_id} filed and made; requirement referral(s) "
        f"{[r['referral']['status'] for r in made['requirements']]}"
    )
    return made


def mark_attendance(partner: Client, session_id: int, today: date) -> dict[str, Any]:
    register = partner.call("GET", f"/registers/{session_id}/{today.isoformat()}")
    marks = [{"requirement_id": row["requirement_id"], "status": "attended"} for row in register.body["rows"]]
    saved = partner.call(
        "PUT", f"/registers/{session_id}/{today.isoformat()}", {"marks": marks}, if_match=register.etag
    )
    say(f"partner: register for {today.isoformat()} saved: {[row['current']['status'] for row in saved.body['rows']]}")
    return saved.body


def waiting_reports(officer: Client, order_id: int) -> list[dict[str, Any]]:
    """The order's reports waiting for a decision, from every page of the officer's list."""
    found, page = [], 1
    while True:
        listed = officer.call("GET", f"/reports?status=draft&per_page=100&page={page}").body
        found += [item for item in listed["items"] if item["order_id"] == order_id]
        if page * listed["per_page"] >= listed["total"]:
            return found
        page += 1


def report_and_decide(partner: Client, officer: Client, referral_id: int, order_id: int) -> dict[str, Any]:
    """The partner reports a concern on their referral; the officer finds it, reads it and decides."""
    sent = partner.call(
        "POST",
        f"/referrals/{referral_id}/reports",
        {"kind": "concern", "text": "Arrived 20 minutes late and said he had been followed from school."},
    ).body
    say(f"partner: reported a {sent['kind']} on referral {referral_id} (report {sent['id']})")
    [waiting] = waiting_reports(officer, order_id)
    report = officer.call("GET", f"/reports/{waiting['id']}")
    statements = [statement["facts"] for statement in report.body["partner_statements"]]
    say(f"officer: report {waiting['id']} waiting for a decision; partner statements on the order: {statements}")
    decided = officer.call(
        "POST",
        f"/reports/{waiting['id']}/decision",
        {
            "assessment": "A safeguarding concern, not non-compliance: he attended.",
            "decision": "no-further-action",
            "reason": "Attendance kept; the concern is passed to the youth offending team.",
        },
        if_match=report.etag,
    ).body
    say(f"officer: report {decided['id']} decided ({decided['decision']}) and locked: {decided['status']}")
    return decided


def run(base_url: str, partner_token: str, officer_token: str, today: date | None = None) -> dict[str, Any]:
    today = today or datetime.now(ZoneInfo("Europe/London")).date()  # the portal's days are London's
    partner, officer = Client(base_url, partner_token), Client(base_url, officer_token)
    ids = create_programme(partner, today)
    subject_id = create_subject(officer, today)
    session_ids = match(officer, subject_id, ids["programme_id"])
    order_id = accept_sessions(officer, subject_id, session_ids)
    accepted = partner_accepts(partner, ids["programme_title"])
    checks = complete_order(officer, order_id, today)
    if not checks["ready_for_court"]:
        raise SystemExit(f"checks did not pass: {checks['problems']}")
    made = file_and_make(officer, order_id, today)
    register = mark_attendance(partner, ids["session_id"], today)
    report = report_and_decide(partner, officer, accepted[0], order_id)
    return ids | {"subject_id": subject_id, "order_id": order_id, "order": made, "register": register, "report": report}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("KCPO_API_URL", "http://localhost:5000"))
    parser.add_argument("--partner-token", default=os.environ.get("KCPO_PARTNER_TOKEN"))
    parser.add_argument("--officer-token", default=os.environ.get("KCPO_OFFICER_TOKEN"))
    args = parser.parse_args(argv)
    if not args.partner_token or not args.officer_token:
        parser.error("give --partner-token and --officer-token (or KCPO_PARTNER_TOKEN and KCPO_OFFICER_TOKEN)")
    try:
        run(args.base_url, args.partner_token, args.officer_token)
    except ApiFailure as failure:
        print(f"API call failed: {failure}", file=sys.stderr)
        return 1
    say("journey complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
