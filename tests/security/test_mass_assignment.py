"""Security bar 13, mass assignment (ASVS 15.3.3): fields a form does not offer cannot be set by posting them.

Two layers:

- A walk: every POST form a partner and an officer can see (found by opening each of their pages) is sent back as the
  browser would send it, plus extra fields naming someone else's organisation, programme, subject, order, user,
  a role, a status, an id and a version. Whatever the form does, no row anywhere ends up pointing at those values.
- Named cases for the forms where it would matter most (registering an organisation, answering a referral, a
  partner's report, programme and session edits, a subject, a note, order details, a decision, a calendar feed, an
  API token, and the JSON API): the extra fields are ignored or refused, the change the form offers is made, and the
  protected columns are as they were.

Roles are changed only on the admin's role page after re-authentication (the lead's tests in tests/test_auth.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import (
    ApiToken,
    CalendarFeed,
    NonComplianceReport,
    Order,
    Organisation,
    Programme,
    ProgrammeSession,
    Referral,
    Role,
    Subject,
    SubjectNote,
    User,
    Venue,
)
from portal.rules.schedule import london_today
from portal.web.auth import PUBLIC, access_rule_of
from tests.security.conftest import World, get_rules, path_for
from tests.security.partners_ab import TwoPartners

HOSTILE_ID = 999_999
HOSTILE_STATUS = "suspended"  # an organisation status: no partner or officer form sets it on anything
HOSTILE_VERSION = 77
# Columns naming who owns or made a row, or what it belongs to.
OWNERSHIP_COLUMNS = {
    "organisation_id": "organisation",
    "raised_by_organisation_id": "organisation",
    "supervisor_organisation_id": "organisation",
    "feed_organisation_id": "organisation",
    "programme_id": "programme",
    "session_id": "session",
    "subject_id": "subject",
    "person_subject_id": "subject",
    "order_id": "order",
    "requirement_id": "requirement",
    "user_id": "user",
    "created_by_id": "user",
    "sent_by_id": "user",
    "responded_by_id": "user",
    "recorded_by_id": "user",
    "raised_by_id": "user",
    "decided_by_id": "user",
    "reported_by_id": "user",
    "author_id": "user",
    "officer_id": "user",
    "updated_by_id": "user",
}
# Never followed: signing out would end the walk.
SKIPPED_ACTIONS = {"/sign-out"}
DESTRUCTIVE = ("remove", "revoke", "cancel", "new-version", "/file", "/made", "decline", "status/archive")


def extra_fields(hostile: dict[str, int]) -> dict[str, str]:
    """What an attacker adds to a form: someone else's ids, an admin role, a status, an id and a version."""
    fields = {name: str(hostile[kind]) for name, kind in OWNERSHIP_COLUMNS.items()}
    return fields | {
        "id": str(HOSTILE_ID),
        "role": "admin",
        "status": HOSTILE_STATUS,
        "version": str(HOSTILE_VERSION),
        "source": "rule",
        "decision": "refer-for-breach",
        "made_on": "2020-01-01",
        "filed_at": "2020-01-01",
        "disabled_at": "2020-01-01",
        "revoked_at": "2020-01-01",
        "is_current": "0",
        "revision": "99",
    }


# Reading forms as a browser submits them ---------------------------------------------------------------------------


def post_forms(html: str, page_path: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each POST form on the page: its action and the (name, value) pairs a browser would send unchanged."""
    found = []
    for form in BeautifulSoup(html, "html.parser").find_all("form"):
        if (form.get("method") or "get").lower() == "post":
            found.append(((form.get("action") or page_path).split("#")[0], submitted(form)))
    return found


def submitted(form) -> list[tuple[str, str]]:
    """What a browser sends for this form as shown; a choice nobody has made yet is made as a user would: the first
    option of each radio group, and of each group of checkboxes of which none is ticked."""
    pairs: list[tuple[str, str]] = []
    choices: dict[str, list[tuple[str, bool]]] = {}  # radio and checkbox groups: (value, checked)
    for element in form.find_all(["input", "select", "textarea"]):
        name, kind = element.get("name"), (element.get("type") or "text").lower()
        if not name or element.get("disabled") is not None or kind in ("submit", "button", "image", "reset", "file"):
            continue
        if element.name == "textarea":
            pairs.append((name, element.get_text()))
        elif element.name == "select":
            options = element.find_all("option")
            chosen = next((o for o in options if o.get("selected") is not None), None)
            chosen = chosen or next((o for o in options if o.get("value")), None)
            if chosen is not None:
                pairs.append((name, chosen.get("value", chosen.get_text())))
        elif kind in ("radio", "checkbox"):
            value = element.get("value", "on")
            choices.setdefault(name, []).append((value, element.get("checked") is not None))
        else:
            pairs.append((name, element.get("value", "")))
    for name, options in choices.items():
        ticked = [value for value, checked in options if checked]
        pairs += [(name, value) for value in ticked]
        if not ticked and len(options) > 1:
            pairs.append((name, options[0][0]))
    return pairs


def forms_for(client: FlaskClient, paths: list[str]) -> dict[str, str]:
    """Every distinct POST form reachable from these pages: its action, and the first page that shows it."""
    forms: dict[str, str] = {}
    for path in paths:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for action, _pairs in post_forms(response.get_data(as_text=True), path):
            if action.startswith("/") and action not in SKIPPED_ACTIONS and not action.startswith("/api/"):
                forms.setdefault(action, path)
    return dict(sorted(forms.items(), key=lambda item: (any(word in item[0] for word in DESTRUCTIVE), item[0])))


def filled_in(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The form as a user would complete it: empty fields get a plausible answer (passwords and codes stay empty)."""
    parts: dict[str, int] = {}
    filled = []
    for name, value in pairs:
        if not value and "password" not in name and name != "code" and not name.endswith(("revision", "version")):
            position = parts[name] = parts.get(name, -1) + 1
            value = plausible(name, position, sum(other == name for other, _ in pairs))
        filled.append((name, value))
    return filled


def plausible(name: str, position: int, parts: int) -> str:
    if any(word in name for word in ("exception_dates", "term_end", "valid_to", "ends_on", "tags", "website")):
        return ""  # optional, and easiest left empty
    if parts == 3:  # a GOV.UK date: day, month, year
        return ("1", "1", str(london_today().year + 1))[position]
    for words, value in (
        (("postcode",), "E3 2AA"),
        (("start_time", "time_from"), "10:00"),
        (("end_time", "time_to", "occurred_time"), "11:00"),
        (("email",), "someone@example.org"),
        (("min_age",), "12"),
        (("max_age",), "18"),
        (("capacity", "minutes", "radius", "km", "age", "duration"), "5"),
        (("cost",), "0"),
    ):
        if any(word in name for word in words):
            return value
    return "Filled in by the test"


def form_data(client: FlaskClient, page_path: str, action_suffix: str) -> MultiDict:
    """The form on this page that posts to an address ending `action_suffix`, filled in as the page shows it."""
    response = client.get(page_path)
    assert response.status_code == 200, page_path
    for action, pairs in post_forms(response.get_data(as_text=True), page_path):
        if action.endswith(action_suffix):
            return MultiDict(pairs)
    raise AssertionError(f"no form posting to *{action_suffix} on {page_path}")


def with_extras(data: MultiDict, extras: dict[str, str]) -> MultiDict:
    """The form's own fields, plus each extra field it does not have."""
    for name, value in extras.items():
        if name not in data:
            data.add(name, value)
    return data


# Looking for the extra values in the database ------------------------------------------------------------------------


def planted(app: Flask, hostile: dict[str, int]) -> set[str]:
    """Every place in the database holding one of the attacker's values in a column it could have set."""
    found: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            key = next(iter(table.primary_key.columns))
            for column in table.columns:
                checks = []
                if column.name in OWNERSHIP_COLUMNS:
                    checks.append(column == hostile[OWNERSHIP_COLUMNS[column.name]])
                if column.name == "id" and column.type.python_type is int:
                    checks.append(column == HOSTILE_ID)
                if column.name == "status":
                    checks.append(column == HOSTILE_STATUS)
                if column.name == "version":
                    checks.append(column == HOSTILE_VERSION)
                if column.name == "role":
                    checks.append(column == "admin")
                for check in checks:
                    for row_key in db.session.scalars(select(key).where(check)):
                        found.add(f"{table.name}.{column.name} (row {row_key})")
        db.session.remove()
    return found


def walk(app: Flask, client: FlaskClient, pages: list[str], hostile: dict[str, int]) -> tuple[int, int, list[str]]:
    """Post every form on these pages with the extra fields; returns (forms posted, accepted, what got planted)."""
    before = planted(app, hostile)
    forms = forms_for(client, pages)
    accepted, problems = 0, []
    extras = extra_fields(hostile)
    for action, page_path in forms.items():
        # The page again, just before posting: earlier posts may have moved a version on.
        fresh = dict(post_forms(client.get(page_path).get_data(as_text=True), page_path))
        if action not in fresh:
            continue
        pairs = filled_in(fresh[action])
        names = {name for name, _ in pairs}
        data = MultiDict(pairs + [(name, value) for name, value in extras.items() if name not in names])
        response = client.post(action, data=data)
        if response.status_code >= 500:
            problems.append(f"POST {action}: {response.status_code}")
        accepted += response.status_code in (201, 302, 303)
        now = planted(app, hostile)
        problems += [f"POST {action} set {place}" for place in sorted(now - before)]
        before = now
    return len(forms), accepted, problems


def role_pages(app: Flask, role: str, ids: dict[str, Any]) -> list[str]:
    pages = []
    for rule in get_rules(app):
        access = access_rule_of(app, rule.endpoint)
        if access == PUBLIC or access is None or Role(role) not in access:
            continue
        pages.append(path_for(rule, ids))
    return sorted(set(pages))


def test_no_partner_form_takes_fields_it_does_not_offer(app: Flask, two_partners: TwoPartners) -> None:
    two = two_partners
    a, b = two.a, two.b
    hostile = {
        "organisation": b.organisation_id,
        "programme": b.programme_id,
        "session": b.session_id,
        "subject": b.subject_id,
        "order": b.order_id,
        "requirement": b.requirement_id,
        "user": b.user_id,
    }
    ids = a.ids | {"referral_id": a.sent_referral_id}
    pages = role_pages(app, "partner", ids) + [
        f"/partner/referrals/{a.referral_id}",
        f"/partner/referrals/{a.declined_referral_id}",
        f"/reports/partner/referrals/{a.referral_id}/new",
    ]
    posted, accepted, problems = walk(app, a.client, pages, hostile)
    assert problems == []
    assert posted >= 15 and accepted >= 8, (posted, accepted)


def test_no_officer_form_takes_fields_it_does_not_offer(world: World, make) -> None:
    app = world.app
    organisation = make.organisation(name="Hostile Organisation")
    programme = make.programme(organisation, title="Hostile Programme")
    session = make.session_ids(programme)[0]
    subject = make.subject(first_name="Hostile", last_name="Person")
    order = make.order(subject)
    requirement = make.requirement(order, session_id=session)
    hostile = {
        "organisation": organisation,
        "programme": programme,
        "session": session,
        "subject": subject,
        "order": order,
        "requirement": requirement,
        "user": make.user("admin"),
    }
    report = _a_report(app, world.ids["order_id"])
    ids = world.ids | {"report_id": report}
    officer = world.client_for("officer")
    posted, accepted, problems = walk(app, officer, role_pages(app, "officer", ids), hostile)
    assert problems == []
    assert posted >= 15 and accepted >= 8, (posted, accepted)


def _a_report(app: Flask, order_id: int) -> int:
    with app.app_context():
        report = NonComplianceReport(
            order_id=order_id, rule_code="curfew-late", source="rule", kind="non-compliance", facts="Late home."
        )
        db.session.add(report)
        db.session.commit()
        return report.id


# Named cases: partners ------------------------------------------------------------------------------------------------


@pytest.fixture
def two(two_partners: TwoPartners) -> TwoPartners:
    return two_partners


def b_extras(two: TwoPartners) -> dict[str, str]:
    b = two.b
    return extra_fields(
        {
            "organisation": b.organisation_id,
            "programme": b.programme_id,
            "session": b.session_id,
            "subject": b.subject_id,
            "order": b.order_id,
            "requirement": b.requirement_id,
            "user": b.user_id,
        }
    )


def test_registering_an_organisation_cannot_approve_it_or_make_an_admin(client, app: Flask, two) -> None:
    data = {
        "name": "Self Approved Youth Club",
        "kind": "charity",
        "borough": "Hackney",
        "address": "1 Mare Street, London",
        "postcode": "E8 4RP",
        "email": "club@example.org",
        "phone": "020 7946 0999",
        "description": "Evening youth club.",
        "full_name": "Sam Founder",
        "user_email": "sam.founder@example.org",
        "password": "a-long-enough-passphrase-for-tests",
        "confirm_password": "a-long-enough-passphrase-for-tests",
    }
    response = client.post("/register-organisation", data=data | b_extras(two))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == data["name"]))
        user = db.session.scalar(select(User).where(User.email == data["user_email"]))
        assert organisation.status == "pending" and organisation.version == 1 and organisation.id != HOSTILE_ID
        assert user.role == Role.PARTNER and user.organisation_id == organisation.id and user.disabled_at is None


def test_a_programme_edit_keeps_its_owner_and_status(two: TwoPartners) -> None:
    a = two.a
    path = f"/partner/programmes/{a.programme_id}/edit/about"  # each section of the programme is changed on its own
    data = form_data(a.client, path, "/edit/about")
    data["title"] = "Alpha Football Renamed"
    response = a.client.post(path, data=with_extras(data, b_extras(two)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with two.app.app_context():
        programme = db.session.get(Programme, a.programme_id)
        assert programme.title == "Alpha Football Renamed"  # the offered field changed ...
        assert (programme.organisation_id, programme.status, programme.version) == (a.organisation_id, "active", 2)


def test_a_new_session_belongs_to_the_programme_in_the_address(two: TwoPartners) -> None:
    a, b = two.a, two.b
    data = {
        "venue_id": str(a.venue_id),
        "weekday": "2",
        "start_time": "18:00",
        "end_time": "19:30",
        "term_start": ["1", "1", str(london_today().year + 1)],
    }
    response = a.client.post(f"/partner/programmes/{a.programme_id}/sessions/new", data=b_extras(two) | data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with two.app.app_context():
        sessions = db.session.scalars(select(ProgrammeSession).where(ProgrammeSession.weekday == 2)).all()
        assert [(s.programme_id, s.venue_id, s.version) for s in sessions] == [(a.programme_id, a.venue_id, 1)]
        assert len(db.session.get(Programme, b.programme_id).sessions) == 1


def test_accepting_a_referral_sets_only_the_answer(two: TwoPartners) -> None:
    a = two.a
    statement = {"capacity": "Yes", "dates": "All", "safeguarding": "DBS", "attendance": "Weekly register"}
    response = a.client.post(
        f"/partner/referrals/{a.sent_referral_id}/accept",
        data=b_extras(two) | statement | {"version": "1"},
    )
    assert response.status_code == 302
    with two.app.app_context():
        referral = db.session.get(Referral, a.sent_referral_id)
        assert referral.status == "accepted" and referral.statement_attendance == "Weekly register"
        assert referral.responded_by_id == a.user_id and referral.organisation_id == a.organisation_id
        assert referral.session_id == a.session_id and referral.version == 2


def test_a_partner_report_is_a_draft_from_the_partner_about_the_referrals_order(two: TwoPartners) -> None:
    a = two.a
    response = a.client.post(
        f"/reports/partner/referrals/{a.referral_id}/new",
        data=b_extras(two) | {"kind": "concern", "text": "Seemed withdrawn tonight."},
    )
    assert response.status_code == 302
    with two.app.app_context():
        report = db.session.scalar(
            select(NonComplianceReport).where(NonComplianceReport.facts == "Seemed withdrawn tonight.")
        )
        assert (report.status, report.source, report.decision, report.assessment) == ("draft", "partner", "", "")
        assert (report.order_id, report.requirement_id) == (a.order_id, a.requirement_id)
        assert (report.raised_by_id, report.raised_by_organisation_id) == (a.user_id, a.organisation_id)


def test_a_calendar_feed_is_for_the_partners_own_organisation(two: TwoPartners) -> None:
    a = two.a
    assert a.client.post("/calendars/partner", data=b_extras(two)).status_code == 200
    with two.app.app_context():
        feed = db.session.scalar(select(CalendarFeed).order_by(CalendarFeed.id.desc()))
        assert (feed.user_id, feed.organisation_id, feed.subject_id) == (a.user_id, a.organisation_id, None)


def test_an_api_token_is_always_the_signed_in_users_own(two: TwoPartners) -> None:
    a = two.a
    response = a.client.post("/account/api-tokens", data=b_extras(two) | {"name": "my-laptop"})
    assert response.status_code == 201
    with two.app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.name == "my-laptop"))
        assert token.user_id == a.user_id and token.revoked_at is None


def test_the_api_refuses_fields_it_does_not_offer_and_changes_nothing(two: TwoPartners) -> None:
    a, b = two.a, two.b
    opened = a.api.get(f"/programmes/{a.programme_id}")
    for extra in ({"organisation_id": b.organisation_id}, {"status": "archived"}, {"id": HOSTILE_ID}, {"version": 9}):
        response = a.api.call(
            "PATCH",
            f"/programmes/{a.programme_id}",
            json={"title": "Renamed"} | extra,
            headers={"If-Match": opened.headers["ETag"]},
        )
        assert response.status_code == 400, extra
        assert list(extra)[0] in response.json["error"]["fields"]
    referral = a.api.get(f"/referrals/{a.sent_referral_id}")
    statement = {"capacity": "Yes", "dates": "All", "safeguarding": "DBS", "attendance": "Register"}
    refused = a.api.call(
        "POST",
        f"/referrals/{a.sent_referral_id}/accept",
        json=statement | {"status": "active", "session_id": 1},
        headers={"If-Match": referral.headers["ETag"]},
    )
    assert refused.status_code == 400
    venue = a.api.call(
        "POST",
        "/venues",
        json={"name": "New hall", "address": "1 Road", "postcode": "E3 2AA", "organisation_id": b.organisation_id},
    )
    assert venue.status_code == 400
    with two.app.app_context():
        programme = db.session.get(Programme, a.programme_id)
        assert (programme.title, programme.organisation_id, programme.status) == (
            "Alpha Football Club",
            a.organisation_id,
            "active",
        )
        assert db.session.get(Referral, a.sent_referral_id).status == "viewed"  # opened, not answered
        assert db.session.scalar(select(Venue).where(Venue.name == "New hall")) is None


def make_version(app: Flask, model: type, row_id: int) -> int:
    with app.app_context():
        return db.session.get(model, row_id).version


# Named cases: officers ------------------------------------------------------------------------------------------------


def test_a_subject_edit_keeps_who_recorded_it(two: TwoPartners) -> None:
    a = two.a
    version = int(make_version(two.app, Subject, a.subject_id))
    data = form_data(two.officer, f"/subjects/{a.subject_id}/edit", "/edit")
    data["interest_text"] = "Now likes cricket"
    response = two.officer.post(f"/subjects/{a.subject_id}/edit", data=with_extras(data, b_extras(two)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with two.app.app_context():
        subject = db.session.get(Subject, a.subject_id)
        assert subject.interest_text == "Now likes cricket"
        assert (subject.created_by_id, subject.version, subject.id) == (two.officer_id, version + 1, a.subject_id)


def test_a_new_subject_is_recorded_by_the_officer_who_adds_it(two: TwoPartners) -> None:
    from tests.audit.test_coverage import subject_data

    response = two.officer.post("/subjects/new", data=b_extras(two) | subject_data(reference="MPS-MASS-1"))
    assert response.status_code == 302
    with two.app.app_context():
        subject = db.session.scalar(select(Subject).where(Subject.reference == "MPS-MASS-1"))
        assert (subject.created_by_id, subject.version) == (two.officer_id, 1) and subject.id != HOSTILE_ID


def test_a_note_belongs_to_the_subject_in_the_address_and_its_author(two: TwoPartners) -> None:
    a = two.a
    response = two.officer.post(
        f"/subjects/{a.subject_id}/notes/new",
        data=b_extras(two) | {"kind": "fact", "text": "Seen at the youth club."},
    )
    assert response.status_code == 302
    with two.app.app_context():
        note = db.session.scalar(select(SubjectNote).where(SubjectNote.text == "Seen at the youth club."))
        assert (note.subject_id, note.author_id, note.kind) == (a.subject_id, two.officer_id, "fact")


def test_order_details_cannot_file_make_or_move_an_order(two: TwoPartners, make) -> None:
    subject_id = make.subject()
    order_id = make.order(subject_id, officer_id=two.officer_id)
    data = form_data(two.officer, f"/orders/{order_id}/details", "/details")
    data["applicant"] = "Commissioner of Police of the Metropolis"
    response = two.officer.post(f"/orders/{order_id}/details", data=with_extras(data, b_extras(two)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with two.app.app_context():
        order = db.session.get(Order, order_id)
        assert order.applicant == "Commissioner of Police of the Metropolis"
        assert (order.status, order.subject_id, order.officer_id) == ("draft", subject_id, two.officer_id)
        assert (order.made_on, order.filed_at, order.version) == (None, None, 2)


def test_a_decision_keeps_the_reports_origin(two: TwoPartners) -> None:
    a = two.a
    data = {
        "version": "1",
        "assessment": "Not a pattern yet.",
        "decision": "warning",
        "reason": "First time.",
        "youth_offending_team_input": "",
    }
    extras = {k: v for k, v in b_extras(two).items() if k not in data}
    response = two.officer.post(f"/reports/{a.report_id}", data=data | extras)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with two.app.app_context():
        report = db.session.get(NonComplianceReport, a.report_id)
        assert (report.status, report.decision, report.decided_by_id) == ("submitted", "warning", two.officer_id)
        assert (report.order_id, report.source, report.raised_by_organisation_id) == (
            a.order_id,
            "partner",
            a.organisation_id,
        )
        assert report.raised_by_id == a.user_id


# Found by the walk --------------------------------------------------------------------------------------------------


def test_removing_a_referred_requirement_from_a_draft_withdraws_and_removes_its_referral(world: World) -> None:
    """Removing a requirement that had been referred used to fail with a server error (the ORM nulled the
    referral's requirement_id). Now the referral is withdrawn, goes with its requirement, and the partner no longer
    reaches it."""
    app, officer = world.app, world.client_for("officer")
    order_id, requirement_id, referral_id = world.ids["order_id"], world.ids["requirement_id"], world.ids["referral_id"]
    version = make_version(app, Order, order_id)
    response = officer.post(f"/orders/{order_id}/requirements/{requirement_id}/remove", data={"version": version})
    assert response.status_code == 302
    assert world.client_for("partner").get(f"/partner/referrals/{referral_id}").status_code == 404
    with app.app_context():
        from portal.models import AuditEvent, Requirement

        assert db.session.get(Requirement, requirement_id) is None and db.session.get(Referral, referral_id) is None
        withdrawn = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == "referral", AuditEvent.record_id == referral_id)
            .order_by(AuditEvent.id)
        ).all()
        assert [event.action for event in withdrawn][-1] == "alteration"
        assert "withdrawn" in withdrawn[-1].detail["change"]
