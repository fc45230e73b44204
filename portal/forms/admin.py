from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.forms.common import VersionField, email_field, radios, select, text_area, text_field
from portal.models import Role


class StatusChangeForm(FlaskForm):
    version = VersionField()
    reason = text_area("Reason", max_length=2000, description="Partners see this reason.")

    def require_reason(self, message: str) -> bool:
        if not (self.reason.data or "").strip():
            self.reason.errors.append(message)
            return False
        return True


class NewUserForm(FlaskForm):
    full_name = text_field("Full name", required_message="Enter the person's full name", max_length=120)
    email = email_field("Email address", "Enter the person's email address")
    role = radios(
        "Role",
        [(Role.OFFICER.value, "Officer"), (Role.PARTNER.value, "Partner"), (Role.ADMIN.value, "Admin")],
        "Select a role",
    )
    organisation_id = select("Partner organisation", [], "Select the partner organisation", validate_choice=False)
    unit = text_field("Unit (officers)", max_length=120, description="For example, Tower Hamlets Gangs Unit")
    borough = text_field("Borough (officers)", max_length=80)
    submit = SubmitField("Create account and invitation link", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        if self.role.data != Role.PARTNER.value:
            self.organisation_id.validators = []
        valid = super().validate(extra_validators)
        if self.role.data == Role.PARTNER.value:
            choices = {value for value, _label in self.organisation_id.choices}
            if not self.organisation_id.data or self.organisation_id.data not in choices:
                self.organisation_id.errors = ["Select the partner organisation"]
        if self.role.data == Role.OFFICER.value:
            if not (self.unit.data or "").strip():
                self.unit.errors.append("Enter the officer's unit")
            if not (self.borough.data or "").strip():
                self.borough.errors.append("Enter the officer's borough")
        return valid and not any(field.errors for field in self)


ROLE_CHOICES = [
    (Role.OFFICER.value, "Officer"),
    (Role.PARTNER.value, "Partner"),
    (Role.ADMIN.value, "Admin"),
    (Role.AUDITOR.value, "Auditor (reads the audit log)"),
]


class RoleForm(FlaskForm):
    version = VersionField()
    role = radios("Role", ROLE_CHOICES, "Select a role")
    organisation_id = select("Partner organisation", [], "Select the partner organisation", validate_choice=False)
    submit = SubmitField("Change role", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        if self.role.data != Role.PARTNER.value:
            self.organisation_id.validators = []
        valid = super().validate(extra_validators)
        if self.role.data == Role.PARTNER.value:
            choices = {value for value, _label in self.organisation_id.choices if value}
            if self.organisation_id.data not in choices:
                self.organisation_id.errors = ["Select the partner organisation"]
        return valid and not self.organisation_id.errors


class ConfirmForm(FlaskForm):
    version = VersionField()
