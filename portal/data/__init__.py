"""Data access: the only code that touches the database session."""

from typing import Any

from sqlalchemy.exc import NoResultFound as NoResultFound  # what a lookup of a missing row raises: doors answer 404

from portal.extensions import db


def read_rows(statement: Any, parameters: dict[str, Any]) -> Any:
    """A prebuilt statement of columns, its rows run on the session's connection: none of the ORM's execution
    (about half the cost of a small query). Pending changes are flushed first, as the session's own execute does."""
    db.session.flush()
    return db.session.connection().execute(statement, parameters)


def short_name(first_name: str, last_name: str) -> str:
    """The one detail about a young person partners see: first name and last initial ("Ayaan K.")."""
    return f"{first_name} {last_name[:1].upper()}."


def commit() -> None:
    """Make this transaction's changes permanent, for code outside a request (a command), where no hook commits."""
    db.session.commit()


def rollback() -> None:
    """Drop this transaction's changes: an error answer never saves half a change."""
    db.session.rollback()


class EditConflict(Exception):
    """The record changed since the person opened it; saving would silently overwrite someone else's change."""


def check_version(record: Any, expected_version: int | None) -> None:
    if expected_version is None:
        return
    # Compare with the committed version, the row locked until this transaction ends: two saves made at the same
    # moment on PostgreSQL then queue, and the second is told here instead of failing at its UPDATE with a 500.
    # (On SQLite every transaction already holds the write lock, and FOR UPDATE is not sent.)
    db.session.refresh(record, with_for_update=True)
    if record.version != expected_version:
        raise EditConflict()
