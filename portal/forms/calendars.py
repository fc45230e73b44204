from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField


class FeedForm(FlaskForm):
    """Creating or stopping a calendar feed (CSRF protection), and whether a new one leaves out names."""

    without_names = BooleanField(
        "Leave out the young people's names",
        description="Events then show the activity, place and time only. Choose this if others can see your calendar.",
        widget=GovCheckboxInput(),
    )
