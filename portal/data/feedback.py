"""Feedback about the service, left from the phase banner and read by admins."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Feedback


def add_feedback(role: str, doing: str, suggestion: str) -> None:
    db.session.add(Feedback(role=role, doing=doing, suggestion=suggestion))


def latest_feedback(limit: int = 200) -> list[Feedback]:
    return list(
        db.session.scalars(select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit))
    )
