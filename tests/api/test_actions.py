"""The rest of the UI journey through the API: a partner pauses, resumes, archives and re-confirms a listing and
reports on a referral; an officer records a compliance event, reads partners' statements on a report, and keeps a
subject's non-associations, notes, commitments and zones. Each with the page's role and organisation rules, its
validation messages, its edit checks and its audit events."""

from datetime import date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Programme, Referral
from portal.rules.schedule import london_today
from tests.api.conftest import Api
from tests.api.helpers import subject_body


def audit_since(app: Flask, after_id: int) -> list[tuple]:
    """(action, record type, the change, fields or purpose) of each event after `after_id`: what either door wrote."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id))
        return [(e.action, e.record_type, e.detail.get("change") or e.detail.get("fields") or e.purpose) for e in rows]


def last_audit_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def partner_and_page(app: Flask, make, api_for, sign_in, client: FlaskClient) -> tuple[int, Api]:
    """An organisation with a partner using the API and another signed in to the pages."""
    organisation = make.organisation()
    sign_in(client, "partner", organisation_id=organisation)
    return organisation, api_for("partner", organisation_id=organisation)


# Listing status and re-confirmation


def test_a_partner_pauses_resumes_and_archives_a_listing(app, make, api_for, officer: Api) -> None:
    organisation = make.organisation()
    partner = api_for("partner", organisation_id=organisation)
    programme_id = make.programme(organisation)
    path = f"/programmes/{programme_id}"
    etag = partner.get(path).headers["ETag"]
    assert officer.get(path).status_code == 200

    paused = partner.post(f"{path}/pause", headers={"If-Match": etag})
    assert paused.status_code == 200, paused.json
    assert paused.json["status"] == "paused"
    assert paused.headers["ETag"] != etag
    again = partner.post(f"{path}/pause", headers={"If-Match": paused.headers["ETag"]})
    assert again.status_code == 422
    assert again.json["error"] == {
        "code": "status_change_refused",
        "message": "This programme is paused, so it cannot be paused",
        "fields": {},
    }
    refused = partner.post(f"{path}/archive", headers={"If-Match": paused.headers["ETag"]})
    assert refused.status_code == 422  # as on the page: a paused listing offers only "resume"
    resumed = partner.post(f"{path}/resume", headers={"If-Match": paused.headers["ETag"]})
    assert resumed.json["status"] == "active"
    archived = partner.post(f"{path}/archive", headers={"If-Match": resumed.headers["ETag"]})
    assert archived.json["status"] == "archived"
    assert officer.get(path).status_code == 404  # officers are no longer offered it
    with app.app_context():
        assert db.session.get(Programme, programme_id).status == "archived"


def test_listing_changes_need_the_current_etag_the_owner_and_the_partner_role(make, api_for, officer: Api) -> None:
    organisation = make.organisation()
    partner = api_for("partner", organisation_id=organisation)
    programme_id = make.programme(organisation)
    path = f"/programmes/{programme_id}"
    etag = partner.get(path).headers["ETag"]
    assert partner.post(f"{path}/pause").status_code == 428
    assert partner.post(f"{path}/pause", headers={"If-Match": '"programme-1-vX"'}).status_code == 412
    assert partner.post(f"{path}/confirm", headers={"If-Match": etag}).status_code == 200
    stale = partner.post(f"{path}/pause", headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "edit_conflict"
    assert partner.get(path).json["status"] == "active"  # nothing was changed
    assert officer.post(f"{path}/pause", headers={"If-Match": etag}).status_code == 403
    other = api_for("partner", organisation_id=make.organisation())
    for action in ("pause", "resume", "archive", "confirm"):
        assert other.post(f"{path}/{action}", headers={"If-Match": etag}).status_code == 404


def test_pausing_and_confirming_are_audited_as_on_the_programme_page(app, make, api_for, sign_in, client) -> None:
    organisation, partner = partner_and_page(app, make, api_for, sign_in, client)
    through_api, through_page = make.programme(organisation), make.programme(organisation)
    with app.app_context():
        db.session.get(Programme, through_api).assured_on = date(2025, 1, 1)
        db.session.commit()

    etag = partner.get(f"/programmes/{through_api}").headers["ETag"]
    before = last_audit_id(app)
    partner.post(f"/programmes/{through_api}/pause", headers={"If-Match": etag})
    api_events = audit_since(app, before)
    before = last_audit_id(app)
    client.post(f"/partner/programmes/{through_page}/status/pause")
    assert api_events == audit_since(app, before) == [("alteration", "programme", "status active -> paused")]

    etag = partner.get(f"/programmes/{through_api}").headers["ETag"]
    before = last_audit_id(app)
    confirmed = partner.post(f"/programmes/{through_api}/confirm", headers={"If-Match": etag})
    assert confirmed.json["assured_on"] == london_today().isoformat()
    api_events = audit_since(app, before)
    before = last_audit_id(app)
    client.post(f"/partner/programmes/{through_page}/confirm-details")
    assert api_events == audit_since(app, before) == [("alteration", "programme", ["assured_on"])]


# Partners' reports on a referral


def active_referral(make, organisation: int) -> int:
    """A referral of this organisation under a made order, active since the court made it three weeks ago."""
    today = london_today()
    session_id = make.weekly_session(organisation, today.weekday(), term_start=today - timedelta(days=30))
    requirement_id = make.active_requirement(session_id, made_on=today - timedelta(days=21))
    with make.app.app_context():
        return db.session.scalar(select(Referral.id).where(Referral.requirement_id == requirement_id))


def test_a_partner_reports_a_concern_and_completion_and_the_officer_sees_them(app, make, api_for, officer: Api) -> None:
    organisation = make.organisation(name="Bow Boxing Club")
    partner = api_for("partner", organisation_id=organisation)
    referral_id = active_referral(make, organisation)
    path = f"/referrals/{referral_id}/reports"

    empty = partner.post(path, json={})
    assert empty.status_code == 400
    assert empty.json["error"]["fields"] == {
        "kind": "Select what you are reporting",
        "text": "Enter what happened",
    }
    assert partner.post(path, json={"kind": "gossip", "text": "x"}).json["error"]["fields"] == {
        "kind": "Select what you are reporting"
    }
    concern = partner.post(path, json={"kind": "concern", "text": "Arrived with a group we did not know."})
    assert concern.status_code == 201, concern.json
    assert concern.json["kind"] == "concern" and concern.json["status"] == "draft"
    assert concern.json["referral"]["status"] == "active"
    assert "assessment" not in concern.json and "decision" not in concern.json

    listed = officer.get("/reports?status=draft").json["items"]
    assert [(item["id"], item["source"], item["kind"]) for item in listed] == [
        (concern.json["id"], "partner", "concern")
    ]
    report = officer.get(f"/reports/{concern.json['id']}").json
    assert report["partner_statements"][0]["facts"] == "Arrived with a group we did not know."
    assert report["partner_statements"][0]["organisation_name"] == "Bow Boxing Club"

    done = partner.post(path, json={"kind": "completion", "text": "Attended every session to the end."})
    assert done.status_code == 201
    assert done.json["referral"]["status"] == "completed"
    closed = partner.post(path, json={"kind": "concern", "text": "Later."})
    assert closed.status_code == 422
    assert closed.json["error"]["message"] == "You cannot report on this referral: it is completed."
    statements = officer.get(f"/reports/{concern.json['id']}").json["partner_statements"]
    assert [s["kind"] for s in statements] == ["concern", "completion"]


def test_partner_reports_follow_the_referral_rules(make, api_for, officer: Api) -> None:
    organisation = make.organisation()
    partner = api_for("partner", organisation_id=organisation)
    session_id = make.session_ids(make.programme(organisation))[0]
    waiting = make.referral(session_id)
    accepted = make.referral(session_id, status="accepted")
    body = {"kind": "non-compliance", "text": "Did not come."}
    not_yet = partner.post(f"/referrals/{waiting}/reports", json=body)
    assert not_yet.status_code == 422 and not_yet.json["error"]["code"] == "referral_not_reportable"
    early = partner.post(f"/referrals/{accepted}/reports", json={"kind": "completion", "text": "Done."})
    assert early.status_code == 422  # completion only once supervision has started
    assert partner.post(f"/referrals/{accepted}/reports", json=body).status_code == 201
    assert (
        api_for("partner", organisation_id=make.organisation())
        .post(f"/referrals/{accepted}/reports", json=body)
        .status_code
        == 404
    )
    assert officer.post(f"/referrals/{accepted}/reports", json=body).status_code == 403


def test_a_partner_report_is_audited_as_on_the_report_page(app, make, api_for, sign_in, client) -> None:
    organisation, partner = partner_and_page(app, make, api_for, sign_in, client)
    through_api, through_page = active_referral(make, organisation), active_referral(make, organisation)
    body = {"kind": "concern", "text": "Seemed frightened."}
    before = last_audit_id(app)
    assert partner.post(f"/referrals/{through_api}/reports", json=body).status_code == 201
    api_events = audit_since(app, before)
    before = last_audit_id(app)
    assert client.post(f"/reports/partner/referrals/{through_page}/new", data=body).status_code == 302
    assert audit_since(app, before) == api_events
    assert [event[:2] for event in api_events][:2] == [
        ("consultation", "referral"),
        ("collection", "non-compliance-report"),
    ]


# Compliance events (officers)


def test_an_officer_records_a_curfew_event_and_the_rules_raise_a_report(app, make, officer: Api, api_for) -> None:
    order_id = make.order(make.subject(), status="made", made_on=london_today() - timedelta(days=30))
    path = f"/orders/{order_id}/events"
    yesterday = (london_today() - timedelta(days=1)).isoformat()

    empty = officer.post(path, json={})
    assert empty.status_code == 400
    assert empty.json["error"]["fields"] == {
        "kind": "Select what happened",
        "occurred_on": "Enter the date it happened",
        "occurred_time": "Enter the time it happened",
        "description": "Enter what was seen or reported",
    }
    curfew = {"kind": "curfew", "occurred_on": yesterday, "occurred_time": "22:40", "description": "Came home late."}
    assert officer.post(path, json=curfew).json["error"]["fields"] == {
        "minutes_late": "Enter how many minutes late, for a curfew"
    }
    tomorrow = (london_today() + timedelta(days=1)).isoformat()
    assert officer.post(path, json=curfew | {"minutes_late": 40, "occurred_on": tomorrow}).json["error"]["fields"] == {
        "occurred_on": "The date and time must be in the past"
    }

    recorded = officer.post(path, json=curfew | {"minutes_late": 40})
    assert recorded.status_code == 201, recorded.json
    event = recorded.json["event"]
    assert (event["kind"], event["minutes_late"], event["description"]) == ("curfew", 40, "Came home late.")
    assert event["occurred_at"] == datetime.fromisoformat(f"{yesterday}T22:40").isoformat() + "Z"
    [raised] = recorded.json["raised_reports"]
    assert (raised["order_id"], raised["rule_code"], raised["status"]) == (order_id, "u18-curfew", "draft")
    report = officer.get(f"/reports/{raised['id']}").json
    assert [e["id"] for e in report["evidence_events"]] == [event["id"]]

    small = officer.post(path, json=curfew | {"minutes_late": 5, "occurred_time": "22:05"})
    assert small.status_code == 201 and small.json["raised_reports"] == []  # within the local-policy threshold
    assert officer.post("/orders/999999/events", json=curfew | {"minutes_late": 40}).status_code == 404
    assert api_for("partner").post(path, json=curfew | {"minutes_late": 40}).status_code == 403


def test_an_event_is_audited_as_on_the_event_page(app, make, officer: Api, sign_in, client) -> None:
    sign_in(client, "officer")
    orders = [make.order(make.subject(), status="made", made_on=london_today() - timedelta(days=30)) for _ in range(2)]
    day = london_today() - timedelta(days=2)
    body = {"kind": "prohibited-place", "description": "Seen in the exclusion zone."}
    before = last_audit_id(app)
    recorded = officer.post(
        f"/orders/{orders[0]}/events", json=body | {"occurred_on": day.isoformat(), "occurred_time": "15:00"}
    )
    assert recorded.status_code == 201
    api_events = audit_since(app, before)
    before = last_audit_id(app)
    form = body | {"occurred_on": [str(day.day), str(day.month), str(day.year)], "occurred_time": "15:00"}
    assert client.post(f"/reports/orders/{orders[1]}/events/new", data=form).status_code == 302
    assert audit_since(app, before) == api_events
    assert [event[:2] for event in api_events][:2] == [("consultation", "order"), ("collection", "compliance-event")]


# Subjects: non-associations, notes, removing commitments and zones


def test_non_associations_hold_both_ways_and_name_the_bad_reference(officer: Api, api_for) -> None:
    first = officer.post("/subjects", json=subject_body("NA-0001")).json
    second = officer.post("/subjects", json=subject_body("NA-0002", first_name="Casey")).json
    path = f"/subjects/{first['id']}/non-associations"

    assert officer.post(path, json={}).json["error"]["fields"] == {"reference": "Enter the other subject's reference"}
    assert officer.post(path, json={"reference": "NA-9999"}).json["error"]["fields"] == {
        "reference": "There is no subject with this reference"
    }
    assert officer.post(path, json={"reference": "na-0001"}).json["error"]["fields"] == {
        "reference": "A subject cannot be recorded as a non-associate of themselves"
    }
    linked = officer.post(path, json={"reference": "na-0002"})
    assert linked.status_code == 201, linked.json
    [link] = linked.json["non_associations"]
    assert (link["subject_id"], link["reference"], link["name"]) == (second["id"], "NA-0002", "Casey Tester")
    assert officer.post(path, json={"reference": "NA-0002"}).json["error"]["fields"] == {
        "reference": "NA-0002 is already recorded as a non-associate"
    }
    other_side = officer.get(f"/subjects/{second['id']}").json["non_associations"]
    assert [item["reference"] for item in other_side] == ["NA-0001"]

    assert api_for("partner").post(path, json={"reference": "NA-0002"}).status_code == 403
    assert officer.delete(f"/subjects/{second['id'] + 1000}/non-associations/{link['id']}").status_code == 404
    assert officer.delete(f"/subjects/{second['id']}/non-associations/{link['id']}").status_code == 204
    assert officer.get(f"/subjects/{first['id']}").json["non_associations"] == []
    assert officer.delete(f"{path}/{link['id']}").status_code == 404


def test_notes_are_marked_fact_or_assessment(officer: Api, api_for) -> None:
    subject_id = officer.post("/subjects", json=subject_body()).json["id"]
    path = f"/subjects/{subject_id}/notes"
    assert officer.post(path, json={"text": ""}).json["error"]["fields"] == {
        "kind": "Select whether this is a fact or an assessment",
        "text": "Enter the note",
    }
    added = officer.post(path, json={"kind": "fact", "text": "  Lives with his mother.  "})
    assert added.status_code == 201
    [note] = added.json["notes"]
    assert (note["kind"], note["text"]) == ("fact", "Lives with his mother.")
    assert note["author_name"]
    assert api_for("partner").post(path, json={"kind": "fact", "text": "x"}).status_code == 403
    assert officer.post("/subjects/999999/notes", json={"kind": "fact", "text": "x"}).status_code == 404


def test_commitments_and_zones_are_removed_only_from_their_own_subject(app, officer: Api, sign_in, client) -> None:
    window = {"kind": "work", "label": "Job", "weekday": 2, "start_time": "09:00", "end_time": "17:00"}
    zone = {"label": "Roman Road market", "postcode": "E3 2AA", "radius_m": 400}
    first = officer.post("/subjects", json=subject_body("W-1")).json["id"]
    second = officer.post("/subjects", json=subject_body("W-2")).json["id"]
    for subject_id in (first, second):
        officer.post(f"/subjects/{subject_id}/windows", json=window)
        officer.post(f"/subjects/{subject_id}/exclusion-zones", json=zone)
    subject = officer.get(f"/subjects/{first}").json
    window_id, zone_id = subject["windows"][0]["id"], subject["exclusion_zones"][0]["id"]

    assert officer.delete(f"/subjects/{second}/windows/{window_id}").status_code == 404
    assert officer.delete(f"/subjects/{second}/exclusion-zones/{zone_id}").status_code == 404
    before = last_audit_id(app)
    assert officer.delete(f"/subjects/{first}/windows/{window_id}").status_code == 204
    assert officer.delete(f"/subjects/{first}/exclusion-zones/{zone_id}").status_code == 204
    api_events = audit_since(app, before)
    assert officer.get(f"/subjects/{first}").json["windows"] == []
    assert officer.get(f"/subjects/{first}").json["exclusion_zones"] == []
    assert len(officer.get(f"/subjects/{second}").json["windows"]) == 1

    sign_in(client, "officer")
    other = officer.get(f"/subjects/{second}").json
    before = last_audit_id(app)
    client.post(f"/subjects/{second}/windows/{other['windows'][0]['id']}/remove")
    client.post(f"/subjects/{second}/exclusion-zones/{other['exclusion_zones'][0]['id']}/remove")
    assert (
        audit_since(app, before)
        == api_events
        == [
            ("alteration", "subject", "weekly commitment removed"),
            ("alteration", "subject", "exclusion zone removed"),
        ]
    )
