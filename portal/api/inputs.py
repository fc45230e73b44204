"""JSON bodies and query strings checked by the UI's own WTForms forms: one rule, two doors.

A `FormInput` reads a form class's fields (type, choices, length limits, whether required) and from them both
builds the OpenAPI schema of the JSON body and turns a JSON body into the form data the form validates, so the API
answers with the same messages as the pages. JSON types are checked first, strictly, with the field's label.
"""

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, SubmitField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import InputRequired, Length

from portal.api.errors import ApiError, ValidationFailed
from portal.forms import ClockTimeField, VersionField
from portal.rules.input_rules import REFUSED, control_character_in

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CLOCK_PATTERN = CLOCK.pattern
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_BODY_BYTES = 256 * 1024


def _label(bound: Any) -> str:
    return bound.label.text.replace(" (optional)", "")


@dataclass
class Spec:
    """One JSON field: its schema, how to check a value and how to give it to the form."""

    name: str
    schema: dict[str, Any]
    required: bool
    to_form: Callable[[Any], list[str]]
    form_name: str
    label: str = ""
    keep_null: bool = False  # null means something to the form (for example "any day"), so it is passed on


@dataclass
class Override:
    """A JSON field that differs from the form's: its own schema and conversion (`check` returns an error)."""

    schema: dict[str, Any]
    to_form: Callable[[Any], list[str]]
    check: Callable[[Any], str | None]
    form_field: str | None = None  # the form field it fills, when named differently
    required: bool | None = None
    keep_null: bool = False


@dataclass
class FormInput:
    form_class: type[FlaskForm]
    overrides: dict[str, Override] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    prefix: str = ""
    form_kwargs: dict[str, Any] = field(default_factory=dict)

    def new_form(self, formdata: MultiDict | None = None, **kwargs: Any) -> FlaskForm:
        options = {"meta": {"csrf": False}} | self.form_kwargs | kwargs
        return self.form_class(formdata=formdata if formdata is not None else MultiDict(), **options)

    def specs(self) -> dict[str, Spec]:
        form = self.new_form()
        found: dict[str, Spec] = {}
        renamed = {o.form_field: name for name, o in self.overrides.items() if o.form_field}
        for bound in form:
            if isinstance(bound, VersionField | SubmitField | CSRFTokenField) or bound.short_name in self.exclude:
                continue
            name = renamed.get(bound.short_name, bound.short_name)
            found[name] = _spec_for(name, bound, self.overrides.get(name))
        return found

    def schema(self, partial: bool = False) -> dict[str, Any]:
        specs = self.specs()
        result: dict[str, Any] = {
            "type": "object",
            "properties": {name: spec.schema for name, spec in specs.items()},
            "additionalProperties": False,
        }
        required = [name for name, spec in specs.items() if spec.required]
        if required and not partial:
            result["required"] = required
        return result

    def validate(
        self,
        body: Mapping[str, Any],
        current: Mapping[str, Any] | None = None,
        prepare: Callable[[FlaskForm], None] | None = None,
        **kwargs: Any,
    ) -> FlaskForm:
        """The form, filled from the body (over `current` for a partial update) and validated; 400 if not valid.
        Errors on fields this input leaves out (`exclude`) are not the caller's to fix, so they are ignored."""
        specs = self.specs()
        errors = {name: "Unknown field" for name in body if name not in specs}
        merged = {name: value for name, value in (current or {}).items() if name in specs} | dict(body)
        formdata = MultiDict()
        for name, spec in specs.items():
            value = merged.get(name)
            if value is None and not (spec.keep_null and name in merged):
                continue
            problem = check_value(spec, value)
            if problem:
                errors[name] = problem
                continue
            for item in spec.to_form(value):
                formdata.add(self._key(spec.form_name), item)
        if errors:
            raise ValidationFailed(errors)
        form = self.new_form(formdata, **kwargs)
        if prepare is not None:
            prepare(form)
        form.validate()
        names = {spec.form_name: name for name, spec in specs.items()}
        errors = {key: message for key, message in form_errors(form).items() if key in names}
        if errors:
            raise ValidationFailed({names[key]: message for key, message in errors.items()})
        return form

    def _key(self, form_name: str) -> str:
        return f"{self.prefix}-{form_name}" if self.prefix else form_name


def form_errors(form: FlaskForm, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """The first message for each field that has one, under the API's name for the field."""
    names = names or {}
    return {
        names.get(bound.short_name, bound.short_name): str(bound.errors[0])
        for bound in form
        if bound.errors and not isinstance(bound.errors, dict)
    }


def check_value(spec: Spec, value: Any) -> str | None:
    checker = spec.schema.get("x-check")
    if checker is not None:
        return checker(value)
    return _check(spec.schema, value, spec.label or spec.name)


def _check(schema: dict[str, Any], value: Any, label: str) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # ["integer", "null"]: null is handled before
        kind = next(k for k in kind if k != "null")
    checker = CHECKERS.get(kind)
    return checker(schema, value, label) if checker else None


def _one_of(schema: dict[str, Any], label: str) -> str:
    allowed = ", ".join(str(item) for item in schema["enum"] if item is not None)
    return schema.get("x-message") or f"{label} must be one of: {allowed}"


def _check_string(schema: dict[str, Any], value: Any, label: str) -> str | None:
    if not isinstance(value, str):
        return f"{label} must be text"
    if control_character_in(value):
        return f"{label} {REFUSED}"
    if "enum" in schema and value not in schema["enum"]:
        return _one_of(schema, label)
    if schema.get("format") == "date" and not _iso_date(value):
        return f"{label} must be a real date, like 2027-03-27"
    if "pattern" in schema and not re.match(schema["pattern"], value):
        return schema.get("x-message") or f"{label} is not in the expected format"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return f"{label} must be {schema['maxLength']} characters or fewer"
    return None


def _check_integer(schema: dict[str, Any], value: Any, label: str) -> str | None:
    number = as_int(value)
    if number is None:
        return f"{label} must be a whole number, like 12"
    low, high = schema.get("minimum", INT_MIN), schema.get("maximum", INT_MAX)
    if not low <= number <= high:
        return f"{label} must be between {low} and {high}"
    if "enum" in schema and number not in schema["enum"]:
        return _one_of(schema, label)
    return None


def _check_boolean(_schema: dict[str, Any], value: Any, label: str) -> str | None:
    return None if isinstance(value, bool) else f"{label} must be true or false"


def _check_array(schema: dict[str, Any], value: Any, label: str) -> str | None:
    if not isinstance(value, list):
        return f"{label} must be a list"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        return f"{label} must have {schema['maxItems']} items or fewer"
    problems = (_check(schema.get("items", {}), item, label) for item in value)
    problem = next((found for found in problems if found), None)
    if problem:
        return problem
    if schema.get("uniqueItems") and len(set(map(repr, value))) != len(value):
        return f"{label} must not repeat an item"
    return None


CHECKERS: dict[str, Callable[[dict[str, Any], Any, str], str | None]] = {
    "string": _check_string,
    "integer": _check_integer,
    "boolean": _check_boolean,
    "array": _check_array,
}


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _iso_date(text: str) -> date | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_parts(value: str) -> list[str]:
    day = date.fromisoformat(value)
    return [str(day.day), str(day.month), str(day.year)]


def _spec_for(name: str, bound: Any, override: Override | None) -> Spec:
    label = _label(bound)
    required = any(isinstance(v, InputRequired) for v in bound.validators)
    if override is not None:
        schema = dict(override.schema) | {"x-check": override.check}
        return Spec(
            name,
            schema,
            required if override.required is None else override.required,
            override.to_form,
            bound.short_name,
            label,
            override.keep_null,
        )
    schema, to_form = _schema_for(bound, label, required)
    if not required:
        schema = _nullable(schema)
    schema["description"] = label
    return Spec(name, schema, required, to_form, bound.short_name, label)


def _as_text(value: Any) -> list[str]:
    return [str(value)]


def _as_list(value: Any) -> list[str]:
    return [str(item) for item in value]


def _as_checkbox(value: Any) -> list[str]:
    return ["y"] if value else []


def _select_schema(bound: Any) -> dict[str, Any]:
    values = [str(value) for value, _ in bound.choices if value != ""]
    schema: dict[str, Any]
    if values and all(v.isdigit() for v in values):
        schema = {"type": "integer", "enum": [int(v) for v in values]}
    else:
        schema = {"type": "string", "enum": values}
    message = getattr(bound, "required_message", None)
    if message:
        schema["x-message"] = message
    return schema


def _text_schema(bound: Any, required: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    length = next((v for v in bound.validators if isinstance(v, Length)), None)
    if length is not None and length.max and length.max > 0:
        schema["maxLength"] = length.max
    if required:
        schema["minLength"] = 1
    return schema


def _schema_for(bound: Any, label: str, required: bool) -> tuple[dict[str, Any], Callable[[Any], list[str]]]:
    """The JSON Schema of a form field, by its type, and how a JSON value becomes its form data."""
    if isinstance(bound, SelectMultipleField):
        values = [str(value) for value, _ in bound.choices]
        return {"type": "array", "items": {"type": "string", "enum": values}, "uniqueItems": True}, _as_list
    if isinstance(bound, SelectField):
        return _select_schema(bound), _as_text
    if isinstance(bound, BooleanField):
        return {"type": "boolean"}, _as_checkbox
    if isinstance(bound, DateField):
        return {"type": "string", "format": "date"}, _date_parts
    if isinstance(bound, ClockTimeField):
        message = f"Enter {label.lower()} as a 24-hour time, like 17:00"
        return {"type": "string", "pattern": CLOCK_PATTERN, "x-message": message}, _as_text
    if isinstance(bound, IntegerField):
        return {"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX}, _as_text
    return _text_schema(bound, required), _as_text


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    if isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def public_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without the private x- keys (checkers and messages)."""
    if isinstance(schema, dict):
        return {k: public_schema(v) for k, v in schema.items() if not (k.startswith("x-") and k != "x-roles")}
    if isinstance(schema, list):
        return [public_schema(item) for item in schema]
    return schema


# Reading the request


def json_body() -> dict[str, Any]:
    """The body as a JSON object; 415 when it is not JSON, 400 when it does not parse or is not an object."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413)
    if not request.is_json:
        raise ApiError(415)
    data = request.get_data(cache=True)
    if len(data) > MAX_BODY_BYTES:
        raise ApiError(413)
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # not a ValueError, so `silent` lets it through
        body = None
    if body is None:
        raise ApiError(400, "invalid_json", "The body is not valid JSON")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object")
    return body


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or not low <= int(raw) <= high:
        raise ValidationFailed({name: f"{name} must be a whole number from {low} to {high}"})
    return int(raw)


def page_params() -> tuple[int, int]:
    return query_int("page", 1, 1, 100_000), query_int("per_page", 20, 1, 100)
