from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Field, StringField, SubmitField, TextAreaField
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
    ensure_after,
    radios,
    text_area,
    text_field,
)
from portal.models import NoteKind, SubjectCategory, WindowKind
from portal.rules.dates import BIRTH_DATES, age_on
from portal.rules.schedule import london_today

MINIMUM_AGE = 10
MAXIMUM_AGE = 25
GENDERS = [("male", "Male"), ("female", "Female"), ("other", "Other")]
CATEGORIES = [
    (SubjectCategory.SUSPECT.value, "Suspect"),
    (SubjectCategory.CONVICTED.value, "Convicted"),
    (SubjectCategory.OTHER.value, "Other"),
]
WINDOW_KINDS = [
    (WindowKind.SCHOOL.value, "School"),
    (WindowKind.COLLEGE.value, "College"),
    (WindowKind.WORK.value, "Work"),
    (WindowKind.OBSERVANCE.value, "Faith observance"),
]
SCHOOL_WEEK = "monday-to-friday"
NOTE_KINDS = [
    (NoteKind.FACT.value, "Fact"),
    (NoteKind.ASSESSMENT.value, "Assessment"),
]


class OptionalClockTimeField(ClockTimeField):
    """A 24-hour time that may be left empty; `what` names it in errors, without the label's '(optional)'."""

    def __init__(self, label: str, what: str, **kwargs) -> None:
        StringField.__init__(self, label, validators=[Optional()], widget=GovTextInput(), **kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.process_errors:
            self.process_errors = [f"Enter the {self.what} as a 24-hour time, like 21:00"]


class SubjectForm(FlaskForm):
    version = VersionField()
    reference = text_field("Reference", required_message="Enter the reference", max_length=40)
    first_name = text_field("First name", required_message="Enter the first name", max_length=80)
    last_name = text_field("Last name", required_message="Enter the last name", max_length=80)
    date_of_birth = GovDateField("Date of birth", window=BIRTH_DATES, required_message="Enter the date of birth")
    gender = radios("Gender", GENDERS, "Select the gender")
    home_postcode = PostcodeField("Home postcode")
    category = radios(
        "Subject category",
        CATEGORIES,
        "Select the subject category",
        description="Data Protection Act 2018 section 38",
    )
    languages = checkboxes("Languages", list(LANGUAGES.items()), description="Select all they speak.")
    interest_activity_types = checkboxes(
        "Interests", [(term.slug, term.name) for term in ACTIVITY_TYPES], description="Select all that apply."
    )
    interest_text = TextAreaField(
        "Interests in their own words (optional)",
        validators=[Optional(), at_most(500, "Interests in their own words")],
        widget=GovTextArea(),
        description="For example, footy, music.",
    )
    needs = checkboxes(
        "Cultural, faith and access needs",
        [(term.slug, term.name) for term in PROVISIONS],
        description="Select all that apply.",
    )
    curfew_start = OptionalClockTimeField(
        "Curfew start (optional)", "curfew start time", description="For example, 21:00"
    )
    curfew_end = OptionalClockTimeField("Curfew end (optional)", "curfew end time", description="For example, 07:00")
    max_travel_km = WholeNumberField(
        "Maximum travel distance",
        description="Optional. In kilometres, from 1 to 50. Leave empty if there is no limit.",
    )
    submit = SubmitField("Save subject", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.check_across_fields()
        return valid and not any(field.errors for field in self)

    def check_across_fields(self) -> None:
        """The rules that look at more than one field, or at today: each applies when its fields are on the form,
        so every section's page keeps exactly the whole form's rules and messages."""
        if "date_of_birth" in self:
            self._check_date_of_birth(london_today())
        if "curfew_start" in self:
            self._check_curfew()
        if "max_travel_km" in self:
            km = self.max_travel_km.data
            if km is not None and not 1 <= km <= 50:
                self.max_travel_km.errors.append("Maximum travel distance must be between 1 and 50 km")

    def _check_date_of_birth(self, today: date) -> None:
        born = self.date_of_birth.data
        if born is None:
            return
        if born >= today:
            self.date_of_birth.errors.append("Date of birth must be in the past")
        elif not MINIMUM_AGE <= age_on(born, today) <= MAXIMUM_AGE:
            self.date_of_birth.errors.append(
                f"Date of birth must give an age between {MINIMUM_AGE} and {MAXIMUM_AGE} today"
            )

    def _check_curfew(self) -> None:
        start, end = self.curfew_start, self.curfew_end
        if start.errors or end.errors:
            return
        if start.data and not end.data:
            end.errors.append("Enter the curfew end time, or leave both curfew times empty")
        if end.data and not start.data:
            start.errors.append("Enter the curfew start time, or leave both curfew times empty")
        if start.data and end.data and start.data == end.data:
            end.errors.append("Curfew end must be different from the curfew start")

    def subject_fields(self) -> dict:
        """The record's values from whichever of the subject's fields this form carries."""
        fields: dict = {}
        if "reference" in self:
            location = self.home_postcode.location
            assert location is not None  # the form only validates with a geocoded postcode
            fields |= {
                "reference": self.reference.data.strip(),
                "first_name": self.first_name.data.strip(),
                "last_name": self.last_name.data.strip(),
                "date_of_birth": self.date_of_birth.data,
                "gender": self.gender.data,
                "home_postcode": location.postcode,
                "home_easting": location.easting,
                "home_northing": location.northing,
                "category": SubjectCategory(self.category.data),
            }
        if "languages" in self:
            fields |= {
                "languages": list(self.languages.data),
                "interest_activity_types": list(self.interest_activity_types.data),
                "interest_text": (self.interest_text.data or "").strip(),
            }
        if "needs" in self:
            fields["needs"] = list(self.needs.data)
        if "curfew_start" in self:
            km = self.max_travel_km.data
            fields |= {
                "curfew_start": self.curfew_start.data,
                "curfew_end": self.curfew_end.data,
                "max_travel_m": km * 1000 if km is not None else None,
            }
        return fields


SECTION_DONE = [("yes", "Yes"), ("no", "No, I’ll come back to it later")]


def completed_question() -> Field:
    return radios("Have you completed this section?", SECTION_DONE, "Select whether you have completed this section")


PERSONAL = ("reference", "first_name", "last_name", "date_of_birth", "gender", "home_postcode", "category")
LANGUAGES_AND_INTERESTS = ("languages", "interest_activity_types", "interest_text")
NEEDS = ("needs",)
CURFEW_AND_TRAVEL = ("curfew_start", "curfew_end", "max_travel_km")
ALL_FIELDS = PERSONAL + LANGUAGES_AND_INTERESTS + NEEDS + CURFEW_AND_TRAVEL


def _section(name: str, kept: tuple[str, ...], asks_if_complete: bool = True) -> type[SubjectForm]:
    """One section of the record on its own page: the whole form with every other field taken off (WTForms: a
    field set to None is removed), so labels, limits, messages and cross-field rules stay exactly the same."""
    attributes: dict = {field: None for field in ALL_FIELDS if field not in kept}
    attributes["submit"] = SubmitField("Save and continue", widget=GovSubmitInput())
    if asks_if_complete:
        attributes["completed"] = completed_question()
    return type(name, (SubjectForm,), attributes)


# Who they are: every field is needed to record a subject at all, so that section is complete once saved.
PersonalDetailsForm = _section("PersonalDetailsForm", PERSONAL, asks_if_complete=False)
LanguagesAndInterestsForm = _section("LanguagesAndInterestsForm", LANGUAGES_AND_INTERESTS)
NeedsForm = _section("NeedsForm", NEEDS)
CurfewAndTravelForm = _section("CurfewAndTravelForm", CURFEW_AND_TRAVEL)


class SectionCompleteForm(FlaskForm):
    """A section that is a list (commitments, zones, non-associations): only whether it is done."""

    completed = completed_question()
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


class SearchForm(FlaskForm):
    query = text_field("Reference or name", max_length=100)
    submit = SubmitField("Search", widget=GovSubmitInput())


class WindowForm(FlaskForm):
    kind = radios("Type of commitment", WINDOW_KINDS, "Select the type of commitment")
    label = text_field(
        "Description", required_message="Enter a description", max_length=80, description="For example, Friday prayers"
    )
    weekday = radios(
        "Day",
        [(str(index), name) for index, name in enumerate(WEEKDAYS)]
        + [(SCHOOL_WEEK, "Every weekday, Monday to Friday (a school timetable)")],
        "Select the day",
    )
    start_time = ClockTimeField("Start time", "Enter the start time", description="For example, 08:30")
    end_time = ClockTimeField("End time", "Enter the end time", description="For example, 15:30")
    submit = SubmitField("Add commitment", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ensure_after(self.start_time.data, self.end_time.data, self.end_time, "End time must be after the start time")
        return valid and not any(field.errors for field in self)

    def windows(self) -> list[dict]:
        days = range(5) if self.weekday.data == SCHOOL_WEEK else [int(self.weekday.data)]
        return [
            {
                "kind": WindowKind(self.kind.data),
                "label": self.label.data.strip(),
                "weekday": day,
                "start_time": self.start_time.data,
                "end_time": self.end_time.data,
            }
            for day in days
        ]


class ExclusionZoneForm(FlaskForm):
    label = text_field(
        "Name of the place",
        required_message="Enter the name of the place",
        max_length=120,
        description="For example, Roman Road market",
    )
    postcode = PostcodeField("Postcode")
    radius_m = WholeNumberField(
        "Radius", "Enter the radius in metres", description="In metres, from 50 to 5000. For example, 500"
    )
    submit = SubmitField("Add exclusion zone", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.radius_m.data is not None and not 50 <= self.radius_m.data <= 5000:
            self.radius_m.errors.append("Radius must be between 50 and 5000 metres")
        return valid and not any(field.errors for field in self)

    def zone_fields(self) -> dict:
        location = self.postcode.location
        assert location is not None  # the form only validates with a geocoded postcode
        return {
            "label": self.label.data.strip(),
            "postcode": location.postcode,
            "easting": location.easting,
            "northing": location.northing,
            "radius_m": self.radius_m.data,
        }


class NonAssociationForm(FlaskForm):
    reference = text_field(
        "Reference of the other subject", required_message="Enter the other subject's reference", max_length=40
    )
    submit = SubmitField("Add non-association", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    kind = radios(
        "Is this a fact or an assessment?",
        NOTE_KINDS,
        "Select whether this is a fact or an assessment",
        description="Data Protection Act 2018 section 38: facts are kept apart from personal assessments.",
    )
    text = text_area("Note", required_message="Enter the note", max_length=4000)
    submit = SubmitField("Add note", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for one-click actions."""
