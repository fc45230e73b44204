from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from portal.auth import SignedInUser, public, signed_in
from portal.blueprints.auth import bp
from portal.blueprints.auth.forms import SetPasswordForm, SignInForm
from portal.data import accounts
from portal.safety import safe_next_url

SIGN_IN_FAILED = "Enter a correct email address and password"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.email.errors.append(SIGN_IN_FAILED)
            return render_template("auth/sign-in.html", form=form), 200
        session.clear()  # a fresh session at sign-in: nothing carried over from before
        login_user(SignedInUser(user, accounts.start_session(user)))
        return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/sign-in.html", form=form)


@bp.post("/sign-out")
@signed_in
def sign_out() -> ResponseReturnValue:
    accounts.end_session(current_user.session_token)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    invitation = accounts.usable_invitation(token)
    if invitation is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.accept_invitation(invitation, form.password.data)
        flash("Your password is set. Sign in to continue.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/accept-invitation.html", form=form, invitation=invitation)
