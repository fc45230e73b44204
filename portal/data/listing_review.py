"""Imported listings held for review: what the import could not map, and the partner's (or an admin's) decision."""

from typing import Any

from flask import abort
from sqlalchemy import select

from portal.data import audit, catalogue, check_version
from portal.extensions import db
from portal.models import Programme


def still_holds(items: list[dict[str, Any]]) -> bool:
    """Whether an item that may limit who can take part is still unreviewed."""
    return any(item["restricts"] and not item.get("confirmed") for item in items)


def held_programmes(organisation_id: int | None = None) -> list[Programme]:
    """The listings waiting for review: one organisation's, or every organisation's for an admin."""
    query = select(Programme).where(Programme.held_for_review.is_(True)).order_by(Programme.title)
    if organisation_id is not None:
        query = query.where(Programme.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def get_any_programme(programme_id: int) -> Programme:
    """An admin's way to any listing (partners use `programmes.get_own_programme`)."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        abort(404)
    return programme


def publish_reviewed(programme: Programme, rule: dict[str, Any], expected_version: int | None) -> None:
    """Every unmapped item is confirmed under the rule chosen (gender, ages), and the listing is no longer held."""
    check_version(programme, expected_version)
    for name, value in rule.items():
        setattr(programme, name, value)
    programme.unmapped_items = [item | {"confirmed": True} for item in programme.unmapped_items]
    programme.held_for_review = False
    db.session.flush()
    catalogue.mark_changed()
    audit.record(audit.ALTERATION, "programme", programme.id, change="reviewed after import", fields=sorted(rule))


def with_earlier_review(programme: Programme, fields: dict[str, Any]) -> dict[str, Any]:
    """An import's fields for a listing imported before: items reviewed then stay confirmed, the file may narrow
    the rule the reviewer chose but never widen it, tags the file adds join the partner's own, and the details
    stay confirmed from the later of the partner's confirmation and the file's own date."""
    confirmed = {(item["kind"], item["text"]) for item in programme.unmapped_items if item.get("confirmed")}
    items = [
        item | {"confirmed": True} if (item["kind"], item["text"]) in confirmed else item
        for item in fields["unmapped_items"]
    ]
    merged = fields | {"unmapped_items": items, "held_for_review": still_holds(items)}
    confirmed_on = [day for day in (programme.assured_on, fields["assured_on"]) if day is not None]
    merged["assured_on"] = max(confirmed_on, default=None)  # the partner's own confirmation is never lost
    if "tags" in fields:
        merged["tags"] = list(dict.fromkeys([*programme.tags, *fields["tags"]]))
    if confirmed:
        merged["gender"] = fields["gender"] if fields["gender"] != "any" else programme.gender
        low, high = max(fields["min_age"], programme.min_age), min(fields["max_age"], programme.max_age)
        if low > high:  # the file now contradicts the reviewed ages: someone must look again
            low, high, merged["held_for_review"] = programme.min_age, programme.max_age, True
        merged["min_age"], merged["max_age"] = low, high
        _keep_reviewed_residence(merged, programme.residence_rule)
    return merged


def _keep_reviewed_residence(merged: dict[str, Any], reviewed: dict[str, Any] | None) -> None:
    """The file may narrow where people must live, never widen it: with no rule, or a wider one, the reviewed rule
    stays; a rule neither narrower nor wider keeps the reviewed rule and asks someone to look again."""
    from_file = merged.get("residence_rule")
    if reviewed is None or (from_file is not None and _within(from_file, reviewed)):
        return
    if from_file is not None and not _within(reviewed, from_file):
        merged["held_for_review"] = True
    merged["residence_rule"] = reviewed


def _within(rule: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether every postcode and drawn area of the rule is one of the other's."""
    polygons = other.get("polygons") or []
    return set(rule.get("postcodes") or []) <= set(other.get("postcodes") or []) and all(
        polygon in polygons for polygon in rule.get("polygons") or []
    )
