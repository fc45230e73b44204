"""Need to know between officers: a subject belongs to a borough (the creating officer's); an officer of another
borough opens the record only after giving a "break glass" reason, which is audited and told to the officers in
charge of the record (its creator and the officers of its orders)."""

from sqlalchemy import bindparam, select

from portal.data import audit, notifications
from portal.extensions import db
from portal.models import AuditEvent, NonComplianceReport, Order, Subject, User

BREAK_GLASS = "break-glass"  # an audit action: an officer opened a record outside their borough, and why
BREAK_GLASS_NOTICE = "break-glass"  # an email kind


def subject_named_by(view_args: dict) -> int | None:
    """The subject whose record a URL names (directly, by one of their orders, or by a report on one)."""
    if "subject_id" in view_args:
        return view_args["subject_id"]
    if "order_id" in view_args:
        return db.session.scalar(select(Order.subject_id).where(Order.id == view_args["order_id"]))
    if "report_id" in view_args:
        query = select(Order.subject_id).join(NonComplianceReport, NonComplianceReport.order_id == Order.id)
        return db.session.scalar(query.where(NonComplianceReport.id == view_args["report_id"]))
    return None


def owning_borough(subject_id: int) -> str:
    return db.session.connection().execute(_OWNING_BOROUGH, {"subject_id": subject_id}).scalar() or ""


# Every subject page asks: a Core statement on the table, run on the session's connection (no ORM execution).
_OWNING_BOROUGH = select(Subject.__table__.c.owning_borough).where(Subject.__table__.c.id == bindparam("subject_id"))


def outside_borough(subject_borough: str, officer_borough: str) -> bool:
    """A record with no borough is open to every officer; otherwise only to officers of its borough."""
    return bool(subject_borough) and subject_borough.strip().casefold() != officer_borough.strip().casefold()


def break_glass(subject_id: int, reason: str, officer: User) -> AuditEvent:
    """Record why an officer outside the subject's borough opens the record, and tell the officers in charge."""
    borough = owning_borough(subject_id)
    event = audit.record(BREAK_GLASS, "subject", subject_id, purpose=reason, owning_borough=borough)
    db.session.add(event)  # needed now, for its id
    db.session.flush()
    for recipient in _officers_in_charge(subject_id, except_user_id=officer.id):
        notifications.queue(
            recipient.email,
            "A record you are in charge of was opened from another borough",
            f"An officer of {officer.borough or 'no borough'} ({officer.full_name}) opened a subject's record "
            f"that belongs to {borough} (subject {subject_id}) and gave a reason for doing so.\n\n"
            f"See the record: {notifications.link(f'/subjects/{subject_id}')}\n\n{notifications.SIGN_OFF}",
            BREAK_GLASS_NOTICE,
        )
    return event


def _officers_in_charge(subject_id: int, except_user_id: int) -> list[User]:
    creator = select(Subject.created_by_id).where(Subject.id == subject_id)
    order_officers = select(Order.officer_id).where(Order.subject_id == subject_id)
    query = select(User).where(
        User.id.in_(creator.union(order_officers)), User.id != except_user_id, User.disabled_at.is_(None)
    )
    return list(db.session.scalars(query.order_by(User.id)))


def given_break_glass(event_id: int, subject_id: int, user_id: int) -> bool:
    """Whether this audit event is this officer's break-glass reason for this subject."""
    with db.session.no_autoflush:
        event = db.session.get(AuditEvent, event_id)
    return (
        event is not None
        and event.action == BREAK_GLASS
        and event.user_id == user_id
        and event.record_type == "subject"
        and event.record_id == subject_id
    )
