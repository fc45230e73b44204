from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import Optional

from matching.taxonomy import ACTIVITY_TYPES, WEEKDAYS
from portal.forms import GovDateField

DISTANCES_KM = (1, 2, 3, 5, 10)
DURATIONS_MONTHS = (6, 12, 18, 24)


class SuggestionFiltersForm(FlaskForm):
    """Read-only filters, sent with GET: they hold no personal data."""

    class Meta:
        csrf = False

    starts_on = GovDateField("Order would start on", description="The subject's age is worked out on this date.")
    months = SelectField(
        "For", choices=[(str(m), f"{m} months") for m in DURATIONS_MONTHS], default="12", widget=GovSelect()
    )
    activity_type = SelectField(
        "Activity type",
        choices=[("", "Any activity")] + [(t.slug, t.name) for t in ACTIVITY_TYPES],
        validators=[Optional()],
        widget=GovSelect(),
    )
    weekday = SelectField(
        "Day",
        choices=[("", "Any day")] + [(str(i), d) for i, d in enumerate(WEEKDAYS)],
        validators=[Optional()],
        widget=GovSelect(),
    )
    distance_km = SelectField(
        "Within",
        choices=[("", "Any distance")] + [(str(k), f"{k} km") for k in DISTANCES_KM],
        validators=[Optional()],
        widget=GovSelect(),
    )
    submit = SubmitField("Update suggestions", widget=GovSubmitInput())

    def start_date(self, today: date) -> date:
        return self.starts_on.data or today
