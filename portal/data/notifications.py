"""Email notifications go through an outbox table, so a message is sent only if the change that caused it commits.

Email is not a safe place for personal data: a message never names the young person, never carries officer-only
data (police reference, offences, notes, addresses, free text someone typed) and names a record only by its portal
reference, like "a referral (reference R-123)", with the path of the page that shows it. The reader signs in to see
anything more, and sees only what their role allows. `portal.infra.mailer` sends what is queued here.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app, has_app_context
from sqlalchemy import bindparam, insert, select

from portal.extensions import db
from portal.models import NonComplianceReport, Order, Organisation, OutboxMessage, Referral, Requirement, Role, User

NEW_REFERRAL = "referral-new"
REFERRAL_ACCEPTED = "referral-accepted"
REFERRAL_DECLINED = "referral-declined"
REGISTER_OVERDUE = "register-overdue"
NON_COMPLIANCE_RAISED = "non-compliance-raised"
COMPLETION_REPORTED = "completion-reported"
PASSWORD_RESET = "password-reset"  # a message kind  # nosec B105
REGISTRATION = "registration"

SIGN_OFF = "Sign in to the KCPO partner portal to see the details.\n\nKCPO partner portal"


def queue(recipient: str, subject: str, body: str, kind: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, kind=kind)
    db.session.add(message)
    return message


def referral_reference(referral_id: int) -> str:
    return f"R-{referral_id}"


def order_reference(order_id: int) -> str:
    return f"O-{order_id}"


def report_reference(report_id: int) -> str:
    return f"N-{report_id}"


def link(path: str) -> str:
    """The page's address: MAIL_LINK_BASE_URL plus the path, or the path alone when no base URL is configured."""
    base = current_app.config.get("MAIL_LINK_BASE_URL", "") if has_app_context() else ""
    return f"{base.rstrip('/')}{path}"


# Accounts


def notify_password_reset(user: User, path: str, lifetime: timedelta) -> OutboxMessage:
    minutes = int(lifetime.total_seconds() // 60)
    body = (
        "Someone asked to reset the password of your KCPO partner portal account.\n\n"
        f"Set a new password: {link(path)}\n\n"
        f"The link works once, for {minutes} minutes. You will still need your authenticator app to sign in.\n\n"
        "If you did not ask for this, ignore this email and tell your portal administrator.\n\nKCPO partner portal"
    )
    return queue(user.email, "Reset your password", body, PASSWORD_RESET)


def notify_no_account_to_reset(email: str) -> OutboxMessage:
    body = (
        "Someone asked to reset the password of a KCPO partner portal account with this email address, but no "
        "account that can sign in has it, so nothing has changed.\n\n"
        "If it was you, you may have another email address for the portal, or your account may have been closed: "
        "ask your portal administrator.\n\nIf it was not you, ignore this email.\n\nKCPO partner portal"
    )
    return queue(email, "Reset your password", body, PASSWORD_RESET)


def notify_registration(user: User, path: str, lifetime: timedelta) -> OutboxMessage:
    hours = int(lifetime.total_seconds() // 3600)
    body = (
        f"You registered {db.session.get(Organisation, user.organisation_id).name} with the KCPO partner portal.\n\n"
        f"Continue your registration: {link(path)}\n\n"
        f"The link works once, for {hours} hours. Next you will link an authenticator app on your phone.\n\n"
        "If you did not register, ignore this email.\n\nKCPO partner portal"
    )
    return queue(user.email, "Continue your registration", body, REGISTRATION)


def notify_already_registered(user: User, sign_in_path: str, reset_path: str) -> OutboxMessage:
    body = (
        "Someone tried to register an organisation with the KCPO partner portal using this email address, which "
        "already has an account. Nothing has changed.\n\n"
        f"If it was you, sign in: {link(sign_in_path)}\n"
        f"Forgotten your password? Reset it: {link(reset_path)}\n\n"
        "If it was not you, ignore this email.\n\nKCPO partner portal"
    )
    return queue(user.email, "You already have an account", body, REGISTRATION)


# Referrals


def notify_referral_sent(referral: Referral) -> list[OutboxMessage]:
    """To the partner organisation's users and its contact address: there is a referral waiting for an answer."""
    reference = referral_reference(referral.id)
    body = (
        f"Your organisation has been sent a referral (reference {reference}) for one of your programmes.\n\n"
        "Please accept or decline it as soon as you can.\n\n"
        f"View the referral: {link(f'/partner/referrals/{referral.id}')}\n\n{SIGN_OFF}"
    )
    recipients = _organisation_recipients(referral.organisation_id, include_contact=True)
    return _queue_all(recipients, f"New referral {reference}", body, NEW_REFERRAL)


def notify_referral_accepted(referral: Referral) -> None:
    """To the officer who sent the referral (the order's officer if they cannot be reached)."""
    reference = referral_reference(referral.id)
    order_id, recipients = _answer_recipients(referral)
    body = (
        f"The partner organisation has accepted a referral (reference {reference}) and confirmed it will supervise "
        "the requirement.\n\n"
        f"View the order: {link(f'/orders/{order_id}')}\n\n{SIGN_OFF}"
    )
    _insert_messages(recipients, f"Referral {reference} accepted", body, REFERRAL_ACCEPTED)


def notify_referral_declined(referral: Referral) -> None:
    """To the officer who sent the referral. The partner's reason stays in the portal: it is free text."""
    reference = referral_reference(referral.id)
    order_id, recipients = _answer_recipients(referral)
    body = (
        f"The partner organisation has declined a referral (reference {reference}). Sign in to read their reason "
        "and find another place for the requirement.\n\n"
        f"View the order: {link(f'/orders/{order_id}')}\n\n{SIGN_OFF}"
    )
    _insert_messages(recipients, f"Referral {reference} declined", body, REFERRAL_DECLINED)


def _answer_recipients(referral: Referral) -> tuple[int, list[str]]:
    """The referral's order, and who is told of the partner's answer: the officer who sent it, or the order's
    officer if they cannot be reached. One prebuilt Core statement in the usual case (the sender enabled)."""
    row = (
        db.session.connection()
        .execute(_ORDER_AND_SENDER, {"requirement_id": referral.requirement_id, "sent_by_id": referral.sent_by_id})
        .one()
    )
    if row.email is not None and row.disabled_at is None:
        return row.order_id, [row.email]
    return row.order_id, _order_officer(referral.requirement.order)


_requirements, _users, _outbox = Requirement.__table__, User.__table__, OutboxMessage.__table__
_ORDER_AND_SENDER = (
    select(_requirements.c.order_id, _users.c.email, _users.c.disabled_at)
    .select_from(_requirements.outerjoin(_users, _users.c.id == bindparam("sent_by_id")))
    .where(_requirements.c.id == bindparam("requirement_id"))
)
_INSERT_MESSAGE = insert(_outbox)  # the columns' own defaults (created_at, next_attempt_at...) apply, as with queue()


def _insert_messages(recipients: list[str], subject: str, body: str, kind: str) -> None:
    """As `_queue_all`, by one prebuilt Core INSERT, for a POST that needs nothing back from the messages."""
    if recipients:
        rows = [{"recipient": recipient, "subject": subject, "body": body, "kind": kind} for recipient in recipients]
        db.session.connection().execute(_INSERT_MESSAGE, rows)


# Registers


def notify_register_overdue(requirement: Requirement, on_date: date) -> list[OutboxMessage]:
    """The register for a session the subject was expected at has not been completed: to the supervising
    partner's users and to the order's officer. Safe to call again for the same session: each person is told once.
    """
    referral = requirement.referral
    when = f"{on_date.day} {on_date:%B %Y}"
    messages: list[OutboxMessage] = []
    if referral is not None:
        reference = referral_reference(referral.id)
        body = (
            f"The attendance register for a referral (reference {reference}) for the session on {when} has not "
            "been completed. Please record attendance as soon as you can.\n\n"
            f"View the referral: {link(f'/partner/referrals/{referral.id}')}\n\n{SIGN_OFF}"
        )
        subject = f"Register overdue: {reference}, {when}"
        recipients = _organisation_recipients(referral.organisation_id, include_contact=False)
        messages += _queue_all(recipients, subject, body, REGISTER_OVERDUE, once=True)
    order_reference_text = order_reference(requirement.order_id)
    body = (
        f"The attendance register for a requirement of order {order_reference_text} for the session on {when} has "
        "not been completed by the supervising partner.\n\n"
        f"View the order: {link(f'/orders/{requirement.order_id}')}\n\n{SIGN_OFF}"
    )
    subject = f"Register overdue: order {order_reference_text}, {when}"
    messages += _queue_all(_order_officer(requirement.order), subject, body, REGISTER_OVERDUE, once=True)
    return messages


# Reports


def notify_non_compliance_raised(report: NonComplianceReport) -> list[OutboxMessage]:
    """A non-compliance report (or concern) is waiting for the order's officer to review and decide."""
    reference = report_reference(report.id)
    what = "a concern" if report.kind == "concern" else "a non-compliance report"
    body = (
        f"{what[0].upper()}{what[1:]} (reference {reference}) has been raised on order "
        f"{order_reference(report.order_id)} and is waiting for your review and decision.\n\n"
        f"View the report: {link(f'/reports/{report.id}')}\n\n{SIGN_OFF}"
    )
    subject = f"{'Concern' if report.kind == 'concern' else 'Non-compliance report'} {reference} raised"
    return _queue_all(_order_officer(report.order), subject, body, NON_COMPLIANCE_RAISED)


def notify_completion_reported(report: NonComplianceReport) -> list[OutboxMessage]:
    """The supervising partner reported a requirement completed: the order's officer is told."""
    reference = report_reference(report.id)
    body = (
        f"A partner has reported a requirement of order {order_reference(report.order_id)} as completed "
        f"(reference {reference}).\n\n"
        f"View the report: {link(f'/reports/{report.id}')}\n\n{SIGN_OFF}"
    )
    return _queue_all(_order_officer(report.order), f"Completion reported: {reference}", body, COMPLETION_REPORTED)


# Recipients


def _organisation_recipients(organisation_id: int, *, include_contact: bool) -> list[str]:
    users = db.session.scalars(
        select(User.email)
        .where(User.organisation_id == organisation_id, User.role == Role.PARTNER, User.disabled_at.is_(None))
        .order_by(User.id)
    ).all()
    contact = []
    if include_contact:
        organisation = db.session.get(Organisation, organisation_id)
        contact = [organisation.email] if organisation is not None and organisation.email else []
    return _unique([*users, *contact])


def _order_officer(order: Order) -> list[str]:
    officer = db.session.get(User, order.officer_id) if order.officer_id else None
    return [officer.email] if officer is not None and not officer.is_disabled else []


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.strip().lower(), address.strip())
    return list(seen.values())


def _queue_all(recipients: list[str], subject: str, body: str, kind: str, *, once: bool = False) -> list[OutboxMessage]:
    messages = []
    for recipient in recipients:
        if once and _already_queued(recipient, subject, kind):
            continue
        messages.append(queue(recipient, subject, body, kind))
    db.session.flush()
    return messages


def _already_queued(recipient: str, subject: str, kind: str) -> bool:
    query = select(OutboxMessage.id).where(
        OutboxMessage.recipient == recipient, OutboxMessage.subject == subject, OutboxMessage.kind == kind
    )
    return db.session.scalar(query.limit(1)) is not None
