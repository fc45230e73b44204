"""Non-compliance reports: raised by local-policy rules or partners, reviewed and locked by officers."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from portal.data import EditConflict, noncompliance, notifications, policy
from portal.data.noncompliance import ReportLocked, YouthOffendingTeamInputNeeded
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    AuditEvent,
    NonComplianceReport,
    Order,
    OrderStatus,
    OutboxMessage,
    Referral,
    ReportCorrection,
    ReportStatus,
    Requirement,
    User,
)
from tests.utils import error_summary, field_error, page

TUESDAYS = [date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 20)]
UNDER_18_BIRTHDAY = date(2010, 5, 1)
ADULT_BIRTHDAY = date(2000, 5, 1)


@pytest.fixture
def officer(client, sign_in):
    client.officer_id = sign_in(client, "officer")
    return client


def made_order(make, officer_id: int, date_of_birth: date = UNDER_18_BIRTHDAY, first_name: str = "Jordan") -> int:
    subject_id = make.subject(date_of_birth=date_of_birth, first_name=first_name)
    return make.order(subject_id, officer_id=officer_id, status=OrderStatus.MADE, made_on=date(2026, 10, 1))


def absences(make, requirement_id: int, days: list[date], **fields) -> list[int]:
    values = {
        "absence_acceptable": False,
        "absence_reason": "Said he was ill",
        "contact_attempts": "Phoned at 17:15 and 17:45, no answer",
    }
    return [make.mark(requirement_id, day, "absent", **(values | fields)) for day in days]


def evaluate(app, order_id: int) -> list[int]:
    with app.app_context():
        raised = [report.id for report in noncompliance.evaluate_order(db.session.get(Order, order_id))]
        db.session.commit()
        return raised


def reports(app, order_id: int) -> list[NonComplianceReport]:
    with app.app_context():
        rows = db.session.scalars(
            select(NonComplianceReport).where(NonComplianceReport.order_id == order_id).order_by(NonComplianceReport.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def outbox(app) -> list[OutboxMessage]:
    """Emails to the order's officer about reports (not the referral emails partners get)."""
    kinds = (notifications.NON_COMPLIANCE_RAISED, notifications.COMPLETION_REPORTED)
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind.in_(kinds))).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def audit_events(app, record_type: str, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.record_type == record_type)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = db.session.scalars(query.order_by(AuditEvent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def version_of(client, report_id: int) -> str:
    return page(client.get(f"/reports/{report_id}")).select_one('input[name="version"]')["value"]


def decide(client, report_id: int, **overrides):
    data = {
        "version": overrides.pop("version", None) or version_of(client, report_id),
        "assessment": "Pattern of missed sessions; engagement is falling away.",
        "decision": "warning",
        "reason": "First report on this order; a warning is proportionate.",
    } | overrides
    return client.post(f"/reports/{report_id}", data=data)


def record_event(client, order_id: int, **overrides):
    data = {
        "kind": "curfew",
        "occurred_on": ["1", "11", "2026"],
        "occurred_time": "21:00",
        "minutes_late": "",
        "description": "Doorstep check at 21:00; mother said he came home later.",
    } | overrides
    return client.post(f"/reports/orders/{order_id}/events/new", data=data)


def test_one_unacceptable_absence_of_an_under_18_raises_no_report(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:1])
    assert evaluate(app, order_id) == []
    assert reports(app, order_id) == []
    assert outbox(app) == []


def test_two_absences_raise_a_report_the_officer_reviews_locks_and_corrects(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id, first_name="Kwame")
    requirement_id = make.requirement(order_id)
    mark_ids = absences(make, requirement_id, TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)

    report = reports(app, order_id)[0]
    assert (report.status, report.source, report.rule_code) == (ReportStatus.DRAFT, "rule", "u18-absences")
    assert report.requirement_id == requirement_id
    assert report.evidence["mark_ids"] == mark_ids
    assert "Tuesday 6 October 2026" in report.facts and "Tuesday 13 October 2026" in report.facts
    assert "Said he was ill" in report.facts and "Phoned at 17:15 and 17:45, no answer" in report.facts
    assert report.assessment == ""

    [email] = outbox(app)
    assert email.recipient == make.get(User, officer.officer_id).email
    assert "Kwame" not in email.subject and "Kwame" not in email.body

    listing = page(officer.get("/reports/"))
    assert listing.select_one('table[data-group="open"] a')["href"] == f"/reports/{report_id}"
    shown = page(officer.get(f"/reports/{report_id}"))
    assert shown.find("h2", id="facts").get_text(strip=True) == "Facts"
    assert "Said he was ill" in shown.select_one('[data-section="facts"]').get_text()
    assert len(shown.select('[data-section="evidence-marks"] tbody tr')) == 2

    response = decide(officer, report_id)
    assert response.status_code == 302
    locked = reports(app, order_id)[0]
    assert locked.status == ReportStatus.SUBMITTED
    assert (locked.decision, locked.decided_by_id) == ("warning", officer.officer_id)
    assert locked.submitted_at is not None
    assert locked.facts == report.facts

    # Further change is refused: the page offers no decision form and a POST changes nothing.
    assert (
        page(officer.get(f"/reports/{report_id}")).select_one('input[name="assessment"], textarea[name="assessment"]')
        is None
    )
    refused = officer.post(
        f"/reports/{report_id}",
        data={"version": str(locked.version), "assessment": "Changed", "decision": "refer-for-breach", "reason": "x"},
    )
    assert refused.status_code == 303
    assert reports(app, order_id)[0].assessment == locked.assessment
    with app.app_context():
        with pytest.raises(ReportLocked):
            noncompliance.decide(
                db.session.get(NonComplianceReport, report_id), "Changed", "no-further-action", "x", officer.officer_id
            )
        db.session.rollback()

    # A correction appends and leaves the report as submitted.
    response = officer.post(f"/reports/{report_id}/corrections", data={"text": "The second session started at 17:30."})
    assert response.status_code == 302
    with app.app_context():
        corrections = db.session.scalars(select(ReportCorrection).where(ReportCorrection.report_id == report_id)).all()
        assert [c.text for c in corrections] == ["The second session started at 17:30."]
        assert corrections[0].author_id == officer.officer_id
    after = reports(app, order_id)[0]
    assert (after.facts, after.assessment, after.decision) == (locked.facts, locked.assessment, locked.decision)
    assert (
        "The second session started at 17:30."
        in page(officer.get(f"/reports/{report_id}")).select_one('[data-section="corrections"]').get_text()
    )
    assert officer.post(f"/reports/{report_id}/corrections", data={"text": ""}).status_code == 400


def test_curfew_exactly_15_minutes_late_is_not_reported_but_16_is(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    response = record_event(officer, order_id, minutes_late="15")
    assert response.status_code == 302
    assert reports(app, order_id) == []
    response = record_event(officer, order_id, minutes_late="16", occurred_on=["2", "11", "2026"])
    assert response.status_code == 302
    [report] = reports(app, order_id)
    assert response.headers["Location"] == f"/reports/{report.id}"
    assert report.rule_code == "u18-curfew"
    assert "Minutes late: 16" in report.facts
    assert len(report.evidence["event_ids"]) == 1
    assert len(audit_events(app, "compliance-event", "collection")) == 2


def test_a_curfew_event_needs_its_minutes_and_a_real_date(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    response = record_event(officer, order_id, occurred_on=["31", "2", "2026"], occurred_time="25:00")
    assert response.status_code == 200
    assert error_summary(response) == [
        "Date must be a real date, like 27 3 2027",
        "Enter time as a 24-hour time, like 17:00",
        "Enter how many minutes late, for a curfew",
    ]
    future = record_event(officer, order_id, occurred_on=["1", "1", "2099"], minutes_late="20")
    assert field_error(future, "occurred_on") == "The date and time must be in the past"
    assert reports(app, order_id) == []


def test_in_summer_time_an_event_half_an_hour_ago_in_london_is_in_the_past(app, client, sign_in, make) -> None:
    """At 22:00 in London on 14 July it is 21:00 in UTC, the server's clock: a curfew check at 21:30 London time is
    half an hour ago, not in the future."""
    from freezegun import freeze_time

    with freeze_time("2027-07-14 21:00:00", tick=True):
        officer_id = sign_in(client, "officer")
        order_id = made_order(make, officer_id)
        response = record_event(
            client, order_id, occurred_on=["14", "7", "2027"], occurred_time="21:30", minutes_late="30"
        )
        assert response.status_code == 302, field_error(response, "occurred_on")
        later = record_event(
            client, order_id, occurred_on=["14", "7", "2027"], occurred_time="22:30", minutes_late="30"
        )
        assert field_error(later, "occurred_on") == "The date and time must be in the past"


@pytest.mark.parametrize("kind", ["prohibited-place", "prohibited-person", "other-prohibition"])
def test_a_prohibition_contravened_raises_a_report(app, officer, make, kind: str) -> None:
    order_id = made_order(make, officer.officer_id)
    response = record_event(officer, order_id, kind=kind, description="Seen by PC 123 in Mile End Park at 16:30.")
    assert response.status_code == 302
    [report] = reports(app, order_id)
    assert report.rule_code == "u18-prohibition"
    assert "Mile End Park" in report.facts


def test_an_adults_single_absence_raises_a_report(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id, date_of_birth=ADULT_BIRTHDAY)
    absences(make, make.requirement(order_id), TUESDAYS[:1])
    assert len(evaluate(app, order_id)) == 1
    assert reports(app, order_id)[0].rule_code == "adult-absence"


def test_acceptable_absences_and_provider_cancellations_never_count(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id, date_of_birth=ADULT_BIRTHDAY)
    requirement_id = make.requirement(order_id)
    absences(make, requirement_id, TUESDAYS[:2], absence_acceptable=True, absence_reason="Hospital appointment")
    make.mark(requirement_id, TUESDAYS[2], "cancelled")
    assert evaluate(app, order_id) == []
    assert reports(app, order_id) == []


def test_evaluating_again_never_duplicates_reports(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    requirement_id = make.requirement(order_id)
    first, second = absences(make, requirement_id, TUESDAYS[:2])
    assert len(evaluate(app, order_id)) == 1
    assert evaluate(app, order_id) == []
    # A corrected mark (a new revision of the same session, still absent) is the same evidence.
    with app.app_context():
        db.session.get(AttendanceMark, second).is_current = False
        db.session.commit()
    make.mark(requirement_id, TUESDAYS[1], "absent", revision=2, absence_acceptable=False, correction_reason="Typo")
    assert evaluate(app, order_id) == []
    # A further absence is new evidence: a new report for the officer.
    absences(make, requirement_id, TUESDAYS[2:])
    assert len(evaluate(app, order_id)) == 1
    assert evaluate(app, order_id) == []
    assert len(reports(app, order_id)) == 2
    assert len(outbox(app)) == 2


def partner_with_referral(app, make, officer_id: int, status: str = "active") -> tuple[int, int, int]:
    organisation_id = make.organisation()
    session_id = make.session_ids(make.programme(organisation_id))[0]
    order_id = made_order(make, officer_id)
    requirement_id = make.requirement(order_id, session_id=session_id)
    referral_id = make.referral(session_id, requirement_id=requirement_id, status=status)
    return organisation_id, order_id, referral_id


def test_partner_completion_marks_the_referral_completed_and_tells_the_officer(app, client, sign_in, make) -> None:
    officer_id = make.user("officer")
    organisation_id, order_id, referral_id = partner_with_referral(app, make, officer_id)
    partner_id = sign_in(client, "partner", organisation_id=organisation_id)
    form = page(client.get(f"/reports/partner/referrals/{referral_id}/new"))
    assert form.find("h1").get_text(strip=True) == "Report to the officer"
    response = client.post(
        f"/reports/partner/referrals/{referral_id}/new",
        data={"kind": "completion", "text": "Attended all 20 sessions; the last was on 23 March 2027."},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partner/referrals/{referral_id}"
    assert make.get(Referral, referral_id).status == "completed"
    with app.app_context():
        requirement = db.session.get(Requirement, make.get(Referral, referral_id).requirement_id)
        assert noncompliance.requirement_completed(requirement)
    [report] = reports(app, order_id)
    assert (report.source, report.kind, report.rule_code) == ("partner", "completion", "partner-completion")
    assert (report.raised_by_id, report.raised_by_organisation_id) == (partner_id, organisation_id)
    assert report.facts == "Attended all 20 sessions; the last was on 23 March 2027."
    [email] = outbox(app)
    assert email.recipient == make.get(User, officer_id).email
    assert "Jordan" not in email.subject
    changes = [event.detail.get("change") for event in audit_events(app, "referral", "alteration")]
    assert "status active -> completed" in changes


def test_partner_reports_non_compliance_and_the_officer_sees_the_statement(app, client, sign_in, make) -> None:
    officer_id = make.user("officer")
    organisation_id, order_id, referral_id = partner_with_referral(app, make, officer_id)
    sign_in(client, "partner", organisation_id=organisation_id)
    response = client.post(
        f"/reports/partner/referrals/{referral_id}/new",
        data={"kind": "concern", "text": "Arrived with older boys we do not know; left early at 17:40."},
    )
    assert response.status_code == 302
    [report] = reports(app, order_id)
    assert (report.kind, report.status) == ("concern", ReportStatus.DRAFT)
    assert make.get(Referral, referral_id).status == "active"

    empty = client.post(f"/reports/partner/referrals/{referral_id}/new", data={"kind": "", "text": ""})
    assert empty.status_code == 200
    assert error_summary(empty) == ["Select what you are reporting", "Enter what happened"]

    officer_client = client.application.test_client()
    sign_in(officer_client, "officer")
    shown = page(officer_client.get(f"/reports/{report.id}"))
    assert "left early at 17:40" in shown.select_one('[data-section="facts"]').get_text()


def test_a_partner_cannot_report_on_a_referral_they_do_not_supervise(app, client, sign_in, make) -> None:
    officer_id = make.user("officer")
    _organisation_id, order_id, referral_id = partner_with_referral(app, make, officer_id)
    sign_in(client, "partner")  # a partner of another organisation
    assert client.get(f"/reports/partner/referrals/{referral_id}/new").status_code == 404
    response = client.post(
        f"/reports/partner/referrals/{referral_id}/new", data={"kind": "completion", "text": "Finished."}
    )
    assert response.status_code == 404
    assert make.get(Referral, referral_id).status == "active"
    assert reports(app, order_id) == []


def test_a_partner_cannot_complete_a_referral_that_is_not_active(app, client, sign_in, make) -> None:
    officer_id = make.user("officer")
    organisation_id, order_id, referral_id = partner_with_referral(app, make, officer_id, status="sent")
    sign_in(client, "partner", organisation_id=organisation_id)
    response = client.post(
        f"/reports/partner/referrals/{referral_id}/new", data={"kind": "completion", "text": "Finished."}
    )
    assert response.status_code == 200
    assert "You cannot report on this referral" in page(response).select_one(".govuk-error-summary").get_text()
    assert reports(app, order_id) == []


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_review_pages_are_for_officers_only(app, client, sign_in, make, role: str) -> None:
    officer_id = make.user("officer")
    order_id = made_order(make, officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)
    sign_in(client, role)
    for url in ("/reports/", f"/reports/{report_id}", f"/reports/orders/{order_id}/events/new"):
        assert client.get(url).status_code == 403
    assert client.post(f"/reports/{report_id}/corrections", data={"text": "x"}).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/reports/{report_id}").status_code in (302, 401)


def test_facts_never_mix_with_the_assessment(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)
    facts_before = reports(app, order_id)[0].facts
    assessment = "In my view he is drifting back towards the group; likely to reoffend."
    decide(officer, report_id, assessment=assessment, decision="no-further-action")
    report = reports(app, order_id)[0]
    assert report.facts == facts_before
    assert assessment not in report.facts
    assert report.assessment == assessment
    shown = page(officer.get(f"/reports/{report_id}"))
    assert assessment not in shown.select_one('[data-section="facts"]').get_text()
    assert assessment in shown.select_one('[data-section="assessment"]').get_text()
    # The rule's wording is shown as why it was raised, not as a fact.
    assert "more than trivial" not in report.facts


def test_an_under_18_is_not_referred_for_breach_without_youth_offending_team_input(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)
    response = decide(officer, report_id, decision="refer-for-breach")
    assert response.status_code == 200
    assert field_error(response, "youth_offending_team_input").startswith("Enter the youth offending team's input")
    assert reports(app, order_id)[0].status == ReportStatus.DRAFT
    with app.app_context():
        with pytest.raises(YouthOffendingTeamInputNeeded):
            noncompliance.decide(
                db.session.get(NonComplianceReport, report_id), "a", "refer-for-breach", "b", officer.officer_id
            )
        db.session.rollback()
    response = decide(
        officer, report_id, decision="refer-for-breach", youth_offending_team_input="Spoke to J. Ali, YJS: agrees."
    )
    assert response.status_code == 302
    report = reports(app, order_id)[0]
    assert report.decision == "refer-for-breach"
    assert "Youth offending team input: Spoke to J. Ali, YJS: agrees." in report.decision_reason


def test_a_stale_decision_does_not_overwrite(app, officer, sign_in, make) -> None:
    order_id = made_order(make, officer.officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)
    stale = version_of(officer, report_id)
    other = app.test_client()
    sign_in(other, "officer")
    assert decide(other, report_id).status_code == 302
    response = decide(officer, report_id, version=stale, assessment="Other view")
    assert response.status_code == 303
    assert reports(app, order_id)[0].assessment != "Other view"
    with app.app_context():
        with pytest.raises(EditConflict):
            noncompliance.decide(
                db.session.get(NonComplianceReport, report_id), "a", "warning", "b", officer.officer_id, 99
            )
        db.session.rollback()


def test_the_decision_form_shows_govuk_errors(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)
    response = decide(officer, report_id, assessment="", decision="", reason="")
    assert response.status_code == 200
    assert error_summary(response) == [
        "Enter your assessment",
        "Select a decision",
        "Enter the reason for the decision",
    ]


def test_reports_to_review_are_listed_before_submitted_ones(app, officer, make) -> None:
    first_order = made_order(make, officer.officer_id)
    absences(make, make.requirement(first_order), TUESDAYS[:2])
    [submitted_id] = evaluate(app, first_order)
    decide(officer, submitted_id)
    second_order = made_order(make, officer.officer_id, date_of_birth=ADULT_BIRTHDAY)
    absences(make, make.requirement(second_order), TUESDAYS[:1])
    [open_id] = evaluate(app, second_order)
    listing = page(officer.get("/reports/"))
    rows = [int(row["data-report-id"]) for row in listing.select("tr[data-report-id]")]
    assert rows == [open_id, submitted_id]
    assert [int(r["data-report-id"]) for r in listing.select('[data-group="open"] tr[data-report-id]')] == [open_id]


POLICY_FORM = {
    "under18_absences_threshold": "3",
    "under18_curfew_minutes": "15",
    "under18_prohibition_breach": "y",
    "adults_report_any_failure": "y",
    "wording_absences": "Three missed sessions is more than trivial here.",
    "wording_curfew": "Curfew wording.",
    "wording_prohibition": "Prohibition wording.",
    "wording_adults": "Adult wording.",
    "under18_review_every_months": "6",
    "travel_speed_kmh": "12.5",
    "travel_buffer_minutes": "20",
    "reported_as_warnings": ["clash_observance", "clash_curfew"],
}


def test_an_admin_changes_local_policy_and_the_threshold_changes_what_is_reported(app, client, sign_in, make) -> None:
    admin_id = sign_in(client, "admin")
    shown = page(client.get("/admin/policy"))
    assert shown.find("h1").get_text(strip=True) == "Local policy"
    assert len(shown.find_all(string=lambda text: text and "Local policy, not law" in text)) >= 2
    assert shown.select_one('input[name="under18_absences_threshold"]')["value"] == "2"
    response = client.post("/admin/policy", data=POLICY_FORM)
    assert response.status_code == 302
    with app.app_context():
        assert noncompliance.non_compliance_policy().under18_absences_threshold == 3
        assert noncompliance.non_compliance_policy().wording_absences == POLICY_FORM["wording_absences"]
        checks = policy.order_check_policy()
        assert (checks.under18_review_every_months, checks.travel_speed_kmh, checks.travel_buffer_minutes) == (
            6,
            12.5,
            20,
        )
        assert checks.reported_as_warnings == {"clash_observance", "clash_curfew"}
    settings = [event.detail["setting"] for event in audit_events(app, "policy", "alteration")]
    assert sorted(settings) == ["non-compliance", "order-checks"]
    assert all(event.user_id == admin_id for event in audit_events(app, "policy"))

    officer_id = make.user("officer")
    order_id = made_order(make, officer_id)
    requirement_id = make.requirement(order_id)
    absences(make, requirement_id, TUESDAYS[:2])
    assert evaluate(app, order_id) == []  # two absences no longer report
    absences(make, requirement_id, TUESDAYS[2:])
    assert len(evaluate(app, order_id)) == 1
    assert reports(app, order_id)[0].evidence["raised_under"] == POLICY_FORM["wording_absences"]


def test_the_policy_page_refuses_bad_numbers_with_govuk_errors(app, client, sign_in) -> None:
    sign_in(client, "admin")
    response = client.post(
        "/admin/policy",
        data=POLICY_FORM
        | {
            "under18_absences_threshold": "0",
            "under18_curfew_minutes": "fifteen",
            "travel_speed_kmh": "fast",
            "under18_review_every_months": "30",
            "travel_buffer_minutes": "-5",
            "wording_curfew": "",
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Missed sessions must be between 1 and 52",
        "Minutes late for curfew before a report is raised (under 18) must be a whole number, like 12",
        "Enter the wording for curfew",
        "Extra reviews must be every 1 to 24 months",
        "Travel speed between requirements (km/h) must be a number, like 15",
        "Extra time allowed must be between 0 and 120 minutes",
    ]
    with app.app_context():
        assert noncompliance.non_compliance_policy().under18_absences_threshold == 2


def test_only_admins_reach_the_policy_page(client, sign_in) -> None:
    sign_in(client, "officer")
    assert client.get("/admin/policy").status_code == 403
    assert client.post("/admin/policy", data=POLICY_FORM).status_code == 403


def test_reading_and_changing_reports_is_audited(app, officer, make) -> None:
    order_id = made_order(make, officer.officer_id)
    absences(make, make.requirement(order_id), TUESDAYS[:2])
    [report_id] = evaluate(app, order_id)
    officer.get("/reports/")
    officer.get(f"/reports/{report_id}")
    decide(officer, report_id)
    officer.post(f"/reports/{report_id}/corrections", data={"text": "Correction."})

    collected = audit_events(app, "non-compliance-report", "collection")
    assert [event.record_id for event in collected] == [report_id]
    disclosed = audit_events(app, "non-compliance-report", "disclosure")
    assert disclosed[0].detail["recipient_user_id"] == officer.officer_id
    combined = audit_events(app, "order", "combination")
    assert combined and combined[0].detail["reports_raised"] == [report_id]
    consulted = audit_events(app, "non-compliance-report", "consultation")
    assert consulted and all(event.user_id == officer.officer_id for event in consulted)
    listed = audit_events(app, "non-compliance-report-list", "consultation")
    assert listed[0].detail["report_ids"] == [report_id]
    changes = [event.detail["change"] for event in audit_events(app, "non-compliance-report", "alteration")]
    assert changes == ["decided and locked", "correction appended"]


def test_record_event_and_evaluate_work_without_a_request(app, make) -> None:
    """The register-saving code and scheduled jobs call these outside any request."""
    officer_id = make.user("officer")
    order_id = made_order(make, officer_id)
    with app.app_context():
        order = db.session.get(Order, order_id)
        event, raised = noncompliance.record_event(
            order, "prohibited-person", datetime(2026, 11, 3, 18, 0), None, "Seen with a named person.", officer_id
        )
        db.session.commit()
        assert event.minutes_late is None
        assert [report.rule_code for report in raised] == ["u18-prohibition"]
        with pytest.raises(ValueError):
            noncompliance.record_event(order, "curfew", datetime(2026, 11, 3, 22, 0), -1, "", officer_id)
