"""Backups and restores of the whole database: `flask backup PATH` and `flask restore PATH`.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while the service keeps
running (in WAL mode readers never block writers); the copy is checked with `PRAGMA integrity_check` and written to
its final name only once complete. A restore copies the backup into the configured database file the same way.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --no-owner --clean --if-exists`, in one transaction, into the
configured database. The client tools must be installed (and at least as new as the server); the password, if any,
goes to them in the environment, never on the command line.

A restore is meant for a fresh, empty database: it refuses one that already holds tables unless told to replace it.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

PG_TIMEOUT_SECONDS = 60 * 60


class BackupError(Exception):
    """A backup or restore could not be made; the message says why, for the person running the command."""


def backup_database(url: URL | str, path: Path) -> str:
    """Write a backup of the database at `url` to `path` (which must not exist yet); returns a one-line summary."""
    url, path = make_url(url), Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name, so no earlier backup is overwritten")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    partial = path.with_name(path.name + ".partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_file(url, must_exist=True), partial)
        elif url.get_backend_name() == "postgresql":
            _pg_dump(url, partial)
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up the {url.get_backend_name()} database {url.database} to {path} ({path.stat().st_size:,} bytes)"


def restore_database(url: URL | str, path: Path, replace: bool = False) -> str:
    """Restore the backup at `path` into the database at `url`; returns a one-line summary.

    The database should be fresh and empty (created, not migrated): one that holds tables is refused unless `replace`.
    """
    url, path = make_url(url), Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}")
    tables = existing_tables(url)
    if tables and not replace:
        raise BackupError(
            f"The database {url.database} already holds {len(tables)} tables ({', '.join(sorted(tables)[:5])}, ...). "
            "Restore into a new, empty database, or pass --replace to overwrite this one."
        )
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, _sqlite_file(url, must_exist=False))
    elif url.get_backend_name() == "postgresql":
        _pg_restore(url, path)
    else:
        raise BackupError(f"Restores of {url.get_backend_name()} databases are not supported")
    return f"Restored {path} into the {url.get_backend_name()} database {url.database}"


def existing_tables(url: URL) -> set[str]:
    if url.get_backend_name() == "sqlite":
        file = _sqlite_file(url, must_exist=False)
        if not file.exists() or file.stat().st_size == 0:
            return set()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


# SQLite


def _sqlite_file(url: URL, must_exist: bool) -> Path:
    if url.database in (None, "", ":memory:") or (url.database or "").startswith("file:"):
        raise BackupError("Only a SQLite database in a file can be backed up or restored")
    file = Path(url.database)
    if must_exist and not file.is_file():
        raise BackupError(f"There is no SQLite database at {file}")
    return file


def _sqlite_backup(source_file: Path, target: Path) -> None:
    source = sqlite3.connect(source_file, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent snapshot, even while the service writes
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        _check_integrity(copy, target)
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}") from error
    finally:
        copy.close()
        source.close()


def _sqlite_restore(backup_file: Path, target_file: Path) -> None:
    backup = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        _check_integrity(backup, backup_file)
        target = sqlite3.connect(target_file, timeout=30)
        try:
            backup.backup(target)
            _check_integrity(target, target_file)
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite restore failed: {error}") from error
    finally:
        backup.close()


def _check_integrity(connection: sqlite3.Connection, file: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{file} failed SQLite's integrity check: {result}")


# PostgreSQL


def _client(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools, at least as new as the server "
            "(on Debian or Ubuntu: apt-get install postgresql-client), then run this again."
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The connection URI for the client tools (no driver, no password) and their environment (the password)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    try:
        finished = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupError(f"{what} could not run: {error}") from error
    if finished.returncode != 0:
        raise BackupError(f"{what} failed (exit {finished.returncode}): {finished.stderr.strip()[-2000:]}")


def _pg_dump(url: URL, target: Path) -> None:
    dbname, environment = _libpq(url)
    _run([_client("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={dbname}"], environment, "pg_dump")


def _pg_restore(url: URL, backup_file: Path) -> None:
    dbname, environment = _libpq(url)
    command = [
        _client("pg_restore"),
        "--no-owner",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={dbname}",
        str(backup_file),
    ]
    _run(command, environment, "pg_restore")
