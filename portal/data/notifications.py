"""Email notifications go through an outbox table, so a message is sent only if the change that caused it commits."""

from portal.extensions import db
from portal.models import OutboxMessage


def queue(recipient: str, subject: str, body: str, kind: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, kind=kind)
    db.session.add(message)
    return message
