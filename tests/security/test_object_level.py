"""Security bar 12 (ASVS 8.2.2, 8.4.1; 4.0.3 4.2.1): partners reach only their own organisation's records.

Partner A asks for every one of partner B's records through every object route a partner can use: each route of
`app.url_map` (pages and the JSON API) with an id-like argument, in every method it answers. Each answer is 403 or 404,
shows none of B's words, and changes nothing anywhere. The same routes with A's own ids work (so the refusals are
about ownership, not broken fixtures), and every list, count, search and feed A sees holds only A's records.

Routes are found by walking `app.url_map`, so a route added later is covered without touching this file; one whose
argument this file cannot fill with B's id fails `test_every_partner_object_route_is_in_the_matrix`.
tests/test_access_rules.py covers deny-by-default and a first cross-organisation check on programmes and venues.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from portal.extensions import db
from portal.infra import audit_chain
from portal.models import Role
from portal.web.auth import PUBLIC, access_rule_of
from tests.security.conftest import table_counts
from tests.security.partners_ab import SESSION_DAY, Side, TwoPartners, build

MUTATING = ("POST", "PUT", "PATCH", "DELETE")
# Arguments that name a record (or a slice of one, like a register's date) and how to fill them from a Side.
OBJECT_ARGUMENTS = {
    *("programme_id", "session_id", "venue_id", "referral_id", "on_date", "action", "token_id"),
    *("draft_id", "section"),
}
# Tables a refused request may still touch: the signed-in session's last-seen time.
VOLATILE_TABLES = {"auth_sessions"}


@pytest.fixture
def two(app: Flask, make, sign_in) -> TwoPartners:
    return build(app, make, sign_in)


def roles_of(app: Flask, rule: Rule) -> set[Role]:
    access = access_rule_of(app, rule.endpoint)
    if access in (None, PUBLIC):
        return set()
    return {role for role in access if isinstance(role, Role)}


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/v1/")


def partner_object_rules(app: Flask) -> list[Rule]:
    """Every rule a partner may call that names a record in its path."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if Role.PARTNER in roles_of(app, rule) and rule.arguments),
        key=lambda rule: rule.rule,
    )


def path_with(rule: Rule, ids: dict[str, Any]) -> str:
    _, path = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)
    return path.split("|", 1)[-1]


def request_path(rule: Rule, ids: dict[str, Any]) -> str:
    path = path_with(rule, ids)
    return path.removeprefix("/api/v1") if is_api(rule) else path


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods & {"GET", *MUTATING})


def plausible_form(side: Side) -> dict[str, Any]:
    """A body each partner form would accept for its own records: what an attacker would send for B's."""
    return {
        "version": "1",
        "capacity": "Yes",
        "dates": "All of them",
        "safeguarding": "DBS-checked staff",
        "attendance": "Register every week",
        "reason": "Hijacked",
        "decline-reason": "Hijacked",
        "decline-version": "1",
        "title": "Hijacked",
        "name": "Hijacked",
        "kind": "concern",
        "text": "Hijacked",
        "cancel-reason": "Hijacked",
        f"r{side.requirement_id}-status": "absent",
        f"r{side.requirement_id}-absence_reason": "Hijacked",
        f"r{side.requirement_id}-absence_acceptable": "no",
        f"r{side.requirement_id}-revision": "1",
        f"r{side.requirement_id}-correction_reason": "Hijacked",
        "weekday": "3",
        "start_time": "10:00",
        "end_time": "11:00",
        "venue_id": str(side.venue_id),
    }


def plausible_json(side: Side) -> dict[str, Any]:
    return {
        "capacity": "Yes",
        "dates": "All of them",
        "safeguarding": "DBS-checked staff",
        "attendance": "Register every week",
        "reason": "Hijacked",
        "title": "Hijacked",
        "name": "Hijacked",
        "marks": [{"requirement_id": side.requirement_id, "status": "absent", "absence_reason": "x"}],
    }


def if_match_for(rule: Rule, side: Side) -> str:
    """A well-formed ETag for B's record, so refusals are about ownership and not a missing If-Match."""
    kind = rule.rule.split("/")[3].rstrip("s")
    record = {
        "programme": side.programme_id,
        "referral": side.referral_id,
        "session": side.session_id,
        "venue": side.venue_id,
        "register": f"{side.session_id}-{SESSION_DAY.isoformat()}",
    }.get(kind, 1)
    return f'"{kind}-{record}-v1"'


def everything(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table (but the volatile ones), to prove a refused request changed nothing. Audit events are
    linked into their chain first: the linker finishing earlier requests' events is not a change made by the request."""
    with app.app_context():
        audit_chain.link_pending(db.engine)
        found = {
            table.name: sorted(
                (tuple(str(value) for value in row) for row in db.session.execute(table.select())), key=str
            )
            for table in db.metadata.sorted_tables
            if table.name not in VOLATILE_TABLES
        }
        db.session.remove()
    return found


def b_words_in(text: str, b: Side) -> list[str]:
    return [word for word in b.marker_words() if word in text]


# The matrix ------------------------------------------------------------------------------------------------------


def test_every_partner_object_route_is_in_the_matrix(app: Flask) -> None:
    rules = partner_object_rules(app)
    unknown = {f"{rule.rule}: {name}" for rule in rules for name in rule.arguments if name not in OBJECT_ARGUMENTS}
    assert unknown == set(), "give these arguments one of B's ids in partners_ab.Side.ids"
    endpoints = {rule.endpoint for rule in rules}
    # The routes this check is about are all there (a rename would otherwise silently shrink the matrix).
    assert {
        "partners.programme",
        "partners.programme_edit",
        "partners.programme_edit_section",
        "partners.programme_draft",
        "partners.programme_draft_section",
        "partners.draft_publish",
        "partners.programme_status",
        "partners.session_edit",
        "partners.session_remove",
        "partners.venue_edit",
        "referrals.referral",
        "referrals.accept",
        "referrals.decline",
        "registers.register",
        "registers.save",
        "registers.cancel",
        "noncompliance.partner_new",
        "account.token_revoke",
        "api.programme",
        "api.programme_update",
        "api.referral",
        "api.referral_accept",
        "api.register",
        "api.register_save",
        "api.session_delete",
        "api.venue_update",
    } <= endpoints


def test_partner_a_is_refused_every_object_of_partner_b_in_every_method(two: TwoPartners) -> None:
    app, a, b = two.app, two.a, two.b
    before = everything(app)
    reached: list[str] = []
    checked = 0
    for rule in partner_object_rules(app):
        for referral_id in (b.referral_id, b.sent_referral_id, b.declined_referral_id):
            if "referral_id" not in rule.arguments and referral_id != b.referral_id:
                continue
            ids = b.ids | {"referral_id": referral_id}
            path = request_path(rule, ids)
            for method in methods_of(rule):
                if is_api(rule):
                    body = {} if method in ("GET", "DELETE") else {"json": plausible_json(b)}
                    response = a.api.call(method, path, headers={"If-Match": if_match_for(rule, b)}, **body)
                else:
                    response = a.client.open(path, method=method, data=plausible_form(b) if method != "GET" else None)
                checked += 1
                text = response.get_data(as_text=True)
                if response.status_code not in (403, 404) or b_words_in(text, b):
                    reached.append(f"{method} {path}: {response.status_code} {b_words_in(text, b)}")
    assert reached == [], "partner A reached partner B's records"
    assert checked >= 40
    assert everything(app) == before, "a refused request changed the database"


def test_the_same_routes_work_for_partner_a_own_records(two: TwoPartners) -> None:
    """The control: A's own ids open every object page and API record, so the refusals above are about ownership."""
    a = two.a
    failed = []
    for rule in partner_object_rules(two.app):
        if "GET" not in rule.methods:
            continue
        path = request_path(rule, a.ids)
        response = a.api.get(path) if is_api(rule) else a.client.get(path)
        if response.status_code != 200:
            failed.append(f"GET {path}: {response.status_code}")
    assert failed == []


def test_another_partners_referral_cannot_be_reported_on_accepted_or_declined(two: TwoPartners) -> None:
    """The answers partners give are the most sensitive writes: named here as well as in the walk above."""
    a, b = two.a, two.b
    for referral_id in (b.referral_id, b.sent_referral_id):
        for path, data in (
            (f"/partner/referrals/{referral_id}/accept", plausible_form(b)),
            (f"/partner/referrals/{referral_id}/decline", {"decline-reason": "No", "decline-version": "1"}),
            (f"/reports/partner/referrals/{referral_id}/new", {"kind": "completion", "text": "Done"}),
        ):
            assert a.client.post(path, data=data).status_code == 404, path
    assert a.client.post(f"/partner/registers/{b.session_id}/{SESSION_DAY.isoformat()}/cancel").status_code == 404
    with two.app.app_context():
        from portal.models import NonComplianceReport, Referral

        assert db.session.get(Referral, b.referral_id).status == "active"
        assert db.session.get(Referral, b.sent_referral_id).status == "sent"
        assert db.session.query(NonComplianceReport).filter_by(raised_by_organisation_id=a.organisation_id).count() == 1


def test_a_register_post_naming_another_partners_young_person_changes_nothing(two: TwoPartners) -> None:
    """A's own register, with a mark for B's young person slipped in: B's marks stay as they were."""
    a, b = two.a, two.b
    counts = table_counts(two.app, exclude={"auth_sessions", "audit_events"})
    response = a.client.post(
        f"/partner/registers/{a.session_id}/{SESSION_DAY.isoformat()}",
        data={
            f"r{b.requirement_id}-status": "absent",
            f"r{b.requirement_id}-absence_reason": "Hijacked",
            f"r{b.requirement_id}-absence_acceptable": "no",
        },
    )
    assert response.status_code in (200, 302, 303, 400)
    assert (
        table_counts(two.app, exclude={"auth_sessions", "audit_events"})["attendance_marks"]
        == (counts["attendance_marks"])
    )
    with two.app.app_context():
        from portal.models import AttendanceMark

        marks = db.session.query(AttendanceMark).filter_by(requirement_id=b.requirement_id).all()
        assert [(mark.status, mark.revision) for mark in marks] == [("attended", 1)]


# Officer-only object routes ---------------------------------------------------------------------------------------


def test_a_partner_is_refused_every_officer_and_admin_object_route(two: TwoPartners) -> None:
    """Records partners never reach at all (subjects, orders, evidence packs, reports, admin records): 403, even for
    the young person A supervises, and nothing changes."""
    app, a = two.app, two.a
    ids = {
        "subject_id": a.subject_id,
        "order_id": a.order_id,
        "requirement_id": a.requirement_id,
        "report_id": a.report_id,
        "organisation_id": a.organisation_id,
        "user_id": a.user_id,
    }
    before = everything(app)
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        roles = roles_of(app, rule)
        if not roles or Role.PARTNER in roles or not rule.arguments:
            continue
        values = {name: ids.get(name, 1) for name in rule.arguments}
        values |= {name: "disable" for name in rule.arguments if name == "action"}
        path = request_path(rule, values)
        for method in methods_of(rule):
            response = a.api.call(method, path, json={}) if is_api(rule) else a.client.open(path, method=method)
            if response.status_code != 403:
                wrong.append(f"{method} {path}: {response.status_code}")
            if "Quillfeather" in response.get_data(as_text=True):
                wrong.append(f"{method} {path}: shows the young person's full name")
    assert wrong == []
    assert everything(app) == before


# Lists, counts, searches and feeds ---------------------------------------------------------------------------------


def partner_pages_without_ids(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not is_api(rule) and Role.PARTNER in roles_of(app, rule)
    )


def test_every_partner_list_page_shows_only_the_partners_own_records(two: TwoPartners) -> None:
    a, b = two.a, two.b
    pages = partner_pages_without_ids(two.app)
    assert {"/partner/programmes", "/partner/venues", "/partner/referrals/", "/partner/registers/"} <= set(pages)
    seen = {}
    for path in pages:
        response = a.client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        seen[path] = response.get_data(as_text=True)
        assert b_words_in(seen[path], b) == [], path
    assert a.words["programme"] in seen["/partner/programmes"]
    assert a.words["venue"] in seen["/partner/venues"]
    for name in ("Aurelia Q.", "Anselm V.", "Ariadne O."):
        assert name in seen["/partner/referrals/"]
    assert a.words["programme"] in seen["/partner/registers/"]
    assert a.words["token"] in seen["/account"] and b.words["token"] not in seen["/account"]


def test_every_partner_api_list_counts_only_the_partners_own_records(two: TwoPartners) -> None:
    a, b = two.a, two.b
    lists = {
        rule.rule.removeprefix("/api/v1")
        for rule in two.app.url_map.iter_rules()
        if is_api(rule) and "GET" in rule.methods and not rule.arguments and Role.PARTNER in roles_of(two.app, rule)
    }
    assert {"/programmes", "/venues", "/referrals", "/registers", "/me"} <= lists
    answers = {}
    for path in sorted(lists):
        response = a.api.get(path)
        assert response.status_code == 200, path
        answers[path] = response.json
        assert b_words_in(response.get_data(as_text=True), b) == [], path
    assert answers["/programmes"]["total"] == 1 and answers["/programmes"]["items"][0]["id"] == a.programme_id
    assert [venue["id"] for venue in answers["/venues"]["items"]] == [a.venue_id]
    referral_ids = sorted(item["referral_id"] for item in answers["/referrals"]["items"])
    assert answers["/referrals"]["total"] == 3
    assert referral_ids == sorted([a.referral_id, a.sent_referral_id, a.declined_referral_id])
    sessions = {item["session_id"] for item in answers["/registers"]["items"]}
    assert sessions == {a.session_id}
    assert all(item["expected"] == 1 for item in answers["/registers"]["items"])


def test_the_partner_calendar_feed_holds_only_the_partners_sessions(two: TwoPartners) -> None:
    a, b = two.a, two.b
    feed = two.app.test_client().get(f"/calendars/feed/{a.feed_token}.ics")
    assert feed.status_code == 200
    text = feed.get_data(as_text=True)
    assert "Aurelia Q." in text and a.words["programme"] in text
    assert b_words_in(text, b) == []
    sessions = {int(found) for found in re.findall(r"UID:session-(\d+)-", text)}
    assert sessions == {a.session_id}  # each event is one of A's sessions, never B's


def test_an_officer_search_finds_both_partners_but_a_partner_has_no_search(two: TwoPartners) -> None:
    """Searches are officers' (the directory and subjects); a partner is refused them outright."""
    a = two.a
    for path, data in (("/directory/", {"keyword": "Bravo"}), ("/subjects/", {"query": "Beatrix"})):
        assert a.client.post(path, data=data).status_code == 403
        assert a.client.get(path).status_code == 403
    assert a.api.call("POST", "/directory/search", json={"keyword": "Bravo"}).status_code == 403
    assert a.api.call("POST", "/subjects/search", json={"query": "Beatrix"}).status_code == 403
    found = two.officer.post("/directory/", data={"keyword": "boxing"}, follow_redirects=True)
    assert "Bravo Boxing Nights" in found.get_data(as_text=True)
