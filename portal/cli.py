"""Command-line tasks: `flask seed`, `flask create-user`."""

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models import Role


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(create_user_command)


@click.command("seed")
@with_appcontext
@click.option("--scale", type=click.IntRange(min=0), default=0, help="Also add this many synthetic programmes.")
def seed_command(scale: int) -> None:
    """Load the London demo (idempotent) and optionally N synthetic programmes for benchmarks."""
    from seed.loader import load_demo, load_synthetic

    started = time.perf_counter()
    added = load_demo()
    db.session.commit()
    click.echo("Demo seed: added " + ", ".join(f"{count} {name}" for name, count in added.items()))
    if scale:
        with click.progressbar(length=scale, label=f"Adding {scale:,} synthetic programmes", show_pos=True) as bar:
            count = load_synthetic(scale, bar.update)
            db.session.commit()
        click.echo(f"Synthetic: added {count:,} programmes")
    click.echo(f"Done in {time.perf_counter() - started:.1f} s")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.password_option()
def create_user_command(email: str, full_name: str, role: str, password: str) -> None:
    """Create an account, for example the first admin of a new installation."""
    from portal.data import accounts

    if accounts.email_in_use(email):
        raise click.ClickException(f"An account with email {email} already exists")
    if role == Role.PARTNER:
        raise click.ClickException("Partners register their organisation, or an admin invites them")
    accounts.create_user(email=email, full_name=full_name, role=Role(role), password=password)
    db.session.commit()
    click.echo(f"Created {role} {email}")
