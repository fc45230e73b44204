"""Command-line tasks: `flask seed`, `flask demo-code`, `flask create-user`, `flask outbox send|run|status`,
`flask audit ...`, `flask backup PATH` and `flask restore PATH`."""

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.database import refresh_planner_statistics
from portal.extensions import db
from portal.models import Role
from portal.rules.schedule import london_today


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(oruk_group)


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
        refresh_planner_statistics()
    click.echo(f"Done in {time.perf_counter() - started:.1f} s")


@click.command("demo-code")
def demo_code_command() -> None:
    """The sign-in code the demo accounts' shared authenticator key gives now (demo accounts only)."""
    from portal.infra import mfa
    from seed.demo import DEMO_TOTP_SECRET

    step = mfa.current_step()
    seconds_left = mfa.STEP_SECONDS - int(time.time()) % mfa.STEP_SECONDS
    click.echo(
        f"{mfa.code_at(DEMO_TOTP_SECRET, step)}  (changes in {seconds_left} s; next: "
        f"{mfa.code_at(DEMO_TOTP_SECRET, step + 1)}; each code signs in once per account)"
    )


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.password_option()
def create_user_command(email: str, full_name: str, role: str, password: str) -> None:
    """Create an account, for example the first admin of a new installation. They link an authenticator app at
    their first sign-in."""
    from portal.data import accounts
    from portal.forms import PASSWORD_MIN_LENGTH
    from portal.infra.passwords import is_easily_guessed

    if accounts.email_in_use(email):
        raise click.ClickException(f"An account with email {email} already exists")
    if role == Role.PARTNER:
        raise click.ClickException("Partners register their organisation, or an admin invites them")
    if len(password) < PASSWORD_MIN_LENGTH or is_easily_guessed(password):
        raise click.ClickException(
            f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters that is not a commonly used one"
        )
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
    from portal.infra.mailer import send_due

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

    from portal.data.attendance_summaries import notify_overdue_registers
    from portal.infra.mailer import send_due

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
    from portal.infra.mailer import outbox_status

    status = outbox_status()
    click.echo(f"Sent: {status['sent']}  Waiting: {status['waiting']}  Given up: {len(status['given_up'])}")
    for row in status["given_up"]:
        click.echo(f"  #{row['id']} {row['kind']} to {row['recipient']}: {row['last_error']}")


@click.group("audit")
def audit_group() -> None:
    """Check the audit log's hash chain; restrict the application's database role to appending to it."""


def _anchor(value: str) -> tuple[int, str]:
    sequence, _, digest = value.partition(":")
    if not sequence.isdigit() or len(digest) != 64:
        raise click.BadParameter("give an anchor as SEQUENCE:HASH, as `flask audit verify` prints it")
    return int(sequence), digest.lower()


@audit_group.command("verify")
@with_appcontext
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    help="SEQUENCE:HASH printed by an earlier run (kept elsewhere): fails if that event is missing or different.",
)
@click.option(
    "--no-link",
    is_flag=True,
    help="Do not link pending events first (they are counted, not checked): a check that writes nothing.",
)
def audit_verify_command(anchors: tuple[str, ...], no_link: bool) -> None:
    """Link any pending events, recompute the hash chain; print OK with the count, or name the first broken link and
    exit 1."""
    from portal.infra.audit_chain import link_pending, verify

    linked = 0 if no_link else link_pending(db.engine) or 0
    result = verify(db.session, [_anchor(value) for value in anchors])
    db.session.rollback()
    notes = [f"{linked} linked just now"] if linked else []
    if result.pending:
        notes.append(f"{result.pending} pending, not linked yet")
    extra = f" ({'; '.join(notes)})" if notes else ""
    if result.ok:
        click.echo(
            f"OK: {result.count} audit events, chain intact{extra}. Head: {result.head_sequence}:{result.head_hash}"
        )
        return
    click.echo(f"FAILED after {result.count} good events{extra}. {result.problem}", err=True)
    raise SystemExit(1)


@audit_group.command("link")
@with_appcontext
def audit_link_command() -> None:
    """Link the pending audit events into the hash chain now (each process's linker does so shortly after commit)."""
    from portal.infra.audit_chain import link_pending

    click.echo(f"Linked {link_pending(db.engine) or 0} pending audit events")


@audit_group.command("lock-down")
@with_appcontext
@click.option("--role", "role_name", required=True, help="The PostgreSQL role the application connects as.")
@click.option("--print-only", is_flag=True, help="Print the SQL instead of running it.")
def audit_lock_down_command(role_name: str, print_only: bool) -> None:
    """PostgreSQL: give ROLE the rights the application needs, and only INSERT and SELECT on audit_events.

    Run it as the owner of the tables (the role that runs migrations), again after each migration.
    """
    from portal.infra.audit_chain import lock_down_statements

    if db.engine.dialect.name != "postgresql" and not print_only:
        raise click.ClickException("lock-down applies to PostgreSQL; SQLite has no roles")
    statements = lock_down_statements(role_name)
    if print_only:
        click.echo("\n".join(f"{statement};" for statement in statements))
        return
    with db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    click.echo(f"{role_name}: INSERT and SELECT only on audit_events; read and write on the other tables")


@click.group("oruk")
def oruk_group() -> None:
    """Open Referral UK 3.0: import services from a file or folder, export the published feed."""


@oruk_group.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--organisation-id",
    type=click.IntRange(min=1),
    default=None,
    help="Import everything into this organisation instead of the organisations the file names.",
)
def oruk_import_command(path: Path, organisation_id: int | None) -> None:
    """Import an ORUK 3.0 service, service list, page or organisation (JSON): PATH is a file or a folder of them.

    New organisations wait for approval. Importing again updates what the last import created, never duplicates it.
    """
    from portal.data import oruk
    from portal.oruk.importing import DocumentError

    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    _refuse_files_too_large(files, current_app.config["ORUK_IMPORT_MAX_FILE_BYTES"])
    counts = []
    try:
        for file in files:  # every file is checked before anything is imported; one at a time in memory
            counts.append(oruk.count_services(oruk.read_document(file.read_bytes())))
    except DocumentError as error:
        raise click.ClickException(f"{file}: {error}") from None
    total = sum(counts)
    reports = []
    with click.progressbar(length=total, label=f"Importing {total:,} services", show_pos=True) as bar:
        for file in files:
            document = oruk.read_document(file.read_bytes())
            reports.append(
                oruk.import_document(
                    document, source=f"file {file.name}", organisation_id=organisation_id, on_progress=bar.update
                )
            )
            db.session.commit()
    for report in reports:
        click.echo(f"{report.source}: {report.summary()}")
        for problem in report.problems:
            click.echo(f"  - {problem}")


def _refuse_files_too_large(files: list[Path], limit: int) -> None:
    for file in files:
        size = file.stat().st_size
        if size > limit:
            raise click.ClickException(
                f"{file}: the file is {size / 1024 / 1024:,.1f} MB; files up to {limit / 1024 / 1024:g} MB are "
                "imported (ORUK_IMPORT_MAX_FILE_MB). Split it into smaller files. Nothing was imported."
            )


@oruk_group.command("export")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def oruk_export_command(path: Path) -> None:
    """Write every published service, fully nested, as an ORUK 3.0 service package (a JSON array) to PATH."""
    import json

    from portal.data import oruk
    from portal.rules.input_rules import without_control_characters

    # Text stored before control characters were refused at every door never leaves in the feed file.
    services = [without_control_characters(found) for found in oruk.all_services(london_today())]
    path.write_text(json.dumps(services, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    click.echo(f"Wrote {len(services):,} services to {path}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the whole database to PATH (a new file) while the service runs.

    SQLite: the online backup API, integrity-checked. PostgreSQL: pg_dump --format=custom (the client tools must be
    installed).
    """
    from portal.infra.backup import BackupError, backup_database

    try:
        click.echo(backup_database(db.engine.url, path))
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds tables.")
def restore_command(path: Path, replace: bool) -> None:
    """Restore a backup made by `flask backup` into the configured database, which should be new and empty.

    SQLite: copied in with the backup API. PostgreSQL: pg_restore --no-owner --clean --if-exists, in one transaction.
    """
    from portal.infra.backup import BackupError, restore_database

    db.session.remove()
    db.engine.dispose()  # no pooled connection may outlive the database it was opened on
    try:
        click.echo(restore_database(db.engine.url, path, replace=replace))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.engine.dispose()
