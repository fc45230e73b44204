"""Data access: the only code that touches the database session."""

from typing import Any


class EditConflict(Exception):
    """The record changed since the person opened it; saving would silently overwrite someone else's change."""


def check_version(record: Any, expected_version: int | None) -> None:
    if expected_version is not None and record.version != expected_version:
        raise EditConflict()
