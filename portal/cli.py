"""Command-line tasks: `flask seed`, `flask create-user`, `flask outbox send|run|status`."""

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models import Role


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_group)


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


@click.group("outbox")
def outbox_group() -> None:
    """Send the email outbox: once, in a loop, or show what is waiting and what was given up."""


@outbox_group.command("send")
@with_appcontext
@click.option("--batch", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many messages.")
def outbox_send_command(batch: int) -> None:
    """Send the messages that are due now, once."""
    from portal.mailer import send_due

    click.echo(f"Outbox: {send_due(batch=batch)}")


@outbox_group.command("run")
@with_appcontext
@click.option(
    "--interval", type=click.FloatRange(min=0), default=30.0, show_default=True, help="Seconds between passes."
)
@click.option("--batch", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many a pass.")
@click.option("--max-loops", type=click.IntRange(min=1), default=None, help="Stop after this many passes.")
def outbox_run_command(interval: float, batch: int, max_loops: int | None) -> None:
    """Keep sending: a pass every INTERVAL seconds (at once again while a pass fills its batch). Ctrl-C stops it.

    Each pass first queues the notices for registers still incomplete 24 hours after their session.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from portal.data.attendance import notify_overdue_registers
    from portal.mailer import send_due

    loops = 0
    while max_loops is None or loops < max_loops:
        loops += 1
        try:
            notify_overdue_registers()
            db.session.commit()
            report = send_due(batch=batch)
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("Outbox pass failed; trying again in %s s", interval)
            report = None
        if report is not None and report.claimed:
            click.echo(f"Outbox: {report}")
        if report is not None and report.claimed >= batch:
            continue  # more may be waiting
        if max_loops is None or loops < max_loops:
            time.sleep(interval)


@outbox_group.command("status")
@with_appcontext
def outbox_status_command() -> None:
    """How many messages were sent and are waiting, and each message given up on with its last error."""
    from portal.mailer import outbox_status

    status = outbox_status()
    click.echo(f"Sent: {status['sent']}  Waiting: {status['waiting']}  Given up: {len(status['given_up'])}")
    for row in status["given_up"]:
        click.echo(f"  #{row['id']} {row['kind']} to {row['recipient']}: {row['last_error']}")
