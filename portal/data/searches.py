"""Saved search criteria, readable only by the person who searched."""

import secrets
from typing import Any

from flask import abort
from sqlalchemy import select

from portal.data import audit
from portal.extensions import db
from portal.models import SavedSearch


def save_search(user_id: int, criteria: dict[str, Any]) -> str:
    search = SavedSearch(id=secrets.token_hex(16), user_id=user_id, criteria=criteria)
    db.session.add(search)
    return search.id


def own_search(user_id: int, search_id: str) -> dict[str, Any]:
    criteria = db.session.scalar(
        select(SavedSearch.criteria).where(SavedSearch.id == search_id, SavedSearch.user_id == user_id)
    )
    if criteria is None:
        abort(404)
    return criteria


def record_directory_search(criteria: dict[str, Any], results: int) -> None:
    audit.record(
        audit.CONSULTATION,
        "programme-directory",
        None,
        filters=sorted(k for k, v in criteria.items() if v),
        results=results,
    )
