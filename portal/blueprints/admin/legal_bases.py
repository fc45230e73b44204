"""Admins keep the table of where and when the KCPO power is in force (the pilot SIs, later commencement)."""

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.blueprints.admin import bp
from portal.data import policy
from portal.forms import GovDateField, VersionField, ensure_after, text_area, text_field
from portal.rules.dates import LEGAL_BASIS_DATES
from portal.web.auth import admin_required


class LegalBasisForm(FlaskForm):
    version = VersionField()
    police_area = text_field("Police area", required_message="Enter the police area", max_length=120)
    regulation = text_field(
        "Regulation",
        required_message="Enter the regulation that brings the power into force",
        max_length=300,
        description="For example, SI 2021/762 (as extended by SI 2022/828)",
    )
    valid_from = GovDateField(
        "In force from", window=LEGAL_BASIS_DATES, required_message="Enter the date the power comes into force"
    )
    valid_to = GovDateField(
        "In force until (optional)", window=LEGAL_BASIS_DATES, description="Leave empty if it has no end date"
    )
    note = text_area("Note (optional)", max_length=2000)
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ensure_after(
            self.valid_from.data, self.valid_to.data, self.valid_to, "In force until must be after in force from"
        )
        return valid and not any(field.errors for field in self)

    def fields(self) -> dict:
        return {
            "police_area": self.police_area.data.strip(),
            "regulation": self.regulation.data.strip(),
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
            "note": (self.note.data or "").strip(),
        }


class RemoveForm(FlaskForm):
    """A button-only form (CSRF)."""


@bp.get("/legal-bases")
@admin_required
def legal_bases() -> ResponseReturnValue:
    return render_template("admin/legal-bases.html", bases=policy.legal_bases(), form=RemoveForm())


@bp.route("/legal-bases/new", methods=["GET", "POST"])
@admin_required
def legal_basis_new() -> ResponseReturnValue:
    form = LegalBasisForm()
    if form.validate_on_submit():
        policy.add_legal_basis(form.fields())
        flash(
            "Legal basis added. Drafts for that area and period no longer show the 'not in force' warning.", "success"
        )
        return redirect(url_for("admin.legal_bases"))
    return render_template("admin/legal-basis-form.html", form=form, basis=None)


@bp.route("/legal-bases/<int:basis_id>/edit", methods=["GET", "POST"])
@admin_required
def legal_basis_edit(basis_id: int) -> ResponseReturnValue:
    basis = policy.get_legal_basis(basis_id)
    form = LegalBasisForm(obj=basis)
    if form.validate_on_submit():
        policy.update_legal_basis(basis, form.fields(), form.version.data)
        flash("Legal basis saved.", "success")
        return redirect(url_for("admin.legal_bases"))
    return render_template("admin/legal-basis-form.html", form=form, basis=basis)


@bp.post("/legal-bases/<int:basis_id>/remove")
@admin_required
def legal_basis_remove(basis_id: int) -> ResponseReturnValue:
    basis = policy.get_legal_basis(basis_id)
    if not RemoveForm().validate_on_submit():
        abort(400)
    policy.remove_legal_basis(basis)
    flash("Legal basis removed.", "success")
    return redirect(url_for("admin.legal_bases"))
