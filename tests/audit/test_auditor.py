"""Only auditors read and export the log; their reading is itself logged; no route changes the log."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from portal.data import audit
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.rules.schedule import london_today
from portal.web.auth import access_rule_of
from tests.utils import page


def add_events(app: Flask, *specs: dict) -> None:
    with app.app_context():
        for spec in specs:
            audit.record(**spec)
        db.session.commit()


def test_auditors_land_on_the_log_and_see_it_in_the_navigation(client, auditor) -> None:
    assert client.get("/home").headers["Location"] == "/audit/events"
    navigation = page(client.get("/audit/events")).select(".govuk-service-navigation__link")
    links = [link.get_text(strip=True) for link in navigation]
    assert "Audit log" in links


@pytest.mark.parametrize("role", ["officer", "partner", "admin"])
def test_nobody_else_reads_or_exports_the_log(client, sign_in, app: Flask, events, role: str) -> None:
    add_events(app, {"action": audit.CONSULTATION, "record_type": "subject", "record_id": 7})
    sign_in(client, role)
    for path in ("/audit/events", "/audit/events.csv", "/audit/events?subject=7"):
        response = client.get(path)
        assert response.status_code == 403, path
    assert events(audit.CONSULTATION, "audit-log") == []


def test_the_log_routes_only_read(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit.") and rule.endpoint != "audit.reason_for_access":
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule
            assert access_rule_of(app, rule.endpoint) == (Role.AUDITOR,), rule.endpoint


def test_no_code_updates_or_deletes_audit_events() -> None:
    """The ORM refuses it (tests/audit/test_chain.py) and PostgreSQL denies it (test_grants.py); nor is it written."""
    portal = Path(__file__).resolve().parents[2] / "portal"
    forbidden = re.compile(r"(update|delete)\(\s*AuditEvent|(UPDATE|DELETE FROM)\s+audit_events", re.IGNORECASE)
    offenders = [
        str(path.relative_to(portal))
        for path in portal.rglob("*.py")
        if "migrations" not in path.parts and forbidden.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_auditor_filters_and_pages_and_the_reading_is_audited(client, auditor, make, app, events) -> None:
    organisation_id = make.organisation(name="Filter Org")
    officer_id = make.user("officer", full_name="Olu Officer")
    add_events(
        app,
        {"action": audit.CONSULTATION, "record_type": "subject", "record_id": 41, "user_id": officer_id},
        {"action": audit.ALTERATION, "record_type": "subject-note", "record_id": 3, "subject_id": 41},
        {"action": audit.DISCLOSURE, "record_type": "referral", "record_id": 9, "organisation_id": organisation_id},
        *[{"action": audit.CONSULTATION, "record_type": "subject", "record_id": 99} for _ in range(25)],
    )
    by_subject = page(client.get("/audit/events?subject=41"))
    rows = by_subject.select("tbody tr")
    assert len(rows) == 2 and "Olu Officer" in by_subject.get_text()
    assert len(page(client.get(f"/audit/events?user={officer_id}")).select("tbody tr")) == 1
    assert len(page(client.get(f"/audit/events?organisation={organisation_id}")).select("tbody tr")) == 1
    first_page = page(client.get("/audit/events"))
    assert len(first_page.select("tbody tr")) == 20 and first_page.select(".govuk-pagination")
    assert len(page(client.get("/audit/events?page=2")).select("tbody tr")) > 0
    readings = events(audit.CONSULTATION, "audit-log")
    assert readings[0].detail == {"filter_subject_id": "41", "page": 1, "results": 2}
    assert readings[1].detail["filter_user_id"] == str(officer_id)
    assert [(event.user_id, event.organisation_id) for event in readings] == [(auditor, None)] * 5


def test_dates_filter_the_log(client, auditor, app, events) -> None:
    add_events(app, {"action": audit.CONSULTATION, "record_type": "subject", "record_id": 1})
    today = london_today().isoformat()  # the filter's days are London's
    tomorrow = (london_today() + timedelta(days=1)).isoformat()
    assert len(page(client.get(f"/audit/events?from={today}&to={today}")).select("tbody tr")) >= 1
    assert page(client.get(f"/audit/events?from={tomorrow}")).select("tbody tr") == []
    refused = client.get(f"/audit/events?from={tomorrow}&to={today}")
    assert refused.status_code == 400 and "To date must be the same as or after" in page(refused).get_text()
    assert client.get("/audit/events?from=yesterday").status_code == 400
    assert client.get("/audit/events?subject=1%27%20OR%201=1--").status_code == 400


def test_the_auditor_exports_csv_and_the_export_is_audited(client, auditor, app, events) -> None:
    add_events(
        app,
        {"action": audit.CONSULTATION, "record_type": "subject", "record_id": 5},
        {"action": audit.ALTERATION, "record_type": "subject", "record_id": 5, "note": '=HYPERLINK("x")'},
    )
    response = client.get("/audit/events.csv?subject=5")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["action"] for row in rows] == ["consultation", "alteration"]
    assert int(rows[1]["sequence"]) == int(rows[0]["sequence"]) + 1 and len(rows[0]["hash"]) == 64
    assert rows[1]["previous_hash"] == rows[0]["hash"]
    assert rows[1]["detail"].startswith("{")  # JSON text, not a formula
    [export] = events(audit.CONSULTATION, "audit-log")
    assert export.detail == {"export": "csv", "results": 2, "filter_subject_id": "5"}


def test_the_csv_neutralises_formulas() -> None:
    assert audit._cell("=SUM(A1)") == "'=SUM(A1)" and audit._cell("@x") == "'@x" and audit._cell(5) == "5"


def test_reading_the_log_leaves_the_chain_intact(client, auditor, app) -> None:
    add_events(app, {"action": audit.CONSULTATION, "record_type": "subject", "record_id": 5})
    client.get("/audit/events")
    client.get("/audit/events.csv")
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).output.startswith("OK: 4 audit events")
    with app.app_context():
        assert db.session.query(AuditEvent).count() == 4  # the auditor's sign-in, the event, two readings
