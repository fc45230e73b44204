from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import EqualTo, Length

from portal.forms import email_field, required

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1000  # argon2 hashes every character: there is no silent truncation


class SignInForm(FlaskForm):
    email = email_field("Email address", "Enter your email address")
    password = PasswordField("Password", validators=[required("Enter your password")], widget=GovPasswordInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def new_password_field(label: str = "Create a password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            required("Enter a password"),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Password must be between {PASSWORD_MIN_LENGTH} and {PASSWORD_MAX_LENGTH} characters",
            ),
        ],
        widget=GovPasswordInput(),
        description=f"At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong password.",
    )


def confirm_password_field() -> PasswordField:
    return PasswordField(
        "Confirm password",
        validators=[required("Confirm your password"), EqualTo("password", message="Passwords must match")],
        widget=GovPasswordInput(),
    )


class SetPasswordForm(FlaskForm):
    password = new_password_field()
    confirm_password = confirm_password_field()
    submit = SubmitField("Set password", widget=GovSubmitInput())
