"""Partners' attendance registers: the sessions they supervise, and one register per session date.

Pages render only the dataclasses in `portal.data.attendance`, whose one detail about a young person is the
allow-listed short name. Dates travel in the path as YYYY-MM-DD; anything else, or a session and date at which this
organisation expects no one, is 'not found'.
"""

import re
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.registers import bp
from portal.data import attendance, programmes, registers
from portal.data.attendance import Register, RegisterNotOpen
from portal.forms import CHANGED_SINCE_OPENED
from portal.forms.registers import CancelForm, RegisterForm, register_form
from portal.rules.schedule import london_today
from portal.web.auth import own_organisation_id, partner_required
from portal.web.date_filters import errors_of, read_period
from portal.web.filters import govuk_date
from portal.web.pagination import page_number, pagination

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WINDOW = attendance.REGISTERS_WINDOW


@bp.get("/")
@partner_required
def registers_list() -> ResponseReturnValue:
    today = london_today()
    window, overdue = attendance.registers_overview(own_organisation_id(), WINDOW)
    older_overdue = [expected for expected in overdue if expected.on_date < today - WINDOW]
    recent = older_overdue + [expected for expected in window if expected.on_date <= today]
    upcoming = [expected for expected in window if expected.on_date > today]
    return render_template(
        "registers/list.html",
        recent=list(reversed(recent)),
        upcoming=upcoming,
        overdue=sum(expected.overdue for expected in recent),
        today=today,
    )


@bp.get("/history")
@partner_required
def history() -> ResponseReturnValue:
    """Every register of the organisation's referrals, however old, by date and programme, newest first."""
    organisation_id = own_organisation_id()
    own_programmes = programmes.list_own_programmes(organisation_id)
    date_from, date_to = read_period(request.args)
    errors = errors_of(date_from, date_to)
    chosen = request.args.get("programme", "")
    programme = next((found for found in own_programmes if str(found.id) == chosen), None)
    if chosen and programme is None:
        errors["programme"] = "Select a programme from the list"
    rows: list = []
    if not errors:
        session_ids = {session.id for session in programme.sessions} if programme else None
        rows = attendance.register_history(organisation_id, date_from.value, date_to.value, session_ids)
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    kept = date_from.query() | date_to.query() | ({"programme": chosen} if programme else {})
    return render_template(
        "registers/history.html",
        rows=rows[(page - 1) * per_page : page * per_page],
        total=len(rows),
        date_from=date_from,
        date_to=date_to,
        programmes=own_programmes,
        chosen=chosen,
        errors=errors,
        today=london_today(),
        pagination=pagination(page, len(rows), per_page, "registers.history", **kept),
    ), (400 if errors else 200)


@bp.get("/<int:session_id>/<on_date>")
@partner_required
def register(session_id: int, on_date: str) -> ResponseReturnValue:
    found = registers.register(own_organisation_id(), session_id, _day(on_date))
    return _page(found, register_form(found), CancelForm())


@bp.post("/<int:session_id>/<on_date>")
@partner_required
def save(session_id: int, on_date: str) -> ResponseReturnValue:
    organisation_id, day = own_organisation_id(), _day(on_date)
    # The current marks are enough to check and save; the page, when it is shown again, reads their history too.
    found = registers.find_register(organisation_id, session_id, day, history=False)
    form = register_form(found)

    def shown_again(**why: RegisterForm | str) -> ResponseReturnValue:
        return _page(registers.with_history(found), form, CancelForm(), **why)

    if not found.markable:
        return shown_again(problem=found.not_open_message)
    if form.is_submitted() and _opened_on_older_marks(form):
        # Checked before the form's own rules, which would otherwise ask for a reason to change a mark this person
        # never saw (someone else's save in between), instead of saying what happened.
        flash(CHANGED_SINCE_OPENED, "error")
        return redirect(url_for("registers.register", session_id=session_id, on_date=on_date)), 303
    if form.validate_on_submit():
        try:
            added = registers.save_register(found, form.marks(), current_user.id)
        except RegisterNotOpen as closed:
            return shown_again(problem=closed.reason)
        flash(
            f"Register saved for {_when(found)}." if added else "Nothing changed: the register is as it was.", "success"
        )
        return redirect(url_for("registers.register", session_id=session_id, on_date=on_date))
    return shown_again(errors=form)


@bp.post("/<int:session_id>/<on_date>/cancel")
@partner_required
def cancel(session_id: int, on_date: str) -> ResponseReturnValue:
    organisation_id, day = own_organisation_id(), _day(on_date)
    found = registers.find_register(organisation_id, session_id, day)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            registers.cancel_session(organisation_id, session_id, day, form.reason.data, current_user.id)
        except RegisterNotOpen as closed:
            return _page(found, register_form(found), form, problem=closed.reason)
        flash(f"Session recorded as cancelled for {_when(found)}. No one is expected that day.", "success")
        return redirect(url_for("registers.register", session_id=session_id, on_date=on_date))
    return _page(found, register_form(found), form, errors=form)


def _opened_on_older_marks(form: RegisterForm) -> bool:
    """Whether any young person's mark changed since the register was opened (the revision the form carries)."""
    for row in form.rows:
        opened = form.field(row, "revision").data
        if opened is not None and opened != (row.current.revision if row.current else 0):
            return True
    return False


def _day(on_date: str) -> date:
    """The YYYY-MM-DD path segment as a date; anything else is 'not found'."""
    if not ISO_DATE.match(on_date):
        abort(404)
    try:
        return date.fromisoformat(on_date)
    except ValueError:
        abort(404)


def _when(found: Register) -> str:
    return govuk_date(found.session.on_date)


def _page(
    found: Register,
    register_form_: RegisterForm,
    cancel_form: CancelForm,
    *,
    errors: RegisterForm | CancelForm | None = None,
    problem: str = "",
) -> ResponseReturnValue:
    """The register page; a POST that shows it again has consulted the marks too, so that is recorded."""
    if errors is not None or problem:
        registers.record_consultation(found)
    return render_template(
        "registers/register.html",
        register=found,
        register_form=register_form_,
        cancel_form=cancel_form,
        form=errors,
        problem=problem,
    )
