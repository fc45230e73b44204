from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField
from wtforms.validators import Optional

from portal.forms.common import GovDateField, VersionField, radios, text_area
from portal.models import RetentionDecisionKind
from portal.rules.dates import REVIEW_DATES
from portal.rules.retention import format_date, latest_next_review

DECISIONS = [
    (RetentionDecisionKind.RETAIN.value, "Retain: the record is still needed for a policing purpose"),
    (RetentionDecisionKind.DISPOSE.value, "Dispose: erase the personal data now"),
]
CONFIRM_DISPOSAL = "Confirm that you want to erase this record permanently"


class ReviewDecisionForm(FlaskForm):
    version = VersionField()
    decisions_version = VersionField()
    decision = radios("Decision", DECISIONS, "Select whether to retain or dispose of the record")
    rationale = text_area(
        "Rationale",
        required_message="Enter the rationale for your decision",
        max_length=4000,
        description=(
            "Why the record is still needed, or why it no longer is. It is kept with your name, also after a "
            "disposal, so do not repeat the young person's details here."
        ),
    )
    next_review_due = GovDateField("Next review date", window=REVIEW_DATES)
    confirm_disposal = BooleanField(
        "I understand that disposal permanently erases this person's record, their orders, and what partners hold "
        "about them in this portal, and cannot be undone",
        widget=GovCheckboxInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def validate_for(self, today: date, extra_validators=None) -> bool:
        """Valid, and the conditional parts answered: a retain date in range, a disposal confirmed."""
        valid = self.validate(extra_validators)
        if self.rationale.data is not None and not self.rationale.data.strip() and not self.rationale.errors:
            self.rationale.errors.append("Enter the rationale for your decision")
        if (
            self.decision.data == RetentionDecisionKind.RETAIN
            and self.next_review_due.data
            and not self.next_review_due.errors
        ):
            latest = latest_next_review(today)
            if self.next_review_due.data <= today:
                self.next_review_due.errors.append("Next review date must be in the future")
            elif self.next_review_due.data > latest:
                self.next_review_due.errors.append(f"Next review date must be no later than {format_date(latest)}")
        if self.decision.data == RetentionDecisionKind.DISPOSE and not self.confirm_disposal.data:
            self.confirm_disposal.errors.append(CONFIRM_DISPOSAL)
        return valid and not any(field.errors for field in self)
