from collections.abc import Mapping
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import Optional

from matching import MatchFilters
from matching.taxonomy import ACTIVITY_FILTER_CHOICES, WEEKDAYS
from portal.forms.common import GovDateField
from portal.rules.dates import ORDER_DATES
from portal.rules.orders.period import OrderPeriod, StartRule

DISTANCES_KM = (1, 2, 3, 5, 10)
DURATIONS_MONTHS = tuple(range(6, 25))  # s.23: any whole number of months from 6 to 24


class SuggestionFiltersForm(FlaskForm):
    """Read-only filters, sent with GET: they hold no personal data."""

    class Meta:
        csrf = False

    starts_on = GovDateField(
        "Order would start on", window=ORDER_DATES, description="The subject's age is worked out on this date."
    )
    months = SelectField(
        "For", choices=[(str(m), f"{m} months") for m in DURATIONS_MONTHS], default="12", widget=GovSelect()
    )
    activity_type = SelectField(
        "Activity type",
        choices=[("", "Any activity"), *ACTIVITY_FILTER_CHOICES],
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

    def follow(self, draft_period: OrderPeriod, given: Mapping[str, str]) -> None:
        """Opened for a subject with a draft order: the draft's period, unless the officer chose another here."""
        if "starts_on" not in given and draft_period.start is not None:
            self.starts_on.data = draft_period.start
        if "months" not in given:
            self.months.data = str(draft_period.duration_months)

    def order_period(self, today: date) -> OrderPeriod:
        return OrderPeriod(StartRule.ON_DATE, int(self.months.data or 12), self.start_date(today))

    def period(self, today: date) -> tuple[date, date]:
        period = self.order_period(today)
        return period.start, period.end  # type: ignore[return-value]

    def match_filters(self) -> MatchFilters:
        return MatchFilters(
            activity_type=self.activity_type.data or None,
            weekday=int(self.weekday.data) if self.weekday.data else None,
            max_distance_m=float(self.distance_km.data) * 1000 if self.distance_km.data else None,
        )
