"""Matching (officers): a stored subject's id, or a subject profile given inline, gives ranked suggestions,
exclusions with reasons and a weekly plan, exactly as the suggestions page works them out (and audits them)."""

from typing import Any

from flask.typing import ResponseReturnValue

from portal.api import serialisers
from portal.api.errors import ValidationFailed
from portal.api.inputs import INT_MAX, FormInput, json_body, page_params
from portal.api.registry import operation, respond
from portal.api.subjects import WINDOW_INPUT, ZONE_INPUT
from portal.data import matching as matching_data
from portal.data import subjects
from portal.forms.subjects import SubjectForm
from portal.forms.suggestions import SuggestionFiltersForm
from portal.models import ExclusionZone, Role, Subject, SubjectWindow
from portal.rules.schedule import london_today
from portal.web.access_reason import shows_personal_data

FILTER_INPUT = FormInput(SuggestionFiltersForm)
# An inline profile is a subject as the subject form takes it, without who they are: no reference, name or category.
PROFILE_INPUT = FormInput(SubjectForm, exclude=("reference", "first_name", "last_name", "category"))
LIST_LIMIT = 50


def body_schema() -> dict[str, Any]:
    profile = PROFILE_INPUT.schema()
    profile["properties"] |= {
        "windows": {"type": "array", "items": WINDOW_INPUT.schema(), "maxItems": LIST_LIMIT},
        "exclusion_zones": {"type": "array", "items": ZONE_INPUT.schema(), "maxItems": LIST_LIMIT},
    }
    filters = FILTER_INPUT.schema()
    return {
        "type": "object",
        "properties": {
            "subject_id": {"type": "integer", "minimum": 1, "maximum": INT_MAX, "description": "A stored subject"},
            "subject": profile | {"description": "Or a profile given inline (nothing is stored)"},
        }
        | filters["properties"],
        "additionalProperties": False,
    }


def _inline_subject(profile: Any) -> Subject:
    """A transient Subject, never added to the session, for `matching_data.subject_profile`."""
    if not isinstance(profile, dict):
        raise ValidationFailed({"subject": "subject must be an object"})
    windows, zones = profile.get("windows") or [], profile.get("exclusion_zones") or []
    if not isinstance(windows, list) or len(windows) > LIST_LIMIT:
        raise ValidationFailed({"subject.windows": f"windows must be a list of {LIST_LIMIT} or fewer"})
    if not isinstance(zones, list) or len(zones) > LIST_LIMIT:
        raise ValidationFailed({"subject.exclusion_zones": f"exclusion_zones must be a list of {LIST_LIMIT} or fewer"})
    form = _nested(PROFILE_INPUT, {k: v for k, v in profile.items() if k not in ("windows", "exclusion_zones")}, "")
    location = form.home_postcode.location
    km = form.max_travel_km.data
    subject = Subject(
        id=0,
        date_of_birth=form.date_of_birth.data,
        gender=form.gender.data,
        home_postcode=location.postcode,
        home_easting=location.easting,
        home_northing=location.northing,
        languages=list(form.languages.data),
        interest_activity_types=list(form.interest_activity_types.data),
        interest_text=(form.interest_text.data or "").strip(),
        needs=list(form.needs.data),
        curfew_start=form.curfew_start.data,
        curfew_end=form.curfew_end.data,
        max_travel_m=km * 1000 if km is not None else None,
    )
    for index, window in enumerate(windows):
        subject.windows.extend(
            SubjectWindow(**w) for w in _nested(WINDOW_INPUT, window, f"windows[{index}].").windows()
        )
    for index, zone in enumerate(zones):
        subject.exclusion_zones.append(
            ExclusionZone(**_nested(ZONE_INPUT, zone, f"exclusion_zones[{index}].").zone_fields())
        )
    return subject


def _nested(form_input: FormInput, value: Any, prefix: str) -> Any:
    if not isinstance(value, dict):
        raise ValidationFailed({f"subject.{prefix.rstrip('.')}": "must be an object"})
    try:
        return form_input.validate(value)
    except ValidationFailed as failed:
        raise ValidationFailed(
            {f"subject.{prefix}{name}": message for name, message in failed.fields.items()}
        ) from None


@operation(
    "/matching",
    "POST",
    roles=(Role.OFFICER,),
    summary="Suggested requirements for a subject: ranked suggestions, exclusions with reasons, a weekly plan",
    description=(
        "Give `subject_id` (a stored subject) or `subject` (a profile inline), not both. Suggestions come a page at "
        "a time (`page`, `per_page` in the query); `total` counts every programme that fits every rule. The weekly "
        "plan and the exclusions are the same on every page."
    ),
    paged=True,
    tag="Matching",
    body=body_schema,
    response="MatchResult",
    extra_statuses=(404,),
)
@shows_personal_data
def matching() -> ResponseReturnValue:
    body = json_body()
    filter_names = set(FILTER_INPUT.specs())
    unknown = {name: "Unknown field" for name in body if name not in filter_names | {"subject_id", "subject"}}
    if unknown:
        raise ValidationFailed(unknown)
    if ("subject_id" in body) == ("subject" in body):
        raise ValidationFailed({"subject_id": "Give subject_id or subject, not both"})
    form = FILTER_INPUT.validate({name: value for name, value in body.items() if name in filter_names})
    if "subject_id" in body:
        subject_id = body["subject_id"]
        if isinstance(subject_id, bool) or not isinstance(subject_id, int) or not 0 < subject_id <= INT_MAX:
            raise ValidationFailed({"subject_id": "subject_id must be a whole number, like 12"})
        subject = subjects.get_subject(subject_id)
    else:
        subject = _inline_subject(body["subject"])
    today = london_today()
    starts_on, ends_on = form.period(today)
    page, per_page = page_params()
    used = {name: value for name, value in body.items() if name in filter_names and value not in (None, "")}
    _profile, result = matching_data.suggest(
        subject, starts_on, ends_on, today, form.match_filters(), per_page, (page - 1) * per_page, audit_filters=used
    )
    stored_id = subject.id or None
    body = serialisers.match_result(result, stored_id, starts_on, ends_on)
    return respond(body | {"page": page, "per_page": per_page})
