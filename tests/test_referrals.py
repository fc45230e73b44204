"""Partners' referrals: the allow-list, object-level scoping, accepting (with a place), declining, and the audit."""

import re
from dataclasses import fields
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.data import referrals
from portal.extensions import db
from portal.models import (
    PLACE_HOLDING_REFERRALS,
    AuditEvent,
    ExclusionZone,
    NonAssociation,
    NoteKind,
    Occasion,
    ProgrammeSession,
    Referral,
    ReferralStatus,
    Requirement,
    SubjectNote,
)
from tests.utils import error_summary, field_error, h1, page

STATEMENT = {
    "capacity": "Yes, we have room on Tuesdays.",
    "dates": "From 6 October 2026 to 30 March 2027.",
    "safeguarding": "DBS-checked coach; two adults present at all times.",
    "attendance": "Register taken at each session and entered in the portal.",
}
FULL = "This session is full: all {capacity} places are taken. Decline the referral or contact the officer."
SECRETS = (
    "ROBBERY-XYZ",  # conviction offence
    "SENTENCE-SECRET",
    "NECESSITY-SECRET",
    "GUARDIAN-SECRET",
    "OCCASION-SECRET",  # s.14 occasion
    "INTEL-ABC",  # note
    "N1 9GU",  # home postcode
    "17 May 2010",  # date of birth, as the service writes dates
    "2010-05-17",
    "17/05/2010",
    "REF-SECRET",  # police reference
    "ZONE-SECRET",  # exclusion zone
    "SE1 7PB",  # exclusion zone postcode
    "Khan",  # full last name
    "OTHERPERSON",  # a non-associated subject
    "INTEREST-SECRET",
)


def text_of(response) -> str:
    return page(response).get_text(" ", strip=True)


def audit_events(app: Flask, record_type: str, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.record_type == record_type)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def place_holders(app: Flask, session_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(Referral.session_id == session_id, Referral.status.in_(PLACE_HOLDING_REFERRALS))
        )


def version_on_page(response, form: str = "accept") -> int:
    action = re.compile(rf"/{form}$")
    found = page(response).find("form", action=action)
    name = "version" if form == "accept" else "decline-version"
    return int(found.find("input", attrs={"name": name})["value"])


def accept_data(version: int, **overrides: str) -> dict:
    return {"version": str(version), **STATEMENT, **overrides}


@pytest.fixture
def partner(client, sign_in, make):
    organisation_id = make.organisation()
    sign_in(client, "partner", organisation_id=organisation_id, full_name="Priya Partner")
    return organisation_id


@pytest.fixture
def session_id(make, partner) -> int:
    programme_id = make.programme(partner, capacity=3, title="Tuesday Football")
    return make.session_ids(programme_id)[0]


def sensitive_referral(make, session_id: int) -> int:
    """A referral whose subject and order carry distinctive officer-only values in every field partners must not see."""
    subject_id = make.subject(
        reference="REF-SECRET",
        first_name="Ayaan",
        last_name="Khan",
        date_of_birth=date(2010, 5, 17),
        home_postcode="N1 9GU",
        languages=["en", "bn"],
        needs=["halal-food"],
        interest_text="INTEREST-SECRET",
    )
    other_id = make.subject(first_name="OTHERPERSON", last_name="Elsewhere")
    order_id = make.order(
        subject_id,
        conviction_offence="ROBBERY-XYZ",
        sentence="SENTENCE-SECRET",
        necessity_statement="NECESSITY-SECRET",
        guardian_name="GUARDIAN-SECRET",
        proposed_start=date(2026, 10, 1),
        duration_months=18,
    )
    with make.app.app_context():
        db.session.add_all(
            [
                SubjectNote(subject_id=subject_id, kind=NoteKind.ASSESSMENT, text="INTEL-ABC"),
                ExclusionZone(
                    subject_id=subject_id,
                    label="ZONE-SECRET",
                    postcode="SE1 7PB",
                    easting=531000,
                    northing=179000,
                    radius_m=500,
                ),
                Occasion(
                    order_id=order_id,
                    occurred_on=date(2026, 3, 1),
                    location_type="public-place",
                    summary="OCCASION-SECRET",
                ),
                NonAssociation(subject_low_id=min(subject_id, other_id), subject_high_id=max(subject_id, other_id)),
            ]
        )
        db.session.commit()
    requirement_id = make.requirement(order_id, session_id=session_id, activity="Weekly football coaching")
    return make.referral(session_id, requirement_id=requirement_id)


def test_the_partner_sees_only_the_allow_listed_fields(client, partner, session_id, make) -> None:
    referral_id = sensitive_referral(make, session_id)
    listing = client.get("/partner/referrals/")
    detail = client.get(f"/partner/referrals/{referral_id}")
    assert listing.status_code == 200 and detail.status_code == 200
    for response in (listing, detail):
        html = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in html, f"{secret} leaked to the partner"
    shown = text_of(detail)
    assert h1(detail) == "Ayaan K. Awaiting your response"
    assert "Ayaan K." in text_of(listing)
    # age on the requirement's start (6 October 2026), languages, needs, the schedule and the supervisor
    for expected in ("16 when the requirement starts", "Bengali", "Weekly football coaching", "Monday 17:00–19:00"):
        assert expected in shown
    assert "6 October 2026 to 30 March 2027" in shown and "Sam Coach" in shown and "18 months" in shown
    assert "1 October 2026" in shown


def test_shared_text_is_escaped(client, partner, session_id, make) -> None:
    subject_id = make.subject(first_name="<script>alert(1)</script>", needs=['"><img src=x onerror=alert(1)>'])
    requirement_id = make.requirement(make.order(subject_id), session_id=session_id, activity="{{ 7*7 }}")
    referral_id = make.referral(session_id, requirement_id=requirement_id)
    for url in ("/partner/referrals/", f"/partner/referrals/{referral_id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "{{ 7*7 }}" in html  # shown as typed, never evaluated


def test_the_view_object_has_exactly_the_allow_listed_fields() -> None:
    assert tuple(field.name for field in fields(referrals.ReferralView)) == referrals.PARTNER_ALLOW_LIST
    forbidden = {"reference", "date_of_birth", "home_postcode", "notes", "exclusion_zones", "conviction_offence"}
    assert not forbidden & set(referrals.PARTNER_ALLOW_LIST)
    assert referrals.ReferralView.__dataclass_params__.frozen


def test_opening_a_new_referral_is_the_recorded_read_receipt(client, partner, session_id, make) -> None:
    referral_id = make.referral(session_id)
    assert make.get(Referral, referral_id).viewed_at is None
    client.get(f"/partner/referrals/{referral_id}")
    first = make.get(Referral, referral_id)
    assert first.status == ReferralStatus.VIEWED and first.viewed_at is not None
    client.get(f"/partner/referrals/{referral_id}")
    again = make.get(Referral, referral_id)
    assert again.viewed_at == first.viewed_at and again.version == first.version
    receipts = [e for e in audit_events(make.app, "referral", "alteration") if e.record_id == referral_id]
    assert len(receipts) == 1 and receipts[0].detail["change"] == "status sent -> viewed"
    assert receipts[0].organisation_id == partner
    consultations = [e for e in audit_events(make.app, "referral", "consultation") if e.record_id == referral_id]
    assert len(consultations) == 2


def test_the_dashboard_groups_and_counts_the_organisations_referrals(client, partner, session_id, make) -> None:
    for status in ("sent", "sent", "viewed", "accepted", "active", "declined", "withdrawn", "completed"):
        make.referral(session_id, status=status)
    elsewhere = make.programme(make.organisation())
    make.referral(make.session_ids(elsewhere)[0])  # another organisation's: never listed
    response = client.get("/partner/referrals/")
    soup = page(response)
    counts = {name: soup.find(id=f"{name}-count").get_text() for name in ("new", "awaiting", "accepted", "closed")}
    assert counts == {"new": "2", "awaiting": "1", "accepted": "2", "closed": "3"}
    assert len(soup.select("table[data-group=closed] tbody tr")) == 3
    assert [a.get_text() for a in soup.select(".govuk-service-navigation__link, .govuk-header__link")].count(
        "Referrals"
    ) <= 1
    listed = audit_events(make.app, "referral-list", "consultation")
    assert len(listed) == 1 and listed[0].detail["results"] == 8 and listed[0].organisation_id == partner


def test_another_organisations_partner_gets_not_found(client, sign_in, make) -> None:
    owner = make.organisation()
    programme_id = make.programme(owner)
    referral_id = make.referral(make.session_ids(programme_id)[0])
    sign_in(client, "partner", organisation_id=make.organisation())
    assert client.get(f"/partner/referrals/{referral_id}").status_code == 404
    assert client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(1)).status_code == 404
    response = client.post(
        f"/partner/referrals/{referral_id}/decline", data={"decline-version": "1", "decline-reason": "No"}
    )
    assert response.status_code == 404
    unchanged = make.get(Referral, referral_id)
    assert unchanged.status == ReferralStatus.SENT and unchanged.version == 1
    assert "Jordan" not in client.get("/partner/referrals/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_cannot_use_partner_referral_pages(client, sign_in, make, role) -> None:
    programme_id = make.programme(make.organisation())
    referral_id = make.referral(make.session_ids(programme_id)[0])
    sign_in(client, role)
    assert client.get("/partner/referrals/").status_code == 403
    assert client.get(f"/partner/referrals/{referral_id}").status_code == 403
    assert client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(1)).status_code == 403
    assert client.post(f"/partner/referrals/{referral_id}/decline", data={"decline-reason": "x"}).status_code == 403
    assert make.get(Referral, referral_id).status == ReferralStatus.SENT


def test_signed_out_people_are_sent_to_sign_in(client, make) -> None:
    assert client.get("/partner/referrals/").status_code in (302, 401)


def test_accepting_reserves_a_place_and_shows_who_confirmed(client, partner, session_id, make) -> None:
    referral_id = make.referral(session_id)
    opened = client.get(f"/partner/referrals/{referral_id}")
    response = client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(version_on_page(opened)))
    assert response.status_code == 302
    accepted = make.get(Referral, referral_id)
    assert accepted.status == ReferralStatus.ACCEPTED and accepted.responded_at is not None
    assert accepted.statement_safeguarding == STATEMENT["safeguarding"]
    assert place_holders(make.app, session_id) == 1
    shown = client.get(response.headers["Location"])
    panel = page(shown).select_one(".govuk-panel").get_text(" ", strip=True)
    assert "Referral accepted" in panel and "Priya Partner" in panel and "<br>" not in panel
    assert f"at {accepted.responded_at:%H:%M}" in panel
    assert f"{accepted.responded_at.day} {accepted.responded_at:%B %Y}" in panel
    assert page(shown).find("form", action=re.compile("/accept$")) is None
    changes = [e for e in audit_events(make.app, "referral", "alteration") if e.detail.get("session_id")]
    assert len(changes) == 1 and changes[0].detail["change"] == "status viewed -> accepted"
    assert changes[0].organisation_id == partner and changes[0].detail["recipient_organisation_id"] == partner


def test_each_empty_statement_field_is_named(client, partner, session_id, make) -> None:
    referral_id = make.referral(session_id)
    version = version_on_page(client.get(f"/partner/referrals/{referral_id}"))
    response = client.post(
        f"/partner/referrals/{referral_id}/accept",
        data=accept_data(version, capacity="", dates="   ", safeguarding="", attendance=""),
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Enter whether you can take this young person on these dates",
        "Confirm the start and end dates you can supervise",
        "Enter your safeguarding arrangements",
        "Enter how attendance will be recorded",
    ]
    assert field_error(response, "dates") == "Confirm the start and end dates you can supervise"
    assert page(response).title.get_text().startswith("Error: ")
    assert make.get(Referral, referral_id).status == ReferralStatus.VIEWED
    assert place_holders(make.app, session_id) == 0


def test_declining_needs_a_reason(client, partner, session_id, make) -> None:
    referral_id = make.referral(session_id)
    version = version_on_page(client.get(f"/partner/referrals/{referral_id}"), "decline")
    url = f"/partner/referrals/{referral_id}/decline"
    response = client.post(url, data={"decline-version": str(version), "decline-reason": "  "})
    assert error_summary(response) == ["Enter why you are declining this referral"]
    assert field_error(response, "decline-reason") == "Enter why you are declining this referral"
    assert make.get(Referral, referral_id).status == ReferralStatus.VIEWED
    response = client.post(url, data={"decline-version": str(version), "decline-reason": "No coach that evening"})
    assert response.status_code == 302
    declined = make.get(Referral, referral_id)
    assert declined.status == ReferralStatus.DECLINED and declined.decline_reason == "No coach that evening"
    assert "No coach that evening" in text_of(client.get(response.headers["Location"]))
    changes = audit_events(make.app, "referral", "alteration")
    assert changes[-1].detail["change"] == "status viewed -> declined" and changes[-1].organisation_id == partner


def test_accepting_when_the_session_is_full_changes_nothing(client, partner, session_id, make) -> None:
    for _ in range(3):
        make.referral(session_id, status="accepted")
    referral_id = make.referral(session_id)
    version = version_on_page(client.get(f"/partner/referrals/{referral_id}"))
    before = make.get(Referral, referral_id)
    response = client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(version))
    assert response.status_code == 200
    assert error_summary(response) == [FULL.format(capacity=3)]
    assert page(response).title.get_text().startswith("Error: ")
    assert page(response).find("textarea", id="safeguarding").get_text().strip() == STATEMENT["safeguarding"]
    after = make.get(Referral, referral_id)
    assert (after.status, after.version, after.statement_capacity) == (before.status, before.version, "")
    assert place_holders(make.app, session_id) == 3


def test_a_stale_version_is_refused(client, partner, session_id, make) -> None:
    referral_id = make.referral(session_id)
    stale = version_on_page(client.get(f"/partner/referrals/{referral_id}"))
    with make.app.app_context():  # someone else changes the referral after the partner opened it
        db.session.get(Referral, referral_id).statement_dates = "edited elsewhere"
        db.session.commit()
    response = client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(stale))
    assert response.status_code == 303
    assert "changed this record since you opened it" in text_of(client.get(response.headers["Location"]))
    assert make.get(Referral, referral_id).status == ReferralStatus.VIEWED
    response = client.post(
        f"/partner/referrals/{referral_id}/decline", data={"decline-version": str(stale), "decline-reason": "No"}
    )
    assert response.status_code == 303 and make.get(Referral, referral_id).status == ReferralStatus.VIEWED


def test_a_withdrawn_referral_cannot_be_accepted(client, partner, session_id, make) -> None:
    referral_id = make.referral(session_id, status="withdrawn")
    response = client.post(f"/partner/referrals/{referral_id}/accept", data=accept_data(1))
    assert response.status_code == 303
    assert "no longer waiting for your response: it is withdrawn" in text_of(client.get(response.headers["Location"]))
    assert make.get(Referral, referral_id).status == ReferralStatus.WITHDRAWN


def test_forms_need_a_csrf_token(app, client, partner, session_id, make) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    referral_id = make.referral(session_id)
    opened = client.get(f"/partner/referrals/{referral_id}")
    accept_form = page(opened).find("form", action=re.compile("/accept$"))
    token = accept_form.find("input", attrs={"name": "csrf_token"})["value"]
    url = f"/partner/referrals/{referral_id}/accept"
    refused = client.post(url, data=accept_data(version_on_page(opened)))
    assert refused.status_code in (303, 400)
    assert make.get(Referral, referral_id).status == ReferralStatus.VIEWED
    response = client.post(url, data={**accept_data(version_on_page(opened)), "csrf_token": token})
    assert response.status_code == 302 and make.get(Referral, referral_id).status == ReferralStatus.ACCEPTED


def test_every_referral_route_has_the_partner_rule(app) -> None:
    from portal.models import Role
    from portal.web.auth import access_rule_of

    endpoints = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("referrals.")]
    assert len(endpoints) == 4
    assert all(access_rule_of(app, endpoint) == (Role.PARTNER,) for endpoint in endpoints)
    assert all(
        "GET" not in rule.methods
        for rule in app.url_map.iter_rules()
        if rule.endpoint in {"referrals.accept", "referrals.decline"}
    )


# The data functions the officer side calls


def test_sending_a_referral_is_a_disclosure_to_the_organisation(app, make) -> None:
    organisation_id = make.organisation()
    session = make.session_ids(make.programme(organisation_id))[0]
    officer_id = make.user("officer")
    requirement_id = make.requirement(make.order(make.subject(first_name="Zara")), session_id=session)
    with app.app_context():
        referral = referrals.create_referral(db.session.get(Requirement, requirement_id), officer_id)
        db.session.commit()
        referral_id = referral.id
        assert (referral.status, referral.organisation_id, referral.session_id) == ("sent", organisation_id, session)
        with pytest.raises(referrals.AlreadyReferred):
            referrals.create_referral(db.session.get(Requirement, requirement_id), officer_id)
    [event] = audit_events(app, "referral", "disclosure")
    assert (event.record_id, event.user_id, event.organisation_id) == (referral_id, officer_id, organisation_id)
    assert event.detail["recipient_organisation_id"] == organisation_id
    assert event.detail["requirement_id"] == requirement_id
    assert "Zara" not in str(event.detail)


def test_a_requirement_without_a_session_cannot_be_referred(app, make) -> None:
    requirement_id, officer_id = make.requirement(), make.user("officer")
    with app.app_context(), pytest.raises(ValueError, match="programme session"):
        referrals.create_referral(db.session.get(Requirement, requirement_id), officer_id)


def test_withdrawing_frees_the_place(app, make) -> None:
    organisation_id = make.organisation()
    session = make.session_ids(make.programme(organisation_id, capacity=1))[0]
    held = make.referral(session, status="accepted")
    waiting = make.referral(session, status="viewed")
    partner_id = make.user("partner", organisation_id=organisation_id)
    with app.app_context():
        with pytest.raises(referrals.SessionFull):
            referrals.accept_referral(db.session.get(Referral, waiting), partner_id, STATEMENT)
        referrals.withdraw_referral(db.session.get(Referral, held))
        referrals.accept_referral(db.session.get(Referral, waiting), partner_id, STATEMENT)
        db.session.commit()
    assert make.get(Referral, held).status == ReferralStatus.WITHDRAWN
    assert make.get(Referral, waiting).status == ReferralStatus.ACCEPTED
    withdrawal = audit_events(app, "referral", "alteration")[0]
    assert withdrawal.detail["change"] == "status accepted -> withdrawn" and withdrawal.detail["place_freed"]
    assert withdrawal.organisation_id == organisation_id


def test_an_incomplete_statement_is_refused_by_the_data_layer(app, make) -> None:
    organisation_id = make.organisation()
    referral_id = make.referral(make.session_ids(make.programme(organisation_id))[0])
    partner_id = make.user("partner", organisation_id=organisation_id)
    with app.app_context(), pytest.raises(ValueError, match="safeguarding"):
        referrals.accept_referral(db.session.get(Referral, referral_id), partner_id, {"capacity": "Yes"})
    with app.app_context(), pytest.raises(ValueError, match="reason"):
        referrals.decline_referral(db.session.get(Referral, referral_id), 1, " ")


def test_response_times(app, make) -> None:
    quick, slow, silent = make.organisation(), make.organisation(), make.organisation()
    sent = datetime(2026, 11, 2, 9, 0)
    for organisation_id, hours, status in [
        (quick, 1, "accepted"),
        (quick, 3, "declined"),
        (quick, 8, "completed"),
        (quick, None, "sent"),
        (slow, 48, "accepted"),
        (slow, None, "viewed"),
        (slow, None, "withdrawn"),
    ]:
        session = make.session_ids(make.programme(organisation_id))[0]
        responded = sent + timedelta(hours=hours) if hours is not None else None
        make.referral(session, status=status, sent_at=sent, responded_at=responded)
    with app.app_context():
        stats = referrals.response_times([quick, slow, silent])
    assert stats[quick] == referrals.ResponseStats(median_hours=3.0, answered=3, awaiting=1)
    assert stats[slow] == referrals.ResponseStats(median_hours=48.0, answered=1, awaiting=1)
    assert stats[silent] == referrals.ResponseStats(median_hours=None, answered=0, awaiting=0)


def test_the_session_lock_renders_for_update_on_postgresql_and_nothing_on_sqlite() -> None:
    query = select(ProgrammeSession).where(ProgrammeSession.id == 1).with_for_update()
    assert "FOR UPDATE" in str(query.compile(dialect=postgresql.dialect()))
    assert "FOR UPDATE" not in str(query.compile(dialect=sqlite.dialect()))
