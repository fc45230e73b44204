"""The one rule for "is this listing open to officers?" and, for its partner, why a listing is not."""

from datetime import date
from typing import Any

from sqlalchemy import and_, select

from portal.extensions import db
from portal.models import Organisation, OrganisationStatus, Programme, ProgrammeStatus

# The one rule for "is this listing open to officers?", used by the directory, the matcher's catalogue, the
# dashboard's replacements (through that catalogue), the published feed and the partner's own pages. Each
# condition comes with what the partner is told when it fails. Dates are not here: whether a listing runs on the
# days asked about is the directory's (today) and the matcher's (the order period) per-request check.
OPEN_TO_OFFICERS: tuple[tuple[str, Any], ...] = (
    ("the organisation is not approved yet", Organisation.status == OrganisationStatus.APPROVED),
    ("it is archived", Programme.status != ProgrammeStatus.ARCHIVED),
    ("it is held for review: check what the import could not read", Programme.held_for_review.is_(False)),
    ("details not confirmed: confirm they are still correct", Programme.assured_on.is_not(None)),
    ("places not confirmed: set the places per session", Programme.capacity.is_not(None)),
)


def visible_to_officers():
    """The condition every officer-facing programme query carries (`OPEN_TO_OFFICERS`)."""
    return and_(*(condition for _reason, condition in OPEN_TO_OFFICERS))


def why_not_offered(programme_ids: list[int], today: date) -> dict[int, list[str]]:
    """Why officers are not offered each listing, in words for its partner (an empty list: they are)."""
    if not programme_ids:
        return {}
    rows = db.session.execute(
        select(
            Programme.id,
            Programme.status,
            Programme.valid_to,
            *(condition for _reason, condition in OPEN_TO_OFFICERS),
        )
        .join(Organisation)
        .where(Programme.id.in_(programme_ids))
    )
    found: dict[int, list[str]] = {}
    for programme_id, status, valid_to, *passed in rows:
        reasons = [reason for (reason, _condition), ok in zip(OPEN_TO_OFFICERS, passed, strict=True) if not ok]
        if status == ProgrammeStatus.PAUSED:
            reasons.append("it is paused")
        if valid_to is not None and valid_to < today:
            reasons.append(f"it ended on {valid_to.day} {valid_to:%B %Y}")
        found[programme_id] = reasons
    return found


def starts_later(programme: Programme, today: date) -> str | None:
    """A listing that has not started yet is open to officers: they see when it starts, and the matcher offers it
    for an order that runs then."""
    if programme.valid_from > today:
        return f"starts {programme.valid_from.day} {programme.valid_from:%B %Y}"
    return None
