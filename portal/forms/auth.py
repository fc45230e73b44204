from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, StringField, SubmitField

from portal.forms.common import (
    confirm_password_field,
    current_password_field,
    email_field,
    new_password_field,
    required,
    text_field,
)
from portal.infra import mfa


class SignInForm(FlaskForm):
    email = email_field("Email address", "Enter your email address")
    password = PasswordField("Password", validators=[required("Enter your password")], widget=GovPasswordInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = new_password_field()
    confirm_password = confirm_password_field()
    submit = SubmitField("Set password", widget=GovSubmitInput())


CODE_HINT = "The 6-digit code your authenticator app shows now."
PLAIN_DIGITS_ONLY = "Enter the code using the digits 0 to 9"


def wrong_code_message(code: str, message: str) -> str:
    """What to say about a code that did not work: digits from another script (full-width, Arabic-Indic) get told
    how to type it, since no authenticator shows those."""
    return PLAIN_DIGITS_ONLY if mfa.has_other_digits(code) else message


def code_field(required_message: str, description: str, label: str = "Code") -> StringField:
    return text_field(label, required_message=required_message, max_length=40, description=description)


def current_code_field(label: str = "Code") -> StringField:
    return code_field(
        "Enter the 6-digit code from your authenticator app, or a recovery code",
        f"{CODE_HINT} Or one of your recovery codes.",
        label,
    )


class CodeForm(FlaskForm):
    code = code_field(
        "Enter the 6-digit code from your authenticator app, or a recovery code",
        f"{CODE_HINT} Lost your phone? Enter one of your recovery codes instead.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpAuthenticatorForm(FlaskForm):
    code = code_field("Enter the 6-digit code from your authenticator app", CODE_HINT)
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())


class ReplaceAuthenticatorForm(SetUpAuthenticatorForm):
    """Moving to a new phone: a code from the new app, and the password with a code from the old app (or a recovery
    code) every time, however recently the person signed in."""

    current_password = current_password_field()
    current_code = code_field(
        "Enter a code from the app on your old phone, or a recovery code",
        "From the app on your old phone. Lost it? Enter one of your recovery codes instead.",
        "Code from your old phone",
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field("Email address", "Enter your email address")
    submit = SubmitField("Send me a reset link", widget=GovSubmitInput())


class ConfirmIdentityForm(FlaskForm):
    password = current_password_field()
    code = current_code_field()
    submit = SubmitField("Confirm it's you", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    """Asks for the current password and a code every time, however recently the person signed in (ASVS V6.2.3)."""

    current_password = current_password_field("Current password")
    current_code = current_code_field("Code from your authenticator app")
    password = new_password_field("New password")
    confirm_password = confirm_password_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())
