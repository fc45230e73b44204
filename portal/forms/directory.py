from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Optional

from matching.taxonomy import ACTIVITY_FILTER_CHOICES, LANGUAGES, PROVISIONS, WEEKDAYS
from portal.forms.common import TIME_PATTERN, WholeNumberField, at_most
from portal.infra.geo import geocode

DISTANCES_KM = (1, 2, 5, 10, 20, 50)


def optional_select(label: str, choices: list[tuple[str, str]], any_label: str) -> SelectField:
    return SelectField(label, choices=[("", any_label), *choices], validators=[Optional()], widget=GovSelect())


class DirectorySearchForm(FlaskForm):
    keyword = StringField(
        "Keywords",
        validators=[Optional(), at_most(100, "Keywords")],
        widget=GovTextInput(),
        description="For example, football, boxing or music production. Spelling mistakes are fine.",
    )
    activity_type = optional_select("Activity type", list(ACTIVITY_FILTER_CHOICES), "Any activity")
    weekday = optional_select("Day", [(str(i), name) for i, name in enumerate(WEEKDAYS)], "Any day")
    time_from = StringField(
        "Starting from", validators=[Optional()], widget=GovTextInput(), description="For example, 16:00"
    )
    time_to = StringField(
        "Finishing by", validators=[Optional()], widget=GovTextInput(), description="For example, 20:00"
    )
    age = WholeNumberField("Age of young person")
    language = optional_select("Language", list(LANGUAGES.items()), "Any language")
    provision = optional_select("Provision", [(t.slug, t.name) for t in PROVISIONS], "Any provision")
    postcode = StringField(
        "Near postcode",
        validators=[Optional(), at_most(10, "Postcode")],
        widget=GovTextInput(),
        description="Distances are measured in a straight line.",
    )
    distance_km = optional_select("Within", [(str(km), f"{km} km") for km in DISTANCES_KM], "Any distance")
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.time_from, self.time_to):
            if field.data and not TIME_PATTERN.match(field.data.strip()):
                field.errors.append(f"Enter {field.label.text.lower()} as a 24-hour time, like 17:00")
        if self.age.data is not None and not 10 <= self.age.data <= 25:
            self.age.errors.append("Age of young person must be between 10 and 25")
        if self.postcode.data and geocode(self.postcode.data) is None:
            self.postcode.errors.append("Enter a real UK postcode, like E3 2AA")
        if self.distance_km.data and not self.postcode.data:
            self.postcode.errors.append("Enter a postcode to search within a distance")
        return valid and not any(field.errors for field in self)

    def criteria(self) -> dict:
        return {
            name: (field.data.strip() if isinstance(field.data, str) else field.data)
            for name, field in self._fields.items()
            if name not in ("submit", "csrf_token")
        }
