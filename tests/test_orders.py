"""Draft orders end to end: accept a weekly plan, the partner confirms, checks pass, the court document exports."""

import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from portal.extensions import db
from portal.models import Order, Referral, Requirement
from tests.utils import page


@pytest.fixture
def officer(client, sign_in):
    sign_in(client, "officer", unit="Tower Hamlets Gangs Unit")
    return client


def plan_session_ids(client, subject_id: int) -> list[str]:
    soup = page(client.get(f"/subjects/{subject_id}/suggestions"))
    form = soup.select_one("#weekly-plan form")
    return [field["value"] for field in form.select('input[name="session_id"]')]


def accept_weekly_plan(client, subject_id: int) -> int:
    session_ids = plan_session_ids(client, subject_id)
    response = client.post(f"/orders/for-subject/{subject_id}/sessions", data={"session_id": session_ids})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def fill_details(client, order_id: int, **overrides) -> None:
    current = page(client.get(f"/orders/{order_id}/details"))
    data = {
        "version": current.select_one('input[name="version"]')["value"],
        "route": "s14",
        "police_area": "Metropolitan Police district",
        "applicant": "Commissioner of Police of the Metropolis",
        "court": "Thames Magistrates' Court",
        "proposed_start": ["1", "12", "2026"],
        "duration_months": "12",
        "necessity_statement": "To protect the subject and the public from knife crime.",
        "yot_team": "Tower Hamlets Youth Justice Service",
        "yot_consulted_on": ["10", "11", "2026"],
        "yot_outcome": "Supports positive requirements in football and music.",
        "guardian_name": "Farah Khan",
        "guardian_relationship": "Mother",
    } | overrides
    response = client.post(f"/orders/{order_id}/details", data=data)
    assert response.status_code == 302, page(response).select_one(".govuk-error-summary")


def add_occasions(client, order_id: int) -> None:
    for day in ("14", "28"):
        version = page(client.get(f"/orders/{order_id}/occasions/new")).select_one('input[name="version"]')["value"]
        client.post(
            f"/orders/{order_id}/occasions/new",
            data={
                "version": version,
                "occurred_on": [day, "9", "2026"],
                "location_type": "public-place",
                "summary": "Stopped near Mile End station with a kitchen knife.",
            },
        )


def give_rationales(client, order_id: int, app) -> None:
    with app.app_context():
        ids = db.session.scalars(select(Requirement.id).where(Requirement.order_id == order_id)).all()
    for requirement_id in ids:
        path = f"/orders/{order_id}/requirements/{requirement_id}/edit"
        version = page(client.get(path)).select_one('input[name="version"]')["value"]
        response = client.post(
            path, data={"version": version, "necessity_rationale": "Structured activity after school."}
        )
        assert response.status_code == 302


def partners_accept_all(app, sign_in, order_id: int) -> None:
    with app.app_context():
        referrals = db.session.scalars(select(Referral).join(Requirement).where(Requirement.order_id == order_id)).all()
        pairs = [(referral.id, referral.organisation_id) for referral in referrals]
    for referral_id, organisation_id in pairs:
        partner = app.test_client()
        sign_in(partner, "partner", organisation_id=organisation_id)
        version = page(partner.get(f"/partner/referrals/{referral_id}")).select_one('form input[name="version"]')[
            "value"
        ]
        response = partner.post(
            f"/partner/referrals/{referral_id}/accept",
            data={
                "version": version,
                "capacity": "We have a place.",
                "dates": "From 1 December 2026 for a year.",
                "safeguarding": "DBS-checked coaches; our safeguarding lead is named.",
                "attendance": "Register at every session, sent weekly.",
            },
        )
        assert response.status_code in (302, 303), page(response).get_text()[:500]


def problems(client, order_id: int) -> list[str]:
    soup = page(client.get(f"/orders/{order_id}/checks"))
    return [item["data-code"] for item in soup.select("#problems li")]


def test_the_whole_journey_from_suggestion_to_court_document(app, officer, sign_in, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    assert "supervisor_not_confirmed" in problems(officer, order_id)
    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    assert problems(officer, order_id) == []
    overview = page(officer.get(f"/orders/{order_id}")).get_text(" ", strip=True)
    assert "Ready for court" in overview and "Partner confirmed" in overview

    document = officer.get(f"/orders/{order_id}/court-document.docx")
    assert document.status_code == 200
    text = "\n".join(paragraph.text for paragraph in Document(io.BytesIO(document.data)).paragraphs)
    assert re.search(r"must participate in .+ between \d\d:\d\d and \d\d:\d\d on \w+days", text)
    assert "Whitechapel Road area" in text
    printed = page(officer.get(f"/orders/{order_id}/print")).get_text(" ", strip=True)
    assert "Schedule of supervisors" in printed or "supervisor" in printed.lower()

    filed = officer.post(
        f"/orders/{order_id}/file",
        data={"version": page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]},
    )
    assert filed.status_code == 302
    with app.app_context():
        assert db.session.get(Order, order_id).status == "filed"


def test_a_filed_order_is_locked_and_changes_make_a_new_version(app, officer, sign_in, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    officer.post(f"/orders/{order_id}/file", data={"version": version})
    refused = officer.post(f"/orders/{order_id}/details", data={"version": version, "court": "Elsewhere"})
    assert "cannot change" in page(officer.get(refused.headers["Location"])).get_text()
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    response = officer.post(f"/orders/{order_id}/new-version", data={"version": version})
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        old, new = db.session.get(Order, order_id), db.session.get(Order, new_id)
        assert (old.status, new.status, new.order_version, new.replaces_id) == ("superseded", "draft", 2, order_id)
        assert old.court == "Thames Magistrates' Court" and len(new.requirements) == len(old.requirements)
    assert officer.get(f"/orders/{order_id}").status_code == 200  # the earlier version stays readable


def test_two_officers_cannot_silently_overwrite_each_other(app, officer, sign_in, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    colleague = app.test_client()
    sign_in(colleague, "officer")
    opened = page(colleague.get(f"/orders/{order_id}/details")).select_one('input[name="version"]')["value"]
    fill_details(officer, order_id, court="Stratford Magistrates' Court")
    response = colleague.post(
        f"/orders/{order_id}/details",
        data={
            "version": opened,
            "route": "s14",
            "police_area": "Metropolitan Police district",
            "duration_months": "12",
            "court": "Highbury Corner Magistrates' Court",
        },
    )
    assert response.status_code == 303
    assert "changed this record since you opened it" in page(colleague.get(response.headers["Location"])).get_text()
    with app.app_context():
        assert db.session.get(Order, order_id).court == "Stratford Magistrates' Court"


def test_prohibitions_are_drawn_from_the_subject_record(app, officer, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    text = page(officer.get(f"/orders/{order_id}")).get_text(" ", strip=True)
    assert "Whitechapel Road area (800 m around E1 1BB)" in text
    assert "Jordan Baptiste" in text  # the recorded non-associate


def test_each_rule_fails_visibly_on_the_checks_page(app, officer, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id, duration_months="6", yot_team="", applicant="")
    codes = set(problems(officer, order_id))
    assert {
        "under_18_no_yot",
        "s14_occasions",
        "supervisor_not_confirmed",
        "necessity_rationale_missing",
        "missing_details",
    } <= codes


def test_a_session_cannot_be_accepted_twice_into_the_same_order(app, officer, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    session_ids = plan_session_ids(officer, demo)
    with app.app_context():
        before = len(db.session.get(Order, order_id).requirements)
        version = db.session.get(Order, order_id).version
    officer.post(f"/orders/for-subject/{demo}/sessions", data={"session_id": session_ids[:1], "version": version})
    with app.app_context():
        assert len(db.session.get(Order, order_id).requirements) == before


def test_partners_cannot_reach_orders(client, sign_in, demo, app) -> None:
    sign_in(client, "partner")
    assert client.post(f"/orders/for-subject/{demo}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Order.id).where(Order.subject_id == demo)) is None


def test_order_views_and_exports_are_audited(app, officer, demo) -> None:
    from portal.models import AuditEvent

    order_id = accept_weekly_plan(officer, demo)
    officer.get(f"/orders/{order_id}/court-document.docx")
    with app.app_context():
        purposes = db.session.scalars(
            select(AuditEvent.purpose).where(AuditEvent.record_type == "order", AuditEvent.action == "consultation")
        ).all()
    assert "export the court document" in purposes


def test_recording_the_order_as_made_activates_confirmed_requirements(app, officer, sign_in, demo, today) -> None:
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    officer.post(f"/orders/{order_id}/file", data={"version": version})
    version = page(officer.get(f"/orders/{order_id}/made")).select_one('input[name="version"]')["value"]
    missing = officer.post(f"/orders/{order_id}/made", data={"version": version, "made_by_court": "Thames"})
    assert "Enter the date the order was made" in page(missing).get_text()
    response = officer.post(
        f"/orders/{order_id}/made",
        data={
            "version": version,
            "made_on": [str(today.day), str(today.month), str(today.year)],
            "made_by_court": "Thames Magistrates' Court",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "made" and order.made_on == today  # not before the day it was filed
        assert {r.referral.status for r in order.requirements} == {"active"}


def test_a_draft_outside_the_legal_basis_table_cannot_be_ready_for_court_or_filed(app, officer, sign_in, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id, police_area="Greater Manchester Police")  # the demo table covers only the Met
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    assert problems(officer, order_id) == ["power_not_in_force"]
    checks = page(officer.get(f"/orders/{order_id}/checks")).select_one("#problems").get_text(" ", strip=True)
    assert "not recorded as in force in Greater Manchester Police" in checks
    overview = page(officer.get(f"/orders/{order_id}")).get_text(" ", strip=True)
    assert "1 problem to resolve" in overview and "Ready for court" not in overview
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    refused = officer.post(f"/orders/{order_id}/file", data={"version": version})
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.get(Order, order_id).status == "draft"
    admin = app.test_client()
    sign_in(admin, "admin")
    admin.post(
        "/admin/legal-bases/new",
        data={
            "police_area": "Greater Manchester Police",
            "regulation": "National commencement (training data)",
            "valid_from": ["1", "1", "2026"],
        },
    )
    assert problems(officer, order_id) == []
    assert "Ready for court" in page(officer.get(f"/orders/{order_id}")).get_text(" ", strip=True)


def test_a_draft_cannot_be_filed_while_its_prohibitions_lag_the_subject_record(app, officer, sign_in, demo) -> None:
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    officer.post(
        f"/subjects/{demo}/exclusion-zones/new",
        data={"label": "Mile End Park", "postcode": "E3 4QY", "radius_m": "300"},
    )
    overview = page(officer.get(f"/orders/{order_id}")).get_text(" ", strip=True)
    assert "Exclusion zone 'Mile End Park' is not yet a prohibition" in overview
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    refused = officer.post(f"/orders/{order_id}/file", data={"version": version})
    assert "Bring them up to date first" in page(officer.get(refused.headers["Location"])).get_text()
    officer.post(f"/orders/{order_id}/prohibitions/sync", data={"version": version})
    overview = page(officer.get(f"/orders/{order_id}")).get_text(" ", strip=True)
    assert "Mile End Park (300 m around E3 4QY)" in overview
