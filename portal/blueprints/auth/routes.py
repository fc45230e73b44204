"""Signing in (password, then a code from an authenticator app), signing out, and password links."""

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from portal.blueprints.auth import bp
from portal.data import accounts
from portal.forms.auth import (
    CodeForm,
    ForgotPasswordForm,
    SetPasswordForm,
    SetUpAuthenticatorForm,
    SignInForm,
    wrong_code_message,
)
from portal.infra import mfa, throttle
from portal.models import AuthSession, LinkPurpose, User
from portal.web.auth import SignedInUser, public, signed_in
from portal.web.errors import security_context
from portal.web.safety import safe_next_url

SIGN_IN_FAILED = "Enter a correct email address and password"
CODE_FAILED = "Enter a correct code. Each code works once: if you have just used one, wait for the next"
SET_UP_CODE_FAILED = "Enter the code your authenticator app shows now for this account"
# Cyber Essentials: at most 10 guesses per account in 5 minutes. Counted per email address typed, whether or not
# an account has it, so being throttled says nothing about which addresses exist.
GUESSES_PER_ACCOUNT = throttle.Limit("sign-in-account", 10, 300)
GUESSES_PER_ADDRESS = throttle.Limit("sign-in-ip", 100, 300)  # slows one machine trying many accounts
RESET_EMAILS = throttle.Limit("password-reset-email", 3, 3600)
PENDING_KEY = "pending_sign_in"
NEXT_KEY = "next"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign-in.html", form=form)
    email = accounts.normalise_email(form.email.data)
    if guesses_used_up(email):
        return too_many_attempts()
    user = accounts.authenticate(email, form.password.data)
    if user is None:
        count_failed_guess(email)
        form.email.errors.append(SIGN_IN_FAILED)
        return render_template("auth/sign-in.html", form=form), 200
    return ask_for_second_factor(user, safe_next_url(request.args.get("next")))


def ask_for_second_factor(user: User, next_url: str | None) -> ResponseReturnValue:
    """The password is right: on to the code (or, the first time, to linking an authenticator app)."""
    session.clear()  # a fresh session: nothing planted before sign-in survives it
    session[PENDING_KEY] = accounts.start_pending_sign_in(user)
    session[NEXT_KEY] = next_url or ""
    return redirect(url_for("auth.sign_in_code" if user.totp_secret else "auth.set_up_authenticator"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def sign_in_code() -> ResponseReturnValue:
    pending = _pending_or_none()
    if pending is None or pending.user.totp_secret is None:
        return _start_again()
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/sign-in-code.html", form=form)
    if guesses_used_up(pending.user.email):
        return too_many_attempts()
    if not accounts.check_second_factor(pending.user, form.code.data):
        count_failed_guess(pending.user.email)
        form.code.errors.append(wrong_code_message(form.code.data, CODE_FAILED))
        return render_template("auth/sign-in-code.html", form=form), 200
    return _finish_sign_in(pending)


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
@public
def set_up_authenticator() -> ResponseReturnValue:
    """First sign-in: the person has just given their password; now they link an authenticator app."""
    pending = _pending_or_none()
    if pending is None or pending.user.totp_secret is not None:
        return _start_again()
    form = SetUpAuthenticatorForm()
    if form.validate_on_submit():
        if guesses_used_up(pending.user.email):
            return too_many_attempts()
        codes = accounts.confirm_authenticator(pending, form.code.data)
        if codes is not None:
            next_url = _log_in(pending)
            return render_template("auth/recovery-codes.html", codes=codes, next_url=next_url)
        count_failed_guess(pending.user.email)
        form.code.errors.append(wrong_code_message(form.code.data, SET_UP_CODE_FAILED))
    return render_template("auth/set-up-authenticator.html", form=form, **authenticator_set_up(pending))


def authenticator_set_up(auth_session: AuthSession) -> dict[str, object]:
    """What the set-up page shows: a QR code drawn here and the same key as text."""
    secret = accounts.begin_authenticator_set_up(auth_session)
    uri = mfa.provisioning_uri(secret, auth_session.user.email, current_app.config["SERVICE_NAME"])
    return {"qr_code": mfa.qr_code_svg(uri, "QR code for your authenticator app"), "secret": mfa.grouped(secret)}


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
    invitation = accounts.usable_link(token, LinkPurpose.INVITATION)
    if invitation is None:
        return link_not_working(token, LinkPurpose.INVITATION)
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = accounts.accept_invitation(invitation, form.password.data)
        if current_user.is_authenticated:  # someone else signed in on this browser: their session ends first
            accounts.end_session(current_user.session_token)
            logout_user()
        # The link and the new password stand for the password step: on to the authenticator, with no second
        # sign-in. A fresh session from here (the link is spent), and the sign-in finishes only with a code.
        response = ask_for_second_factor(user, None)
        flash("Your password is set. Now link an authenticator app to finish signing in.", "success")
        return response
    return render_template("auth/accept-invitation.html", form=form, invitation=invitation)


# How long each kind of link works, in words, for the page shown when one no longer does.
LINK_LIFETIMES = {
    LinkPurpose.INVITATION: "INVITATION_LIFETIME",
    LinkPurpose.PASSWORD_RESET: "PASSWORD_RESET_LIFETIME",
}


def link_not_working(token: str, purpose: LinkPurpose) -> ResponseReturnValue:
    """What happened to a link that no longer works, what to do and who to ask: 410 for a link that was used or has
    expired, 404 for one that never existed for this page. Neither names the person or their email address."""
    reason = accounts.why_unusable(token, purpose)
    # A spent link opened again may be someone else holding it: logged as the page's rule, never with the token.
    current_app.logger.warning(
        "security event link-refused purpose=%s reason=%s %s", purpose, reason, security_context()
    )
    setting = LINK_LIFETIMES.get(purpose)
    lifetime = current_app.config[setting] if setting else accounts.REGISTRATION_LINK_LIFETIME
    page = render_template(
        "auth/link-not-working.html", purpose=purpose.value, reason=reason, lifetime=duration_in_words(lifetime)
    )
    return page, 404 if reason == "unknown" else 410


def duration_in_words(duration: timedelta) -> str:
    """'7 days', '24 hours', '1 hour', '30 minutes'."""
    seconds = int(duration.total_seconds())
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        count, unit = seconds // 86400, "day"
    elif seconds % 3600 == 0 and seconds >= 3600:
        count, unit = seconds // 3600, "hour"
    else:
        count, unit = max(1, round(seconds / 60)), "minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        if throttle.hit(RESET_EMAILS, email):
            accounts.send_password_reset(
                email,
                current_app.config["PASSWORD_RESET_LIFETIME"],
                lambda token: url_for("auth.reset_password", token=token),
            )
        return render_template("auth/check-your-email.html")
    return render_template("auth/forgot-password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    link = accounts.usable_link(token, LinkPurpose.PASSWORD_RESET)
    if link is None:
        return link_not_working(token, LinkPurpose.PASSWORD_RESET)
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(link, form.password.data)
        flash("Your password has changed. Sign in with it and a code from your authenticator app.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset-password.html", form=form)


def _pending_or_none() -> AuthSession | None:
    if current_user.is_authenticated:
        return None
    return accounts.pending_sign_in(session.get(PENDING_KEY))


def _start_again() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session.pop(PENDING_KEY, None)
    flash("Sign in again to continue.", "info")
    return redirect(url_for("auth.sign_in"))


def _finish_sign_in(pending: AuthSession) -> ResponseReturnValue:
    return redirect(_log_in(pending))


def _log_in(pending: AuthSession) -> str:
    """Sign the person in fully; returns where they were heading."""
    next_url = safe_next_url(session.get(NEXT_KEY)) or url_for("main.home")
    token = accounts.complete_sign_in(pending)
    session.clear()  # the token changes again now the second factor is given
    login_user(SignedInUser(pending.user, token))
    return next_url


def guesses_used_up(email: str) -> bool:
    """Sign-in and re-authentication share these counts: a wrong code on either page is a guess at the account."""
    return throttle.blocked(GUESSES_PER_ACCOUNT, email) or throttle.blocked(GUESSES_PER_ADDRESS, _address())


def count_failed_guess(email: str) -> None:
    throttle.hit(GUESSES_PER_ACCOUNT, email)
    throttle.hit(GUESSES_PER_ADDRESS, _address())


def _address() -> str:
    return request.remote_addr or "unknown"


def too_many_attempts(
    attempting: str = "sign in to this account", seconds: int = GUESSES_PER_ACCOUNT.seconds
) -> ResponseReturnValue:
    current_app.logger.warning("throttled: too many attempts to %s", attempting)
    page = render_template("auth/too-many-attempts.html", attempting=attempting, minutes=max(1, seconds // 60))
    return page, 429, {"Retry-After": str(seconds)}
