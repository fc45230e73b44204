"""Form building blocks shared by every area, with GOV.UK error wording (re-exported by `portal.forms`)."""

import copy
from datetime import date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, StopValidation, ValidationError

from portal.infra.geo import Location, geocode
from portal.infra.passwords import is_easily_guessed
from portal.rules.dates import TIME_PATTERN, DateWindow
from portal.rules.schedule import london_today


def required(message: str) -> InputRequired:
    return InputRequired(message=message)


def at_most(characters: int, what: str) -> Length:
    return Length(max=characters, message=f"{what} must be {characters} characters or fewer")


def text_field(label: str, *, required_message: str | None = None, max_length: int = 160, **kwargs) -> StringField:
    checks = [required(required_message)] if required_message else [Optional()]
    return StringField(label, validators=[*checks, at_most(max_length, label)], widget=GovTextInput(), **kwargs)


def text_area(label: str, *, required_message: str | None = None, max_length: int = 4000, **kwargs) -> TextAreaField:
    checks = [required(required_message)] if required_message else [Optional()]
    return TextAreaField(label, validators=[*checks, at_most(max_length, label)], widget=GovTextArea(), **kwargs)


def email_field(label: str, required_message: str) -> StringField:
    return StringField(
        label,
        validators=[
            required(required_message),
            at_most(254, label),
            Email(message="Enter an email address in the correct format, like name@example.org"),
        ],
        widget=GovTextInput(),
    )


def checkboxes(label: str, choices: list[tuple[str, str]], **kwargs) -> SelectMultipleField:
    return SelectMultipleField(label, choices=choices, widget=GovCheckboxesInput(), **kwargs)


class ChoiceField(SelectField):
    """A single choice whose 'not one of the options' error uses the field's own GOV.UK message."""

    def __init__(self, label: str, choices: list[tuple[str, str]], required_message: str, **kwargs) -> None:
        super().__init__(label, choices=choices, validators=[required(required_message)], **kwargs)
        self.required_message = required_message

    def pre_validate(self, form) -> None:
        if self.validate_choice and self.data not in {str(value) for value, _label in self.choices if value != ""}:
            raise StopValidation(self.required_message)


def radios(label: str, choices: list[tuple[str, str]], required_message: str, **kwargs) -> SelectField:
    return ChoiceField(label, choices, required_message, widget=GovRadioInput(), **kwargs)


def select(label: str, choices: list[tuple[str, str]], required_message: str, **kwargs) -> SelectField:
    return ChoiceField(label, choices, required_message, widget=GovSelect(), **kwargs)


class PostcodeField(StringField):
    """A UK postcode, checked against the offline postcode list; `location` holds its grid reference."""

    location: Location | None = None

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(
            label,
            validators=[required("Enter a postcode"), at_most(10, "Postcode")],
            widget=GovTextInput(),
            **kwargs,
        )

    def post_validate(self, form, validation_stopped: bool) -> None:
        if validation_stopped or not self.data:
            return
        self.location = geocode(self.data)
        if self.location is None:
            self.errors.append("Enter a real UK postcode, like E3 2AA")
        else:
            self.data = self.location.postcode


class ClockTimeField(StringField):
    """A time of day typed as 17:00 (17.00 and 1700 are understood too)."""

    def __init__(self, label: str, required_message: str, **kwargs) -> None:
        super().__init__(label, validators=[required(required_message)], widget=GovTextInput(), **kwargs)

    def _value(self) -> str:
        if isinstance(self.data, time):
            return self.data.strftime("%H:%M")
        return self.raw_data[0] if self.raw_data else ""

    def process_data(self, value) -> None:
        self.data = value

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        match = TIME_PATTERN.match(text)
        self.data = time(int(match.group(1)), int(match.group(2))) if match else None
        if text and match is None:
            self.process_errors.append(f"Enter {self.label.text.lower()} as a 24-hour time, like 17:00")


class DayMonthYearInput(GovDateInput):
    """GOV.UK date input without the `required` attribute that the wrapper would otherwise put on its <div>."""

    def map_gov_params(self, field, **kwargs) -> dict:
        params = super().map_gov_params(field, **kwargs)
        params["attributes"].pop("required", None)
        return params


def gov_params(field, **kwargs: Any) -> dict:
    """The params a govuk-frontend-wtf widget gives its GOV.UK macro for `field` (`field(**kwargs)` renders that
    macro with them), for a page to call the macro itself: the same HTML, without a render_template per field."""
    widget = copy.copy(field.widget)
    widget.render = lambda params: params  # the widget's last step renders its template with the params
    return widget(field, **dict(field.render_kw or {}, **kwargs))  # as wtforms' DefaultMeta.render_field does


def error_summary(form) -> dict:
    """The GOV.UK error summary for a form; a date's link goes to its day box, as the Design System asks."""
    params = wtforms_errors(form)
    date_ids = {field.id for field in form if isinstance(field.widget, GovDateInput)}
    for error in params["errorList"]:
        if error["href"].lstrip("#") in date_ids:
            error["href"] += "-day"
    return params


class GovDateField(DateField):
    """Day, month and year boxes, with a GOV.UK message when the date is not real or outside its kind's window."""

    def __init__(self, label: str, *, window: DateWindow, required_message: str | None = None, **kwargs) -> None:
        checks = [required(required_message)] if required_message else [Optional()]
        super().__init__(label, validators=checks, format="%d %m %Y", widget=DayMonthYearInput(), **kwargs)
        self.window = window

    def post_validate(self, form, validation_stopped: bool) -> None:
        if validation_stopped or self.data is None or self.errors:
            return
        problem = self.window.problem(self.label.text.replace(" (optional)", ""), self.data, london_today())
        if problem:
            self.errors.append(problem)

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [part.strip() for part in valuelist]
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]  # the widget always shows day, month and year
        if not any(parts):
            self.data = None
            return
        try:
            self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date()
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2027") from None


def ensure_after(earlier: date | time | None, later: date | time | None, field, message: str) -> None:
    if earlier is not None and later is not None and later <= earlier:
        field.errors.append(message)


class WholeNumberField(IntegerField):
    """A whole number with a GOV.UK message naming the field when it is not one."""

    def __init__(self, label: str, required_message: str | None = None, **kwargs) -> None:
        kwargs.setdefault("widget", GovTextInput())
        super().__init__(label, validators=[required(required_message) if required_message else Optional()], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number, like 12") from None


class VersionField(HiddenField):
    """The version of the record the form was opened on, to catch edits that would overwrite someone else's."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = int(text) if text.isdigit() else None


CHANGED_SINCE_OPENED = (
    "Someone else changed this record since you opened it. Your changes have not been saved: "
    "check the current details below and make your changes again."
)


class VersionedForm(FlaskForm):
    """Every change to a draft carries the version it was made on, so two officers never overwrite each other."""

    version = VersionField()


class WholeForm(VersionedForm):
    """A button-only form (CSRF and the version)."""


def require_words(field) -> None:
    """Spaces alone pass InputRequired; they are no answer, so they get the field's own 'enter' message."""
    if not field.errors and not (field.data or "").strip():
        field.errors.append(field.validators[0].message)


# Passwords: the sign-up, set-password and change-password forms share these fields.

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1000  # argon2 hashes every character: there is no silent truncation


def not_easily_guessed(_form: FlaskForm, field: Field) -> None:
    if field.data and is_easily_guessed(field.data):
        raise ValidationError("This password is too easy to guess: it is one of the most commonly used. Choose another")


def new_password_field(label: str = "Create a password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            required("Enter a password"),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Password must be between {PASSWORD_MIN_LENGTH} and {PASSWORD_MAX_LENGTH} characters",
            ),
            not_easily_guessed,
        ],
        widget=GovPasswordInput(),
        description=f"At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong password.",
    )


def confirm_password_field() -> PasswordField:
    return PasswordField(
        "Confirm password",
        validators=[required("Confirm your password"), EqualTo("password", message="Passwords must match")],
        widget=GovPasswordInput(),
    )


def current_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[required("Enter your password")], widget=GovPasswordInput())
