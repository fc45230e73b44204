from flask import Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.blueprints.audit import bp
from portal.data import audit
from portal.forms.audit import ReasonForm
from portal.models import Role
from portal.rules.schedule import london_today
from portal.web.access_reason import next_page_after_reason
from portal.web.auth import officer_required, roles_required
from portal.web.date_filters import TypedDate, errors_of, read_period
from portal.web.downloads import download
from portal.web.pagination import page_number, pagination

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


def _typed_subject() -> str:
    return request.args.get("subject", "").strip()[:40]


def _subject(errors: dict[str, str]) -> int | None:
    typed = _typed_subject()
    if not typed:
        return None
    found = audit.subject_id_for(typed)
    if found is None:
        errors["subject"] = "There is no subject with that reference. Check it and try again"
    return found


def _subject_shown(subject_id: int | None) -> str:
    """What the subject box shows: the subject's reference (its ID once erased), else what was typed."""
    if subject_id is None:
        return _typed_subject()
    return audit.subject_reference(subject_id) or str(subject_id)


def _filters() -> tuple[audit.LogFilters, dict[str, str], tuple[TypedDate, TypedDate]]:
    errors: dict[str, str] = {}
    subject_id = _subject(errors)
    date_from, date_to = read_period(request.args, "From date", "To date")
    filters = audit.LogFilters(
        subject_id=subject_id,
        user_id=_whole_number("user", errors, "User"),
        organisation_id=_whole_number("organisation", errors, "Organisation"),
        date_from=date_from.value,
        date_to=date_to.value,
    )
    return filters, errors | errors_of(date_from, date_to), (date_from, date_to)


def _query_values(filters: audit.LogFilters, dates: tuple[TypedDate, TypedDate]) -> dict[str, str]:
    """The filters for the links that keep them (pages, the download): a subject by its ID, never its reference."""
    values = {"subject": str(filters.subject_id)} if filters.subject_id is not None else {}
    if filters.user_id is not None:
        values["user"] = str(filters.user_id)
    if filters.organisation_id is not None:
        values["organisation"] = str(filters.organisation_id)
    return values | dates[0].query() | dates[1].query()


@bp.get("/events")
@auditor_required
def events() -> ResponseReturnValue:
    filters, errors, dates = _filters()
    values = _query_values(filters, dates)
    if not errors and filters.subject_id is not None and _typed_subject() != str(filters.subject_id):
        # A reference typed in the box is looked up once; the address then names the subject by ID only.
        return redirect(url_for("audit.events", **values), 303)
    users, organisations = audit.filter_choices()
    if errors:
        rows, total = [], 0
    else:
        page, per_page = page_number(), current_app.config["PAGE_SIZE"]
        rows, total = audit.search_log(filters, page, per_page)
    return render_template(
        "audit/events.html",
        rows=rows,
        total=total,
        errors=errors,
        filters=filters,
        date_from=dates[0],
        date_to=dates[1],
        raw=request.args,
        subject_shown=_subject_shown(filters.subject_id),
        users=users,
        organisations=organisations,
        export_values=values,
        pagination=None if errors else pagination(page, total, per_page, "audit.events", **values),
    ), (400 if errors else 200)


@bp.get("/events.csv")
@auditor_required
def events_csv() -> ResponseReturnValue:
    filters, errors, _dates = _filters()
    if errors:
        return Response("; ".join(errors.values()), status=400, mimetype="text/plain")
    body = audit.export_log(filters).encode("utf-8-sig")
    filename = f"audit-log-{london_today().isoformat()}.csv"
    return download(body, "text/csv", filename)


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
