"""Non-compliance reports: drafted by the local-policy rules or by a partner, reviewed and locked by an officer.

A report may become prosecution evidence (domain rules, section H), so the facts are recorded as they were at the
time and kept apart from the officer's assessment (DPA 2018 s.38); once the officer submits a decision the report
is locked and later corrections are appended, never written over. Deciding that a failure is a breach is for the
police and the CPS: the portal only calls it a non-compliance report.
"""

from dataclasses import asdict, fields
from datetime import date, datetime

from flask import abort
from sqlalchemy import bindparam, case, select

from portal.data import audit, check_version, notifications, policy, read_rows, referrals
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    ComplianceEvent,
    ComplianceEventKind,
    NonComplianceReport,
    Order,
    Organisation,
    PolicySetting,
    Referral,
    ReferralStatus,
    ReportCorrection,
    ReportDecision,
    ReportStatus,
    Requirement,
    Subject,
    User,
    utcnow,
)
from portal.rules import noncompliance as rules
from portal.rules.noncompliance import EventFacts, Finding, MarkFacts, NonCompliancePolicy
from portal.rules.schedule import london_today

NON_COMPLIANCE = "non-compliance"

RULE = "rule"
PARTNER = "partner"

# What a partner may report about a referral they supervise.
PARTNER_KINDS = {
    "non-compliance": "Non-compliance",
    "concern": "A concern",
    "completion": "The requirement is complete",
}
PARTNER_RULE_CODES = {kind: f"partner-{kind}" for kind in PARTNER_KINDS}
REPORTABLE_REFERRALS = (ReferralStatus.ACCEPTED, ReferralStatus.ACTIVE)

DECISIONS = {
    ReportDecision.NO_FURTHER_ACTION.value: "No further action",
    ReportDecision.WARNING.value: "Warning",
    ReportDecision.REFER_FOR_BREACH.value: "Refer for breach proceedings",
}

EVENT_KINDS = {
    ComplianceEventKind.CURFEW.value: "Curfew missed",
    ComplianceEventKind.PROHIBITED_PLACE.value: "In a prohibited place",
    ComplianceEventKind.PROHIBITED_PERSON.value: "With a prohibited person",
    ComplianceEventKind.OTHER_PROHIBITION.value: "Another prohibition contravened",
}


class ReportLocked(Exception):
    """The officer has submitted a decision: the report cannot change, only be corrected by an appended note."""

    message = "This report has been submitted and is locked. Add a correction instead."


class YouthOffendingTeamInputNeeded(Exception):
    """Referring an under-18's failure for breach proceedings needs the youth offending team's input first."""

    message = "Enter the youth offending team's input before referring an under-18 for breach proceedings"


class ReferralNotReportable(Exception):
    """The referral is not one the partner is supervising, so there is nothing to report on."""

    def __init__(self, status: ReferralStatus) -> None:
        super().__init__(f"The referral is {status}")
        self.status = status


# Local policy


def non_compliance_policy() -> NonCompliancePolicy:
    """The local policy for raising non-compliance reports; the defaults when an admin has recorded none."""
    setting = read_rows(_POLICY_VALUE, {"key": NON_COMPLIANCE}).scalar()
    if setting is None:
        return NonCompliancePolicy()
    known = {item.name for item in fields(NonCompliancePolicy)}
    return NonCompliancePolicy(**{name: value for name, value in setting.items() if name in known})


_POLICY_VALUE = select(PolicySetting.value).where(PolicySetting.key == bindparam("key"))


def save_non_compliance_policy(rules: NonCompliancePolicy, user_id: int, expected_version: int | None) -> None:
    policy.save_setting(NON_COMPLIANCE, asdict(rules), user_id, expected_version)


# Raising reports


def evaluate_order(order: Order) -> list[NonComplianceReport]:
    """Run the local-policy rules on the order's current marks and recorded events; draft a report for each
    finding that no existing report already covers, and tell the order's officer. Returns the new reports.

    Safe to call after every register save: a finding is covered when an existing report for the same rule and
    requirement already rests on every session or event it rests on, so re-evaluating never duplicates.
    """
    return evaluate_orders([order.id])


def evaluate_orders(order_ids: list[int]) -> list[NonComplianceReport]:
    """`evaluate_order` for each of these orders in turn (a register's young people), their facts read together:
    one query each for the orders, marks, events and reports of them all, and the policy once."""
    if not order_ids:
        return []
    ids = set(order_ids)
    parameters = {"order_ids": sorted(ids)}
    births = dict(read_rows(_BIRTHS, parameters).all())
    marks = _mark_facts_by_order(ids)
    events = _event_facts_by_order(ids)
    reports: dict[int, list[tuple[str, int | None, dict]]] = {}
    for order_id, rule_code, requirement_id, evidence in read_rows(_RULE_REPORTS, parameters):
        reports.setdefault(order_id, []).append((rule_code, requirement_id, evidence))
    local_policy = non_compliance_policy()
    raised = []
    for order_id in order_ids:
        raised += _evaluate(
            order_id,
            births[order_id],
            marks.get(order_id, []),
            events.get(order_id, []),
            local_policy,
            _covered_by(reports.get(order_id, [])),
        )
    return raised


# Built once (a register's save runs them for its young people's orders): see evaluate_orders.
_BIRTHS = (
    select(Order.id, Subject.date_of_birth)
    .join(Subject, Subject.id == Order.subject_id)
    .where(Order.id.in_(bindparam("order_ids", expanding=True)))
)
_RULE_REPORTS = select(
    NonComplianceReport.order_id,
    NonComplianceReport.rule_code,
    NonComplianceReport.requirement_id,
    NonComplianceReport.evidence,
).where(NonComplianceReport.order_id.in_(bindparam("order_ids", expanding=True)), NonComplianceReport.source == RULE)


def _covered_by(
    reports: list[tuple[str, int | None, dict]],
) -> dict[tuple[str, int | None], list[frozenset[str]]]:
    """The evidence keys each existing rule report rests on, by rule and requirement, from the reports'
    (rule_code, requirement_id, evidence)."""
    covered: dict[tuple[str, int | None], list[frozenset[str]]] = {}
    for rule_code, requirement_id, evidence in reports:
        covered.setdefault((rule_code, requirement_id), []).append(frozenset(evidence.get("keys", ())))
    return covered


def _evaluate(
    order_id: int,
    date_of_birth: date,
    marks: list[MarkFacts],
    events: list[EventFacts],
    local_policy: NonCompliancePolicy,
    covered: dict[tuple[str, int | None], list[frozenset[str]]],
) -> list[NonComplianceReport]:
    findings = rules.evaluate(rules.age_from_birth(date_of_birth), marks, events, local_policy)
    raised = []
    for finding in findings:
        earlier = covered.get((finding.rule_code, finding.requirement_id), [])
        if any(finding.evidence_key <= keys for keys in earlier):
            continue
        report = _raise(order_id, finding)
        covered.setdefault((finding.rule_code, finding.requirement_id), []).append(finding.evidence_key)
        raised.append(report)
    audit.record(
        audit.COMBINATION,
        "order",
        order_id,
        purpose="check recorded attendance and events against the local non-compliance policy",
        findings=len(findings),
        reports_raised=[report.id for report in raised],
    )
    return raised


def _raise(order_id: int, finding: Finding) -> NonComplianceReport:
    report = NonComplianceReport(
        order_id=order_id,
        requirement_id=finding.requirement_id,
        rule_code=finding.rule_code,
        source=RULE,
        kind="non-compliance",
        status=ReportStatus.DRAFT,
        facts=finding.facts,
        evidence={
            "keys": sorted(finding.evidence_key),
            "mark_ids": list(finding.mark_ids),
            "event_ids": list(finding.event_ids),
            "dates": [day.isoformat() for day in finding.dates],
            "under_18": finding.under_18,
            "raised_under": finding.rule_wording,
        },
        raised_at=utcnow(),
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        audit.COLLECTION,
        "non-compliance-report",
        report.id,
        purpose="draft a non-compliance report for the officer to review",
        order_id=order_id,
        rule_code=finding.rule_code,
        mark_ids=list(finding.mark_ids),
        event_ids=list(finding.event_ids),
    )
    _tell_officer(report)
    return report


def _tell_officer(report: NonComplianceReport) -> None:
    """Email the order's officer: references and a link only, never the young person's name or reference."""
    sent = (
        notifications.notify_completion_reported(report)
        if report.kind == "completion"
        else notifications.notify_non_compliance_raised(report)
    )
    if sent:
        audit.record(
            audit.DISCLOSURE,
            "non-compliance-report",
            report.id,
            purpose="tell the order's officer a report needs review",
            recipient_user_id=report.order.officer_id,
            channel="email",
        )


def record_event(
    order: Order,
    kind: str,
    occurred_at: datetime,
    minutes_late: int | None,
    description: str,
    user_id: int,
) -> tuple[ComplianceEvent, list[NonComplianceReport]]:
    """An officer records a curfew missed, a prohibited place or person, or another prohibition; the rules then
    run. Returns the event and any reports it raised."""
    kind = ComplianceEventKind(kind)
    if minutes_late is not None and minutes_late < 0:
        raise ValueError("Minutes late cannot be negative")
    event = ComplianceEvent(
        order_id=order.id,
        kind=kind,
        occurred_at=occurred_at,
        minutes_late=minutes_late if kind == ComplianceEventKind.CURFEW else None,
        description=description.strip(),
        reported_by_id=user_id,
        reported_at=utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    audit.record(audit.COLLECTION, "compliance-event", event.id, user_id=user_id, order_id=order.id, kind=kind)
    return event, evaluate_order(order)


def partner_report(referral: Referral, kind: str, text: str, user_id: int) -> NonComplianceReport:
    """A partner reports non-compliance, a concern or completion for a referral they supervise.

    Completion also marks the referral completed (the requirement's supervision is over). The officer is told.
    """
    if kind not in PARTNER_KINDS:
        raise ValueError(f"Unknown report kind: {kind}")
    if not text.strip():
        raise ValueError("A report needs the facts")
    _lock_referral(referral)
    if referral.status not in REPORTABLE_REFERRALS or (
        kind == "completion" and referral.status != ReferralStatus.ACTIVE
    ):
        raise ReferralNotReportable(ReferralStatus(referral.status))
    requirement: Requirement = referral.requirement
    order = requirement.order
    report = NonComplianceReport(
        order_id=order.id,
        requirement_id=requirement.id,
        rule_code=PARTNER_RULE_CODES[kind],
        source=PARTNER,
        kind=kind,
        status=ReportStatus.DRAFT,
        facts=text.strip(),
        evidence={"referral_id": referral.id, "reported_on": london_today().isoformat()},
        raised_at=utcnow(),
        raised_by_id=user_id,
        raised_by_organisation_id=referral.organisation_id,
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        audit.COLLECTION,
        "non-compliance-report",
        report.id,
        user_id=user_id,
        organisation_id=referral.organisation_id,
        purpose=f"partner report: {kind}",
        referral_id=referral.id,
        order_id=order.id,
    )
    if kind == "completion":
        referrals.complete_referral(referral, user_id)
    _tell_officer(report)
    return report


def requirement_completed(requirement: Requirement) -> bool:
    return requirement.referral is not None and requirement.referral.status == ReferralStatus.COMPLETED


# Officer review


def reports_list() -> list[NonComplianceReport]:
    """Open (draft) reports first, oldest first so nothing waits; then submitted ones, newest first."""
    rows = list(
        db.session.scalars(
            select(NonComplianceReport).order_by(
                case((NonComplianceReport.status == ReportStatus.DRAFT, 0), else_=1),
                case(
                    (NonComplianceReport.status == ReportStatus.DRAFT, NonComplianceReport.id),
                    else_=-NonComplianceReport.id,
                ),
            )
        )
    )
    audit.record(
        audit.CONSULTATION,
        "non-compliance-report-list",
        None,
        purpose="review non-compliance reports",
        results=len(rows),
        report_ids=[row.id for row in rows],
    )
    return rows


def get_report(report_id: int) -> NonComplianceReport:
    report = db.session.get(NonComplianceReport, report_id)
    if report is None:
        abort(404)
    return report


def view_report(report_id: int, purpose: str = "review a non-compliance report") -> NonComplianceReport:
    report = get_report(report_id)
    audit.record(audit.CONSULTATION, "non-compliance-report", report.id, purpose=purpose, order_id=report.order_id)
    return report


def evidence_marks(report: NonComplianceReport) -> list[AttendanceMark]:
    ids = report.evidence.get("mark_ids") or []
    if not ids:
        return []
    return list(
        db.session.scalars(select(AttendanceMark).where(AttendanceMark.id.in_(ids)).order_by(AttendanceMark.on_date))
    )


def evidence_events(report: NonComplianceReport) -> list[ComplianceEvent]:
    ids = report.evidence.get("event_ids") or []
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(ComplianceEvent).where(ComplianceEvent.id.in_(ids)).order_by(ComplianceEvent.occurred_at)
        )
    )


def partner_statements(report: NonComplianceReport) -> list[NonComplianceReport]:
    """What partners reported about the same order (this report too, when a partner raised it)."""
    return list(
        db.session.scalars(
            select(NonComplianceReport)
            .where(NonComplianceReport.order_id == report.order_id, NonComplianceReport.source == PARTNER)
            .order_by(NonComplianceReport.raised_at, NonComplianceReport.id)
        )
    )


def names(reports: list[NonComplianceReport]) -> dict[str, dict[int, str]]:
    """Who raised and decided these reports, and for which organisation, by id (for display)."""
    user_ids = {user_id for report in reports for user_id in (report.raised_by_id, report.decided_by_id) if user_id}
    user_ids |= {
        correction.author_id for report in reports for correction in report.corrections if correction.author_id
    }
    organisation_ids = {report.raised_by_organisation_id for report in reports if report.raised_by_organisation_id}
    users = db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all() if user_ids else []
    organisations = (
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
        ).all()
        if organisation_ids
        else []
    )
    return {"users": dict(users), "organisations": dict(organisations)}


def needs_youth_offending_team(report: NonComplianceReport) -> bool:
    """An under-18's failure: any escalation needs the youth offending team's input (domain rules, rule 18)."""
    if "under_18" in report.evidence:
        return bool(report.evidence["under_18"])
    day = report.raised_at.date()
    return rules.age_from_birth(report.order.subject.date_of_birth)(day) < rules.ADULT_AGE


def decide(
    report: NonComplianceReport,
    assessment: str,
    decision: str,
    reason: str,
    user_id: int,
    expected_version: int | None = None,
    youth_offending_team_input: str = "",
) -> None:
    """The officer's assessment and decision. Submitting locks the report: its facts were never touched here."""
    _lock_report(report)
    check_version(report, expected_version)
    if report.status == ReportStatus.SUBMITTED:
        raise ReportLocked()
    decision = ReportDecision(decision)
    if not assessment.strip() or not reason.strip():
        raise ValueError("An assessment and a reason are required")
    yot = youth_offending_team_input.strip()
    if decision == ReportDecision.REFER_FOR_BREACH and needs_youth_offending_team(report) and not yot:
        raise YouthOffendingTeamInputNeeded()
    report.assessment = assessment.strip()
    report.decision = decision
    report.decision_reason = reason.strip() + (f"\n\nYouth offending team input: {yot}" if yot else "")
    report.decided_by_id = user_id
    report.submitted_at = utcnow()
    report.status = ReportStatus.SUBMITTED
    db.session.flush()
    audit.record(
        audit.ALTERATION,
        "non-compliance-report",
        report.id,
        user_id=user_id,
        change="decided and locked",
        decision=decision,
        order_id=report.order_id,
    )


def add_correction(report: NonComplianceReport, text: str, user_id: int) -> ReportCorrection:
    """Append a correction: the report itself is never overwritten."""
    if not text.strip():
        raise ValueError("A correction needs text")
    correction = ReportCorrection(report_id=report.id, text=text.strip(), author_id=user_id, created_at=utcnow())
    db.session.add(correction)
    db.session.flush()
    db.session.refresh(report, ["corrections"])
    audit.record(
        audit.ALTERATION,
        "non-compliance-report",
        report.id,
        user_id=user_id,
        change="correction appended",
        correction_id=correction.id,
    )
    return correction


def order_for_events(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    audit.record(audit.CONSULTATION, "order", order.id, purpose="record a compliance event")
    return order


# Helpers


def _mark_facts_by_order(order_ids: set[int]) -> dict[int, list[MarkFacts]]:
    """The current marks under these orders' requirements, by order, each order's by date then id."""
    rows = read_rows(_MARK_FACTS, {"order_ids": sorted(order_ids)})
    found: dict[int, list[MarkFacts]] = {}
    for row in rows:
        found.setdefault(row.order_id, []).append(
            MarkFacts(
                id=row.id,
                requirement_id=row.requirement_id,
                on_date=row.on_date,
                status=str(row.status),
                absence_acceptable=row.absence_acceptable,
                absence_reason=row.absence_reason,
                contact_attempts=row.contact_attempts,
                evidence_note=row.evidence_note,
                minutes_late=row.minutes_late,
                activity=row.activity,
                place_name=row.place_name,
                start_time=row.start_time,
                end_time=row.end_time,
            )
        )
    return found


_MARK_FACTS = (
    select(
        AttendanceMark.id,
        AttendanceMark.requirement_id,
        AttendanceMark.on_date,
        AttendanceMark.status,
        AttendanceMark.absence_acceptable,
        AttendanceMark.absence_reason,
        AttendanceMark.contact_attempts,
        AttendanceMark.evidence_note,
        AttendanceMark.minutes_late,
        Requirement.activity,
        Requirement.place_name,
        Requirement.start_time,
        Requirement.end_time,
        Requirement.order_id,
    )
    .join(Requirement, AttendanceMark.requirement_id == Requirement.id)
    .where(Requirement.order_id.in_(bindparam("order_ids", expanding=True)), AttendanceMark.is_current.is_(True))
    .order_by(AttendanceMark.on_date, AttendanceMark.id)
)


def _event_facts_by_order(order_ids: set[int]) -> dict[int, list[EventFacts]]:
    """The compliance events recorded for these orders, by order, each order's by when they occurred."""
    rows = read_rows(_EVENT_FACTS, {"order_ids": sorted(order_ids)})
    found: dict[int, list[EventFacts]] = {}
    for row in rows:
        found.setdefault(row.order_id, []).append(
            EventFacts(
                id=row.id,
                kind=str(row.kind),
                occurred_at=row.occurred_at,
                minutes_late=row.minutes_late,
                description=row.description,
            )
        )
    return found


_EVENT_FACTS = (
    select(
        ComplianceEvent.order_id,
        ComplianceEvent.id,
        ComplianceEvent.kind,
        ComplianceEvent.occurred_at,
        ComplianceEvent.minutes_late,
        ComplianceEvent.description,
    )
    .where(ComplianceEvent.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(ComplianceEvent.occurred_at)
)


def _lock_report(report: NonComplianceReport) -> None:
    """Lock the report row and reload it, so the version and status checked are the committed ones."""
    db.session.scalar(
        select(NonComplianceReport)
        .where(NonComplianceReport.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _lock_referral(referral: Referral) -> None:
    db.session.scalar(
        select(Referral).where(Referral.id == referral.id).with_for_update().execution_options(populate_existing=True)
    )
