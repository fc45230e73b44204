"""Draft orders (officers): details, occasions, requirements, prohibitions, the checks, filing and the court's
decision, all through `portal.data.orders` and `portal.rules.orders.checks`, exactly as the order pages."""

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.api import serialisers
from portal.api.errors import ApiError, ValidationFailed
from portal.api.inputs import INT_MAX, FormInput, Override, json_body
from portal.api.registry import ID, expected_version, make_etag, operation, plain, respond
from portal.data import orders, policy, subjects
from portal.data.orders import OrderInProgress, OrderLocked
from portal.forms.orders import (
    ANY_DAY,
    MadeForm,
    OccasionForm,
    OrderDetailsForm,
    ProhibitionForm,
    ProhibitionTermsForm,
    RequirementForm,
    RequirementTermsForm,
)
from portal.models import Order, OrderStatus, Role
from portal.rules.orders.checks import CheckResult, check_order
from portal.rules.schedule import london_today

TAG = "Orders"
OFFICERS = (Role.OFFICER,)


def _weekday_problem(value: Any) -> str | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6):
        return None
    return "Select the day"


DETAILS_INPUT = FormInput(OrderDetailsForm)
OCCASION_INPUT = FormInput(OccasionForm)
REQUIREMENT_INPUT = FormInput(
    RequirementForm,
    overrides={
        "weekday": Override(
            {"type": ["integer", "null"], "minimum": 0, "maximum": 6, "description": "0 (Monday) to 6; null: any day"},
            lambda value: [ANY_DAY if value is None else str(value)],
            _weekday_problem,
            required=False,
            keep_null=True,
        )
    },
)
REQUIREMENT_TERMS_INPUT = FormInput(RequirementTermsForm)
PROHIBITION_INPUT = FormInput(ProhibitionForm)
PROHIBITION_TERMS_INPUT = FormInput(ProhibitionTermsForm)
MADE_INPUT = FormInput(MadeForm)
START_SCHEMA = {
    "type": "object",
    "properties": {"subject_id": {"type": "integer", "minimum": 1, "maximum": INT_MAX}},
    "required": ["subject_id"],
    "additionalProperties": False,
}
SESSIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "session_ids": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
            "minItems": 1,
            "maxItems": 20,
            "uniqueItems": True,
        }
    },
    "required": ["session_ids"],
    "additionalProperties": False,
}


def checks_of(order: Order) -> CheckResult:
    return check_order(orders.order_facts(order, london_today()), policy.order_check_policy())


def order_etag(order: Order) -> str:
    return make_etag("order", order.id, order.version)


def _answer(order: Order, status: int = 200) -> ResponseReturnValue:
    location = url_for("api.order", order_id=order.id) if status == 201 else None
    return respond(serialisers.order(order, checks_of(order)), status, etag=order_etag(order), location=location)


def _guarded(order: Order, change: Callable[[], Any], status: int = 200) -> ResponseReturnValue:
    """A change to a draft; a locked (filed or made) order is 422, a stale If-Match 409 (the EditConflict handler)."""
    try:
        change()
    except OrderLocked:
        raise ApiError(422, "order_locked", OrderLocked.message) from None
    return _answer(order, status)


def _draft(order_id: int) -> tuple[Order, int]:
    order = orders.get_order(order_id)
    expected = expected_version("order", order.id)
    if order.status != OrderStatus.DRAFT:
        raise ApiError(422, "order_locked", OrderLocked.message)
    return order, expected


def _int_list(value: Any, name: str) -> list[int]:
    if not isinstance(value, list) or not value or len(value) > 20:
        raise ValidationFailed({name: "Give from 1 to 20 session ids"})
    if any(isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= INT_MAX for v in value):
        raise ValidationFailed({name: "Each session id must be a whole number, like 12"})
    if len(set(value)) != len(value):
        raise ValidationFailed({name: "Give each session id once"})
    return value


def _only(body: dict[str, Any], *names: str) -> None:
    unknown = {name: "Unknown field" for name in body if name not in names}
    if unknown:
        raise ValidationFailed(unknown)


@operation(
    "/orders",
    "POST",
    roles=OFFICERS,
    summary="Start a draft order for a subject (or get the one already in progress, with 200)",
    tag=TAG,
    body=START_SCHEMA,
    response="Order",
    status=201,
    etag=True,
    extra_statuses=(200, 404),
)
def order_start() -> ResponseReturnValue:
    body = json_body()
    _only(body, "subject_id")
    subject_id = body.get("subject_id")
    if isinstance(subject_id, bool) or not isinstance(subject_id, int) or not 0 < subject_id <= INT_MAX:
        raise ValidationFailed({"subject_id": "subject_id must be a whole number, like 12"})
    subject = subjects.get_subject(subject_id)
    existing = orders.open_order(subject.id)
    if existing is not None:
        return _answer(existing)
    try:
        return _answer(orders.start_draft(subject, current_user.id, current_user.account.unit), 201)
    except OrderInProgress as started:  # another officer started one at the same moment
        return _answer(started.order)


@operation(
    f"/orders/for-subject/<{ID}:subject_id>/sessions",
    "POST",
    roles=OFFICERS,
    summary="Accept suggested sessions (or a whole weekly plan) into the subject's draft, started if need be",
    description="Each session becomes a participation requirement and is referred to its partner at once. "
    "If-Match (the draft's ETag) is optional here, as on the suggestions page.",
    tag=TAG,
    body=SESSIONS_SCHEMA,
    if_match="optional",
    response="Order",
    rule_failures=("order_locked", "session_not_requirable"),
    etag=True,
)
def accept_sessions(subject_id: int) -> ResponseReturnValue:
    subject = subjects.get_subject(subject_id)
    body = json_body()
    _only(body, "session_ids")
    session_ids = _int_list(body.get("session_ids"), "session_ids")
    sessions = orders.requirable_sessions(session_ids)
    if len(sessions) != len(set(session_ids)):
        raise ApiError(
            422, "session_not_requirable", "Every session must belong to an active programme of an approved partner"
        )
    order = orders.open_order(subject.id)
    if order is None:
        try:
            order = orders.start_draft(subject, current_user.id, current_user.account.unit)
        except OrderInProgress as started:  # another officer started one at the same moment
            order = started.order
    given = expected_version("order", order.id, required=False)
    expected = given if given is not None else order.version
    return _guarded(order, lambda: orders.add_requirements_from_sessions(order, sessions, current_user.id, expected))


@operation(
    f"/orders/<{ID}:order_id>",
    "GET",
    roles=OFFICERS,
    summary="An order with its occasions, requirements (and their referrals), prohibitions and the checks",
    tag=TAG,
    response="Order",
    etag=True,
)
def order(order_id: int) -> ResponseReturnValue:
    return _answer(orders.view_order(order_id))


@operation(
    f"/orders/<{ID}:order_id>/checks",
    "GET",
    roles=OFFICERS,
    summary="The draft checked against the rules: problems block filing, warnings never do",
    tag=TAG,
    response="Checks",
)
def order_checks(order_id: int) -> ResponseReturnValue:
    found = orders.view_order(order_id, purpose="check the draft against the rules")
    return respond(serialisers.checks(checks_of(found)))


@operation(
    f"/orders/<{ID}:order_id>",
    "PATCH",
    roles=OFFICERS,
    summary="Change the draft's details (fields left out keep their values)",
    tag=TAG,
    body=DETAILS_INPUT,
    partial=True,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def order_update(order_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    form = DETAILS_INPUT.validate(json_body(), current=plain(serialisers.order(found, checks_of(found))))
    return _guarded(found, lambda: orders.update_details(found, form.order_fields(), expected))


@operation(
    f"/orders/<{ID}:order_id>/occasions",
    "POST",
    roles=OFFICERS,
    summary="Add an occasion (section 14)",
    tag=TAG,
    body=OCCASION_INPUT,
    if_match="required",
    response="Order",
    status=201,
    rule_failures=("order_locked",),
    etag=True,
)
def occasion_create(order_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    form = OCCASION_INPUT.validate(json_body())
    fields = {
        "occurred_on": form.occurred_on.data,
        "location_type": form.location_type.data,
        "summary": form.summary.data.strip(),
        "good_reason_claimed": (form.good_reason_claimed.data or "").strip(),
    }
    return _guarded(found, lambda: orders.add_occasion(found, fields, expected), 201)


@operation(
    f"/orders/<{ID}:order_id>/occasions/<{ID}:occasion_id>",
    "DELETE",
    roles=OFFICERS,
    summary="Remove an occasion",
    tag=TAG,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def occasion_delete(order_id: int, occasion_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    return _guarded(found, lambda: orders.remove_occasion(found, occasion_id, expected))


@operation(
    f"/orders/<{ID}:order_id>/requirements",
    "POST",
    roles=OFFICERS,
    summary="Add a requirement by hand (its supervisor must confirm it before the order can go to court)",
    tag=TAG,
    body=REQUIREMENT_INPUT,
    if_match="required",
    response="Order",
    status=201,
    rule_failures=("order_locked",),
    etag=True,
)
def requirement_create(order_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    form = REQUIREMENT_INPUT.validate(json_body())
    return _guarded(found, lambda: orders.add_requirement(found, form.requirement_fields(), expected), 201)


def _child(children: list[Any], child_id: int) -> Any:
    found = next((child for child in children if child.id == child_id), None)
    if found is None:
        raise ApiError(404)
    return found


@operation(
    f"/orders/<{ID}:order_id>/requirements/<{ID}:requirement_id>",
    "PATCH",
    roles=OFFICERS,
    summary="Set a requirement's own dates and why it is necessary (fields left out keep their values)",
    tag=TAG,
    body=REQUIREMENT_TERMS_INPUT,
    partial=True,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def requirement_update(order_id: int, requirement_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    requirement = _child(found.requirements, requirement_id)
    current = plain({name: getattr(requirement, name) for name in ("starts_on", "ends_on", "necessity_rationale")})
    form = REQUIREMENT_TERMS_INPUT.validate(json_body(), current=current)
    return _guarded(found, lambda: orders.update_requirement(found, requirement_id, form.terms(), expected))


@operation(
    f"/orders/<{ID}:order_id>/requirements/<{ID}:requirement_id>",
    "DELETE",
    roles=OFFICERS,
    summary="Remove a requirement (its referral is withdrawn)",
    tag=TAG,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def requirement_delete(order_id: int, requirement_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    return _guarded(found, lambda: orders.remove_requirement(found, requirement_id, expected))


@operation(
    f"/orders/<{ID}:order_id>/prohibitions",
    "POST",
    roles=OFFICERS,
    summary="Add a prohibition",
    tag=TAG,
    body=PROHIBITION_INPUT,
    if_match="required",
    response="Order",
    status=201,
    rule_failures=("order_locked",),
    etag=True,
)
def prohibition_create(order_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    form = PROHIBITION_INPUT.validate(json_body())
    return _guarded(found, lambda: orders.add_prohibition(found, form.prohibition_fields(), expected), 201)


@operation(
    f"/orders/<{ID}:order_id>/prohibitions/<{ID}:prohibition_id>",
    "PATCH",
    roles=OFFICERS,
    summary="Set a prohibition's exceptions and dates (fields left out keep their values)",
    tag=TAG,
    body=PROHIBITION_TERMS_INPUT,
    partial=True,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def prohibition_update(order_id: int, prohibition_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    prohibition = _child(found.prohibitions, prohibition_id)
    current = plain({name: getattr(prohibition, name) for name in ("exceptions", "starts_on", "ends_on")})
    form = PROHIBITION_TERMS_INPUT.validate(json_body(), current=current)
    return _guarded(found, lambda: orders.update_prohibition(found, prohibition_id, form.terms(), expected))


@operation(
    f"/orders/<{ID}:order_id>/prohibitions/<{ID}:prohibition_id>",
    "DELETE",
    roles=OFFICERS,
    summary="Remove a prohibition",
    tag=TAG,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def prohibition_delete(order_id: int, prohibition_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)
    return _guarded(found, lambda: orders.remove_prohibition(found, prohibition_id, expected))


@operation(
    f"/orders/<{ID}:order_id>/prohibitions/sync",
    "POST",
    roles=OFFICERS,
    summary="Bring place and person prohibitions up to date with the subject's record",
    tag=TAG,
    if_match="required",
    response="Order",
    rule_failures=("order_locked",),
    etag=True,
)
def prohibitions_sync(order_id: int) -> ResponseReturnValue:
    found, expected = _draft(order_id)

    def sync() -> None:
        orders.ensure_editable(found, expected)
        orders.sync_prohibitions(found)
        orders.touch(found, "prohibitions brought up to date with the subject's record")

    return _guarded(found, sync)


@operation(
    f"/orders/<{ID}:order_id>/file",
    "POST",
    roles=OFFICERS,
    summary="File the order for court: only when the checks find no problems; it is then locked",
    tag=TAG,
    if_match="required",
    response="Order",
    rule_failures=("not_ready_for_court", "prohibitions_out_of_step", "order_locked"),
    etag=True,
)
def order_file(order_id: int) -> ResponseReturnValue:
    found = orders.get_order(order_id)
    expected = expected_version("order", found.id)
    result = checks_of(found)
    if found.status == OrderStatus.DRAFT and not result.ready_for_court:
        raise ApiError(
            422,
            "not_ready_for_court",
            f"The order is not ready for court: {len(result.problems)} problem(s) remain.",
            problems=[serialisers.problem(p) for p in result.problems],
        )
    if found.status == OrderStatus.DRAFT and orders.prohibitions_out_of_step(found):
        raise ApiError(
            422,
            "prohibitions_out_of_step",
            "The subject's record has changed since the prohibitions were drawn. Bring them up to date first.",
        )
    return _guarded(found, lambda: orders.file_order(found, expected))


@operation(
    f"/orders/<{ID}:order_id>/made",
    "POST",
    roles=OFFICERS,
    summary="Record that the court made the filed order: its confirmed requirements become active",
    tag=TAG,
    body=MADE_INPUT,
    if_match="required",
    response="Order",
    rule_failures=("order_not_filed",),
    etag=True,
)
def order_made(order_id: int) -> ResponseReturnValue:
    found = orders.get_order(order_id)
    expected = expected_version("order", found.id)
    if found.status != OrderStatus.FILED:
        raise ApiError(422, "order_not_filed", "Only a filed order can be recorded as made by the court.")
    form = MADE_INPUT.validate(json_body(), filed_on=orders.filed_on(found))
    fields = {
        "made_on": form.made_on.data,
        "made_by_court": form.made_by_court.data.strip(),
        "final_terms": (form.final_terms.data or "").strip(),
    }
    return _guarded(found, lambda: orders.mark_made(found, fields, expected))


@operation(
    f"/orders/<{ID}:order_id>/new-version",
    "POST",
    roles=OFFICERS,
    summary="Start a new draft version of a filed order (the filed one stays as it was)",
    tag=TAG,
    response="Order",
    status=201,
    rule_failures=("order_not_filed",),
    etag=True,
)
def order_new_version(order_id: int) -> ResponseReturnValue:
    found = orders.get_order(order_id)
    try:
        copy = orders.start_new_version(found, current_user.id)
    except OrderLocked:
        raise ApiError(422, "order_not_filed", "Only a filed order can be replaced by a new version.") from None
    return _answer(copy, 201)
