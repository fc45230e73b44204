"""Programmes, their venues and weekly sessions: partners create and change their own; officers read approved ones
and search the directory. Every call goes through `portal.data.programmes`, as the partner pages do."""

from datetime import date
from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.api import serialisers
from portal.api.errors import ApiError, ValidationFailed
from portal.api.inputs import FormInput, Override, json_body, page_params
from portal.api.registry import ID, expected_version, make_etag, operation, page_of, plain, respond
from portal.data import check_version, programmes
from portal.data.directory_search import run_search
from portal.forms.directory import DirectorySearchForm
from portal.forms.partners import ProgrammeForm, SessionForm, VenueForm
from portal.models import Programme, ProgrammeSession, Role, Venue
from portal.rules.input_rules import control_character_in
from portal.rules.schedule import london_today
from portal.web.auth import SETTING_UP, own_organisation_id

TAG = "Programmes"
OWN = (Role.PARTNER,)
READERS = (Role.PARTNER, Role.OFFICER)


def _tags_problem(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(tag, str) and not control_character_in(tag) for tag in value):
        return "Tags must be a list of text"
    return None if len(value) <= 40 else "Tags must have 40 items or fewer"


def _cost_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9_999_999:
        return "Cost per session must be a whole number of pence from 0 to 9999999"
    return None


def _dates_problem(value: Any) -> str | None:
    from portal.api.inputs import _iso_date

    if not isinstance(value, list) or len(value) > 400 or not all(isinstance(d, str) and _iso_date(d) for d in value):
        return "Dates with no session must be a list of real dates, like 2026-12-25"
    return None


def _venue_problem(value: Any) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else "Select the venue"


PROGRAMME_INPUT = FormInput(
    ProgrammeForm,
    overrides={
        "tags": Override(
            {"type": ["array", "null"], "items": {"type": "string"}, "maxItems": 40, "description": "Tags"},
            lambda value: [", ".join(value)],
            _tags_problem,
            required=False,
        ),
        "cost_pence": Override(
            {"type": ["integer", "null"], "minimum": 0, "maximum": 9_999_999, "description": "Cost per session, pence"},
            lambda value: [f"{value // 100}.{value % 100:02d}"] if value else [],
            _cost_problem,
            form_field="cost",
            required=False,
        ),
    },
)
SESSION_INPUT = FormInput(
    SessionForm,
    overrides={
        "venue_id": Override(
            {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "description": "One of your venues"},
            lambda value: [str(value)],
            _venue_problem,
            required=True,
        ),
        "exception_dates": Override(
            {"type": ["array", "null"], "items": {"type": "string", "format": "date"}, "maxItems": 400},
            lambda value: ["\n".join(date.fromisoformat(d).strftime("%d/%m/%Y") for d in value)],
            _dates_problem,
            required=False,
        ),
    },
)
VENUE_INPUT = FormInput(VenueForm)
DIRECTORY_INPUT = FormInput(DirectorySearchForm)


def _own_venue_choices(form: Any) -> None:
    venues = programmes.list_own_venues(own_organisation_id())
    form.venue_id.choices = [("", "Select a venue")] + [(str(v.id), f"{v.name}, {v.postcode}") for v in venues]


def programme_etag(found: Programme) -> str:
    return make_etag("programme", found.id, found.version)


def _programme_answer(found: Programme, status: int = 200) -> ResponseReturnValue:
    location = url_for("api.programme", programme_id=found.id) if status == 201 else None
    return respond(serialisers.programme(found), status, etag=programme_etag(found), location=location)


@operation(
    "/programmes",
    "GET",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Your organisation's programmes",
    tag=TAG,
    response="ProgrammePage",
    paged=True,
)
def programmes_list() -> ResponseReturnValue:
    page, per_page = page_params()
    own = [serialisers.programme(p) for p in programmes.list_own_programmes(own_organisation_id())]
    return respond(page_of(own, page, per_page))


@operation(
    "/programmes",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Add a programme",
    tag=TAG,
    body=PROGRAMME_INPUT,
    response="Programme",
    status=201,
    etag=True,
)
def programme_create() -> ResponseReturnValue:
    form = PROGRAMME_INPUT.validate(json_body())
    created = programmes.create_programme(
        own_organisation_id(), {**form.programme_fields(), "assured_on": london_today()}
    )
    return _programme_answer(created, 201)


@operation(
    f"/programmes/<{ID}:programme_id>",
    "GET",
    roles=READERS,
    organisations=SETTING_UP,
    summary="One programme: a partner's own, or (for officers) any approved, unarchived one",
    tag=TAG,
    response="Programme",
    etag=True,
)
def programme(programme_id: int) -> ResponseReturnValue:
    if current_user.has_role(Role.PARTNER):
        found = programmes.get_own_programme(own_organisation_id(), programme_id)
    else:
        found = programmes.get_visible_programme(programme_id)
    return _programme_answer(found)


@operation(
    f"/programmes/<{ID}:programme_id>",
    "PATCH",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Change a programme (fields left out keep their values)",
    tag=TAG,
    body=PROGRAMME_INPUT,
    partial=True,
    if_match="required",
    response="Programme",
    etag=True,
)
def programme_update(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    expected = expected_version("programme", found.id)
    form = PROGRAMME_INPUT.validate(json_body(), current=plain(serialisers.programme(found)))
    programmes.update_programme(found, {**form.programme_fields(), "assured_on": london_today()}, expected)
    return _programme_answer(found)


# Listing status and re-confirmation (the buttons on the programme page)

STATUS_RULE = "status_change_refused"


def _change_status(programme_id: int, action: str) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    expected = expected_version("programme", found.id)
    try:
        programmes.change_programme_status(found, action, expected)
    except programmes.StatusChangeRefused as refused:
        raise ApiError(422, STATUS_RULE, f"This programme is {refused.status}, so it cannot be {action}d") from None
    return _programme_answer(found)


@operation(
    f"/programmes/<{ID}:programme_id>/pause",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Pause an active programme: officers are not offered it until you resume it",
    tag=TAG,
    if_match="required",
    response="Programme",
    rule_failures=(STATUS_RULE,),
    etag=True,
)
def programme_pause(programme_id: int) -> ResponseReturnValue:
    return _change_status(programme_id, "pause")


@operation(
    f"/programmes/<{ID}:programme_id>/resume",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Resume a paused or archived programme",
    tag=TAG,
    if_match="required",
    response="Programme",
    rule_failures=(STATUS_RULE,),
    etag=True,
)
def programme_resume(programme_id: int) -> ResponseReturnValue:
    return _change_status(programme_id, "resume")


@operation(
    f"/programmes/<{ID}:programme_id>/archive",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Archive an active programme: officers no longer find it (resume brings it back)",
    tag=TAG,
    if_match="required",
    response="Programme",
    rule_failures=(STATUS_RULE,),
    etag=True,
)
def programme_archive(programme_id: int) -> ResponseReturnValue:
    return _change_status(programme_id, "archive")


@operation(
    f"/programmes/<{ID}:programme_id>/confirm",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Confirm the details are still right: marks them confirmed today",
    tag=TAG,
    if_match="required",
    response="Programme",
    etag=True,
)
def programme_confirm(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    programmes.update_programme(found, {"assured_on": london_today()}, expected_version("programme", found.id))
    return _programme_answer(found)


# Sessions


def session_etag(found: ProgrammeSession) -> str:
    return make_etag("session", found.id, found.version)


@operation(
    f"/programmes/<{ID}:programme_id>/sessions",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Add a weekly session to your programme",
    tag=TAG,
    body=SESSION_INPUT,
    response="Session",
    status=201,
    etag=True,
)
def session_create(programme_id: int) -> ResponseReturnValue:
    found = programmes.get_own_programme(own_organisation_id(), programme_id)
    form = SESSION_INPUT.validate(json_body(), prepare=_own_venue_choices)
    added = programmes.add_session(found, form.session_fields())
    return respond(serialisers.session(added), 201, etag=session_etag(added))


@operation(
    f"/sessions/<{ID}:session_id>",
    "PATCH",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Change a weekly session (fields left out keep their values)",
    tag=TAG,
    body=SESSION_INPUT,
    partial=True,
    if_match="required",
    response="Session",
    etag=True,
)
def session_update(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    expected = expected_version("session", found.id)
    current = plain(serialisers.session(found)) | {"venue_id": found.venue_id}
    form = SESSION_INPUT.validate(json_body(), current=current, prepare=_own_venue_choices)
    programmes.update_session(found, form.session_fields(), expected)
    return respond(serialisers.session(found), etag=session_etag(found))


@operation(
    f"/sessions/<{ID}:session_id>",
    "DELETE",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Remove a weekly session",
    tag=TAG,
    if_match="required",
    status=204,
    rule_failures=("session_in_use",),
)
def session_delete(session_id: int) -> ResponseReturnValue:
    found = programmes.get_own_session(own_organisation_id(), session_id)
    check_version(found, expected_version("session", found.id))
    try:
        programmes.remove_session(found)
    except programmes.SessionInUse:
        raise ApiError(
            422, "session_in_use", "Young people have been referred to this session, so it cannot be removed"
        ) from None
    return "", 204


# Venues


def venue_etag(found: Venue) -> str:
    return make_etag("venue", found.id, found.version)


@operation(
    "/venues",
    "GET",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Your organisation's venues",
    tag=TAG,
    response="VenueList",
)
def venues_list() -> ResponseReturnValue:
    return respond({"items": [serialisers.venue(v) for v in programmes.list_own_venues(own_organisation_id())]})


def _venue_name_free(name: str, except_venue_id: int | None = None) -> None:
    if programmes.venue_name_in_use(own_organisation_id(), name.strip(), except_venue_id=except_venue_id):
        raise ValidationFailed({"name": "You already have a venue with this name"})


@operation(
    "/venues",
    "POST",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Add a venue",
    tag=TAG,
    body=VENUE_INPUT,
    response="Venue",
    status=201,
    etag=True,
)
def venue_create() -> ResponseReturnValue:
    form = VENUE_INPUT.validate(json_body())
    _venue_name_free(form.name.data)
    created = programmes.create_venue(own_organisation_id(), form.venue_fields())
    return respond(serialisers.venue(created), 201, etag=venue_etag(created))


@operation(
    f"/venues/<{ID}:venue_id>",
    "PATCH",
    roles=OWN,
    organisations=SETTING_UP,
    summary="Change a venue (fields left out keep their values)",
    tag=TAG,
    body=VENUE_INPUT,
    partial=True,
    if_match="required",
    response="Venue",
    etag=True,
)
def venue_update(venue_id: int) -> ResponseReturnValue:
    found = programmes.get_own_venue(own_organisation_id(), venue_id)
    expected = expected_version("venue", found.id)
    form = VENUE_INPUT.validate(json_body(), current=serialisers.venue(found))
    _venue_name_free(form.name.data, except_venue_id=venue_id)
    programmes.update_venue(found, form.venue_fields(), expected)
    return respond(serialisers.venue(found), etag=venue_etag(found))


# The officers' directory


@operation(
    "/directory/search",
    "POST",
    roles=(Role.OFFICER,),
    summary="Search approved programmes, as the directory does",
    description=(
        "Filters travel in the body, not the URL, so a postcode never appears in a log line (as in the UI). "
        "`page` and `per_page` are query parameters."
    ),
    tag=TAG,
    body=DIRECTORY_INPUT,
    response="DirectoryPage",
    paged=True,
)
def directory_search() -> ResponseReturnValue:
    page, per_page = page_params()
    form = DIRECTORY_INPUT.validate(json_body())
    criteria = form.criteria()
    results = run_search(criteria, page, per_page, london_today())
    items = [
        {
            "programme": serialisers.programme(row.programme),
            "distance_m": round(row.distance_m, 1) if row.distance_m is not None else None,
            "matching_session_ids": list(row.session_ids),
        }
        for row in results.rows
    ]
    body = page_of(items, page, per_page, results.total) | {"near_postcode": results.near_postcode}
    return respond(body)
