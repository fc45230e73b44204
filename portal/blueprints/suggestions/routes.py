from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.blueprints.suggestions import bp
from portal.data import matching as matching_data
from portal.data import orders, referrals, subjects
from portal.forms import WholeForm
from portal.forms.suggestions import SuggestionFiltersForm
from portal.models import Order
from portal.rules.schedule import london_today
from portal.web.auth import officer_required
from portal.web.pagination import page_number, pagination
from portal.web.pictures import area_map

SHOWN_SUGGESTIONS = 10  # a page of explained suggestions stays small (issue #17: under 80 KB)
EXCLUDED_IN_TAB = 10  # the Excluded tab words the nearest few; the excluded page words the rest, a page at a time
EXCLUDED_PER_PAGE = 50


def _filters_form(subject_id: int) -> tuple[SuggestionFiltersForm, Order | None]:
    """The filters asked for, following the open draft's period unless the officer chose another; and that draft."""
    form = SuggestionFiltersForm(request.args if request.args else None)
    draft = orders.open_order(subject_id)
    if draft is not None:
        form.follow(orders.period_of(draft), request.args)
    return form, draft


def _audit_filters() -> dict[str, str]:
    """The filters as given, for the match run's audit record."""
    return {k: v for k, v in request.args.items() if v}


@bp.get("/<int:subject_id>/suggestions")
@officer_required
def suggest(subject_id: int) -> ResponseReturnValue:
    subject = subjects.get_subject(subject_id, with_profile=True)
    form, draft = _filters_form(subject.id)
    today = london_today()
    if request.args and not form.validate():
        return render_template("suggestions/suggest.html", subject=subject, form=form, result=None), 200
    starts_on, ends_on = form.period(today)
    page = page_number()
    offset = (page - 1) * SHOWN_SUGGESTIONS
    profile, result = matching_data.suggestions_page(
        subject,
        starts_on,
        ends_on,
        today,
        form.match_filters(),
        SHOWN_SUGGESTIONS,
        offset,
        EXCLUDED_IN_TAB,
        audit_filters=_audit_filters(),
    )
    return render_template(
        "suggestions/suggest.html",
        subject=subject,
        form=form,
        result=result,
        draft=draft,
        required_sessions={r.session_id for r in draft.requirements} if draft else set(),
        accept_form=WholeForm(version=draft.version if draft else None),
        response_times=referrals.response_times(_organisation_ids(result)),
        profile=profile,
        starts_on=starts_on,
        ends_on=ends_on,
        picture=_picture(profile, result, offset),
        first_number=offset + 1,
        pagination=pagination(
            page, result.feasible_total, SHOWN_SUGGESTIONS, "suggestions.suggest", subject_id=subject.id, **_filters()
        ),
        excluded_shown=result.exclusions[:EXCLUDED_IN_TAB],
        excluded_url=url_for("suggestions.excluded", subject_id=subject.id, **_filters()),
    )


@bp.get("/<int:subject_id>/suggestions/excluded")
@officer_required
def excluded(subject_id: int) -> ResponseReturnValue:
    """Every nearby programme ruled out for the subject, nearest first, each with why, a page at a time."""
    subject = subjects.get_subject(subject_id, with_profile=True)
    form, _draft = _filters_form(subject.id)
    today = london_today()
    back = url_for("suggestions.suggest", subject_id=subject.id, **_filters())
    if request.args and not form.validate():
        return redirect(back)  # the suggestions page names the field that is wrong
    starts_on, ends_on = form.period(today)
    profile, result = matching_data.suggest(
        subject, starts_on, ends_on, today, form.match_filters(), 0, audit_filters=_audit_filters()
    )
    listed = len(result.exclusions)
    page = min(page_number(), max(1, -(-listed // EXCLUDED_PER_PAGE)))
    offset = (page - 1) * EXCLUDED_PER_PAGE
    return render_template(
        "suggestions/excluded.html",
        subject=subject,
        result=result,
        profile=profile,
        starts_on=starts_on,
        ends_on=ends_on,
        back=back,
        shown=result.exclusions[offset : offset + EXCLUDED_PER_PAGE],
        first_number=offset + 1,
        listed=listed,
        last_page=offset + EXCLUDED_PER_PAGE >= listed,
        pagination=pagination(
            page, listed, EXCLUDED_PER_PAGE, "suggestions.excluded", subject_id=subject.id, **_filters()
        ),
    )


def _filters() -> dict[str, list[str]]:
    """The filters as given, for the other pages' links."""
    return {name: values for name, values in request.args.lists() if name != "page"}


def _picture(profile, result, offset: int):
    planned = {planned.session.session_id for planned in result.plan.sessions}
    venues = []
    for number, suggestion in enumerate(result.suggestions, start=offset + 1):
        session = suggestion.sessions[0]
        chosen = any(s.session_id in planned for s in suggestion.sessions)
        venues.append((session.venue_easting, session.venue_northing, suggestion.title, number, chosen))
    zones = [(z.easting, z.northing, z.radius_m, z.label) for z in profile.exclusion_zones]
    return area_map((profile.easting, profile.northing), zones, venues, profile.max_travel_m)


def _organisation_ids(result) -> list[int]:
    return sorted({suggestion.organisation_id for suggestion in result.suggestions})
