"""`flask api create-token`: a token for an existing account from the server's command line, for scripts and the
demo journey (`scripts/api_demo.py`). It is shown once and stored hashed, as one made on the account page, and the
owner sees it there and can revoke it."""

import click
from flask.cli import with_appcontext

from portal import data
from portal.api.registry import bp
from portal.data import accounts, tokens

bp.cli.short_help = "The JSON API: create an API token for an account."


@bp.cli.command("create-token")
@with_appcontext
@click.option("--email", required=True, help="The account's email address.")
@click.option("--name", default="command line", show_default=True, help="What the token is for (on the account page).")
def create_token_command(email: str, name: str) -> None:
    """Create an API token for an account and print it (once). It acts as that account, with its role."""
    user = accounts.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account with the email address {email}")
    if user.is_disabled:
        raise click.ClickException("This account is disabled: its tokens would not work")
    try:
        _token, plain = tokens.create_token(user.id, name.strip()[:80] or "command line")
    except tokens.TooManyTokens:
        raise click.ClickException(
            f"This account already has {tokens.MAX_TOKENS_PER_USER} live tokens: revoke one on the account page"
        ) from None
    data.commit()
    click.echo(plain)
