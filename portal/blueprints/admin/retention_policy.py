"""Admins set the retention review periods (DPA 2018 s.39): local policy, not law. Saving them recalculates every
subject's and order's review date in the same transaction."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.blueprints.admin import bp
from portal.data import policy
from portal.forms import VersionField, WholeNumberField
from portal.rules.retention import MAX_RETAIN_MONTHS, RetentionPolicy
from portal.web.auth import admin_required

PERIOD_LIMITS = {
    "months_after_order_end": (1, 120),
    "months_after_unmade_order": (1, 120),
    "months_without_order": (1, 120),
    "months_after_retain": (1, MAX_RETAIN_MONTHS),
}


class RetentionPolicyForm(FlaskForm):
    version = VersionField()
    months_after_order_end = WholeNumberField(
        "Months after an order ends",
        "Enter how many months after an order ends it is reviewed",
        description=(
            "An order the court made, and its subject, are reviewed this many months after the order's last day in "
            "force (the day it was made plus its length). For example, 24."
        ),
    )
    months_after_unmade_order = WholeNumberField(
        "Months after an order no court made was started",
        "Enter how many months after it was started an order no court made is reviewed",
        description="Drafts, filed applications, and withdrawn or superseded versions. For example, 12.",
    )
    months_without_order = WholeNumberField(
        "Months after the record of a subject with no order was created",
        "Enter how many months after it was created the record of a subject with no order is reviewed",
        description="For example, 12.",
    )
    months_after_retain = WholeNumberField(
        "Months until the next review after a decision to retain",
        "Enter how many months after a decision to retain the next review is due",
        description=(
            f"The reviewer may choose another date, at most {MAX_RETAIN_MONTHS} months ahead. For example, 12."
        ),
    )
    submit = SubmitField("Save review periods", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, (low, high) in PERIOD_LIMITS.items():
            field = getattr(self, name)
            if field.data is not None and not field.errors and not low <= field.data <= high:
                field.errors.append(f"{field.label.text} must be between {low} and {high}")
        return valid and not any(field.errors for field in self)

    def periods(self) -> RetentionPolicy:
        return RetentionPolicy(**{name: getattr(self, name).data for name in PERIOD_LIMITS})


@bp.route("/retention-policy", methods=["GET", "POST"])
@admin_required
def retention_policy() -> ResponseReturnValue:
    form = RetentionPolicyForm()
    if form.validate_on_submit():
        policy.save_retention_policy(form.periods(), current_user.id, form.version.data)
        flash("Review periods saved. Every subject's and order's review date has been recalculated.", "success")
        return redirect(url_for("admin.retention_policy"))
    if not form.is_submitted():
        current = policy.retention_policy()
        for name in PERIOD_LIMITS:
            getattr(form, name).data = getattr(current, name)
        form.version.data = policy.setting_version(policy.RETENTION)
    return render_template("admin/retention-policy.html", form=form)
