"""Partners' referrals: the dashboard, one referral's allow-listed details, and accepting or declining it.

Pages render only `ReferralView`s (the data-sharing allow-list), never the Referral, Subject or Order rows.
The only state change a GET makes is the recorded read receipt: opening a new referral marks it viewed.
"""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.referrals import bp
from portal.data import referrals
from portal.data.referrals import ReferralView, SessionFull
from portal.forms.referrals import AcceptForm, DeclineForm
from portal.models import Referral
from portal.web.auth import own_organisation_id, partner_required
from portal.web.errors import send_back_to

GROUP_TITLES = {
    "new": "New",
    "awaiting": "Awaiting your response",
    "accepted": "Accepted",
    "closed": "Closed",
}


@bp.before_request
def _refusals_back_to_the_referral() -> None:
    """A stale or closed referral (the page error handlers) sends the partner back to the referral's page."""
    if request.view_args and "referral_id" in request.view_args:
        send_back_to("referrals.referral", referral_id=request.view_args["referral_id"])


@bp.get("/")
@partner_required
def referrals_list() -> ResponseReturnValue:
    views = referrals.partner_referral_views(own_organisation_id())
    return render_template("referrals/list.html", groups=views, titles=GROUP_TITLES)


@bp.get("/<int:referral_id>")
@partner_required
def referral(referral_id: int) -> ResponseReturnValue:
    view = referrals.open_partner_referral(own_organisation_id(), referral_id)
    return _render(view, AcceptForm(version=view.version), DeclineForm(version=view.version))


@bp.post("/<int:referral_id>/accept")
@partner_required
def accept(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            referrals.accept_referral(found, current_user.id, form.statement(), form.version.data)
        except SessionFull as full:
            return _page(found, form, DeclineForm(version=found.version), problem=full.message)
        flash("Referral accepted. A place in the session is reserved for this young person.", "success")
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _page(found, form, DeclineForm(version=found.version), errors=form)


@bp.post("/<int:referral_id>/decline")
@partner_required
def decline(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    form = DeclineForm()
    if form.validate_on_submit():
        referrals.decline_referral(found, current_user.id, form.reason.data, form.version.data)
        flash("Referral declined. The officer has been told your reason.", "success")
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _page(found, AcceptForm(version=found.version), form, errors=form)


def _page(
    found: Referral,
    accept_form: AcceptForm,
    decline_form: DeclineForm,
    *,
    errors: AcceptForm | DeclineForm | None = None,
    problem: str = "",
) -> ResponseReturnValue:
    """The referral page shown again by a POST, which has consulted the record too, so that is recorded."""
    referrals.record_consultation(found)
    view = referrals.find_partner_view(found.organisation_id, found.id)
    return _render(view, accept_form, decline_form, errors=errors, problem=problem)


def _render(
    view: ReferralView,
    accept_form: AcceptForm,
    decline_form: DeclineForm,
    *,
    errors: AcceptForm | DeclineForm | None = None,
    problem: str = "",
) -> ResponseReturnValue:
    return render_template(
        "referrals/referral.html",
        referral=view,
        accept_form=accept_form,
        decline_form=decline_form,
        form=errors,
        problem=problem,
    )
