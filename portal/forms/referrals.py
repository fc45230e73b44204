from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.data.referrals import STATEMENT_FIELDS
from portal.forms.common import VersionField, require_words, text_area


class AcceptForm(FlaskForm):
    """The partner's statement that they can supervise the requirement: every part is required."""

    version = VersionField()
    capacity = text_area(
        "Capacity: can you take this young person on these dates?",
        required_message="Enter whether you can take this young person on these dates",
        max_length=2000,
    )
    dates = text_area(
        "Dates: confirm the start and end dates you can supervise",
        required_message="Confirm the start and end dates you can supervise",
        max_length=2000,
    )
    safeguarding = text_area(
        "Safeguarding arrangements",
        required_message="Enter your safeguarding arrangements",
        max_length=2000,
    )
    attendance = text_area(
        "How attendance will be recorded",
        required_message="Enter how attendance will be recorded",
        max_length=2000,
    )
    submit = SubmitField("Accept and confirm supervision", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.capacity, self.dates, self.safeguarding, self.attendance):
            require_words(field)
        return valid and not any(field.errors for field in self)

    def statement(self) -> dict[str, str]:
        return {name: getattr(self, name).data.strip() for name in STATEMENT_FIELDS}


class DeclineForm(FlaskForm):
    """Shown beside the accept form, so its fields carry the 'decline-' prefix to keep ids unique on the page."""

    version = VersionField()
    reason = text_area(
        "Why are you declining this referral?",
        required_message="Enter why you are declining this referral",
        max_length=2000,
        description="The officer sees this so they can find another place.",
    )
    submit = SubmitField("Decline referral", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="decline", **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        require_words(self.reason)
        return valid and not self.reason.errors
