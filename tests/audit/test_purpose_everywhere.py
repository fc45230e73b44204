"""Every page and API operation that shows a subject's data needs a recorded purpose first, and every consultation
carries it (issue 16, item 6). The tripwires walk every route and operation that reads a subject's data."""

from typing import Any

import pytest
from flask import Flask

from portal.api.registry import OPERATIONS
from portal.data import audit
from portal.data.retention import REVIEW_PURPOSE
from portal.models import Role
from portal.web.access_reason import API_HEADER, reads_subject_data
from tests.api.conftest import Api, issue_token
from tests.factories import Factory
from tests.utils import pages_for, route_url

REASON_PAGE = "/audit/reason-for-access"
REASON = "Preparing a KCPO application"
# Pages whose URL names no subject but which list subjects' names or references.
LISTS = {"subjects.subjects_list", "dashboard.home", "noncompliance.reports_list"}
API_LISTS = {"api.subjects_list", "api.subjects_search", "api.reports_list", "api.matching"}
SUBJECT_RECORD = ("subject_id", "order_id", "report_id")
DECLARING_THEIR_OWN_PURPOSE = {"retention.queue", "retention.review"}  # the statutory review is the purpose


@pytest.fixture(autouse=True)
def reason_required(app: Flask) -> None:
    app.config["ACCESS_REASON_REQUIRED"] = True


def subject_world(make: Factory) -> dict[str, Any]:
    subject_id = make.subject(first_name="Hidden")
    order_id = make.order(subject_id)
    requirement_id = make.requirement(order_id)
    ids = dict.fromkeys(("zone_id", "window_id", "link_id", "occasion_id", "prohibition_id", "report_id"), 1)
    return ids | {"subject_id": subject_id, "order_id": order_id, "requirement_id": requirement_id}


def officer_pages_reading_subjects(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, method) of every officer page naming a subject's record in its URL, and the lists of subjects."""
    return [
        (rule.endpoint, method)
        for rule, method in pages_for(app, Role.OFFICER)
        if rule.arguments & set(SUBJECT_RECORD) or rule.endpoint in LISTS
    ]


def officer_operations_reading_subjects() -> list[tuple[str, str]]:
    found = []
    for op in OPERATIONS:
        if Role.OFFICER in op.roles and (
            any(f"<id:{name}>" in op.rule for name in SUBJECT_RECORD) or op.endpoint in API_LISTS
        ):
            found.append((op.endpoint, op.method))
    return found


def test_the_walk_covers_the_pages_the_probe_found(app: Flask) -> None:
    pages = {endpoint for endpoint, _method in officer_pages_reading_subjects(app)}
    for endpoint in (
        "orders.order",
        "orders.print_view",
        "orders.court_document",
        "evidence.pack",
        "evidence.pack_docx",
        "suggestions.suggest",
        "calendars.subject_feed",
        "subjects.subject",
    ):
        assert endpoint in pages
    assert all(reads_subject_data(app, endpoint) for endpoint in pages)


def test_every_page_reading_a_subjects_data_asks_for_the_reason_first(
    app: Flask, client, sign_in, make, events
) -> None:
    sign_in(client, "officer")
    values = subject_world(make)
    for endpoint, method in officer_pages_reading_subjects(app):
        path = route_url(app, endpoint, values)
        response = client.open(path, method=method, data={}, headers={"Referer": f"http://localhost{path}"})
        if endpoint in DECLARING_THEIR_OWN_PURPOSE:
            assert response.status_code != 303 or REASON_PAGE not in response.headers["Location"], endpoint
            continue
        assert response.status_code == 303, (endpoint, method)
        assert response.headers["Location"].startswith(f"{REASON_PAGE}?next="), (endpoint, method)
        assert "Hidden" not in response.get_data(as_text=True)
    shown = [e for e in events() if e.action in (audit.CONSULTATION, audit.DISCLOSURE)]
    assert {e.purpose for e in shown} <= {REVIEW_PURPOSE}  # nothing else shown, nothing consulted without a purpose


def test_after_the_reason_every_consultation_carries_it(app: Flask, client, sign_in, make, events) -> None:
    sign_in(client, "officer")
    values = subject_world(make)
    given = client.post(f"{REASON_PAGE}?next=/orders/{values['order_id']}", data={"reason": REASON})
    assert given.status_code == 303 and given.headers["Location"] == f"/orders/{values['order_id']}"
    for endpoint, method in officer_pages_reading_subjects(app):
        if method == "GET":
            response = client.get(route_url(app, endpoint, values))
            assert response.status_code != 303 or REASON_PAGE not in response.headers["Location"], endpoint
    consulted = [e for e in events() if e.action in (audit.CONSULTATION, audit.DISCLOSURE)]
    assert {e.record_type for e in consulted} >= {"subject", "order"}
    assert {e.purpose for e in consulted} <= {REASON, REVIEW_PURPOSE}


@pytest.mark.parametrize(
    "path",
    [
        "/orders/{order_id}",
        "/orders/{order_id}/print",
        "/orders/{order_id}/court-document.docx",
        "/subjects/{subject_id}/suggestions",
        "/calendars/subjects/{subject_id}",
    ],
)
def test_the_reason_page_returns_to_the_page_asked_for(app: Flask, client, sign_in, make, events, path: str) -> None:
    sign_in(client, "officer")
    target = path.format(**subject_world(make))
    asked = client.get(target)
    assert asked.status_code == 303 and asked.headers["Location"] == f"{REASON_PAGE}?next={target}"
    assert client.post(asked.headers["Location"], data={"reason": REASON}).headers["Location"] == target
    assert client.get(target).status_code == 200
    purposes = {e.purpose for e in events() if e.action in audit.PURPOSE_CARRYING}
    assert purposes == {REASON}


def officer_api(app: Flask, make: Factory) -> Api:
    user_id = make.user("officer")
    return Api(app.test_client(), issue_token(app, user_id), user_id)


def test_every_api_operation_reading_a_subjects_data_needs_a_purpose(app: Flask, make, events) -> None:
    api = officer_api(app, make)
    values = subject_world(make)
    operations = officer_operations_reading_subjects()
    assert {"api.subject", "api.order", "api.subjects_list", "api.report"} <= {op for op, _m in operations}
    for endpoint, method in operations:
        response = api._call(method, route_url(app, endpoint, values).removeprefix("/api/v1"), json={})
        assert response.status_code == 400, (endpoint, method)
        assert response.get_json()["error"]["code"] == "purpose-required", (endpoint, method)
    assert [e for e in events() if e.action in (audit.CONSULTATION, audit.DISCLOSURE)] == []


def test_an_api_purpose_is_carried_by_the_consultation(app: Flask, make, events) -> None:
    api = officer_api(app, make)
    values = subject_world(make)
    for path in (f"/subjects/{values['subject_id']}", f"/orders/{values['order_id']}", "/subjects"):
        response = api.get(path, headers={API_HEADER: "  Checking   an order's conditions "})
        assert response.status_code == 200, path
    consulted = events(audit.CONSULTATION)
    assert len(consulted) >= 3
    assert {e.purpose for e in consulted} == {"Checking an order's conditions"}


@pytest.mark.parametrize("purpose", ["x" * (audit.PURPOSE_MAX_LENGTH + 1), "\u0000", "   "])
def test_an_api_purpose_must_be_words(app: Flask, make, purpose: str) -> None:
    api = officer_api(app, make)
    subject_id = make.subject()
    response = api.get(f"/subjects/{subject_id}", headers={API_HEADER: purpose})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "purpose-required"


def test_the_api_document_names_the_purpose_header(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/subjects/{subject_id}"]["get"]["parameters"]
    assert API_HEADER in {parameter["name"] for parameter in parameters if parameter["in"] == "header"}


def test_partners_consult_with_the_purpose_of_their_work(app: Flask, client, sign_in, make, events) -> None:
    organisation_id = make.organisation()
    session_id = make.session_ids(make.programme(organisation_id))[0]
    referral_id = make.referral(session_id)
    sign_in(client, "partner", organisation_id)
    assert client.get(f"/partner/referrals/{referral_id}").status_code == 200
    consulted = events(audit.CONSULTATION)
    assert consulted and {e.purpose for e in consulted} == {audit.ROLE_PURPOSES[Role.PARTNER]}
