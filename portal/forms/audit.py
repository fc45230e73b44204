from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.forms.common import radios, text_field

OTHER_REASON = "other"
REASONS = [
    ("Preparing a KCPO application", "Preparing a KCPO application"),
    ("Reviewing compliance with an order", "Reviewing compliance with an order"),
    ("Making or reviewing a referral to a partner", "Making or reviewing a referral to a partner"),
    ("Responding to a safeguarding concern", "Responding to a safeguarding concern"),
    ("Keeping the record accurate and up to date", "Keeping the record accurate and up to date"),
    (OTHER_REASON, "Another purpose"),
]


class ReasonForm(FlaskForm):
    reason = radios("Why are you opening subjects' records?", REASONS, "Select why you are opening subjects' records")
    other = text_field("Describe the purpose (if you chose another purpose)", max_length=200)
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.reason.data == OTHER_REASON and not (self.other.data or "").strip():
            self.other.errors = [*self.other.errors, "Describe the purpose"]
            return False
        return valid

    def purpose(self) -> str:
        return "Other: " + self.other.data.strip() if self.reason.data == OTHER_REASON else self.reason.data
