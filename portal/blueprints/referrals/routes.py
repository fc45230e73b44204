"""Partners' referrals: the dashboard, one referral's allow-listed details, and accepting or declining it.

Pages render only `ReferralView`s (the data-sharing allow-list), never the Referral, Subject or Order rows.
The only state change a GET makes is the recorded read receipt: opening a new referral marks it viewed.
"""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.referrals import bp
from portal.blueprints.referrals.forms import AcceptForm, DeclineForm
from portal.data import EditConflict, referrals
from portal.data.referrals import ReferralClosed, ReferralView, SessionFull
from portal.forms import CHANGED_SINCE_OPENED
from portal.models import Referral
from portal.web.auth import own_organisation_id, partner_required

GROUP_TITLES = {
    "new": "New",
    "awaiting": "Awaiting your response",
    "accepted": "Accepted",
    "closed": "Closed",
}


def session_full_message(capacity: int | None) -> str:
    if capacity is None:
        return "The places per session are not confirmed. Set them on the programme's page, then accept the referral."
    return f"This session is full: all {capacity} places are taken. Decline the referral or contact the officer."


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
        except EditConflict:
            return _conflict(referral_id)
        except ReferralClosed as closed:
            return _closed(referral_id, closed)
        except SessionFull as full:
            return _page(found, form, DeclineForm(version=found.version), problem=session_full_message(full.capacity))
        flash("Referral accepted. A place in the session is reserved for this young person.", "success")
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _page(found, form, DeclineForm(version=found.version), errors=form)


@bp.post("/<int:referral_id>/decline")
@partner_required
def decline(referral_id: int) -> ResponseReturnValue:
    found = referrals.find_partner_referral(own_organisation_id(), referral_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            referrals.decline_referral(found, current_user.id, form.reason.data, form.version.data)
        except EditConflict:
            return _conflict(referral_id)
        except ReferralClosed as closed:
            return _closed(referral_id, closed)
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


def _conflict(referral_id: int) -> ResponseReturnValue:
    flash(CHANGED_SINCE_OPENED, "error")
    return redirect(url_for("referrals.referral", referral_id=referral_id)), 303


def _closed(referral_id: int, closed: ReferralClosed) -> ResponseReturnValue:
    flash(f"This referral is no longer waiting for your response: it is {closed.status}.", "error")
    return redirect(url_for("referrals.referral", referral_id=referral_id)), 303
