from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.forms.common import text_field


class NewTokenForm(FlaskForm):
    name = text_field(
        "Token name",
        required_message="Enter a name for the token",
        max_length=80,
        description="What it is for, so you can tell your tokens apart. For example, 'Case system sync'.",
    )
    submit = SubmitField("Create API token", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    """A button-only form: CSRF protection for one-click actions."""
