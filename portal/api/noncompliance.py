"""Non-compliance reports (officers): list, read and decide through `portal.data.noncompliance`, audited as on the
report pages. Deciding locks the report; later corrections are appended, never overwritten."""

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.api import serialisers
from portal.api.errors import ApiError, ValidationFailed
from portal.api.inputs import FormInput, json_body, page_params
from portal.api.registry import ID, expected_version, make_etag, operation, page_of, respond
from portal.data import noncompliance
from portal.data.noncompliance import ReportLocked, YouthOffendingTeamInputNeeded
from portal.forms.noncompliance import CorrectionForm, DecisionForm, EventForm
from portal.models import NonComplianceReport, ReportStatus, Role
from portal.web.access_reason import shows_personal_data

TAG = "Non-compliance"
OFFICERS = (Role.OFFICER,)
DECISION_INPUT = FormInput(DecisionForm)
CORRECTION_INPUT = FormInput(CorrectionForm)
EVENT_INPUT = FormInput(EventForm)
STATUS_PARAMETER = {
    "name": "status",
    "in": "query",
    "description": "Only draft (waiting for a decision) or submitted (decided and locked) reports",
    "schema": {"type": "string", "enum": [str(s) for s in ReportStatus]},
}


def _answer(found: NonComplianceReport, status: int = 200) -> ResponseReturnValue:
    """The report as its page shows it: the evidence it rests on and what partners reported about the same order."""
    statements = noncompliance.partner_statements(found)
    body = serialisers.report(
        found,
        noncompliance.evidence_marks(found),
        noncompliance.evidence_events(found),
        noncompliance.needs_youth_offending_team(found),
        statements,
        noncompliance.names([found, *statements])["organisations"],
    )
    return respond(body, status, etag=make_etag("report", found.id, found.version))


@operation(
    "/reports",
    "GET",
    roles=OFFICERS,
    summary="Non-compliance reports: open ones first, oldest first; then submitted ones, newest first",
    tag=TAG,
    query=(STATUS_PARAMETER,),
    response="ReportPage",
    paged=True,
)
@shows_personal_data
def reports_list() -> ResponseReturnValue:
    page, per_page = page_params()
    status = request.args.get("status")
    if status is not None and status not in {str(s) for s in ReportStatus}:
        raise ValidationFailed({"status": "status must be draft or submitted"})
    rows = [row for row in noncompliance.reports_list() if status in (None, row.status)]
    return respond(page_of([serialisers.report_summary(row) for row in rows], page, per_page))


@operation(
    f"/reports/<{ID}:report_id>",
    "GET",
    roles=OFFICERS,
    summary="One report with the evidence it rests on",
    tag=TAG,
    response="Report",
    etag=True,
)
def report(report_id: int) -> ResponseReturnValue:
    return _answer(noncompliance.view_report(report_id))


@operation(
    f"/reports/<{ID}:report_id>/decision",
    "POST",
    roles=OFFICERS,
    summary="Record your assessment and decision; the report is then locked",
    tag=TAG,
    body=DECISION_INPUT,
    if_match="required",
    response="Report",
    rule_failures=("report_locked",),
    etag=True,
)
def report_decide(report_id: int) -> ResponseReturnValue:
    found = noncompliance.view_report(report_id)
    expected = expected_version("report", found.id)
    if found.status == ReportStatus.SUBMITTED:
        raise ApiError(422, "report_locked", ReportLocked.message)
    form = DECISION_INPUT.validate(json_body())
    try:
        noncompliance.decide(
            found,
            form.assessment.data,
            form.decision.data,
            form.reason.data,
            current_user.id,
            expected,
            form.youth_offending_team_input.data or "",
        )
    except ReportLocked:
        raise ApiError(422, "report_locked", ReportLocked.message) from None
    except YouthOffendingTeamInputNeeded:
        raise ValidationFailed({"youth_offending_team_input": YouthOffendingTeamInputNeeded.message}) from None
    return _answer(found)


@operation(
    f"/reports/<{ID}:report_id>/corrections",
    "POST",
    roles=OFFICERS,
    summary="Append a correction (the report as submitted is unchanged)",
    tag=TAG,
    body=CORRECTION_INPUT,
    response="Report",
    status=201,
    etag=True,
)
def report_correct(report_id: int) -> ResponseReturnValue:
    found = noncompliance.get_report(report_id)
    form = CORRECTION_INPUT.validate(json_body())
    noncompliance.add_correction(found, form.text.data, current_user.id)
    return _answer(found, 201)


@operation(
    f"/orders/<{ID}:order_id>/events",
    "POST",
    roles=OFFICERS,
    summary="Record a curfew missed, or a prohibited place, person or other prohibition; the local-policy rules run",
    description=(
        "Answers the event and the non-compliance reports it raised for your review: none when local policy does "
        "not raise one for it. `occurred_on` and `occurred_time` say when it happened (not in the future); "
        "`minutes_late` is needed for a curfew."
    ),
    tag=TAG,
    body=EVENT_INPUT,
    response="EventRecorded",
    status=201,
)
def order_event_create(order_id: int) -> ResponseReturnValue:
    order = noncompliance.order_for_events(order_id)
    form = EVENT_INPUT.validate(json_body())
    event, raised = noncompliance.record_event(
        order, form.kind.data, form.occurred_at(), form.minutes_late.data, form.description.data, current_user.id
    )
    raised_reports = [serialisers.report_summary(found) for found in raised]
    return respond({"event": serialisers.compliance_event(event), "raised_reports": raised_reports}, 201)
