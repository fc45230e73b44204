"""Each resource through the API: the pages' validation messages, ETags and If-Match, 409/412/428, 422 rule failures,
pagination and filters, the partner allow-list, and the same audit events as the pages."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.data.referrals import PARTNER_ALLOW_LIST
from portal.extensions import db
from portal.models import AuditEvent, NonComplianceReport, Programme, ProgrammeSession, Referral
from portal.rules.schedule import london_today
from tests.api.conftest import Api
from tests.api.helpers import PROGRAMME, days_ago, subject_body


def audit_trail(app, after_id: int = 0) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id))
        return [(e.action, e.record_type, e.record_id, e.user_id) for e in rows]


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


# Validation


def test_bad_input_names_each_field_with_the_forms_message(partner: Api) -> None:
    response = partner.post(
        "/programmes",
        json=PROGRAMME | {"title": "", "min_age": 9, "activity_types": [], "valid_from": "2026-02-30", "capacity": "x"},
    )
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid"
    fields = error["fields"]
    assert fields["valid_from"] == "Runs from must be a real date, like 2027-03-27"
    assert fields["capacity"] == "Places per session must be a whole number, like 12"
    second = partner.post("/programmes", json=PROGRAMME | {"title": "", "min_age": 9, "activity_types": []})
    fields = second.json["error"]["fields"]
    assert fields["title"] == "Enter the programme title"
    assert fields["min_age"] == "Minimum age must be 12 or over"
    assert fields["activity_types"] == "Select at least one activity type"


def test_wrong_types_unknown_fields_and_non_json_bodies(partner: Api) -> None:
    response = partner.post("/programmes", json=PROGRAMME | {"title": 5, "colour": "red", "languages": ["xx"]})
    fields = response.json["error"]["fields"]
    assert fields["title"] == "Programme title must be text"
    assert fields["colour"] == "Unknown field"
    assert "languages" in fields
    assert partner.post("/programmes", data="title=x").status_code == 415
    broken = partner.post("/programmes", data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json["error"]["code"] == "invalid_json"
    assert partner.post("/programmes", json=[1, 2]).status_code == 400


def test_pagination(make, partner: Api) -> None:
    for _ in range(3):
        assert partner.post("/programmes", json=PROGRAMME).status_code == 201
    page = partner.get("/programmes?page=2&per_page=2").json
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 3, 1)
    bad = partner.get("/programmes?per_page=0")
    assert bad.status_code == 400 and "per_page" in bad.json["error"]["fields"]


# ETags and If-Match


def test_updates_need_if_match_and_a_stale_one_is_409(partner: Api) -> None:
    created = partner.post("/programmes", json=PROGRAMME)
    path, etag = f"/programmes/{created.json['id']}", created.headers["ETag"]
    assert partner.get(path).headers["ETag"] == etag
    assert partner.patch(path, json={"title": "New"}).status_code == 428
    assert partner.patch(path, json={"title": "New"}, headers={"If-Match": '"nonsense"'}).status_code == 412
    changed = partner.patch(path, json={"title": "New title"}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.json
    assert changed.json["title"] == "New title" and changed.json["tags"] == PROGRAMME["tags"]  # the rest kept
    assert changed.headers["ETag"] != etag
    stale = partner.patch(path, json={"title": "Lost update"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "edit_conflict"
    assert partner.get(path).json["title"] == "New title"


def test_sessions_and_venues(partner: Api) -> None:
    venue = partner.post("/venues", json={"name": "Gym", "address": "1 Road", "postcode": "E3 2AA"})
    assert venue.status_code == 201
    duplicate = partner.post("/venues", json={"name": "gym", "address": "1 Road", "postcode": "E3 2AA"})
    assert duplicate.json["error"]["fields"] == {"name": "You already have a venue with this name"}
    assert partner.post("/venues", json={"name": "X", "address": "Y", "postcode": "ZZ9 9ZZ"}).json["error"][
        "fields"
    ] == {"postcode": "Enter a real UK postcode, like E3 2AA"}
    programme_id = partner.post("/programmes", json=PROGRAMME).json["id"]
    body = {"venue_id": venue.json["id"], "weekday": 2, "start_time": "17:00", "end_time": "16:00"}
    refused = partner.post(f"/programmes/{programme_id}/sessions", json=body | {"term_start": "2026-09-01"})
    assert refused.json["error"]["fields"]["end_time"] == "End time must be after the start time"
    session = partner.post(
        f"/programmes/{programme_id}/sessions",
        json=body | {"end_time": "19:00", "term_start": "2026-09-01", "exception_dates": ["2026-12-23"]},
    )
    assert session.status_code == 201, session.json
    assert session.json["exception_dates"] == ["2026-12-23"]
    moved = partner.patch(
        f"/sessions/{session.json['id']}", json={"weekday": 4}, headers={"If-Match": session.headers["ETag"]}
    )
    assert moved.status_code == 200 and moved.json["weekday"] == 4 and moved.json["start_time"] == "17:00"
    assert (
        partner.delete(f"/sessions/{session.json['id']}", headers={"If-Match": session.headers["ETag"]}).status_code
        == 409
    )
    assert (
        partner.delete(f"/sessions/{session.json['id']}", headers={"If-Match": moved.headers["ETag"]}).status_code
        == 204
    )
    assert partner.get(f"/programmes/{programme_id}").json["sessions"] == []


def test_a_session_young_people_were_referred_to_cannot_be_removed(make, api_for) -> None:
    organisation = make.organisation()
    session_id = make.session_ids(make.programme(organisation))[0]
    make.referral(session_id)
    partner = api_for("partner", organisation_id=organisation)
    programme_id = make.get(ProgrammeSession, session_id).programme_id
    sessions = partner.get(f"/programmes/{programme_id}").json["sessions"]
    etag = f'"session-{session_id}-v{sessions[0]["version"]}"'
    refused = partner.delete(f"/sessions/{session_id}", headers={"If-Match": etag})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "session_in_use"


# Officers: directory, subjects, matching


def test_directory_search_filters_and_is_audited(app, make, officer: Api) -> None:
    organisation = make.organisation()
    make.programme(organisation, title="Boxing nights", activity_types=["boxing"], description="Boxing.")
    make.programme(organisation, title="Football club", activity_types=["football"])
    before = last_audit_id(app)
    found = officer.post("/directory/search?per_page=5", json={"activity_type": "boxing"})
    assert found.status_code == 200, found.json
    assert [item["programme"]["title"] for item in found.json["items"]] == ["Boxing nights"]
    near = officer.post("/directory/search", json={"postcode": "E3 2AA", "distance_km": 2, "keyword": "footy"})
    assert near.json["near_postcode"] == "E3 2AA" and near.json["total"] == 1
    assert near.json["items"][0]["distance_m"] is not None
    refused = officer.post("/directory/search", json={"distance_km": 5})
    assert refused.json["error"]["fields"] == {"postcode": "Enter a postcode to search within a distance"}
    assert [event[:2] for event in audit_trail(app, before)] == [("consultation", "programme-directory")] * 2


def test_subjects_and_the_same_audit_as_the_pages(app, client, sign_in, make, officer: Api) -> None:
    created = officer.post("/subjects", json=subject_body())
    assert created.status_code == 201, created.json
    subject_id = created.json["id"]
    assert officer.post("/subjects", json=subject_body()).json["error"]["fields"] == {
        "reference": "A subject with this reference already exists"
    }
    assert officer.post("/subjects", json=subject_body("X-2", date_of_birth="1990-01-01")).json["error"]["fields"] == {
        "date_of_birth": "Date of birth must give an age between 10 and 25 today"
    }
    # one read through each door: the same event, for the same user and record
    before = last_audit_id(app)
    assert officer.get(f"/subjects/{subject_id}").status_code == 200
    api_events = audit_trail(app, before)
    sign_in(client, "officer")
    before = last_audit_id(app)
    client.get(f"/subjects/{subject_id}")
    page_events = audit_trail(app, before)
    assert [e[:3] for e in api_events] == [e[:3] for e in page_events] == [("consultation", "subject", subject_id)]
    assert api_events[0][3] == officer.user_id
    found = officer.post("/subjects/search", json={"query": "tester"}).json
    assert found["total"] == 1 and found["items"][0]["postcode_district"] == "E3"
    windows = officer.post(
        f"/subjects/{subject_id}/windows",
        json={
            "kind": "school",
            "label": "School",
            "weekday": "monday-to-friday",
            "start_time": "08:30",
            "end_time": "15:30",
        },
    )
    assert windows.status_code == 201 and len(windows.json["windows"]) == 5


def test_matching_a_stored_subject_and_an_inline_profile(app, make, officer: Api) -> None:
    organisation = make.organisation()
    make.programme(organisation, title="Football club", activity_types=["football"])
    make.programme(organisation, title="Girls' football", gender="female")
    subject_id = make.subject(interest_activity_types=["football"])
    before = last_audit_id(app)
    stored = officer.post("/matching", json={"subject_id": subject_id, "months": 6})
    assert stored.status_code == 200, stored.json
    result = stored.json
    assert [s["title"] for s in result["suggestions"]] == ["Football club"]
    assert result["suggestions"][0]["components"] and result["plan"]["sessions"]
    assert result["exclusions"][0]["reasons"][0]["code"] == "gender"
    assert audit_trail(app, before)[-1][:3] == ("combination", "subject", subject_id)
    profile = {k: v for k, v in subject_body().items() if k not in ("reference", "first_name", "last_name", "category")}
    inline = officer.post(
        "/matching",
        json={
            "subject": profile
            | {"windows": [{"kind": "work", "label": "Job", "weekday": 0, "start_time": "16:00", "end_time": "20:00"}]}
        },
    )
    assert inline.status_code == 200, inline.json
    assert inline.json["subject_id"] is None
    assert officer.post("/matching", json={}).status_code == 400
    bad = officer.post("/matching", json={"subject": profile | {"home_postcode": "nowhere"}})
    assert bad.json["error"]["fields"] == {"subject.home_postcode": "Enter a real UK postcode, like E3 2AA"}
    bad_window = officer.post(
        "/matching",
        json={"subject": profile | {"windows": [{"kind": "work", "label": "J", "weekday": 9, "start_time": "x"}]}},
    )
    assert set(bad_window.json["error"]["fields"]) == {"subject.windows[0].weekday", "subject.windows[0].start_time"}


# Orders


def test_filing_an_order_that_is_not_ready_is_422_and_a_filed_order_is_locked(app, make, officer: Api) -> None:
    subject_id = make.subject()
    started = officer.post("/orders", json={"subject_id": subject_id})
    assert started.status_code == 201
    again = officer.post("/orders", json={"subject_id": subject_id})
    assert again.status_code == 200 and again.json["id"] == started.json["id"]
    order_id, etag = started.json["id"], started.headers["ETag"]
    refused = officer.post(f"/orders/{order_id}/file", headers={"If-Match": etag})
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "not_ready_for_court"
    assert refused.json["error"]["problems"]
    details = officer.patch(f"/orders/{order_id}", json={"duration_months": 3}, headers={"If-Match": etag})
    assert details.json["error"]["fields"] == {"duration_months": "Select how long the order lasts"}
    occasion = officer.post(
        f"/orders/{order_id}/occasions",
        json={"occurred_on": days_ago(10), "location_type": "public-place", "summary": "Knife."},
        headers={"If-Match": etag},
    )
    assert occasion.status_code == 201 and len(occasion.json["occasions"]) == 1
    with app.app_context():
        from portal.models import Order

        db.session.get(Order, order_id).status = "filed"
        db.session.commit()
    locked = officer.post(
        f"/orders/{order_id}/prohibitions",
        json={"kind": "article", "description": "Knives"},
        headers={"If-Match": occasion.headers["ETag"]},
    )
    assert locked.status_code == 422 and locked.json["error"]["code"] == "order_locked"


def test_hand_written_requirements_and_prohibitions(make, officer: Api) -> None:
    order = officer.post("/orders", json={"subject_id": make.subject()})
    order_id = order.json["id"]
    added = officer.post(
        f"/orders/{order_id}/requirements",
        json={
            "kind": "present-to-person",
            "activity": "Meet the youth worker",
            "place_name": "Youth centre",
            "place_address": "2 Roman Road",
            "place_postcode": "E3 2AA",
            "weekday": None,
            "start_time": "10:00",
            "end_time": "11:00",
            "supervisor_name": "A Worker",
            "necessity_rationale": "Mentoring.",
        },
        headers={"If-Match": order.headers["ETag"]},
    )
    assert added.status_code == 201, added.json
    assert added.json["requirements"][0]["weekday"] is None
    prohibition = officer.post(
        f"/orders/{order_id}/prohibitions",
        json={
            "kind": "article",
            "description": "Having a bladed article",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-01",
        },
        headers={"If-Match": added.headers["ETag"]},
    )
    assert prohibition.json["error"]["fields"] == {"ends_on": "Prohibition ends must be after it starts"}


# Referrals


@pytest.fixture
def referral_at(make):
    def _referral_at(capacity: int = 10, status: str = "sent") -> tuple[int, int, int]:
        organisation = make.organisation()
        session_id = make.session_ids(make.programme(organisation, capacity=capacity))[0]
        return make.referral(session_id, status=status), organisation, session_id

    return _referral_at


def test_partners_see_only_the_allow_list_and_accept_with_a_statement(app, api_for, referral_at) -> None:
    referral_id, organisation, _ = referral_at()
    partner = api_for("partner", organisation_id=organisation)
    listed = partner.get("/referrals?group=new").json
    assert listed["total"] == 1
    assert set(listed["items"][0]) == set(PARTNER_ALLOW_LIST)
    opened = partner.get(f"/referrals/{referral_id}")
    assert set(opened.json) == set(PARTNER_ALLOW_LIST)
    assert opened.json["status"] == "viewed"  # the read receipt, as on the page
    for forbidden in ("reference", "date_of_birth", "home_postcode", "category", "conviction_offence"):
        assert forbidden not in opened.get_data(as_text=True)
    empty = partner.post(f"/referrals/{referral_id}/accept", json={}, headers={"If-Match": opened.headers["ETag"]})
    assert empty.json["error"]["fields"]["capacity"] == "Enter whether you can take this young person on these dates"
    statement = {"capacity": "Yes", "dates": "All", "safeguarding": "DBS", "attendance": "Register"}
    accepted = partner.post(
        f"/referrals/{referral_id}/accept", json=statement, headers={"If-Match": opened.headers["ETag"]}
    )
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    closed = partner.post(
        f"/referrals/{referral_id}/decline", json={"reason": "No"}, headers={"If-Match": accepted.headers["ETag"]}
    )
    assert closed.status_code == 422 and closed.json["error"]["code"] == "referral_closed"
    assert api_for("partner").get(f"/referrals/{referral_id}").status_code == 404  # another organisation


def test_accepting_into_a_full_session_is_422(make, api_for, referral_at) -> None:
    referral_id, organisation, session_id = referral_at(capacity=1)
    make.referral(session_id, status="accepted")
    partner = api_for("partner", organisation_id=organisation)
    etag = partner.get(f"/referrals/{referral_id}").headers["ETag"]
    statement = {"capacity": "Yes", "dates": "All", "safeguarding": "DBS", "attendance": "Register"}
    full = partner.post(f"/referrals/{referral_id}/accept", json=statement, headers={"If-Match": etag})
    assert full.status_code == 422
    assert full.json["error"] == {
        "code": "session_full",
        "message": "This session is full: all 1 places are taken. Decline the referral or contact the officer.",
        "fields": {},
    }
    with make.app.app_context():
        assert db.session.get(Referral, referral_id).status == "viewed"


def test_declining_needs_a_reason(api_for, referral_at) -> None:
    referral_id, organisation, _ = referral_at()
    partner = api_for("partner", organisation_id=organisation)
    etag = partner.get(f"/referrals/{referral_id}").headers["ETag"]
    blank = partner.post(f"/referrals/{referral_id}/decline", json={"reason": "   "}, headers={"If-Match": etag})
    assert blank.json["error"]["fields"] == {"reason": "Enter why you are declining this referral"}
    done = partner.post(f"/referrals/{referral_id}/decline", json={"reason": "Full term"}, headers={"If-Match": etag})
    assert done.json["status"] == "declined" and done.json["decline_reason"] == "Full term"


# Registers


def test_marking_a_register(make, api_for) -> None:
    organisation = make.organisation()
    today = london_today()
    session_id = make.weekly_session(organisation, today.weekday(), term_start=today - timedelta(days=30))
    requirement_id = make.active_requirement(session_id, made_on=today - timedelta(days=21))
    partner = api_for("partner", organisation_id=organisation)
    listed = partner.get("/registers").json
    assert any(item["session_id"] == session_id and item["on_date"] == today.isoformat() for item in listed["items"])
    path = f"/registers/{session_id}/{today.isoformat()}"
    register = partner.get(path)
    assert register.status_code == 200
    name = register.json["rows"][0]["subject_name"]
    late = partner.put(
        path,
        json={"marks": [{"requirement_id": requirement_id, "status": "late"}]},
        headers={"If-Match": register.headers["ETag"]},
    )
    assert late.json["error"]["fields"] == {
        f"marks.{requirement_id}.minutes_late": f"Enter how many minutes late {name} was"
    }
    saved = partner.put(
        path,
        json={"marks": [{"requirement_id": requirement_id, "status": "late", "minutes_late": 10}]},
        headers={"If-Match": register.headers["ETag"]},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["rows"][0]["current"]["minutes_late"] == 10
    stale = partner.put(
        path,
        json={"marks": [{"requirement_id": requirement_id, "status": "attended"}]},
        headers={"If-Match": register.headers["ETag"]},
    )
    assert stale.status_code == 409
    no_reason = partner.put(
        path,
        json={"marks": [{"requirement_id": requirement_id, "status": "attended"}]},
        headers={"If-Match": saved.headers["ETag"]},
    )
    assert no_reason.json["error"]["fields"] == {
        f"marks.{requirement_id}.correction_reason": f"Enter why you are changing {name}'s mark"
    }
    future = (today + timedelta(days=7)).isoformat()
    ahead = partner.get(f"/registers/{session_id}/{future}")
    refused = partner.put(
        f"/registers/{session_id}/{future}",
        json={"marks": [{"requirement_id": requirement_id, "status": "attended"}]},
        headers={"If-Match": ahead.headers["ETag"]},
    )
    assert refused.status_code == 422 and refused.json["error"]["code"] == "register_not_open"
    assert partner.get(f"/registers/{session_id}/2026-13-01").status_code == 404


# Non-compliance reports


def test_officers_list_read_and_decide_reports(app, make, officer: Api) -> None:
    order_id = make.order(make.subject(date_of_birth=date(london_today().year - 20, 1, 1)), status="made")
    with app.app_context():
        report = NonComplianceReport(order_id=order_id, rule_code="missed-sessions", source="rule", facts="Missed two.")
        db.session.add(report)
        db.session.commit()
        report_id = report.id
    listed = officer.get("/reports?status=draft").json
    assert [item["id"] for item in listed["items"]] == [report_id]
    opened = officer.get(f"/reports/{report_id}")
    assert opened.json["facts"] == "Missed two."
    path = f"/reports/{report_id}/decision"
    missing = officer.post(path, json={"decision": "warning"}, headers={"If-Match": opened.headers["ETag"]})
    assert missing.json["error"]["fields"] == {
        "assessment": "Enter your assessment",
        "reason": "Enter the reason for the decision",
    }
    decision = {"assessment": "Avoidable.", "decision": "warning", "reason": "First time."}
    decided = officer.post(path, json=decision, headers={"If-Match": opened.headers["ETag"]})
    assert decided.status_code == 200 and decided.json["status"] == "submitted"
    again = officer.post(path, json=decision, headers={"If-Match": decided.headers["ETag"]})
    assert again.status_code == 422 and again.json["error"]["code"] == "report_locked"
    corrected = officer.post(f"/reports/{report_id}/corrections", json={"text": "Date was 3 Nov."})
    assert corrected.status_code == 201 and corrected.json["corrections"][0]["text"] == "Date was 3 Nov."


def test_programme_writes_are_audited_as_on_the_pages(app, partner: Api) -> None:
    before = last_audit_id(app)
    created = partner.post("/programmes", json=PROGRAMME).json
    assert audit_trail(app, before) == [("collection", "programme", created["id"], partner.user_id)]
    with app.app_context():
        assert db.session.get(Programme, created["id"]).cost_pence == 250


def test_a_second_start_answers_the_draft_as_documented_and_repeated_sessions_are_refused(make, officer: Api) -> None:
    subject_id = make.subject()
    officer.post("/orders", json={"subject_id": subject_id})
    again = officer.post("/orders", json={"subject_id": subject_id})
    documented = officer.get("/openapi.json").json["paths"]["/api/v1/orders"]["post"]["responses"]
    assert again.status_code == 200
    assert documented["200"]["content"] == documented["201"]["content"]  # the order, not an error
    session_id = make.session_ids(make.programme(make.organisation()))[0]
    repeated = officer.post(f"/orders/for-subject/{subject_id}/sessions", json={"session_ids": [session_id] * 2})
    assert repeated.status_code == 400
    assert repeated.json["error"]["fields"] == {"session_ids": "Give each session id once"}
