from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.orders import bp
from portal.data import orders, policy, subjects
from portal.data.orders import OrderInProgress, OrderLocked
from portal.forms.orders import (
    AcceptSessionsForm,
    MadeForm,
    OccasionForm,
    OrderDetailsForm,
    ProhibitionForm,
    ProhibitionTermsForm,
    RequirementForm,
    RequirementTermsForm,
    WholeForm,
)
from portal.models import Order, OrderStatus
from portal.rules.orders.checks import check_order
from portal.rules.orders.court_document import court_document_docx, court_document_sections
from portal.rules.orders.tasks import draft_tasks
from portal.rules.schedule import london_today
from portal.web.auth import officer_required
from portal.web.confirmations import Confirmation, confirmation_page
from portal.web.downloads import DOCX, download
from portal.web.errors import send_back_to

LOCKED = OrderLocked.message
PERIOD_MISFITS = frozenset({"requirement_outside_order", "requirement_outside_programme"})


def _checks(order: Order):
    facts = orders.order_facts(order, london_today())
    return facts, check_order(facts, policy.order_check_policy())


def _with_checks(template: str, order: Order, **context) -> str:
    """A page about one order, with its checks and a form carrying its version."""
    facts, result = _checks(order)
    return render_template(
        template, order=order, facts=facts, result=result, form=WholeForm(version=order.version), **context
    )


@bp.before_request
def _refusals_back_to_the_order() -> None:
    """A stale or locked order (the page error handlers) sends the officer back to the order's page."""
    if request.view_args and "order_id" in request.view_args:
        send_back_to("orders.order", order_id=request.view_args["order_id"])


def _saved(order: Order, change, message: str, then: str | None = None) -> ResponseReturnValue:
    """Apply a change to a draft (a stale or locked draft is refused, never overwritten: see portal.web.errors);
    then go to the order (or to `then`)."""
    change()
    if then is not None:
        return redirect(then)
    flash(message, "success")
    return redirect(url_for("orders.order", order_id=order.id))


@bp.post("/for-subject/<int:subject_id>")
@officer_required
def start(subject_id: int) -> ResponseReturnValue:
    subject = subjects.get_subject(subject_id)
    if not WholeForm().validate_on_submit():
        abort(400)
    existing = orders.open_order(subject.id)
    if existing is None:
        try:
            order = orders.start_draft(subject, current_user.id, current_user.account.unit)
        except OrderInProgress as started:  # another officer started one at the same moment
            existing = started.order
    if existing is not None:
        flash("This subject already has an order in progress: it is shown below.", "info")
        return redirect(url_for("orders.order", order_id=existing.id))
    flash("Draft order started. Add requirements from the suggestions or by hand.", "success")
    return redirect(url_for("orders.order", order_id=order.id))


@bp.post("/for-subject/<int:subject_id>/sessions")
@officer_required
def accept_sessions(subject_id: int) -> ResponseReturnValue:
    """Accept one suggested session, or a whole weekly plan, into the subject's draft (started if need be)."""
    subject = subjects.get_subject(subject_id)
    form = AcceptSessionsForm()
    if not form.validate_on_submit():
        abort(400)
    session_ids = [int(value) for value in request.form.getlist("session_id") if value.isdigit()]
    sessions = orders.requirable_sessions(session_ids)
    if not sessions or len(sessions) != len(set(session_ids)):
        abort(400)
    order = orders.open_order(subject.id)
    if order is None:
        try:
            period = form.suggested_period(london_today())
            order = orders.start_draft(subject, current_user.id, current_user.account.unit, period)
        except OrderInProgress as started:  # another officer started one at the same moment
            order = started.order
    send_back_to("orders.order", order_id=order.id)
    expected = form.version.data if form.version.data is not None else order.version
    already = {requirement.session_id for requirement in order.requirements}
    added = len([session for session in sessions if session.id not in already])
    return _saved(
        order,
        lambda: orders.add_requirements_from_sessions(order, sessions, current_user.id, expected),
        f"{added} requirement{'s' if added != 1 else ''} added and sent to the partner to confirm."
        if added
        else "Already in the draft order: nothing was added.",
    )


@bp.get("/<int:order_id>")
@officer_required
def order(order_id: int) -> ResponseReturnValue:
    found = orders.view_order(order_id)
    draft = found.status == OrderStatus.DRAFT
    out_of_step = orders.prohibitions_out_of_step(found) if draft else []
    facts, result = _checks(found)
    return render_template(
        "orders/order.html",
        order=found,
        facts=facts,
        result=result,
        form=WholeForm(version=found.version),
        out_of_step=out_of_step,
        history=orders.order_history(found.subject_id),
        tasks=draft_tasks(result, orders.draft_state(found, bool(out_of_step))) if draft else [],
    )


@bp.route("/<int:order_id>/details", methods=["GET", "POST"])
@officer_required
def details(order_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = OrderDetailsForm(obj=found)
    if request.method == "GET":
        form.duration_months.data = str(found.duration_months)
    if form.validate_on_submit():

        def save() -> None:
            orders.update_details(found, form.order_fields(), form.version.data)
            _say_which_requirements_no_longer_fit(found)

        return _saved(found, save, "Order details saved.")
    return render_template("orders/details.html", order=found, form=form)


def _say_which_requirements_no_longer_fit(order: Order) -> None:
    """The period may have changed: every requirement is re-checked against it, and any misfit is said at once."""
    misfits = {p.requirement_id for p in _checks(order)[1].problems if p.code in PERIOD_MISFITS}
    if misfits:
        count = len(misfits)
        flash(
            f"{count} requirement{'s' if count != 1 else ''} no longer {'fit' if count != 1 else 'fits'} the "
            "order's dates: see the checks.",
            "error",
        )


@bp.route("/<int:order_id>/occasions/new", methods=["GET", "POST"])
@officer_required
def occasion_new(order_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = OccasionForm(version=found.version)
    if form.validate_on_submit():
        fields = {
            "occurred_on": form.occurred_on.data,
            "location_type": form.location_type.data,
            "summary": form.summary.data.strip(),
            "good_reason_claimed": (form.good_reason_claimed.data or "").strip(),
        }
        return _saved(found, lambda: orders.add_occasion(found, fields, form.version.data), "Occasion added.")
    return render_template("orders/occasion-form.html", order=found, form=form)


@bp.post("/<int:order_id>/occasions/<int:occasion_id>/remove")
@officer_required
def occasion_remove(order_id: int, occasion_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = WholeForm()
    if not form.validate_on_submit():
        abort(400)
    return _saved(found, lambda: orders.remove_occasion(found, occasion_id, form.version.data), "Occasion removed.")


@bp.route("/<int:order_id>/requirements/new", methods=["GET", "POST"])
@officer_required
def requirement_new(order_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = RequirementForm(version=found.version)
    if form.validate_on_submit():
        return _saved(
            found,
            lambda: orders.add_requirement(found, form.requirement_fields(), form.version.data),
            "Requirement added. Its supervisor must confirm it before the order can go to court.",
        )
    return render_template("orders/requirement-form.html", order=found, form=form, requirement=None)


@bp.route("/<int:order_id>/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@officer_required
def requirement_edit(order_id: int, requirement_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    requirement = orders.part_of(found.requirements, requirement_id)
    form = RequirementTermsForm(obj=requirement, version=found.version)
    if form.validate_on_submit():
        return _saved(
            found,
            lambda: orders.update_requirement(found, requirement_id, form.terms(), form.version.data),
            "Requirement saved.",
        )
    return render_template("orders/requirement-form.html", order=found, form=form, requirement=requirement)


@bp.route("/<int:order_id>/requirements/<int:requirement_id>/remove", methods=["GET", "POST"])
@officer_required
def requirement_remove(order_id: int, requirement_id: int) -> ResponseReturnValue:
    """Asks first (GET), since removing a referred requirement withdraws the partner's referral."""
    asking = request.method == "GET"
    found = orders.editable_draft(order_id, purpose="confirm removing a requirement" if asking else None)
    form = WholeForm(version=found.version)
    if asking:
        return confirmation_page(_removal_question(found, requirement_id), form)
    if not form.validate_on_submit():
        abort(400)
    return _saved(
        found,
        lambda: orders.remove_requirement(found, requirement_id, form.version.data),
        "Requirement removed and its referral withdrawn.",
    )


def _removal_question(order: Order, requirement_id: int) -> Confirmation:
    requirement = orders.part_of(order.requirements, requirement_id)
    referred = orders.is_referred(requirement)
    back = url_for("orders.order", order_id=order.id)
    if referred:
        consequences = (
            "The partner will be told their referral is withdrawn, "
            f"and the place they kept for {order.subject.first_name} is freed.",
        )
        warning = "You cannot undo this. To add it again you would have to refer the young person again."
    else:
        consequences, warning = ("The requirement will be taken out of the draft order.",), "You cannot undo this."
    return Confirmation(
        caption=f"{order.subject.reference} · version {order.order_version}",
        heading="Remove this requirement?",
        consequences=consequences,
        quoted=(requirement.activity, requirement.place_name),
        warning=warning,
        button="Remove requirement",
        action=url_for("orders.requirement_remove", order_id=order.id, requirement_id=requirement_id),
        cancel=back,
        hidden={"version": order.version},
    )


@bp.route("/<int:order_id>/prohibitions/new", methods=["GET", "POST"])
@officer_required
def prohibition_new(order_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = ProhibitionForm(version=found.version)
    if form.validate_on_submit():
        return _saved(
            found,
            lambda: orders.add_prohibition(found, form.prohibition_fields(), form.version.data),
            "Prohibition added.",
        )
    return render_template("orders/prohibition-form.html", order=found, form=form, prohibition=None)


@bp.route("/<int:order_id>/prohibitions/<int:prohibition_id>/edit", methods=["GET", "POST"])
@officer_required
def prohibition_edit(order_id: int, prohibition_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    prohibition = orders.part_of(found.prohibitions, prohibition_id)
    form = ProhibitionTermsForm(obj=prohibition, version=found.version)
    if form.validate_on_submit():
        return _saved(
            found,
            lambda: orders.update_prohibition(found, prohibition_id, form.terms(), form.version.data),
            "Prohibition saved.",
        )
    return render_template("orders/prohibition-form.html", order=found, form=form, prohibition=prohibition)


@bp.post("/<int:order_id>/prohibitions/<int:prohibition_id>/remove")
@officer_required
def prohibition_remove(order_id: int, prohibition_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = WholeForm()
    if not form.validate_on_submit():
        abort(400)
    return _saved(
        found, lambda: orders.remove_prohibition(found, prohibition_id, form.version.data), "Prohibition removed."
    )


@bp.post("/<int:order_id>/prohibitions/sync")
@officer_required
def prohibitions_sync(order_id: int) -> ResponseReturnValue:
    found = orders.editable_draft(order_id)
    form = WholeForm()
    if not form.validate_on_submit():
        abort(400)

    def sync() -> None:
        orders.ensure_editable(found, form.version.data)
        orders.sync_prohibitions(found)
        orders.touch(found, "prohibitions brought up to date with the subject's record")

    return _saved(found, sync, "Place and person prohibitions now match the subject's record.")


@bp.get("/<int:order_id>/checks")
@officer_required
def checks(order_id: int) -> ResponseReturnValue:
    found = orders.view_order(order_id, purpose="check the draft against the rules")
    return _with_checks("orders/checks.html", found)


@bp.get("/<int:order_id>/court-document.docx")
@officer_required
def court_document(order_id: int) -> ResponseReturnValue:
    found = orders.view_order(order_id, purpose="export the court document")
    facts, result = _checks(found)
    filename = f"kcpo-{found.subject.reference}-v{found.order_version}.docx"
    return download(court_document_docx(facts, result), DOCX, filename)


@bp.get("/<int:order_id>/print")
@officer_required
def print_view(order_id: int) -> ResponseReturnValue:
    found = orders.view_order(order_id, purpose="print the court document")
    facts, result = _checks(found)
    return render_template(
        "orders/print.html", order=found, result=result, sections=court_document_sections(facts, result)
    )


@bp.get("/<int:order_id>/file")
@officer_required
def file_check(order_id: int) -> ResponseReturnValue:
    """Check your answers before filing: filing locks the order."""
    found = orders.editable_draft(order_id, purpose="check the order before filing")
    return _with_checks("orders/file-check.html", found, out_of_step=orders.prohibitions_out_of_step(found))


@bp.get("/<int:order_id>/filed")
@officer_required
def filed(order_id: int) -> ResponseReturnValue:
    found = orders.view_order(order_id, purpose="confirm the order was filed")
    if found.status != OrderStatus.FILED:
        return redirect(url_for("orders.order", order_id=order_id))
    facts, _result = _checks(found)
    return render_template("orders/filed.html", order=found, facts=facts)


@bp.post("/<int:order_id>/file")
@officer_required
def file(order_id: int) -> ResponseReturnValue:
    found = orders.get_order(order_id)
    form = WholeForm()
    if not form.validate_on_submit():
        abort(400)
    _facts, result = _checks(found)
    if not result.ready_for_court:
        count = len(result.problems)
        flash(f"The order is not ready for court: {count} problem{'s remain' if count != 1 else ' remains'}.", "error")
        return redirect(url_for("orders.checks", order_id=order_id)), 303
    if orders.prohibitions_out_of_step(found):
        flash(
            "The subject's record has changed since the prohibitions were drawn. Bring them up to date first.", "error"
        )
        return redirect(url_for("orders.order", order_id=order_id)), 303
    return _saved(
        found,
        lambda: orders.file_order(found, form.version.data),
        "Order filed. It is now locked.",
        then=url_for("orders.filed", order_id=order_id),
    )


@bp.route("/<int:order_id>/made", methods=["GET", "POST"])
@officer_required
def made(order_id: int) -> ResponseReturnValue:
    found = orders.get_order(order_id)
    if found.status != OrderStatus.FILED:
        flash("Only a filed order can be recorded as made by the court.", "error")
        return redirect(url_for("orders.order", order_id=order_id)), 303
    form = MadeForm(version=found.version, made_by_court=found.court, filed_on=orders.filed_on(found))
    if form.validate_on_submit():
        fields = {
            "made_on": form.made_on.data,
            "made_by_court": form.made_by_court.data.strip(),
            "final_terms": (form.final_terms.data or "").strip(),
        }
        return _saved(
            found,
            lambda: orders.mark_made(found, fields, form.version.data),
            "Order recorded as made. Its requirements are active and the partners' registers have started.",
        )
    return render_template("orders/made.html", order=found, form=form, filed_on=form.filed_on)


@bp.post("/<int:order_id>/new-version")
@officer_required
def new_version(order_id: int) -> ResponseReturnValue:
    found = orders.get_order(order_id)
    if not WholeForm().validate_on_submit():
        abort(400)
    try:
        copy = orders.start_new_version(found, current_user.id)
    except OrderLocked:
        flash("Only a filed order can be replaced by a new version.", "error")
        return redirect(url_for("orders.order", order_id=order_id)), 303
    flash(f"Version {copy.order_version} started. Version {found.order_version} stays as it was filed.", "success")
    return redirect(url_for("orders.order", order_id=copy.id))
