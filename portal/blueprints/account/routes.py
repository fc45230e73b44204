"""The signed-in user's account: their API tokens (created here, shown once, revoked here) and the API docs."""

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.blueprints.account import bp
from portal.data import accounts, tokens
from portal.forms.account import NewTokenForm, RevokeForm
from portal.openapi import build_document
from portal.web.auth import recent_sign_in_required, signed_in


def _page(form: NewTokenForm, new_token: str | None = None, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "account/account.html",
            form=form if form.errors else None,
            token_form=form,
            revoke_form=RevokeForm(),
            tokens=tokens.live_tokens(current_user.id),
            new_token=new_token,
            limit=tokens.MAX_TOKENS_PER_USER,
            lifetime_days=current_app.config["API_TOKEN_LIFETIME"].days,
            recovery_codes_left=accounts.unused_recovery_codes(current_user.id),
        ),
        status,
    )


@bp.get("/account")
@signed_in
def account() -> ResponseReturnValue:
    return _page(NewTokenForm(formdata=None))


@bp.post("/account/api-tokens")
@signed_in
@recent_sign_in_required
def token_create() -> ResponseReturnValue:
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _token, plain = tokens.create_token(current_user.id, form.name.data)
    except tokens.TooManyTokens:
        form.name.errors.append(f"You can hold {tokens.MAX_TOKENS_PER_USER} tokens at most: revoke one first")
        return _page(form, status=400)
    # The token is shown in this one response, never again: it is not flashed, stored or put in a URL.
    return _page(NewTokenForm(formdata=None), new_token=plain, status=201)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@signed_in
def token_revoke(token_id: int) -> ResponseReturnValue:
    if not RevokeForm().validate_on_submit():
        return redirect(url_for("account.account")), 303
    tokens.revoke_token(current_user.id, token_id)
    flash("API token revoked. Anything using it can no longer reach the API.", "success")
    return redirect(url_for("account.account"))


@bp.get("/api/docs")
@signed_in
def api_docs() -> ResponseReturnValue:
    return render_template("api/docs.html", document=build_document())
