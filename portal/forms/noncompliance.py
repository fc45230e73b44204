from datetime import datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.data.noncompliance import DECISIONS, EVENT_KINDS, PARTNER_KINDS
from portal.forms.common import ClockTimeField, GovDateField, VersionField, WholeNumberField, radios, text_area
from portal.models import ComplianceEventKind
from portal.rules.dates import PAST_EVENTS
from portal.rules.schedule import london_wall_clock


class DecisionForm(FlaskForm):
    """The officer's assessment: opinion, kept apart from the facts it rests on."""

    version = VersionField()
    assessment = text_area(
        "Your assessment",
        required_message="Enter your assessment",
        max_length=4000,
        description="Your professional opinion. It is kept apart from the facts and never changes them.",
    )
    decision = radios("Decision", list(DECISIONS.items()), "Select a decision")
    reason = text_area("Reason for the decision", required_message="Enter the reason for the decision", max_length=4000)
    youth_offending_team_input = text_area(
        "Youth offending team input",
        max_length=4000,
        description=(
            "Required before referring an under-18 for breach proceedings: who you consulted and what they said."
        ),
    )
    submit = SubmitField("Submit decision and lock the report", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    text = text_area(
        "Correction",
        required_message="Enter the correction",
        max_length=4000,
        description=(
            "The report stays as it was submitted; your correction is added below it with your name and the time."
        ),
    )
    submit = SubmitField("Add correction", widget=GovSubmitInput())


class EventForm(FlaskForm):
    kind = radios("What happened", list(EVENT_KINDS.items()), "Select what happened")
    occurred_on = GovDateField("Date", window=PAST_EVENTS, required_message="Enter the date it happened")
    occurred_time = ClockTimeField("Time", "Enter the time it happened")
    minutes_late = WholeNumberField("Minutes late (curfew only)", description="How many minutes after the curfew began")
    description = text_area(
        "What was seen or reported",
        required_message="Enter what was seen or reported",
        max_length=4000,
        description="Facts only: who saw or reported it, where, and what they said.",
    )
    submit = SubmitField("Record event", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == ComplianceEventKind.CURFEW.value and self.minutes_late.data is None:
            if not self.minutes_late.errors:
                self.minutes_late.errors.append("Enter how many minutes late, for a curfew")
        if self.minutes_late.data is not None and self.minutes_late.data < 0:
            self.minutes_late.errors.append("Minutes late must be 0 or more")
        if self.occurred_on.data and self.occurred_time.data and self.occurred_at() > london_wall_clock():
            # first, before the date's own window: the time of day counts too
            self.occurred_on.errors.insert(0, "The date and time must be in the past")
        return valid and not any(field.errors for field in self)

    def occurred_at(self) -> datetime:
        return datetime.combine(self.occurred_on.data, self.occurred_time.data)


class PartnerReportForm(FlaskForm):
    kind = radios("What are you reporting?", list(PARTNER_KINDS.items()), "Select what you are reporting")
    text = text_area(
        "What happened",
        required_message="Enter what happened",
        max_length=4000,
        description=(
            "Facts only: dates, session times, what you saw, any reason the young person gave and how you tried "
            "to contact them. The officer makes any assessment."
        ),
    )
    submit = SubmitField("Send to the officer", widget=GovSubmitInput())
