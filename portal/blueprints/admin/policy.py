"""Admins set local policy: when non-compliance is raised for review, and how draft orders are checked.

Both are local policy, not law: the page says so, and statute-based checks can never be turned into warnings.
"""

from dataclasses import replace

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Optional

from portal.blueprints.admin import bp
from portal.data import noncompliance, policy
from portal.forms import CHANGED_SINCE_OPENED, VersionField, WholeNumberField, checkboxes, required, text_area
from portal.rules.noncompliance import NonCompliancePolicy
from portal.rules.orders.facts import DEMOTABLE_CODES
from portal.web.auth import admin_required

CHECK_NAMES = {
    "clash_commitment": "A requirement clashes with school, college or work",
    "clash_observance": "A requirement clashes with a religious observance",
    "clash_curfew": "A requirement clashes with the curfew",
    "requirements_overlap": "Two requirements overlap, allowing for travel",
    "supervisor_not_confirmed": "The supervisor has not yet confirmed a requirement",
}
WORDING_FIELDS = ("wording_absences", "wording_curfew", "wording_prohibition", "wording_adults")


class NumberField(StringField):
    """A number that may have a decimal point, with a GOV.UK message naming the field when it is not one."""

    def __init__(self, label: str, required_message: str, **kwargs) -> None:
        super().__init__(label, validators=[required(required_message)], widget=GovTextInput(), **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}"

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.raw_data = [text]
        if not text:
            self.data = None
            return
        try:
            self.data = float(text)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a number, like 15") from None


def _between(field, low: float, high: float, message: str) -> None:
    if field.data is not None and not field.errors and not low <= field.data <= high:
        field.errors.append(message)


class PolicyForm(FlaskForm):
    non_compliance_version = VersionField()
    order_checks_version = VersionField()
    # Non-compliance reports (local policy, not law)
    under18_absences_threshold = WholeNumberField(
        "Missed sessions before a report is raised (under 18)",
        "Enter how many missed sessions raise a report",
        description="Unacceptable absences from the same required activity. The partner guide's example is 2.",
    )
    under18_curfew_minutes = WholeNumberField(
        "Minutes late for curfew before a report is raised (under 18)",
        "Enter how many minutes late for curfew raise a report",
        description="A report is raised when the subject is more than this many minutes late. The example is 15.",
    )
    under18_prohibition_breach = BooleanField(
        "Raise a report when an under-18 is in a prohibited place, with a prohibited person or contravenes another "
        "prohibition",
        widget=GovCheckboxInput(),
        validators=[Optional()],
    )
    adults_report_any_failure = BooleanField(
        "Raise a report for any failure by someone aged 18 or over",
        widget=GovCheckboxInput(),
        validators=[Optional()],
        description="If not ticked, adults are held to the under-18 thresholds above.",
    )
    wording_absences = text_area("Wording: missed sessions", required_message="Enter the wording for missed sessions")
    wording_curfew = text_area("Wording: curfew", required_message="Enter the wording for curfew")
    wording_prohibition = text_area("Wording: prohibitions", required_message="Enter the wording for prohibitions")
    wording_adults = text_area("Wording: 18 or over", required_message="Enter the wording for adults")
    # Order checks (local policy, not law)
    under18_review_every_months = WholeNumberField(
        "Extra reviews for under-18s, every (months)",
        description="Leave empty for no extra reviews. Between 1 and 24.",
    )
    travel_speed_kmh = NumberField(
        "Travel speed between requirements (km/h)",
        "Enter the travel speed",
        description="Used to check two requirements on the same day can both be reached. For example, 15.",
    )
    travel_buffer_minutes = WholeNumberField(
        "Extra time allowed between requirements (minutes)", "Enter the extra time allowed between requirements"
    )
    reported_as_warnings = checkboxes(
        "Checks reported as warnings rather than problems",
        [(code, CHECK_NAMES.get(code, code)) for code in sorted(DEMOTABLE_CODES)],
        validators=[Optional()],
        description="Only checks that rest on unverified readings of the Act can be made warnings.",
    )
    submit = SubmitField("Save local policy", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        _between(self.under18_absences_threshold, 1, 52, "Missed sessions must be between 1 and 52")
        _between(self.under18_curfew_minutes, 0, 600, "Minutes late for curfew must be between 0 and 600")
        _between(self.under18_review_every_months, 1, 24, "Extra reviews must be every 1 to 24 months")
        _between(self.travel_speed_kmh, 1, 100, "Travel speed must be between 1 and 100 km/h")
        _between(self.travel_buffer_minutes, 0, 120, "Extra time allowed must be between 0 and 120 minutes")
        return valid and not any(field.errors for field in self)

    def fill(self, rules: NonCompliancePolicy, checks) -> None:
        for name in (
            "under18_absences_threshold",
            "under18_curfew_minutes",
            "under18_prohibition_breach",
            "adults_report_any_failure",
            *WORDING_FIELDS,
        ):
            getattr(self, name).data = getattr(rules, name)
        self.under18_review_every_months.data = checks.under18_review_every_months
        self.travel_speed_kmh.data = checks.travel_speed_kmh
        self.travel_buffer_minutes.data = checks.travel_buffer_minutes
        self.reported_as_warnings.data = sorted(checks.reported_as_warnings)

    def non_compliance_policy(self) -> NonCompliancePolicy:
        return NonCompliancePolicy(
            under18_absences_threshold=self.under18_absences_threshold.data,
            under18_curfew_minutes=self.under18_curfew_minutes.data,
            under18_prohibition_breach=bool(self.under18_prohibition_breach.data),
            adults_report_any_failure=bool(self.adults_report_any_failure.data),
            **{name: getattr(self, name).data.strip() for name in WORDING_FIELDS},
        )

    def order_check_policy(self, current):
        return replace(
            current,
            under18_review_every_months=self.under18_review_every_months.data,
            travel_speed_kmh=float(self.travel_speed_kmh.data),
            travel_buffer_minutes=self.travel_buffer_minutes.data,
            reported_as_warnings=frozenset(self.reported_as_warnings.data or ()),
        )


@bp.route("/policy", methods=["GET", "POST"], endpoint="policy")
@admin_required
def policy_page() -> ResponseReturnValue:
    checks = policy.order_check_policy()
    form = PolicyForm()
    if form.validate_on_submit():
        opened = {
            noncompliance.NON_COMPLIANCE: form.non_compliance_version.data,
            policy.ORDER_CHECKS: form.order_checks_version.data,
        }
        if not policy.settings_unchanged(opened):  # checked for both before either is saved
            flash(CHANGED_SINCE_OPENED, "error")
            return redirect(url_for("admin.policy")), 303
        noncompliance.save_non_compliance_policy(
            form.non_compliance_policy(), current_user.id, opened[noncompliance.NON_COMPLIANCE]
        )
        policy.save_order_check_policy(form.order_check_policy(checks), current_user.id, opened[policy.ORDER_CHECKS])
        flash("Local policy saved. It applies to reports raised and orders checked from now on.", "success")
        return redirect(url_for("admin.policy"))
    if not form.is_submitted():
        form.fill(noncompliance.non_compliance_policy(), checks)
        form.non_compliance_version.data = policy.setting_version(noncompliance.NON_COMPLIANCE)
        form.order_checks_version.data = policy.setting_version(policy.ORDER_CHECKS)
    return render_template("admin/policy.html", form=form, checks=checks)
