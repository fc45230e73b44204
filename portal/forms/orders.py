from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import Optional

from matching.taxonomy import WEEKDAYS
from portal.forms.common import (
    ClockTimeField,
    GovDateField,
    PostcodeField,
    VersionedForm,
    WholeForm,
    ensure_after,
    radios,
    select,
    text_area,
    text_field,
)
from portal.models import OrderRoute, ProhibitionKind, RequirementKind
from portal.rules.dates import ORDER_DATES, PAST_EVENTS, long_date
from portal.rules.orders.period import OrderPeriod, StartRule

LOCATION_TYPES = [
    ("public-place", "A public place"),
    ("school-premises", "School premises"),
    ("further-education", "Further education premises"),
]
MIN_MONTHS, MAX_MONTHS = 6, 24  # s.23
DURATIONS = [(str(months), f"{months} months") for months in range(MIN_MONTHS, MAX_MONTHS + 1)]
ANY_DAY = "any"
NECESSITY_HINT = (
    "To protect the public, particular people (including the subject) or to prevent an offence involving a "
    "bladed article"
)


class OrderDetailsForm(VersionedForm):
    route = radios(
        "Route",
        [
            (OrderRoute.WITHOUT_CONVICTION.value, "Without conviction: police application by complaint (section 14)"),
            (
                OrderRoute.ON_CONVICTION.value,
                "On conviction: in addition to a sentence or conditional discharge (section 19)",
            ),
        ],
        "Select the route",
    )
    police_area = text_field("Police area", required_message="Enter the police area", max_length=120)
    applicant = text_field("Applicant", max_length=200, description="For section 19, the Crown Prosecution Service")
    court = text_field("Court", max_length=200, description="For example, Thames Magistrates' Court")
    proposed_start = GovDateField("Proposed start date", window=ORDER_DATES)
    start_on_release = BooleanField(
        "The order starts on release from custody", widget=GovCheckboxInput(), validators=[Optional()]
    )
    duration_months = select("Duration", DURATIONS, "Select how long the order lasts")
    necessity_statement = text_area(
        "Why the order is necessary",
        max_length=4000,
        description=NECESSITY_HINT,
    )
    conviction_offence = text_area("Conviction: offence", max_length=2000)
    conviction_date = GovDateField("Conviction: date", window=PAST_EVENTS)
    sentence = text_area("Sentence or conditional discharge the order accompanies", max_length=2000)
    yot_team = text_field("Youth offending team consulted", max_length=200)
    yot_consulted_on = GovDateField("Date of the youth offending team consultation", window=PAST_EVENTS)
    yot_outcome = text_area("Outcome of the consultation", max_length=2000)
    guardian_name = text_field("Parent or guardian's name", max_length=160)
    guardian_relationship = text_field("Relationship to the subject", max_length=80)
    guardian_absent_reason = text_area("If no parent or guardian is named, why", max_length=2000)
    submit = SubmitField("Save order details", widget=GovSubmitInput())

    def order_fields(self) -> dict:
        fields = {
            name: field.data for name, field in self._fields.items() if name not in ("submit", "csrf_token", "version")
        }
        fields["duration_months"] = int(self.duration_months.data)
        for name, value in fields.items():
            if isinstance(value, str):
                fields[name] = value.strip()
        return fields


class OccasionForm(VersionedForm):
    occurred_on = GovDateField(
        "Date of the occasion", window=PAST_EVENTS, required_message="Enter the date of the occasion"
    )
    location_type = radios("Where it happened", LOCATION_TYPES, "Select where it happened")
    summary = text_area("Summary of the facts", required_message="Enter a summary of the facts", max_length=4000)
    good_reason_claimed = text_area(
        "Good reason or lawful authority claimed (optional)",
        max_length=2000,
        description="For example, work, education, religious reasons or national costume",
    )
    submit = SubmitField("Add occasion", widget=GovSubmitInput())


class RequirementTermsForm(VersionedForm):
    """What an officer sets on any requirement: its own dates inside the order, and why it is necessary."""

    starts_on = GovDateField(
        "Requirement starts (optional)", window=ORDER_DATES, description="Leave empty to start with the order"
    )
    ends_on = GovDateField(
        "Requirement ends (optional)", window=ORDER_DATES, description="Leave empty to end with the order"
    )
    necessity_rationale = text_area(
        "Why this requirement is necessary", required_message="Enter why this requirement is necessary", max_length=2000
    )
    submit = SubmitField("Save requirement", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ensure_after(self.starts_on.data, self.ends_on.data, self.ends_on, "Requirement ends must be after it starts")
        return valid and not any(field.errors for field in self)

    def terms(self) -> dict:
        return {
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "necessity_rationale": self.necessity_rationale.data.strip(),
        }


class RequirementForm(RequirementTermsForm):
    kind = radios(
        "Kind of requirement",
        [
            (RequirementKind.PARTICIPATE.value, "Take part in an activity"),
            (RequirementKind.BE_AT_PLACE.value, "Be at a place"),
            (RequirementKind.PRESENT_TO_PERSON.value, "Present themselves to a person"),
        ],
        "Select the kind of requirement",
    )
    activity = text_field("Activity or purpose", required_message="Enter the activity or purpose", max_length=300)
    place_name = text_field("Place", required_message="Enter the place", max_length=160)
    place_address = text_field("Address", required_message="Enter the address", max_length=300)
    place_postcode = PostcodeField("Postcode")
    weekday = select(
        "Day", [(ANY_DAY, "Any day"), *[(str(i), name) for i, name in enumerate(WEEKDAYS)]], "Select the day"
    )
    start_time = ClockTimeField("From", "Enter the time it starts", description="For example, 17:00")
    end_time = ClockTimeField("Until", "Enter the time it ends", description="For example, 19:00")
    supervisor_name = text_field(
        "Supervising person or organisation", required_message="Enter who will supervise it", max_length=160
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ensure_after(self.start_time.data, self.end_time.data, self.end_time, "Until must be after from")
        return valid and not any(field.errors for field in self)

    def requirement_fields(self) -> dict:
        location = self.place_postcode.location
        return {
            **self.terms(),
            "kind": self.kind.data,
            "activity": self.activity.data.strip(),
            "place_name": self.place_name.data.strip(),
            "place_address": self.place_address.data.strip(),
            "place_postcode": location.postcode,
            "place_easting": location.easting,
            "place_northing": location.northing,
            "weekday": None if self.weekday.data == ANY_DAY else int(self.weekday.data),
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "supervisor_name": self.supervisor_name.data.strip(),
        }


class ProhibitionTermsForm(VersionedForm):
    """For prohibitions drawn from the subject's record: only exceptions and dates are set here."""

    exceptions = text_area("Exceptions (optional)", max_length=2000, description="For example, travelling to school")
    starts_on = GovDateField("Prohibition starts (optional)", window=ORDER_DATES)
    ends_on = GovDateField("Prohibition ends (optional)", window=ORDER_DATES)
    submit = SubmitField("Save prohibition", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ensure_after(self.starts_on.data, self.ends_on.data, self.ends_on, "Prohibition ends must be after it starts")
        return valid and not any(field.errors for field in self)

    def terms(self) -> dict:
        return {
            "exceptions": (self.exceptions.data or "").strip(),
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
        }


class ProhibitionForm(ProhibitionTermsForm):
    kind = radios(
        "Kind of prohibition",
        [
            (ProhibitionKind.ACTIVITY.value, "Taking part in an activity"),
            (ProhibitionKind.ARTICLE.value, "Using or having an article"),
            (
                ProhibitionKind.INTERNET.value,
                "Using the internet to encourage or facilitate crime involving bladed articles",
            ),
            (ProhibitionKind.PLACE.value, "Being in a described place"),
            (ProhibitionKind.PERSON.value, "Being with a described person or group"),
        ],
        "Select the kind of prohibition",
    )
    description = text_area("What is prohibited", required_message="Describe what is prohibited", max_length=2000)

    def prohibition_fields(self) -> dict:
        return {"kind": self.kind.data, "description": self.description.data.strip(), **self.terms()}


class MadeForm(VersionedForm):
    made_on = GovDateField(
        "Date the court made the order", window=PAST_EVENTS, required_message="Enter the date the order was made"
    )
    made_by_court = text_field("Court", required_message="Enter the court that made the order", max_length=200)
    final_terms = text_area("Final terms as made (optional)", max_length=8000)
    submit = SubmitField("Record the order as made", widget=GovSubmitInput())

    def __init__(self, *args, filed_on: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filed_on = filed_on

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        made_on = self.made_on.data
        if made_on is not None and self.filed_on is not None and made_on < self.filed_on and not self.made_on.errors:
            self.made_on.errors.append(
                f"Date the court made the order must be on or after the day it was filed, {long_date(self.filed_on)}"
            )
        return valid and not self.made_on.errors


class AcceptSessionsForm(WholeForm):
    """Sessions accepted from the suggestions page, with the period they were worked out for: a draft started from
    them takes that period, so the draft and the suggestions agree."""

    starts_on = HiddenField()
    months = HiddenField()

    def suggested_period(self, today: date) -> OrderPeriod | None:
        try:
            start = date.fromisoformat(self.starts_on.data or "")
        except ValueError:
            return None
        months = int(self.months.data) if (self.months.data or "").isdigit() else 0
        if not MIN_MONTHS <= months <= MAX_MONTHS or not ORDER_DATES.contains(start, today):
            return None
        return OrderPeriod(StartRule.ON_DATE, months, start)
