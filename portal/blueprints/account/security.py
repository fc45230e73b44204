"""The signed-in user's own sign-in security: confirming it is them, their password, authenticator and codes."""

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from portal.blueprints.account import bp
from portal.blueprints.auth.routes import (
    authenticator_set_up,
    count_failed_guess,
    guesses_used_up,
    too_many_attempts,
)
from portal.data import accounts
from portal.forms.account import RevokeForm
from portal.forms.auth import ChangePasswordForm, ConfirmIdentityForm, ReplaceAuthenticatorForm
from portal.web.auth import SignedInUser, recent_sign_in_required, signed_in
from portal.web.safety import safe_next_url

IDENTITY_NOT_CONFIRMED = "Enter your correct password and a current code"


@bp.route("/account/confirm-identity", methods=["GET", "POST"])
@signed_in
def confirm_identity() -> ResponseReturnValue:
    form = ConfirmIdentityForm()
    if not form.validate_on_submit():
        return render_template("account/confirm-identity.html", form=form)
    confirmed = _identity_confirmed(form.password.data, form.code.data)
    if confirmed is None:
        return too_many_attempts()
    if confirmed:
        return redirect(safe_next_url(request.args.get("next")) or url_for("account.account"))
    form.password.errors.append(IDENTITY_NOT_CONFIRMED)
    return render_template("account/confirm-identity.html", form=form)


@bp.route("/account/change-password", methods=["GET", "POST"])
@signed_in
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("account/change-password.html", form=form)
    confirmed = _identity_confirmed(form.current_password.data, form.current_code.data)
    if confirmed is None:
        return too_many_attempts()
    if not confirmed:
        form.current_password.errors.append(IDENTITY_NOT_CONFIRMED)
        return render_template("account/change-password.html", form=form)
    token = accounts.change_password(current_user.account, form.password.data)
    session.clear()
    login_user(SignedInUser(current_user.account, token))
    flash("Your password has changed. You have been signed out everywhere else.", "success")
    return redirect(url_for("account.account"))


@bp.route("/account/authenticator", methods=["GET", "POST"])
@signed_in
def replace_authenticator() -> ResponseReturnValue:
    """Move to a new phone: link a new authenticator; the old one stops working once a code from the new one works."""
    auth_session = accounts.session_for_token(current_user.session_token)
    form = ReplaceAuthenticatorForm()
    if form.validate_on_submit():
        confirmed = _identity_confirmed(form.current_password.data, form.current_code.data)
        if confirmed is None:
            return too_many_attempts()
        codes = accounts.confirm_authenticator(auth_session, form.code.data) if confirmed else None
        if codes is not None:
            return render_template(
                "auth/recovery-codes.html", codes=codes, next_url=url_for("account.account"), replacing=True
            )
        if confirmed:
            form.code.errors.append("Enter the code your new authenticator app shows now for this account")
        else:
            form.current_password.errors.append(IDENTITY_NOT_CONFIRMED)
    return render_template(
        "auth/set-up-authenticator.html", form=form, replacing=True, **authenticator_set_up(auth_session)
    )


def _identity_confirmed(password: str, code: str) -> bool | None:
    """Whether the signed-in person gave their own password and a current code; None when the account is locked
    after too many wrong answers. Wrong answers here count towards the same lock as signing in."""
    email = current_user.account.email
    if guesses_used_up(email):
        return None
    if accounts.confirm_identity(current_user.session_token, password, code):
        return True
    count_failed_guess(email)
    return False


@bp.post("/account/recovery-codes")
@signed_in
@recent_sign_in_required
def new_recovery_codes() -> ResponseReturnValue:
    if not RevokeForm().validate_on_submit():
        return redirect(url_for("account.account")), 303
    codes = accounts.replace_recovery_codes(current_user.account)
    return render_template("auth/recovery-codes.html", codes=codes, next_url=url_for("account.account"), replacing=True)
