import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Optional

from matching.taxonomy import ACTIVITY_TYPES, LANGUAGES, PROVISIONS, WEEKDAYS
from portal.forms.common import (
    ClockTimeField,
    GovDateField,
    PostcodeField,
    VersionField,
    WholeNumberField,
    at_most,
    checkboxes,
    confirm_password_field,
    email_field,
    ensure_after,
    new_password_field,
    radios,
    select,
    text_area,
    text_field,
)
from portal.models import ORGANISATION_KINDS, Gender
from portal.oruk import residence
from portal.rules.dates import PROGRAMME_DATES, long_date
from portal.rules.schedule import london_today

MINIMUM_AGE = 12
MAXIMUM_AGE = 25
MONEY_PATTERN = re.compile(r"^£?\s*(\d{1,5})(?:\.(\d{2}))?$")


class OrganisationDetailsForm(FlaskForm):
    name = text_field("Organisation name", required_message="Enter the organisation name", max_length=160)
    kind = radios("Type of organisation", list(ORGANISATION_KINDS.items()), "Select the type of organisation")
    borough = text_field("Borough or area", required_message="Enter the borough or area you work in", max_length=80)
    address = text_field("Address", required_message="Enter the organisation's address", max_length=300)
    postcode = PostcodeField("Postcode")
    email = email_field("Organisation email address", "Enter the organisation's email address")
    phone = text_field("Telephone number", required_message="Enter a telephone number", max_length=40)
    website = text_field("Website (optional)", max_length=300)
    description = text_area(
        "What your organisation does", required_message="Describe what your organisation does", max_length=2000
    )


class RegistrationForm(OrganisationDetailsForm):
    full_name = text_field("Your full name", required_message="Enter your full name", max_length=120)
    user_email = email_field("Your email address", "Enter your email address")
    password = new_password_field()
    confirm_password = confirm_password_field()
    submit = SubmitField("Register organisation", widget=GovSubmitInput())


class ContinueRegistrationForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())


def parse_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for tag in text.split(","):
        cleaned = " ".join(tag.split()).lower()
        if cleaned:
            seen[cleaned[:40]] = None
    return list(seen)


class ProgrammeChecks(FlaskForm):
    """The rules of a programme's fields, for the whole form (the API) or any section of it (the task list)."""

    cost_pence: int = 0

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "activity_types" in self and not self.activity_types.data:
            self.activity_types.errors.append("Select at least one activity type")
        if "languages" in self and not self.languages.data:
            self.languages.errors.append("Select at least one language")
        if "min_age" in self:
            self._check_ages()
        if "capacity" in self:
            if self.capacity.data is not None and self.capacity.data < 1:
                self.capacity.errors.append("Places per session must be 1 or more")
            if self.capacity.data is not None and self.capacity.data > 500:
                self.capacity.errors.append("Places per session must be 500 or fewer")
        if "cost" in self:
            self._parse_cost()
        if "valid_from" in self:
            ensure_after(self.valid_from.data, self.valid_to.data, self.valid_to, "Runs until must be after runs from")
        return valid and not any(field.errors for field in self)

    def _check_ages(self) -> None:
        low, high = self.min_age.data, self.max_age.data
        if low is not None and low < MINIMUM_AGE:
            self.min_age.errors.append(f"Minimum age must be {MINIMUM_AGE} or over")
        if high is not None and high > MAXIMUM_AGE:
            self.max_age.errors.append(f"Maximum age must be {MAXIMUM_AGE} or under")
        if low is not None and high is not None and low > high:
            self.min_age.errors.append("Minimum age must be the same as or lower than the maximum age")

    def _parse_cost(self) -> None:
        text = (self.cost.data or "").strip()
        if not text:
            self.cost_pence = 0
            return
        match = MONEY_PATTERN.match(text)
        if match is None:
            self.cost.errors.append("Cost per session must be an amount in pounds, like 2.50")
            return
        self.cost_pence = int(match.group(1)) * 100 + int(match.group(2) or 0)

    def programme_fields(self) -> dict:
        """The programme's fields this form (or section) holds, cleaned as they are stored."""
        return {key: clean(self) for name, (key, clean) in PROGRAMME_FIELDS.items() if name in self}

    def show(self, source: object) -> None:
        """Fill the fields a stored list or amount cannot fill by itself: tags as text, the cost in pounds."""
        if "tags" in self:
            self.tags.data = ", ".join(getattr(source, "tags", None) or [])
        if "cost" in self:
            pence = getattr(source, "cost_pence", None)
            self.cost.data = f"{pence / 100:.2f}" if pence else ""


def _stripped(name: str) -> Callable[[FlaskForm], str]:
    return lambda form: (form[name].data or "").strip()


PROGRAMME_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "title": ("title", _stripped("title")),
    "description": ("description", _stripped("description")),
    "activity_types": ("activity_types", lambda form: list(form.activity_types.data)),
    "tags": ("tags", lambda form: parse_tags(form.tags.data or "")),
    "min_age": ("min_age", lambda form: form.min_age.data),
    "max_age": ("max_age", lambda form: form.max_age.data),
    "gender": ("gender", lambda form: form.gender.data),
    "capacity": ("capacity", lambda form: form.capacity.data),
    "cost": ("cost_pence", lambda form: form.cost_pence),
    "languages": ("languages", lambda form: list(form.languages.data)),
    "provisions": ("provisions", lambda form: list(form.provisions.data)),
    "accessibility_notes": ("accessibility_notes", _stripped("accessibility_notes")),
    "referral_process": ("referral_process", _stripped("referral_process")),
    "supervisor_name": ("supervisor_name", _stripped("supervisor_name")),
    "supervisor_role": ("supervisor_role", _stripped("supervisor_role")),
    "supervisor_email": ("supervisor_email", lambda form: form.supervisor_email.data.strip().lower()),
    "supervisor_phone": ("supervisor_phone", _stripped("supervisor_phone")),
    "valid_from": ("valid_from", lambda form: form.valid_from.data),
    "valid_to": ("valid_to", lambda form: form.valid_to.data),
}


class ProgrammeForm(ProgrammeChecks):
    version = VersionField()
    title = text_field("Programme title", required_message="Enter the programme title", max_length=160)
    description = text_area(
        "Description",
        required_message="Describe the programme",
        max_length=4000,
        description="What young people do, what they get out of it and how sessions run.",
    )
    activity_types = checkboxes(
        "Activity types",
        [(term.slug, term.name) for term in ACTIVITY_TYPES],
        description="Select all that apply.",
    )
    tags = text_field(
        "Tags (optional)", max_length=400, description="Separate tags with commas, like 'drill, studio, DJ'."
    )
    min_age = WholeNumberField("Minimum age", "Enter the minimum age")
    max_age = WholeNumberField("Maximum age", "Enter the maximum age")
    gender = radios(
        "Who can take part",
        [
            (Gender.ANY.value, "Anyone"),
            (Gender.MALE.value, "Boys and young men only"),
            (Gender.FEMALE.value, "Girls and young women only"),
        ],
        "Select who can take part",
    )
    capacity = WholeNumberField("Places per session", "Enter the number of places per session")
    cost = StringField(
        "Cost per session (optional)",
        validators=[Optional(), at_most(10, "Cost per session")],
        widget=GovTextInput(),
        description="Leave empty if it is free. For example, 2.50",
    )
    languages = checkboxes("Languages staff can work in", [(code, name) for code, name in LANGUAGES.items()])
    provisions = checkboxes(
        "Cultural, faith and access provisions",
        [(term.slug, term.name) for term in PROVISIONS],
        description="Select all you offer.",
    )
    accessibility_notes = text_area("Accessibility notes (optional)", max_length=2000)
    referral_process = text_area(
        "Referral process", required_message="Describe how referrals are handled", max_length=2000
    )
    supervisor_name = text_field(
        "Supervisor's full name", required_message="Enter the supervisor's full name", max_length=120
    )
    supervisor_role = text_field("Supervisor's role", required_message="Enter the supervisor's role", max_length=120)
    supervisor_email = email_field("Supervisor's email address", "Enter the supervisor's email address")
    supervisor_phone = text_field(
        "Supervisor's telephone number", required_message="Enter the supervisor's telephone number", max_length=40
    )
    valid_from = GovDateField(
        "Runs from", window=PROGRAMME_DATES, required_message="Enter the date the programme runs from"
    )
    valid_to = GovDateField(
        "Runs until (optional)", window=PROGRAMME_DATES, description="Leave empty if it has no end date."
    )
    submit = SubmitField("Save programme", widget=GovSubmitInput())


SAVE_AND_CONTINUE = "Save and continue"


class AboutProgrammeForm(ProgrammeChecks):
    version = VersionField()
    title = ProgrammeForm.title
    description = ProgrammeForm.description
    activity_types = ProgrammeForm.activity_types
    tags = ProgrammeForm.tags
    submit = SubmitField(SAVE_AND_CONTINUE, widget=GovSubmitInput())


class WhoItIsForForm(ProgrammeChecks):
    version = VersionField()
    min_age = ProgrammeForm.min_age
    max_age = ProgrammeForm.max_age
    gender = ProgrammeForm.gender
    submit = SubmitField(SAVE_AND_CONTINUE, widget=GovSubmitInput())


class ProvisionForm(ProgrammeChecks):
    version = VersionField()
    languages = ProgrammeForm.languages
    provisions = ProgrammeForm.provisions
    accessibility_notes = ProgrammeForm.accessibility_notes
    submit = SubmitField(SAVE_AND_CONTINUE, widget=GovSubmitInput())


class SupervisorForm(ProgrammeChecks):
    version = VersionField()
    supervisor_name = ProgrammeForm.supervisor_name
    supervisor_role = ProgrammeForm.supervisor_role
    supervisor_email = ProgrammeForm.supervisor_email
    supervisor_phone = ProgrammeForm.supervisor_phone
    referral_process = ProgrammeForm.referral_process
    submit = SubmitField(SAVE_AND_CONTINUE, widget=GovSubmitInput())


class DatesAndPlacesForm(ProgrammeChecks):
    version = VersionField()
    valid_from = ProgrammeForm.valid_from
    valid_to = ProgrammeForm.valid_to
    capacity = ProgrammeForm.capacity
    cost = ProgrammeForm.cost
    submit = SubmitField(SAVE_AND_CONTINUE, widget=GovSubmitInput())


class VenueForm(FlaskForm):
    version = VersionField()
    name = text_field("Venue name", required_message="Enter the venue name", max_length=160)
    address = text_field("Address", required_message="Enter the venue's address", max_length=300)
    postcode = PostcodeField("Postcode")
    submit = SubmitField("Save venue", widget=GovSubmitInput())

    def venue_fields(self) -> dict:
        """The venue as `portal.data.programmes` stores it, with the postcode's grid reference."""
        location = self.postcode.location
        assert location is not None  # the form only validates with a geocoded postcode
        return {
            "name": self.name.data.strip(),
            "address": self.address.data.strip(),
            "postcode": location.postcode,
            "easting": location.easting,
            "northing": location.northing,
        }


DATE_LINE = re.compile(r"^(\d{1,2})[\s/.-](\d{1,2})[\s/.-](\d{4})$")


def parse_dates(text: str) -> tuple[list[date], list[str]]:
    """One date per line, like 25/12/2026; returns the dates and the lines that were not dates."""
    dates: list[date] = []
    bad: list[str] = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        match = DATE_LINE.match(line)
        try:
            dates.append(datetime.strptime(" ".join(match.groups()), "%d %m %Y").date())  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            bad.append(line)
    return sorted(set(dates)), bad


class SessionForm(FlaskForm):
    version = VersionField()
    venue_id = select("Venue", [], "Select the venue")
    weekday = radios("Day of the week", [(str(index), name) for index, name in enumerate(WEEKDAYS)], "Select the day")
    start_time = ClockTimeField("Start time", "Enter the start time", description="For example, 17:00")
    end_time = ClockTimeField("End time", "Enter the end time", description="For example, 19:00")
    term_start = GovDateField(
        "First session date", window=PROGRAMME_DATES, required_message="Enter the date of the first session"
    )
    term_end = GovDateField(
        "Last session date (optional)",
        window=PROGRAMME_DATES,
        description="Leave empty if the session runs until further notice.",
    )
    exception_dates = text_area(
        "Dates with no session (optional)",
        max_length=2000,
        description="Holidays and cancellations, one date per line, like 25/12/2026.",
    )
    submit = SubmitField("Save session", widget=GovSubmitInput())

    parsed_exceptions: list[date] = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ensure_after(self.start_time.data, self.end_time.data, self.end_time, "End time must be after the start time")
        ensure_after(
            self.term_start.data, self.term_end.data, self.term_end, "Last session date must be after the first"
        )
        self.parsed_exceptions, bad = parse_dates(self.exception_dates.data or "")
        if bad:
            self.exception_dates.errors.append(
                f"Enter each date with no session like 25/12/2026 (check '{bad[0][:20]}')"
            )
        self._check_exceptions_in_window(london_today())
        return valid and not any(field.errors for field in self)

    def _check_exceptions_in_window(self, today: date) -> None:
        outside = [day for day in self.parsed_exceptions if not PROGRAMME_DATES.contains(day, today)]
        if outside and not self.exception_dates.errors:
            earliest, latest = PROGRAMME_DATES.earliest(today), PROGRAMME_DATES.latest(today)
            self.exception_dates.errors.append(
                f"Dates with no session must be between {long_date(earliest)} and {long_date(latest)} "
                f"(check {outside[0]:%d/%m/%Y})"
            )

    def session_fields(self) -> dict:
        return {
            "venue_id": int(self.venue_id.data),
            "weekday": int(self.weekday.data),
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "term_start": self.term_start.data,
            "term_end": self.term_end.data,
            "exception_dates": [day.isoformat() for day in self.parsed_exceptions],
        }


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for one-click actions."""

    version = VersionField()


class ListingReviewForm(FlaskForm):
    """Who can take part in an imported listing held for review, decided by someone who has read each item."""

    version = VersionField()
    gender = ProgrammeForm.gender
    min_age = ProgrammeForm.min_age
    max_age = ProgrammeForm.max_age
    residence = StringField(
        "Where people must live (optional)",
        validators=[Optional(), at_most(300, "Where people must live")],
        widget=GovTextInput(),
        description="Postcode areas, districts or sectors, separated by commas (for example E1, E2, E14 9), or London. "
        "Leave empty if people can live anywhere.",
    )
    keep_drawn_area = checkboxes("The area the file draws", [("keep", "Keep the area the file draws")])
    checked = checkboxes(
        "Check what the import could not read",
        [("checked", "I have read every item listed above and the rule above covers each of them")],
    )
    submit = SubmitField("Publish with this rule", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ProgrammeForm._check_ages(self)  # type: ignore[arg-type]
        if self.checked.data != ["checked"]:
            self.checked.errors.append("Confirm you have read every item the import could not read")
        if self.residence.data and residence.read_words(self.residence.data.upper()) is None:
            self.residence.errors.append(
                "Enter where people must live as postcode areas, districts or sectors, like E1, E2 or E14 9, or London"
            )
        return valid and not any(field.errors for field in self)

    def show_residence(self, stored: dict | None) -> None:
        """The stored rule in the form's words: its postcodes (or London), and whether it keeps a drawn area."""
        postcodes = (stored or {}).get("postcodes") or []
        self.residence.data = "London" if tuple(postcodes) == residence.LONDON else ", ".join(postcodes)
        self.keep_drawn_area.data = ["keep"] if (stored or {}).get("polygons") else []

    def rule(self, stored: dict | None) -> dict:
        return {
            "gender": self.gender.data,
            "min_age": self.min_age.data,
            "max_age": self.max_age.data,
            "residence_rule": self._residence_rule(stored),
        }

    def _residence_rule(self, stored: dict | None) -> dict | None:
        reading = residence.read_words(self.residence.data.upper()) if self.residence.data else None
        postcodes = list(reading.postcodes) if reading else []
        polygons = (stored or {}).get("polygons") or [] if self.keep_drawn_area.data == ["keep"] else []
        if not postcodes and not polygons:
            return None
        labels = [reading.label] if postcodes else []
        if polygons:
            labels.append(str((stored or {}).get("label") or "the area drawn in the file"))
        return {"label": "; ".join(labels), "postcodes": postcodes, "polygons": polygons}
