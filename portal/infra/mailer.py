"""Sends the email outbox over SMTP, with retries and back-off; `flask outbox send` and `flask outbox run` drive it.

A message is first *claimed*: in one short transaction the due rows are locked (PostgreSQL: FOR UPDATE SKIP LOCKED,
so concurrent senders take different rows; SQLite: every transaction holds the single write lock from BEGIN
IMMEDIATE) and their `next_attempt_at` is pushed a lease into the future, so no other sender finds them due.
The SMTP conversation happens outside any transaction (a slow mail server never holds a database lock), and each
result is recorded in its own transaction: `sent_at` on success; on failure `attempts`, `last_error` and the next
attempt after 1, 2, 4 ... minutes (capped). After MAIL_MAX_ATTEMPTS the message is left as it is, unsent and with
its last error, for someone to look at (`flask outbox status`).

A sender that dies between handing a message to the server and recording it sends it again after the lease:
delivery is at least once, never twice from two live senders.
"""

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import OutboxMessage, utcnow

CLAIM_LEASE = timedelta(minutes=10)
ERROR_LENGTH = 2000


@dataclass
class SendReport:
    """What one pass of the sender did, by message id."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # will be retried
    gave_up: list[int] = field(default_factory=list)  # failed for the last time: left unsent, with the error

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.failed) + len(self.gave_up)

    def __str__(self) -> str:
        return f"sent {len(self.sent)}, failed {len(self.failed)} (will retry), gave up on {len(self.gave_up)}"


@dataclass(frozen=True)
class _Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    kind: str
    attempts: int


def backoff(attempts: int, cap_minutes: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8 ... minutes, never more than the cap."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap_minutes))


def send_due(now: datetime | None = None, batch: int = 50) -> SendReport:
    """Send up to `batch` messages due at `now` (naive UTC, like every stored time). Commits its own transactions."""
    now = now or utcnow()
    config = current_app.config
    report = SendReport()
    claimed = _claim(now, batch, config["MAIL_MAX_ATTEMPTS"])
    if not claimed:
        return report
    with _Connection(config) as connection:
        for message in claimed:
            try:
                connection.send(_email(message, config, now))
            except (smtplib.SMTPException, OSError) as error:
                _record_failure(message, error, now, config, report)
            else:
                _record_sent(message, now, report)
    return report


def due_count(now: datetime | None = None) -> int:
    now = now or utcnow()
    return (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(*_due(now, current_app.config["MAIL_MAX_ATTEMPTS"]))
        )
        or 0
    )


def outbox_status() -> dict[str, Any]:
    """Counts for `flask outbox status`, and the messages given up on (ids, recipients, errors: never the body)."""
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    unsent = OutboxMessage.sent_at.is_(None)
    count = func.count(OutboxMessage.id)
    given_up = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.last_error)
        .where(unsent, OutboxMessage.attempts >= max_attempts)
        .order_by(OutboxMessage.id)
    ).all()
    return {
        "sent": db.session.scalar(select(count).where(OutboxMessage.sent_at.is_not(None))) or 0,
        "waiting": db.session.scalar(select(count).where(unsent, OutboxMessage.attempts < max_attempts)) or 0,
        "given_up": [row._asdict() for row in given_up],
    }


def _due(now: datetime, max_attempts: int) -> tuple:
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.attempts < max_attempts,
        OutboxMessage.next_attempt_at <= now,
    )


def _claim(now: datetime, batch: int, max_attempts: int) -> list[_Claimed]:
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(*_due(now, max_attempts))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = [_Claimed(row.id, row.recipient, row.subject, row.body, row.kind, row.attempts) for row in rows]
    for row in rows:
        row.next_attempt_at = now + CLAIM_LEASE
    db.session.commit()
    return claimed


def _record_sent(message: _Claimed, now: datetime, report: SendReport) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(sent_at=now, attempts=message.attempts + 1, last_error="")
    )
    db.session.commit()
    report.sent.append(message.id)


def _record_failure(message: _Claimed, error: Exception, now: datetime, config: Any, report: SendReport) -> None:
    attempts = message.attempts + 1
    description = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(
            attempts=attempts,
            last_error=description,
            next_attempt_at=now + backoff(attempts, config["MAIL_BACKOFF_CAP_MINUTES"]),
        )
    )
    db.session.commit()
    gave_up = attempts >= config["MAIL_MAX_ATTEMPTS"]
    (report.gave_up if gave_up else report.failed).append(message.id)
    current_app.logger.warning(
        "Outbox message %s (%s) failed, attempt %s%s: %s",
        message.id,
        message.kind,
        attempts,
        ", giving up" if gave_up else "",
        description,
    )


def _email(message: _Claimed, config: Any, now: datetime) -> EmailMessage:
    sender = config["MAIL_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "kcpo-portal.invalid"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now.replace(tzinfo=UTC), usegmt=True)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


class _Connection:
    """One SMTP connection for a pass, opened on first use and opened again after the server drops it."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.open_error: Exception | None = None  # a server that refused us once in a pass is not asked again

    def __enter__(self) -> "_Connection":
        return self

    def __exit__(self, *_exc: object) -> None:
        self._close()

    def send(self, email: EmailMessage) -> None:
        if self.open_error is not None:
            raise self.open_error
        if self.smtp is None:
            try:
                self.smtp = self._open()
            except (smtplib.SMTPException, OSError) as error:
                self.open_error = error
                raise
        try:
            self.smtp.send_message(email)
        except (smtplib.SMTPServerDisconnected, OSError):
            self._close()
            raise

    def _open(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"])
        try:
            if config["MAIL_USE_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None
