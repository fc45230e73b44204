from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import Field, SubmitField
from wtforms.validators import StopValidation

from portal.data.audit import PURPOSE_MAX_LENGTH
from portal.forms.common import text_area

BREAK_GLASS_REASON_MISSING = "Enter why you need to open this record"


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
