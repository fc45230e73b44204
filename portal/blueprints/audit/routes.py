from datetime import date

from flask import Response, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue

from portal.access_reason import next_page_after_reason
from portal.auth import officer_required, roles_required
from portal.blueprints.audit import bp
from portal.blueprints.audit.forms import ReasonForm
from portal.data import audit
from portal.models import Role
from portal.pagination import page_number, pagination

# Separation of duties: admins manage accounts, so they do not also read the log of what they did.
auditor_required = roles_required(Role.AUDITOR)


def _whole_number(name: str, errors: dict[str, str], label: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        errors[name] = f"{label} must be a whole number"
        return None
    return int(raw)


def _day(name: str, errors: dict[str, str], label: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label} must be a real date, like 2026-03-27"
        return None


def _filters() -> tuple[audit.LogFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    filters = audit.LogFilters(
        subject_id=_whole_number("subject", errors, "Subject ID"),
        user_id=_whole_number("user", errors, "User"),
        organisation_id=_whole_number("organisation", errors, "Organisation"),
        date_from=_day("from", errors, "From date"),
        date_to=_day("to", errors, "To date"),
    )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors["to"] = "To date must be the same as or after the from date"
    return filters, errors


def _query_values(filters: audit.LogFilters) -> dict[str, str]:
    names = {"subject_id": "subject", "user_id": "user", "organisation_id": "organisation"}
    names |= {"date_from": "from", "date_to": "to"}
    return {names[key]: value for key, value in filters.as_query().items()}


@bp.get("/events")
@auditor_required
def events() -> ResponseReturnValue:
    filters, errors = _filters()
    users, organisations = audit.filter_choices()
    if errors:
        rows, total = [], 0
    else:
        page, per_page = page_number(), current_app.config["PAGE_SIZE"]
        rows, total = audit.search_log(filters, page, per_page)
    values = _query_values(filters)
    return render_template(
        "audit/events.html",
        rows=rows,
        total=total,
        errors=errors,
        filters=filters,
        raw=request.args,
        users=users,
        organisations=organisations,
        export_values=values,
        pagination=None if errors else pagination(page, total, per_page, "audit.events", **values),
    ), (400 if errors else 200)


@bp.get("/events.csv")
@auditor_required
def events_csv() -> ResponseReturnValue:
    filters, errors = _filters()
    if errors:
        return Response("; ".join(errors.values()), status=400, mimetype="text/plain")
    body = audit.export_log(filters).encode("utf-8-sig")
    filename = f"audit-log-{date.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/reason-for-access", methods=["GET", "POST"])
@officer_required
def reason_for_access() -> ResponseReturnValue:
    """Once per signed-in session, before any subject's data is shown: why (DPA 2018 s.62). Appends; edits nothing."""
    next_url = next_page_after_reason(request.args.get("next"))
    form = ReasonForm()
    if form.validate_on_submit():
        audit.declare_purpose(form.purpose())
        return redirect(next_url, 303)
    return render_template(
        "subjects/reason-for-access.html", form=form, current=audit.session_purpose(), next_url=next_url
    )
