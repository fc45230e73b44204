"""Partners' attendance registers through `portal.data.attendance` and `portal.data.registers`: the same expected
sessions, the same register form (each young person's row checked with the page's messages) and the same audited
reads and saves."""

import re
import zlib
from datetime import date, timedelta
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.api import serialisers
from portal.api.errors import ApiError, ValidationFailed
from portal.api.inputs import INT_MAX, FormInput, check_value, json_body
from portal.api.registry import ID, expected_version, make_etag, operation, respond
from portal.data import EditConflict, attendance, registers
from portal.data.attendance import Register, RegisterNotOpen
from portal.forms.registers import CancelForm, prefix_for, register_form
from portal.models import Role
from portal.rules.dates import SEARCH_DATES
from portal.rules.schedule import london_today
from portal.web.auth import own_organisation_id

TAG = "Attendance"
PARTNERS = (Role.PARTNER,)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_SPAN = timedelta(days=92)
CANCEL_INPUT = FormInput(CancelForm, prefix="cancel")
TEXT = {"type": ["string", "null"], "maxLength": 2000}
MARK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "requirement_id": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
        "status": {"type": "string", "enum": ["attended", "late", "absent"]},
        "minutes_late": {"type": ["integer", "null"], "minimum": 0, "maximum": 1440},
        "absence_reason": TEXT,
        "absence_acceptable": {"type": ["boolean", "null"]},
        "evidence_note": TEXT,
        "contact_attempts": TEXT,
        "correction_reason": TEXT,
    },
    "required": ["requirement_id", "status"],
    "additionalProperties": False,
}
REGISTER_SCHEMA = {
    "type": "object",
    "properties": {"marks": {"type": "array", "items": MARK_SCHEMA, "maxItems": 200}},
    "required": ["marks"],
    "additionalProperties": False,
}
DATE_PARAMETERS = (
    {"name": "date_from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "date_to", "in": "query", "schema": {"type": "string", "format": "date"}},
)


def _day(on_date: str) -> date:
    """The YYYY-MM-DD path segment as a date; anything else is 'not found', as on the register pages."""
    if not ISO_DATE.match(on_date):
        raise ApiError(404)
    try:
        return date.fromisoformat(on_date)
    except ValueError:
        raise ApiError(404) from None


def _query_date(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        if not ISO_DATE.match(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: f"{name} must be a real date, like 2027-03-27"}) from None
    problem = SEARCH_DATES.problem(name, day, london_today())
    if problem:
        raise ValidationFailed({name: problem})
    return day


def register_etag(found: Register) -> str:
    version = zlib.crc32(serialisers.register_version(found).encode())
    return make_etag("register", f"{found.session.session_id}-{found.session.on_date.isoformat()}", version)


@operation(
    "/registers",
    "GET",
    roles=PARTNERS,
    summary="Your sessions between two dates with the young people expected at each (default: 14 days each way)",
    tag=TAG,
    query=DATE_PARAMETERS,
    response="ExpectedSessionList",
)
def registers_list() -> ResponseReturnValue:
    today = london_today()
    date_from = _query_date("date_from", today - attendance.REGISTERS_WINDOW)
    date_to = _query_date("date_to", today + attendance.REGISTERS_WINDOW)
    if date_to < date_from or date_to - date_from > MAX_SPAN:
        raise ValidationFailed({"date_to": "date_to must be on or after date_from, and at most 92 days after it"})
    found = attendance.expected_sessions(own_organisation_id(), date_from, date_to, include_cancelled=True)
    items = [serialisers.expected_session(expected) for expected in found]
    return respond({"items": items, "date_from": date_from, "date_to": date_to})


@operation(
    f"/registers/<{ID}:session_id>/<on_date>",
    "GET",
    roles=PARTNERS,
    summary="The register for one date of one session",
    tag=TAG,
    response="Register",
    etag=True,
)
def register(session_id: int, on_date: str) -> ResponseReturnValue:
    found = registers.register(own_organisation_id(), session_id, _day(on_date))
    return respond(serialisers.register(found), etag=register_etag(found))


def _formdata(found: Register, marks: list[dict[str, Any]]) -> MultiDict:
    """The register form's data: each young person's current mark, overlaid with what was sent."""
    given = {mark["requirement_id"]: mark for mark in marks}
    formdata = MultiDict()
    for row in found.rows:
        prefix = prefix_for(row)
        values: dict[str, Any] = row.current.values() if row.current else {}
        values = {k: v for k, v in values.items() if v not in (None, "")}
        values |= {k: v for k, v in given.get(row.attendee.requirement_id, {}).items() if v is not None}
        formdata.add(prefix + "revision", str(row.current.revision if row.current else 0))
        for name in ("status", "minutes_late", "absence_reason", "evidence_note", "contact_attempts"):
            if name in values:
                formdata.add(prefix + name, str(values[name]))
        if "absence_acceptable" in values:
            formdata.add(prefix + "absence_acceptable", "yes" if values["absence_acceptable"] else "no")
        if "correction_reason" in values:
            formdata.add(prefix + "correction_reason", str(values["correction_reason"]))
    return formdata


def _check_marks(body: dict[str, Any], found: Register) -> list[dict[str, Any]]:
    unknown = {name: "Unknown field" for name in body if name != "marks"}
    marks = body.get("marks")
    if unknown or not isinstance(marks, list) or len(marks) > 200:
        raise ValidationFailed(unknown or {"marks": "marks must be a list of 200 or fewer"})
    expected = {row.attendee.requirement_id for row in found.rows}
    errors: dict[str, str] = {}
    from portal.api.inputs import Spec

    for index, mark in enumerate(marks):
        if not isinstance(mark, dict):
            errors[f"marks[{index}]"] = "Each mark must be an object"
            continue
        for name, value in mark.items():
            field_schema = MARK_SCHEMA["properties"].get(name)
            if field_schema is None:
                errors[f"marks[{index}].{name}"] = "Unknown field"
            elif value is not None or name in MARK_SCHEMA["required"]:
                spec = Spec(name, field_schema, True, lambda v: [], name)
                problem = check_value(spec, value) if value is not None else f"{name} is required"
                if problem:
                    errors[f"marks[{index}].{name}"] = problem
        for name in MARK_SCHEMA["required"]:
            if name not in mark:
                errors[f"marks[{index}].{name}"] = f"{name} is required"
        if f"marks[{index}].requirement_id" not in errors and mark.get("requirement_id") not in expected:
            errors[f"marks[{index}].requirement_id"] = "No one with this requirement is expected at this session"
    if errors:
        raise ValidationFailed(errors)
    return marks


@operation(
    f"/registers/<{ID}:session_id>/<on_date>",
    "PUT",
    roles=PARTNERS,
    summary="Save the register: a mark for each young person (a change to a mark needs a correction reason)",
    description="Rows you leave out keep their current mark; a row with no mark yet must be given one, "
    "as on the register page. If-Match is the register's ETag.",
    tag=TAG,
    body=REGISTER_SCHEMA,
    if_match="required",
    response="Register",
    rule_failures=("register_not_open",),
    etag=True,
)
def register_save(session_id: int, on_date: str) -> ResponseReturnValue:
    organisation_id, day = own_organisation_id(), _day(on_date)
    found = registers.find_register(organisation_id, session_id, day)
    version = expected_version("register", f"{session_id}-{day.isoformat()}")
    if version != zlib.crc32(serialisers.register_version(found).encode()):
        raise EditConflict()
    if not found.markable:
        raise ApiError(422, "register_not_open", found.not_open_message)
    marks = _check_marks(json_body(), found)
    form = type(register_form(found))(formdata=_formdata(found, marks), meta={"csrf": False})
    form.rows = found.rows
    if not form.validate():
        names = {}
        for row in found.rows:
            for bound in form:
                if bound.name.startswith(prefix_for(row)) and bound.errors:
                    names[f"marks.{row.attendee.requirement_id}.{bound.name.removeprefix(prefix_for(row))}"] = str(
                        bound.errors[0]
                    )
        raise ValidationFailed(names)
    try:
        registers.save_register(found, form.marks(), current_user.id)
    except RegisterNotOpen as closed:
        raise ApiError(422, "register_not_open", closed.reason) from None
    saved = registers.register(organisation_id, session_id, day)
    return respond(serialisers.register(saved), etag=register_etag(saved))


@operation(
    f"/registers/<{ID}:session_id>/<on_date>/cancel",
    "POST",
    roles=PARTNERS,
    summary="Record that you cancelled this date of the session: no one is expected",
    tag=TAG,
    body=CANCEL_INPUT,
    response="Register",
    rule_failures=("register_not_open",),
    etag=True,
)
def register_cancel(session_id: int, on_date: str) -> ResponseReturnValue:
    organisation_id, day = own_organisation_id(), _day(on_date)
    registers.find_register(organisation_id, session_id, day)
    form = CANCEL_INPUT.validate(json_body())
    try:
        registers.cancel_session(organisation_id, session_id, day, form.reason.data, current_user.id)
    except RegisterNotOpen as closed:
        raise ApiError(422, "register_not_open", closed.reason) from None
    saved = registers.register(organisation_id, session_id, day)
    return respond(serialisers.register(saved), etag=register_etag(saved))
