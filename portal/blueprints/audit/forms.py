from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import Field, SubmitField
from wtforms.validators import StopValidation

from portal.data.audit import PURPOSE_MAX_LENGTH
from portal.forms import radios, text_area, text_field

OTHER_REASON = "other"
BREAK_GLASS_REASON_MISSING = "Enter why you need to open this record"
REASONS = [
    ("Preparing a KCPO application", "Preparing a KCPO application"),
    ("Reviewing compliance with an order", "Reviewing compliance with an order"),
    ("Making or reviewing a referral to a partner", "Making or reviewing a referral to a partner"),
    ("Responding to a safeguarding concern", "Responding to a safeguarding concern"),
    ("Keeping the record accurate and up to date", "Keeping the record accurate and up to date"),
    (OTHER_REASON, "Another purpose"),
]


class BreakGlassForm(FlaskForm):
    reason = text_area(
        "Why do you need to open this record?",
        required_message=BREAK_GLASS_REASON_MISSING,
        max_length=PURPOSE_MAX_LENGTH,
        filters=[lambda text: " ".join(text.split()) if text else text],  # blank is no reason
    )
    submit = SubmitField("Open the record", widget=GovSubmitInput())

    def validate_reason(self, field: Field) -> None:
        if not field.data:
            raise StopValidation(BREAK_GLASS_REASON_MISSING)


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
