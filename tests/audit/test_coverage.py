"""Security bar 22 / DPA 2018 s.62: each operation writes exactly one audit row of the right kind, with who, when,
which organisation, and which record."""

from datetime import UTC, datetime, timedelta

from flask import Flask

from portal.data import audit, referrals
from portal.extensions import db
from portal.models import AuditEvent, Requirement, User
from portal.rules.schedule import london_today


def subject_data(**overrides: object) -> dict:
    today = london_today()
    data = {
        "reference": "MPS-2026-0777",
        "first_name": "Kwame",
        "last_name": "Mensah",
        "date_of_birth": [str(min(today.day, 28)), str(today.month), str(today.year - 15)],
        "gender": "male",
        "home_postcode": "e3 2aa",
        "category": "suspect",
        "languages": ["en"],
        "interest_activity_types": ["football"],
        "interest_text": "",
        "needs": [],
        "curfew_start": "",
        "curfew_end": "",
        "max_travel_km": "5",
    }
    return data | overrides


def assert_well_formed(event: AuditEvent, user_id: int, organisation_id: int | None, record_type: str, record_id: int):
    now = datetime.now(UTC).replace(tzinfo=None)
    assert event.occurred_at.tzinfo is None and now - timedelta(minutes=2) < event.occurred_at <= now  # UTC
    assert (event.user_id, event.organisation_id) == (user_id, organisation_id)
    assert (event.record_type, event.record_id) == (record_type, record_id)
    assert event.sequence >= 1 and len(event.hash) == 64


def organisation_of(make, user_id: int) -> int | None:
    return make.get(User, user_id).organisation_id


def test_creating_a_subject_is_one_collection(client, officer, make, events) -> None:
    response = client.post("/subjects/new", data=subject_data())
    subject_id = int(response.headers["Location"].rsplit("/", 1)[1])
    [event] = events(audit.COLLECTION)
    assert_well_formed(event, officer, organisation_of(make, officer), "subject", subject_id)
    assert "Kwame" not in str(event.detail)


def test_editing_a_subject_is_one_alteration(client, officer, make, events) -> None:
    subject_id = make.subject()
    client.post(f"/subjects/{subject_id}/edit", data=subject_data(first_name="Kofi"))
    [event] = events(audit.ALTERATION)
    assert_well_formed(event, officer, organisation_of(make, officer), "subject", subject_id)
    assert "first_name" in event.detail["fields"] and "Kofi" not in str(event.detail)


def test_viewing_a_subject_is_one_consultation_with_the_purpose(client, officer, make, events, app: Flask) -> None:
    app.config["ACCESS_REASON_REQUIRED"] = True
    subject_id = make.subject()
    client.post("/audit/reason-for-access", data={"reason": "Reviewing compliance with an order"})
    assert client.get(f"/subjects/{subject_id}").status_code == 200
    [event] = events(audit.CONSULTATION, "subject")
    assert_well_formed(event, officer, organisation_of(make, officer), "subject", subject_id)
    assert event.purpose == "Reviewing compliance with an order"


def test_sending_a_referral_is_one_disclosure_naming_the_recipient(app: Flask, make, events) -> None:
    organisation_id = make.organisation()
    session_id = make.session_ids(make.programme(organisation_id))[0]
    officer_id = make.user("officer")
    requirement_id = make.requirement(make.order(make.subject()), session_id=session_id)
    with app.app_context():
        referral = referrals.create_referral(db.session.get(Requirement, requirement_id), officer_id)
        db.session.commit()
        referral_id = referral.id
    [event] = events(audit.DISCLOSURE)
    assert_well_formed(event, officer_id, organisation_id, "referral", referral_id)
    assert event.detail["recipient_organisation_id"] == organisation_id
    assert event.purpose


def test_linking_two_subjects_is_one_combination(client, officer, make, events) -> None:
    first, second = make.subject(), make.subject(reference="MPS-LINKED")
    client.post(f"/subjects/{first}/non-associations/new", data={"reference": "MPS-LINKED"})
    [event] = events(audit.COMBINATION)
    assert_well_formed(event, officer, organisation_of(make, officer), "subject", first)
    assert event.detail["other_subject_id"] == second


def test_a_partner_action_carries_the_partners_organisation(client, sign_in, make, events) -> None:
    organisation_id = make.organisation()
    partner_id = sign_in(client, "partner", organisation_id=organisation_id)
    client.get("/partner/referrals/")
    consulted = events(audit.CONSULTATION)
    assert consulted and all((e.user_id, e.organisation_id) == (partner_id, organisation_id) for e in consulted)
