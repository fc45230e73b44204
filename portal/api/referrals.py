"""Partners' referrals: only the allow-listed `partner_view` fields, through `portal.data.referrals`, with the same
read receipt, audit and race-safe acceptance as the referral pages."""

from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.api import serialisers
from portal.api.errors import ApiError, ValidationFailed
from portal.api.inputs import FormInput, json_body, page_params
from portal.api.registry import ID, expected_version, make_etag, operation, page_of, respond
from portal.data import noncompliance, referrals
from portal.data.noncompliance import ReferralNotReportable
from portal.data.referrals import DASHBOARD_GROUPS, ReferralClosed, ReferralView, SessionFull
from portal.forms.noncompliance import PartnerReportForm
from portal.forms.referrals import AcceptForm, DeclineForm
from portal.models import Role
from portal.web.auth import own_organisation_id

TAG = "Referrals"
PARTNERS = (Role.PARTNER,)
ACCEPT_INPUT = FormInput(AcceptForm)
DECLINE_INPUT = FormInput(DeclineForm, prefix="decline")
REPORT_INPUT = FormInput(PartnerReportForm)
GROUP_PARAMETER = {
    "name": "group",
    "in": "query",
    "description": "Only this dashboard group",
    "schema": {"type": "string", "enum": list(DASHBOARD_GROUPS)},
}


def _answer(view: ReferralView) -> ResponseReturnValue:
    return respond(serialisers.referral(view), etag=make_etag("referral", view.referral_id, view.version))


def _closed(closed: ReferralClosed) -> ApiError:
    return ApiError(422, "referral_closed", closed.message)


@operation(
    "/referrals",
    "GET",
    roles=PARTNERS,
    summary="Referrals sent to your organisation, grouped as on the dashboard (new, awaiting, accepted, closed)",
    tag=TAG,
    query=(GROUP_PARAMETER,),
    response="ReferralPage",
    paged=True,
)
def referrals_list() -> ResponseReturnValue:
    from flask import request

    page, per_page = page_params()
    group = request.args.get("group")
    if group is not None and group not in DASHBOARD_GROUPS:
        raise ValidationFailed({"group": f"group must be one of: {', '.join(DASHBOARD_GROUPS)}"})
    grouped = referrals.partner_referral_views(own_organisation_id())
    views = [serialisers.referral(view) for name, found in grouped.items() if group in (None, name) for view in found]
    return respond(page_of(views, page, per_page))


@operation(
    f"/referrals/<{ID}:referral_id>",
    "GET",
    roles=PARTNERS,
    summary="One referral (opening a new one marks it viewed, as the page does)",
    tag=TAG,
    response="Referral",
    etag=True,
)
def referral(referral_id: int) -> ResponseReturnValue:
    return _answer(referrals.open_partner_referral(own_organisation_id(), referral_id))


@operation(
    f"/referrals/<{ID}:referral_id>/accept",
    "POST",
    roles=PARTNERS,
    summary="Accept and confirm supervision with your statement; takes a place in the session",
    tag=TAG,
    body=ACCEPT_INPUT,
    if_match="required",
    response="Referral",
    rule_failures=("session_full", "referral_closed"),
    etag=True,
)
def referral_accept(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    expected = expected_version("referral", found.id)
    form = ACCEPT_INPUT.validate(json_body())
    try:
        referrals.accept_referral(found, current_user.id, form.statement(), expected)
    except ReferralClosed as closed:
        raise _closed(closed) from None
    except SessionFull as full:
        raise ApiError(422, "session_full", full.message) from None
    return _answer(referrals.find_partner_view(found.organisation_id, found.id))


@operation(
    f"/referrals/<{ID}:referral_id>/decline",
    "POST",
    roles=PARTNERS,
    summary="Decline, with the reason the officer will see",
    tag=TAG,
    body=DECLINE_INPUT,
    if_match="required",
    response="Referral",
    rule_failures=("referral_closed",),
    etag=True,
)
def referral_decline(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    expected = expected_version("referral", found.id)
    form = DECLINE_INPUT.validate(json_body())
    try:
        referrals.decline_referral(found, current_user.id, form.reason.data, expected)
    except ReferralClosed as closed:
        raise _closed(closed) from None
    return _answer(referrals.find_partner_view(found.organisation_id, found.id))


@operation(
    f"/referrals/<{ID}:referral_id>/reports",
    "POST",
    roles=PARTNERS,
    summary="Tell the officer: non-compliance, a concern, or that the requirement is complete",
    description=(
        "For a referral you have accepted or are supervising. Facts only: the officer makes any assessment. "
        "Completion also marks the referral completed. The officer is told by email (without personal data)."
    ),
    tag=TAG,
    body=REPORT_INPUT,
    response="PartnerReport",
    status=201,
    rule_failures=("referral_not_reportable",),
)
def referral_report(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    referrals.record_consultation(found)
    form = REPORT_INPUT.validate(json_body())
    try:
        report = noncompliance.partner_report(found, form.kind.data, form.text.data, current_user.id)
    except ReferralNotReportable as closed:
        raise ApiError(
            422, "referral_not_reportable", f"You cannot report on this referral: it is {closed.status}."
        ) from None
    view = referrals.find_partner_view(found.organisation_id, found.id)
    return respond(serialisers.partner_report(report, view), 201)
