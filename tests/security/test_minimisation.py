"""Security bar 26 (DPA 2018 s.37, s.38; ASVS 14.2.1) and the field-level half of 13 (ASVS 8.2.3): partners get the
data-sharing allow-list and nothing else; no personal data travels in a URL.

- Field by field, each field on the allow-list (`portal.data.referrals.PARTNER_ALLOW_LIST`) reaches the partner,
  on the referral page and through the API; each other column of Subject and Order, and each officer-only record
  (notes, windows, exclusion zones, non-associations, occasions, prohibitions, compliance events, the breach
  assessment), given a distinctive value, appears on no partner page, in no partner API answer, calendar feed or
  email. A column added later fails `test_every_subject_and_order_column_is_classified` until it is classified.
- URLs: no route takes a name, date of birth, postcode or other personal value as a path argument; every GET form
  and every link carries only ids, dates, filters and page numbers; searches by name or postcode are POSTs.

Categories and note flags (s.38): tests/test_subjects.py::test_bad_subject_input_names_the_field_and_saves_nothing
(category) and ::test_notes_keep_facts_and_assessments_apart; the API's refusal is here.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import select

from portal.data.referrals import PARTNER_ALLOW_LIST
from portal.extensions import db
from portal.models import Order, OutboxMessage, Referral, Role, Subject, User
from tests.security.conftest import World, get_rules, path_for
from tests.security.partners_ab import ENDS_ON, OFFICER_ONLY, SHARED, STARTS_ON, TODAY, TwoPartners
from tests.security.test_object_level import is_api, partner_object_rules, request_path, roles_of

# Subject and Order columns partners are given (through the allow-list fields named).
SHARED_COLUMNS = {
    "subject.first_name": "subject_name: the first name and the last name's initial",
    "subject.languages": "languages",
    "subject.needs": "needs",
    "order.proposed_start": "order_proposed_start",
    "order.duration_months": "order_duration_months",
}
# Columns that say nothing about the person: keys, counters and timestamps of the row itself.
BOOKKEEPING = {
    "subject.id",
    "subject.version",
    "subject.created_at",
    "subject.updated_at",
    "subject.owning_borough",  # which officers hold the record (need to know), not a fact about the person
    "subject.completed_sections",  # which parts of the record the officer has finished (the task list)
    "order.id",
    "order.subject_id",
    "order.status",  # the order's workflow; partners see their referral's own status
    "order.order_version",
    "order.replaces_id",
    "order.version",
    "order.created_at",
    "order.updated_at",
}


@pytest.fixture
def two(two_partners: TwoPartners) -> TwoPartners:
    return two_partners


def test_every_subject_and_order_column_is_classified() -> None:
    columns = {f"subject.{c.name}" for c in Subject.__table__.columns} | {
        f"order.{c.name}" for c in Order.__table__.columns
    }
    officer_only = {key for key in OFFICER_ONLY if key.startswith(("subject.", "order."))}
    assert columns - set(SHARED_COLUMNS) - BOOKKEEPING - officer_only == set(), "classify the new columns"
    assert officer_only <= columns and set(SHARED_COLUMNS) <= columns  # nothing stale either


# The allow-list reaches the partner ----------------------------------------------------------------------------------


def expected_values(two: TwoPartners) -> dict[str, object]:
    """Each allow-listed field of A's active referral, as the API gives it."""
    a = two.a
    with two.app.app_context():
        referral = db.session.get(Referral, a.referral_id)
        stamps = {
            name: getattr(referral, name).replace(microsecond=0).isoformat() + "Z"
            for name in ("sent_at", "viewed_at", "responded_at")
        }
    born = date(2010, 5, 17)
    return {
        "referral_id": a.referral_id,
        "version": 1,
        "status": "active",
        **stamps,
        "responded_by_name": SHARED["responder"],
        "decline_reason": "",
        "statement_capacity": SHARED["statement_capacity"],
        "statement_dates": SHARED["statement_dates"],
        "statement_safeguarding": SHARED["statement_safeguarding"],
        "statement_attendance": SHARED["statement_attendance"],
        "subject_name": SHARED["subject_name"],
        "age": STARTS_ON.year - born.year - ((STARTS_ON.month, STARTS_ON.day) < (born.month, born.day)),
        "languages": SHARED["languages"],
        "needs": SHARED["needs"],
        "programme_title": a.words["programme"],
        "activity": SHARED["activity"],
        "place_name": SHARED["place_name"],
        "place_address": SHARED["place_address"],
        "place_postcode": SHARED["place_postcode"],
        "weekday": TODAY.weekday(),
        "start_time": "17:00",
        "end_time": "19:00",
        "starts_on": STARTS_ON.isoformat(),
        "ends_on": ENDS_ON.isoformat(),
        "supervisor_name": SHARED["supervisor_name"],
        "order_proposed_start": SHARED["proposed_start"].isoformat(),
        "order_duration_months": SHARED["duration_months"],
    }


def test_each_allow_listed_field_reaches_the_partner_through_the_api(two: TwoPartners) -> None:
    expected = expected_values(two)
    assert set(expected) == set(PARTNER_ALLOW_LIST)
    answer = two.a.api.get(f"/referrals/{two.a.referral_id}").json
    wrong = {name: (answer.get(name), value) for name, value in expected.items() if answer.get(name) != value}
    assert wrong == {}
    declined = two.a.api.get(f"/referrals/{two.a.declined_referral_id}").json
    assert declined["decline_reason"] == SHARED["decline_reason"] and declined["status"] == "declined"


def page_texts(two: TwoPartners) -> dict[str, str]:
    """How the referral pages write each allow-listed field; None where the page leaves it to the API."""
    a = two.a
    with two.app.app_context():
        referral = db.session.get(Referral, a.referral_id)
        sent_at, responded_at = referral.sent_at, referral.responded_at
    day = f"{TODAY:%A}"
    return {
        "referral_id": f"/reports/partner/referrals/{a.referral_id}/new",
        "version": None,  # the answer form's hidden field on the sent referral: checked below
        "status": "Active",
        "sent_at": f"Referral sent {sent_at.day} {sent_at:%B %Y}",
        "viewed_at": None,  # the officer's read receipt: partners see the status it moved on
        "responded_at": f"on {responded_at.day} {responded_at:%B %Y}",
        "responded_by_name": f"Supervision confirmed by {SHARED['responder']}",
        "decline_reason": SHARED["decline_reason"],  # on the declined referral's page
        "statement_capacity": SHARED["statement_capacity"],
        "statement_dates": SHARED["statement_dates"],
        "statement_safeguarding": SHARED["statement_safeguarding"],
        "statement_attendance": SHARED["statement_attendance"],
        "subject_name": SHARED["subject_name"],
        "age": "16 when the requirement starts",
        "languages": "Bengali",
        "needs": "Halal food",
        "programme_title": a.words["programme"],
        "activity": SHARED["activity"],
        "place_name": SHARED["place_name"],
        "place_address": SHARED["place_address"],
        "place_postcode": SHARED["place_postcode"],
        "weekday": f"{day} 17:00",
        "start_time": "17:00–19:00",
        "end_time": "17:00–19:00",
        "starts_on": f"{STARTS_ON.day} {STARTS_ON:%B %Y} to",
        "ends_on": f"to {ENDS_ON.day} {ENDS_ON:%B %Y}",
        "supervisor_name": SHARED["supervisor_name"],
        "order_proposed_start": "1 September 2026",
        "order_duration_months": "18 months",
    }


def test_each_allow_listed_field_is_shown_on_the_partners_referral_pages(two: TwoPartners) -> None:
    a = two.a
    expected = page_texts(two)
    assert set(expected) == set(PARTNER_ALLOW_LIST)
    pages = {
        referral_id: a.client.get(f"/partner/referrals/{referral_id}").get_data(as_text=True)
        for referral_id in (a.referral_id, a.sent_referral_id, a.declined_referral_id)
    }
    shown = "\n".join(
        [BeautifulSoup(html, "html.parser").get_text(" ", strip=True) for html in pages.values()] + list(pages.values())
    )
    missing = [name for name, text in expected.items() if text is not None and text not in shown]
    assert missing == []
    answer_form = BeautifulSoup(pages[a.sent_referral_id], "html.parser").select_one('form[action$="/accept"]')
    with two.app.app_context():
        version = db.session.get(Referral, a.sent_referral_id).version  # 2: opening it was the read receipt
    assert answer_form.find("input", attrs={"name": "version"})["value"] == str(version) == "2"


# Nothing else reaches the partner ------------------------------------------------------------------------------------


# Values that are ordinary words ("female"): they leak only where the page is about a young person, not, say, on a
# programme form offering "Female" as an eligibility.
WORD_VALUES = {"subject.gender"}
YOUNG_PEOPLE = ("Aurelia Q.", "Anselm V.", "Ariadne O.")


def leaks(text: str) -> list[str]:
    about_a_person = any(name in text for name in YOUNG_PEOPLE)
    return sorted(
        {
            field
            for field, values in OFFICER_ONLY.items()
            for value in values
            if value in text and (about_a_person or field not in WORD_VALUES)
        }
    )


def partner_pages(two: TwoPartners) -> dict[str, str]:
    """Every page partner A can open, with every one of A's referrals."""
    a, app = two.a, two.app
    found: dict[str, str] = {}
    for rule in get_rules(app):
        if Role.PARTNER not in roles_of(app, rule):
            continue
        for referral_id in (a.referral_id, a.sent_referral_id, a.declined_referral_id):
            path = path_for(rule, a.ids | {"referral_id": referral_id})
            if path not in found:
                response = a.client.get(path, follow_redirects=True)
                assert response.status_code == 200, path
                found[path] = response.get_data(as_text=True)
    return found


def test_no_officer_only_field_is_on_any_partner_page(two: TwoPartners) -> None:
    pages = partner_pages(two)
    assert len(pages) >= 15 and any(SHARED["subject_name"] in html for html in pages.values())
    found = {path: leaks(html) for path, html in pages.items() if leaks(html)}
    assert found == {}


def test_no_officer_only_field_is_in_any_partner_api_answer(two: TwoPartners) -> None:
    a, app = two.a, two.app
    answers: dict[str, str] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not is_api(rule) or "GET" not in rule.methods or Role.PARTNER not in roles_of(app, rule):
            continue
        for referral_id in (a.referral_id, a.sent_referral_id, a.declined_referral_id):
            path = request_path(rule, a.ids | {"referral_id": referral_id})
            response = a.api.get(path)
            assert response.status_code == 200, path
            answers[path] = response.get_data(as_text=True)
    assert any(SHARED["subject_name"] in text for text in answers.values())
    assert {path: leaks(text) for path, text in answers.items() if leaks(text)} == {}


def test_no_officer_only_field_is_in_the_partner_calendar_feed(two: TwoPartners) -> None:
    feed = two.app.test_client().get(f"/calendars/feed/{two.a.feed_token}.ics").get_data(as_text=True)
    assert SHARED["subject_name"] in feed
    assert leaks(feed) == []


def test_no_officer_only_field_is_in_the_emails_partners_are_sent(two: TwoPartners) -> None:
    """The register-overdue emails go to A's people about A's young person: they name only the referral."""
    from portal.data import attendance_summaries

    a, app = two.a, two.app
    with app.app_context():
        assert attendance_summaries.notify_overdue_registers() >= 1
        db.session.commit()
        partner_emails = set(db.session.scalars(select(User.email).where(User.organisation_id == a.organisation_id)))
        bodies = [
            f"{message.subject}\n{message.body}"
            for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.in_(partner_emails)))
        ]
    assert bodies
    assert [leaks(body) for body in bodies if leaks(body)] == []
    assert not any(SHARED["first_name"] in body for body in bodies)  # emails do not even name the young person


def test_partners_have_no_evidence_pack_or_court_document_export(two: TwoPartners) -> None:
    """The partner's exports are the calendar feed and the API: officer exports of the same order are refused."""
    a = two.a
    for path in (
        f"/evidence/orders/{a.order_id}.csv",
        f"/evidence/orders/{a.order_id}.docx",
        f"/orders/{a.order_id}/court-document.docx",
        f"/orders/{a.order_id}/print",
    ):
        response = a.client.get(path)
        assert response.status_code == 403 and leaks(response.get_data(as_text=True)) == [], path


def test_the_matrix_of_object_routes_covers_every_partner_page_with_a_referral(app: Flask) -> None:
    """The pages walked above include each partner route about a referral, register or report."""
    endpoints = {rule.endpoint for rule in partner_object_rules(app) if not is_api(rule) and "GET" in rule.methods}
    assert {"referrals.referral", "registers.register", "noncompliance.partner_new"} <= endpoints


# Categories and flags (s.38) -----------------------------------------------------------------------------------------


def test_the_api_refuses_a_subject_without_a_category_and_a_note_without_its_flag(two: TwoPartners) -> None:
    from portal.data import tokens
    from tests.api.helpers import subject_body
    from tests.security.partners_ab import Api

    with two.app.test_request_context():
        _token, plain = tokens.create_token(two.officer_id, "categories")
        db.session.commit()
    api = Api(two.app.test_client(), plain)
    for category in (None, "witness"):
        body = subject_body("API-CAT-1") | ({"category": category} if category else {})
        if category is None:
            body.pop("category")
        refused = api.call("POST", "/subjects", json=body)
        assert refused.status_code == 400 and "category" in refused.json["error"]["fields"]
    for note in ({"text": "Seen near the station."}, {"kind": "opinion", "text": "Seen near the station."}):
        refused = api.call("POST", f"/subjects/{two.a.subject_id}/notes", json=note)
        assert refused.status_code == 400 and "kind" in refused.json["error"]["fields"]
    with two.app.app_context():
        from portal.models import SubjectNote

        assert db.session.scalar(select(Subject).where(Subject.reference == "API-CAT-1")) is None
        assert db.session.scalar(select(SubjectNote).where(SubjectNote.text == "Seen near the station.")) is None
        categories = set(db.session.scalars(select(Subject.category)))
        kinds = set(db.session.scalars(select(SubjectNote.kind)))
    assert categories <= {"suspect", "convicted", "other"} and kinds == {"fact", "assessment"}


# No personal data in URLs --------------------------------------------------------------------------------------------

# Path arguments may only name records (ids), a date, an action, or an unguessable credential.
# (`section`: which part of a programme's task list a page asks, one of a fixed set of words.)
PATH_ARGUMENTS = {"on_date", "action", "token", "filename", "section"}
# Query parameters seen on any link or GET form: ids, filters, dates and pages, never a name or postcode.
QUERY_PARAMETERS = {
    "page",
    "search",  # an opaque saved-search id (the criteria stay on the server)
    "next",
    "status",
    "group",
    "programme_id",
    "subject",  # the audit log's filters: ids and dates (a subject reference typed there is swapped for the id at once)
    "user",
    "organisation",
    "from",
    "to",
    *(f"{name}-{part}" for name in ("from", "to") for part in ("day", "month", "year")),  # GOV.UK date inputs
    "programme",  # past registers: a programme id
    "starts_on",  # the suggestions' filters
    "months",
    "activity_type",
    "weekday",
    "distance_km",
}


def test_no_route_of_any_kind_takes_personal_data_in_its_path(app: Flask) -> None:
    """Pages, the JSON API and the Open Referral feed alike (tests/security/test_redirects_injection_urls.py checks the
    pages against a list of personal words; this checks every argument against what is allowed)."""
    odd = sorted(
        f"{rule.rule}: {argument}"
        for rule in app.url_map.iter_rules()
        for argument in rule.arguments
        if not argument.endswith("_id") and argument not in PATH_ARGUMENTS
    )
    assert odd == []


def test_searches_by_name_or_postcode_are_posts(app: Flask) -> None:
    searches = {"subjects.subjects_search", "directory.search_submit", "api.subjects_search", "api.directory_search"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in searches:
            assert rule.methods & {"GET", "POST"} == {"POST"}, rule.rule


def test_every_link_and_get_form_carries_only_ids_filters_and_pages(world: World) -> None:
    app = world.app
    seen: dict[str, set[str]] = {}
    for role in ("officer", "partner", "admin", "auditor"):
        client = world.client_for(role)
        for rule in get_rules(app):
            if Role(role) not in roles_of(app, rule):
                continue
            response = client.get(path_for(rule, world.ids))
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
            for link in soup.find_all("a", href=True):
                for name, _value in parse_qsl(urlsplit(link["href"]).query, keep_blank_values=True):
                    seen.setdefault(name, set()).add(f"{rule.rule} link")
            for form in soup.find_all("form"):
                if (form.get("method") or "get").lower() == "get":
                    for element in form.find_all(["input", "select", "textarea"]):
                        if element.get("name") and element.get("type") not in ("submit", "button"):
                            seen.setdefault(element["name"], set()).add(f"{rule.rule} GET form")
                else:
                    for name, _value in parse_qsl(urlsplit(form.get("action") or "").query):
                        seen.setdefault(name, set()).add(f"{rule.rule} form action")
    assert {name: sorted(where) for name, where in seen.items() if name not in QUERY_PARAMETERS} == {}
    search_forms = [
        form
        for path in ("/subjects/", "/directory/")
        for form in BeautifulSoup(world.client_for("officer").get(path).get_data(as_text=True), "html.parser").find_all(
            "form"
        )
        if form.find(attrs={"name": ("query", "keyword", "postcode")})
    ]
    assert len(search_forms) == 2 and all(form["method"].lower() == "post" for form in search_forms)
