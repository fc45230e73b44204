from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.noncompliance import bp
from portal.data import noncompliance, referrals
from portal.data.noncompliance import (
    DECISIONS,
    EVENT_KINDS,
    PARTNER_KINDS,
    ReferralNotReportable,
    ReportLocked,
    YouthOffendingTeamInputNeeded,
)
from portal.forms.noncompliance import CorrectionForm, DecisionForm, EventForm, PartnerReportForm
from portal.models import NonComplianceReport, ReportStatus
from portal.rules.noncompliance import RULE_NAMES as RULE_TEXT
from portal.web.access_reason import shows_personal_data
from portal.web.auth import officer_required, own_organisation_id, partner_required

LOCKED = ReportLocked.message
RULE_NAMES = RULE_TEXT | {
    "partner-non-compliance": "Partner: non-compliance",
    "partner-concern": "Partner: a concern",
    "partner-completion": "Partner: requirement complete",
}
YOT_NEEDED = YouthOffendingTeamInputNeeded.message


@bp.get("/")
@officer_required
@shows_personal_data
def reports_list() -> ResponseReturnValue:
    rows = noncompliance.reports_list()
    return render_template(
        "noncompliance/list.html",
        open_reports=[row for row in rows if row.status == ReportStatus.DRAFT],
        submitted=[row for row in rows if row.status == ReportStatus.SUBMITTED],
        rule_names=RULE_NAMES,
        decisions=DECISIONS,
    )


@bp.route("/<int:report_id>", methods=["GET", "POST"])
@officer_required
def report(report_id: int) -> ResponseReturnValue:
    found = noncompliance.view_report(report_id)
    form = DecisionForm(version=found.version)
    if found.status == ReportStatus.SUBMITTED and form.is_submitted():
        flash(LOCKED, "error")
        return redirect(url_for("noncompliance.report", report_id=report_id)), 303
    if form.validate_on_submit():
        try:
            noncompliance.decide(
                found,
                form.assessment.data,
                form.decision.data,
                form.reason.data,
                current_user.id,
                form.version.data,
                form.youth_offending_team_input.data or "",
            )
        except YouthOffendingTeamInputNeeded:
            form.youth_offending_team_input.errors.append(YOT_NEEDED)
        else:
            flash("Decision recorded. The report is now locked.", "success")
            return redirect(url_for("noncompliance.report", report_id=report_id))
    return _report_page(found, form=form)


@bp.post("/<int:report_id>/corrections")
@officer_required
def correction(report_id: int) -> ResponseReturnValue:
    found = noncompliance.get_report(report_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        noncompliance.add_correction(found, form.text.data, current_user.id)
        flash("Correction added. The report as submitted is unchanged.", "success")
        return redirect(url_for("noncompliance.report", report_id=report_id))
    noncompliance.view_report(report_id)
    return _report_page(found, correction_form=form), 400


def _report_page(
    found: NonComplianceReport, form: DecisionForm | None = None, correction_form: CorrectionForm | None = None
) -> str:
    statements = noncompliance.partner_statements(found)
    return render_template(
        "noncompliance/report.html",
        report=found,
        form=form if found.status == ReportStatus.DRAFT else None,
        correction_form=correction_form or CorrectionForm(formdata=None),
        marks=noncompliance.evidence_marks(found),
        events=noncompliance.evidence_events(found),
        statements=statements,
        names=noncompliance.names([found, *statements]),
        rule_names=RULE_NAMES,
        needs_yot=noncompliance.needs_youth_offending_team(found),
        decisions=DECISIONS,
        event_kinds=EVENT_KINDS,
        partner_kinds=PARTNER_KINDS,
    )


@bp.route("/orders/<int:order_id>/events/new", methods=["GET", "POST"])
@officer_required
def event_new(order_id: int) -> ResponseReturnValue:
    order = noncompliance.order_for_events(order_id)
    form = EventForm()
    if form.validate_on_submit():
        _event, raised = noncompliance.record_event(
            order,
            form.kind.data,
            form.occurred_at(),
            form.minutes_late.data,
            form.description.data,
            current_user.id,
        )
        if raised:
            plural = "s" if len(raised) != 1 else ""
            flash(f"Event recorded. {len(raised)} non-compliance report{plural} raised for review.", "success")
            return redirect(url_for("noncompliance.report", report_id=raised[0].id))
        flash("Event recorded. Under local policy it does not raise a non-compliance report.", "success")
        return redirect(url_for("noncompliance.reports_list"))
    return render_template("noncompliance/event-form.html", order=order, form=form)


@bp.route("/partner/referrals/<int:referral_id>/new", methods=["GET", "POST"])
@partner_required
def partner_new(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    referrals.record_consultation(found)
    form = PartnerReportForm()
    problem = None
    if form.validate_on_submit():
        try:
            noncompliance.partner_report(found, form.kind.data, form.text.data, current_user.id)
        except ReferralNotReportable as closed:
            problem = f"You cannot report on this referral: it is {closed.status}."
        else:
            flash("Report sent to the officer.", "success")
            return redirect(url_for("referrals.referral", referral_id=referral_id))
    return render_template(
        "noncompliance/partner-form.html",
        referral=referrals.find_partner_view(found.organisation_id, found.id),
        form=form,
        problem=problem,
    )
