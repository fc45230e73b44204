"""Need to know between officers (issue 16, "decide and document"): a subject belongs to the borough of the officer
who recorded them; an officer of another borough opens the record only after a "break glass" reason, which is
audited and told to the officers in charge. The tripwire walks every page and API operation naming a subject's
record."""

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.data import audit
from portal.data.need_to_know import BREAK_GLASS, BREAK_GLASS_NOTICE
from portal.extensions import db
from portal.models import AuditEvent, NonComplianceReport, OutboxMessage, Role, Subject
from portal.web.need_to_know import API_HEADER
from tests.api.conftest import Api, issue_token
from tests.factories import Factory
from tests.utils import page, pages_for, route_url

BREAK_GLASS_PAGE = "/subjects/break-glass"
SUBJECT_RECORD = ("subject_id", "order_id", "report_id")
REASON = "Stop and search in Hackney: checking for conditions"


def owned_subject(make: Factory) -> tuple[int, int, dict[str, Any]]:
    """A Tower Hamlets officer's subject with an order and a report: (owner id, subject id, values of every path)."""
    owner = make.user("officer", borough="Tower Hamlets", email="owner@met.example.org")
    subject_id = make.subject(first_name="Hidden", owning_borough="Tower Hamlets", created_by_id=owner)
    order_id = make.order(subject_id, officer_id=owner)
    report_id = make._add(NonComplianceReport(order_id=order_id, rule_code="missed-session", source="rule", facts="."))
    ids = dict.fromkeys(("zone_id", "window_id", "link_id", "occasion_id", "prohibition_id", "requirement_id"), 1)
    return owner, subject_id, ids | {"subject_id": subject_id, "order_id": order_id, "report_id": report_id}


def break_glass_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.action == BREAK_GLASS).order_by(AuditEvent.id))
        )


def notices(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == BREAK_GLASS_NOTICE)))


def test_an_officer_of_the_same_borough_opens_the_record_directly(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    _owner, subject_id, _values = owned_subject(make)
    sign_in(client, "officer", borough="Tower Hamlets")
    assert client.get(f"/subjects/{subject_id}").status_code == 200
    assert break_glass_events(app) == []


def test_an_officer_of_another_borough_breaks_glass_once_per_session(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    _owner, subject_id, values = owned_subject(make)
    officer_id = sign_in(client, "officer", borough="Hackney")
    stopped = client.get(f"/orders/{values['order_id']}")
    assert stopped.status_code == 303
    assert stopped.headers["Location"] == f"{BREAK_GLASS_PAGE}?subject={subject_id}&next=/orders/{values['order_id']}"
    question = client.get(stopped.headers["Location"])
    assert question.status_code == 200
    assert "Tower Hamlets" in page(question).get_text() and "Hidden" not in question.get_data(as_text=True)

    refused = client.post(stopped.headers["Location"], data={"reason": "   "})
    assert refused.status_code == 200 and "Enter why you need to open this record" in page(refused).get_text()
    assert break_glass_events(app) == []

    opened = client.post(stopped.headers["Location"], data={"reason": REASON})
    assert opened.status_code == 303 and opened.headers["Location"] == f"/orders/{values['order_id']}"
    reopened = client.get(f"/orders/{values['order_id']}")
    assert reopened.status_code == 200, reopened.headers.get("Location")
    assert client.get(f"/subjects/{subject_id}").status_code == 200
    [event] = break_glass_events(app)
    assert (event.user_id, event.record_type, event.record_id, event.purpose) == (
        officer_id,
        "subject",
        subject_id,
        REASON,
    )
    assert event.detail["owning_borough"] == "Tower Hamlets"
    [notice] = notices(app)
    assert notice.recipient == "owner@met.example.org" and "Hidden" not in notice.body


def test_every_page_naming_a_subjects_record_stops_an_officer_of_another_borough(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    _owner, subject_id, values = owned_subject(make)
    sign_in(client, "officer", borough="Hackney")
    walked = 0
    for rule, method in pages_for(app, Role.OFFICER):
        if not rule.arguments & set(SUBJECT_RECORD):
            continue
        path = route_url(app, rule.endpoint, values)
        response = client.open(path, method=method, data={}, headers={"Referer": f"http://localhost{path}"})
        assert response.status_code == 303, (rule.endpoint, method)
        assert response.headers["Location"].startswith(f"{BREAK_GLASS_PAGE}?subject={subject_id}"), rule.endpoint
        walked += 1
    assert walked > 40
    with app.app_context():
        shown = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(audit.PURPOSE_CARRYING))).all()
        assert shown == []


def test_every_api_operation_naming_a_subjects_record_needs_a_break_glass_reason(app: Flask, make: Factory) -> None:
    _owner, subject_id, values = owned_subject(make)
    user_id = make.user("officer", borough="Hackney")
    api = Api(app.test_client(), issue_token(app, user_id), user_id)
    from portal.api.registry import OPERATIONS

    operations = [
        op
        for op in OPERATIONS
        if Role.OFFICER in op.roles and any(f"<id:{name}>" in op.rule for name in SUBJECT_RECORD)
    ]
    assert len(operations) > 20
    for op in operations:
        response = api._call(op.method, route_url(app, op.endpoint, values).removeprefix("/api/v1"), json={})
        assert response.status_code == 403, op.endpoint
        assert response.get_json()["error"]["code"] == "outside-your-borough", op.endpoint
    assert break_glass_events(app) == []

    answered = api.get(f"/subjects/{subject_id}", headers={API_HEADER: REASON})
    assert answered.status_code == 200 and answered.get_json()["first_name"] == "Hidden"
    [event] = break_glass_events(app)
    assert (event.user_id, event.record_id, event.purpose) == (user_id, subject_id, REASON)
    assert len(notices(app)) == 1


def test_a_new_sign_in_asks_again_and_another_officers_reason_is_not_honoured(
    app: Flask, client: FlaskClient, make: Factory, sign_in
) -> None:
    _owner, subject_id, _values = owned_subject(make)
    sign_in(client, "officer", borough="Hackney")
    client.post(f"{BREAK_GLASS_PAGE}?subject={subject_id}", data={"reason": REASON})
    assert client.get(f"/subjects/{subject_id}").status_code == 200
    with client.session_transaction() as session:
        carried = session["break_glass"]
    other = app.test_client()
    sign_in(other, "officer", borough="Newham")
    with other.session_transaction() as session:
        session["break_glass"] = carried
    assert other.get(f"/subjects/{subject_id}").status_code == 303


def test_records_from_before_and_new_records(app: Flask, client: FlaskClient, make: Factory, sign_in) -> None:
    legacy = make.subject()  # no borough: open to every officer, as before
    sign_in(client, "officer", borough="Hackney")
    assert client.get(f"/subjects/{legacy}").status_code == 200
    from tests.test_subjects import subject_data

    created = client.post("/subjects/new", data=subject_data(reference="MPS-NEW-0001"))
    assert created.status_code in (302, 303)
    with app.app_context():
        subject = db.session.scalar(select(Subject).where(Subject.reference == "MPS-NEW-0001"))
        assert subject.owning_borough == "Hackney"


def test_only_officers_break_glass(client: FlaskClient, make: Factory, sign_in) -> None:
    _owner, subject_id, _values = owned_subject(make)
    sign_in(client, "partner")
    assert client.get(f"{BREAK_GLASS_PAGE}?subject={subject_id}").status_code == 403


def test_the_api_document_names_the_break_glass_header(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/subjects/{subject_id}", "/api/v1/orders/{order_id}"):
        parameters = document["paths"][path]["get"]["parameters"]
        assert API_HEADER in {parameter["name"] for parameter in parameters if parameter["in"] == "header"}
