"""Retention review and disposal (DPA 2018 s.39; College of Policing APP, review, retention and disposal).

Review dates. Every subject and order carries `review_due` (the rules are in `portal.rules.retention`). They are never
set by hand: a listener on every ORM flush recalculates the dates of any subject whose record, orders or retention
decisions changed, and of everyone when an admin changes the review periods. It writes with plain UPDATEs, so a date
the portal keeps never moves a record's edit version (nobody's open form goes stale because of it).

Decisions. A reviewer retains a subject (with a rationale and the next review date) or disposes of it (with a
rationale and an explicit confirmation). Each decision is a `retention_decisions` row, kept even after disposal.

Disposal erases the subject's personal data everywhere the portal holds it, in one transaction: their record,
timetable, exclusion zones, non-associations, notes, calendar feeds, saved searches naming them, every version of
their orders with the grounds, requirements and prohibitions, the referrals partners saw, the attendance marks and
reports partners wrote, and the events and reports officers recorded. Rows are deleted, not blanked: a blanked row
would still be a person in a partner's register, a place taken in a session, or an order on a dashboard. Deleting
the whole chain keeps every count consistent (a register lists whoever is still expected; places free up). Other
subjects' orders that name the person as a prohibited person keep the prohibition, with the name replaced (drafts
drop it, as the non-association it came from is gone). What remains is metadata: the decision (who, when, why),
one `erasure_records` row per kind of record with the ids erased, and one ERASURE audit event per kind. The audit
log itself is append-only and never touched.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Any

from flask import abort
from sqlalchemy import String, bindparam, cast, delete, event, func, or_, select, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from portal.data import EditConflict, audit, check_version
from portal.data.policy import RETENTION
from portal.extensions import db
from portal.models import (
    AttendanceMark,
    CalendarFeed,
    ComplianceEvent,
    ErasureRecord,
    ExclusionZone,
    NonAssociation,
    NonComplianceReport,
    Occasion,
    Order,
    OrderStatus,
    Organisation,
    PolicySetting,
    Prohibition,
    Referral,
    ReportCorrection,
    Requirement,
    RetentionDecision,
    RetentionDecisionKind,
    SavedSearch,
    Subject,
    SubjectNote,
    SubjectWindow,
    User,
    utcnow,
)
from portal.rules.retention import (
    OrderDates,
    RetentionPolicy,
    Review,
    default_next_review,
    format_date,
    latest_next_review,
    order_review,
    subject_review,
)
from portal.rules.schedule import london_today

SUBJECT = "subject"
REVIEW_PURPOSE = "Retention review (DPA 2018 s.39)"
ERASED_PERSON = "A person whose record was erased on {day}"
_CHUNK = 500

# Everything disposal erases, in the order it is deleted (rows before the rows they point at).
ERASABLE: dict[str, type] = {
    "report-correction": ReportCorrection,
    "non-compliance-report": NonComplianceReport,
    "attendance-mark": AttendanceMark,
    "compliance-event": ComplianceEvent,
    "referral": Referral,
    "requirement": Requirement,
    "occasion": Occasion,
    "prohibition": Prohibition,
    "order": Order,
    "calendar-feed": CalendarFeed,
    "non-association": NonAssociation,
    "subject-note": SubjectNote,
    "subject-window": SubjectWindow,
    "exclusion-zone": ExclusionZone,
    "saved-search": SavedSearch,
    "subject": Subject,
}

KIND_NAMES = {
    "subject": "Subject record: name, date of birth, home, languages, needs, interests and curfew",
    "subject-window": "School, college, work and observance times",
    "exclusion-zone": "Exclusion zones",
    "non-association": "Links to people they must not associate with",
    "subject-note": "Notes",
    "calendar-feed": "Calendar subscriptions",
    "saved-search": "Saved searches for their name, reference or postcode",
    "order": "Orders, every version",
    "occasion": "Occasions given as grounds",
    "requirement": "Requirements",
    "prohibition": "Prohibitions",
    "referral": "Referrals, and everything partners see of them",
    "attendance-mark": "Attendance marks, with reasons, evidence and contact attempts",
    "compliance-event": "Recorded events (curfew, prohibited places or people)",
    "non-compliance-report": "Non-compliance reports and partner statements",
    "report-correction": "Corrections to reports",
}

# Every foreign key to a table disposal erases from, and how disposal deals with it (tests check the list is whole).
HANDLED_REFERENCES = {
    ("subject_windows", "subject_id"): "erased",
    ("exclusion_zones", "subject_id"): "erased",
    ("non_associations", "subject_low_id"): "erased",
    ("non_associations", "subject_high_id"): "erased",
    ("subject_notes", "subject_id"): "erased",
    ("calendar_feeds", "subject_id"): "erased",
    ("orders", "subject_id"): "erased",
    ("orders", "replaces_id"): "erased (only the subject's own versions)",
    ("occasions", "order_id"): "erased",
    ("requirements", "order_id"): "erased",
    ("prohibitions", "order_id"): "erased",
    ("prohibitions", "exclusion_zone_id"): "erased with the subject's own orders",
    ("prohibitions", "person_subject_id"): "other subjects' orders: name replaced, link cut",
    ("referrals", "requirement_id"): "erased",
    ("referrals", "subject_id"): "erased",
    ("attendance_marks", "requirement_id"): "erased",
    ("compliance_events", "order_id"): "erased",
    ("non_compliance_reports", "order_id"): "erased",
    ("non_compliance_reports", "requirement_id"): "erased",
    ("report_corrections", "report_id"): "erased",
}


class DecisionRefused(Exception):
    """The decision cannot be recorded as given; the message says why, in words for the reviewer, and `field` which
    answer it is about."""

    def __init__(self, message: str, field: str = "rationale") -> None:
        super().__init__(message)
        self.field = field


# Review dates ----------------------------------------------------------------------------------------------------


def _policy(session: Session) -> RetentionPolicy:
    setting = session.get(PolicySetting, RETENTION)
    return RetentionPolicy.from_setting(setting.value if setting else None)


def _retained_until(session: Session, subject_ids: list[int] | None) -> dict[int, date | None]:
    """Each subject's latest decision: the date a retain decision set (None after any other decision)."""
    query = (
        select(RetentionDecision.record_id, RetentionDecision.decision, RetentionDecision.next_review_due)
        .where(RetentionDecision.record_type == SUBJECT)
        .order_by(RetentionDecision.decided_at, RetentionDecision.id)
    )
    if subject_ids is not None:
        query = query.where(RetentionDecision.record_id.in_(subject_ids))
    latest: dict[int, date | None] = {}
    for record_id, decision, next_review_due in session.execute(query):
        latest[record_id] = next_review_due if decision == RetentionDecisionKind.RETAIN else None
    return latest


def _order_dates(row: Any) -> OrderDates:
    return OrderDates(row.id, str(row.status), row.created_at.date(), row.made_on, row.duration_months)


def recalculate(session: Session, subject_ids: Iterable[int | None] | None = None) -> int:
    """Recalculate the review dates of these subjects (everyone when None) and their orders; how many changed."""
    ids = None if subject_ids is None else sorted({sid for sid in subject_ids if sid is not None})
    if ids == []:
        return 0
    changed = 0
    for batch in [None] if ids is None else _chunks(ids):
        changed += _recalculate(session, batch)
    return changed


def _recalculate(session: Session, ids: list[int] | None) -> int:
    policy = _policy(session)
    retained = _retained_until(session, ids)
    order_query = select(
        Order.id,
        Order.subject_id,
        Order.status,
        Order.created_at,
        Order.made_on,
        Order.duration_months,
        Order.review_due,
    )
    subject_query = select(Subject.id, Subject.created_at, Subject.review_due)
    if ids is not None:
        order_query = order_query.where(Order.subject_id.in_(ids))
        subject_query = subject_query.where(Subject.id.in_(ids))
    reviews: dict[int, list[Review]] = defaultdict(list)
    order_changes, subject_changes = [], []
    for row in session.execute(order_query):
        review = order_review(_order_dates(row), policy, retained.get(row.subject_id))
        reviews[row.subject_id].append(review)
        if row.review_due != review.due:
            order_changes.append({"row_id": row.id, "due": review.due})
    for row in session.execute(subject_query):
        review = subject_review(row.created_at.date(), reviews.get(row.id, []), policy, retained.get(row.id))
        if row.review_due != review.due:
            subject_changes.append({"row_id": row.id, "due": review.due})
    _write(session, Order, order_changes)
    _write(session, Subject, subject_changes)
    return len(order_changes) + len(subject_changes)


def _write(session: Session, model: type, changes: list[dict[str, Any]]) -> None:
    """Plain UPDATEs (no version bump, updated_at left as it was), then the copies already loaded agree."""
    if not changes:
        return
    table = model.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(review_due=bindparam("due"), updated_at=table.c.updated_at)
    )
    session.connection(bind_arguments={"mapper": model}).execute(statement, changes)
    for change in changes:
        loaded = session.identity_map.get(identity_key(model, change["row_id"]))
        if loaded is not None:
            attributes.set_committed_value(loaded, "review_due", change["due"])


def _after_flush(session: Session, _flush_context: Any) -> None:
    """Whatever a flush changed that a review date depends on, recalculate those dates in the same transaction."""
    everyone, subject_ids = False, set()
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, Subject):
            subject_ids.add(row.id)
        elif isinstance(row, Order):
            subject_ids.add(row.subject_id)
        elif isinstance(row, RetentionDecision) and row.record_type == SUBJECT:
            subject_ids.add(row.record_id)
        elif isinstance(row, PolicySetting) and row.key == RETENTION:
            everyone = True
    if everyone:
        recalculate(session)
    elif subject_ids:
        recalculate(session, subject_ids)


def install() -> None:
    """Keep review dates current on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


install()


# The review queue and one subject's review -------------------------------------------------------------------


@dataclass(frozen=True)
class OrderReview:
    order_id: int
    order_version: int
    status: str
    review: Review


@dataclass(frozen=True)
class QueueEntry:
    """One subject due for review: the reference only (no name), what is due and since when."""

    subject_id: int
    reference: str
    review: Review
    orders: tuple[OrderReview, ...]


@dataclass(frozen=True)
class DecisionRow:
    id: int
    decision: RetentionDecisionKind
    reviewer_name: str
    rationale: str
    decided_at: datetime
    next_review_due: date | None


def _reviews_for(subjects: list[Any]) -> dict[int, tuple[Review, tuple[OrderReview, ...]]]:
    """Each subject's review and their orders' reviews, with the reasons in words, for the pages."""
    ids = [row.id for row in subjects]
    policy = _policy(db.session)
    retained = _retained_until(db.session, ids)
    orders: dict[int, list[OrderReview]] = defaultdict(list)
    for row in db.session.execute(
        select(
            Order.id,
            Order.subject_id,
            Order.order_version,
            Order.status,
            Order.created_at,
            Order.made_on,
            Order.duration_months,
        )
        .where(Order.subject_id.in_(ids))
        .order_by(Order.id)
    ):
        review = order_review(_order_dates(row), policy, retained.get(row.subject_id))
        orders[row.subject_id].append(OrderReview(row.id, row.order_version, str(row.status), review))
    found = {}
    for row in subjects:
        own = orders.get(row.id, [])
        review = subject_review(row.created_at.date(), [order.review for order in own], policy, retained.get(row.id))
        found[row.id] = (review, tuple(own))
    return found


def review_queue(today: date, page: int, per_page: int) -> tuple[list[QueueEntry], int]:
    """Subjects whose review date is today or earlier, the longest overdue first; viewing it is a consultation."""
    due = Subject.review_due <= today
    total = db.session.scalar(select(func.count()).select_from(Subject).where(due)) or 0
    rows = db.session.execute(
        select(Subject.id, Subject.reference, Subject.created_at)
        .where(due)
        .order_by(Subject.review_due, Subject.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    reviews = _reviews_for(rows)
    entries = [QueueEntry(row.id, row.reference, *reviews[row.id]) for row in rows]
    audit.record(
        audit.CONSULTATION,
        "retention-review-queue",
        None,
        purpose=REVIEW_PURPOSE,
        page=page,
        results=total,
        subject_ids=[entry.subject_id for entry in entries],
    )
    return entries, total


@dataclass(frozen=True)
class SubjectReview:
    """What a reviewer needs to decide: the record's dates, what disposal would erase and where, earlier decisions."""

    subject_id: int
    reference: str
    category: str
    version: int
    created_on: date
    review: Review
    due: bool
    orders: tuple[OrderReview, ...]
    holdings: tuple[tuple[str, str, int], ...]  # kind, what it is in words, how many
    recipients: tuple[str, ...]  # partner organisations holding a referral (a copy of some of the record)
    named_in: tuple[str, ...]  # other subjects' orders that name this person in a prohibition
    decisions: tuple[DecisionRow, ...]

    @property
    def decisions_version(self) -> int:
        return len(self.decisions)


def find_subject(subject_id: int) -> Subject | None:
    return db.session.get(Subject, subject_id)


def get_subject(subject_id: int) -> Subject:
    subject = find_subject(subject_id)
    if subject is None:
        abort(404)
    return subject


def subject_review_details(subject: Subject, today: date) -> SubjectReview:
    """The review page's contents; reading them is a consultation of the subject's record."""
    review, orders = _reviews_for([subject])[subject.id]
    held = _holdings(subject)
    referral_ids = held["referral"]
    recipients = db.session.scalars(
        select(Organisation.name)
        .where(Organisation.id.in_(select(Referral.organisation_id).where(Referral.id.in_(referral_ids))))
        .order_by(Organisation.name)
    ).all()
    named_in = [
        f"Order {order.id} (version {order.order_version}, {order.status}) for {reference}"
        for _prohibition, order, reference in _naming_prohibitions(subject.id)
    ]
    audit.record(audit.CONSULTATION, SUBJECT, subject.id, purpose=REVIEW_PURPOSE, view="retention review")
    return SubjectReview(
        subject_id=subject.id,
        reference=subject.reference,
        category=str(subject.category),
        version=subject.version,
        created_on=subject.created_at.date(),
        review=review,
        due=review.due <= today,
        orders=orders,
        holdings=tuple((kind, KIND_NAMES[kind], len(ids)) for kind, ids in reversed(held.items()) if ids),
        recipients=tuple(recipients),
        named_in=tuple(dict.fromkeys(named_in)),
        decisions=tuple(decisions_for(subject.id)),
    )


def decisions_for(subject_id: int) -> list[DecisionRow]:
    """The decisions recorded about a subject, newest first, with who made them."""
    rows = db.session.execute(
        select(RetentionDecision, User.full_name)
        .outerjoin(User, User.id == RetentionDecision.reviewer_id)
        .where(RetentionDecision.record_type == SUBJECT, RetentionDecision.record_id == subject_id)
        .order_by(RetentionDecision.decided_at.desc(), RetentionDecision.id.desc())
    )
    return [
        DecisionRow(
            decision.id,
            RetentionDecisionKind(decision.decision),
            name or "Unknown",
            decision.rationale,
            decision.decided_at,
            decision.next_review_due,
        )
        for decision, name in rows
    ]


def _decision_count(subject_id: int) -> int:
    query = select(func.count()).where(
        RetentionDecision.record_type == SUBJECT, RetentionDecision.record_id == subject_id
    )
    return db.session.scalar(query) or 0


def _check_unchanged(subject: Subject, expected_version: int | None, expected_decisions: int | None) -> None:
    """The record and its decisions are as the reviewer saw them (the subject row stays locked until commit)."""
    try:
        check_version(subject, expected_version)
    except InvalidRequestError:  # disposed of by someone else a moment ago: the row is gone
        raise EditConflict() from None
    if expected_decisions is not None and _decision_count(subject.id) != expected_decisions:
        raise EditConflict()


# Decisions -------------------------------------------------------------------------------------------------------


def retain(
    subject: Subject,
    reviewer_id: int,
    rationale: str,
    next_review_due: date | None,
    expected_version: int | None = None,
    expected_decisions: int | None = None,
) -> RetentionDecision:
    """Keep the record: the rationale is recorded with the reviewer, and the next review moves on to the date given
    (by default the local-policy period from today)."""
    if not rationale.strip():
        raise DecisionRefused("Enter the rationale for your decision")
    today = london_today()
    next_review_due = next_review_due or default_next_review(today, _policy(db.session))
    if next_review_due <= today:
        raise DecisionRefused("Next review date must be in the future", "next_review_due")
    if next_review_due > latest_next_review(today):
        latest = format_date(latest_next_review(today))
        raise DecisionRefused(f"Next review date must be no later than {latest}", "next_review_due")
    _check_unchanged(subject, expected_version, expected_decisions)
    decision = RetentionDecision(
        record_type=SUBJECT,
        record_id=subject.id,
        reference=subject.reference,
        decision=RetentionDecisionKind.RETAIN,
        reviewer_id=reviewer_id,
        rationale=rationale.strip(),
        decided_at=utcnow(),
        next_review_due=next_review_due,
    )
    db.session.add(decision)
    db.session.flush()  # the review dates of the subject and their orders move on here (see _after_flush)
    audit.record(
        audit.ALTERATION,
        SUBJECT,
        subject.id,
        user_id=reviewer_id,
        purpose=REVIEW_PURPOSE,
        change="retained after review",
        decision_id=decision.id,
        next_review_due=next_review_due.isoformat(),
    )
    return decision


def dispose(
    subject: Subject,
    reviewer_id: int,
    rationale: str,
    expected_version: int | None = None,
    expected_decisions: int | None = None,
) -> RetentionDecision:
    """Erase the subject's personal data everywhere the portal holds it; keep only the decision and what was erased
    (kinds and ids). All or nothing: it runs in the request's one transaction."""
    if not rationale.strip():
        raise DecisionRefused("Enter the rationale for your decision")
    _check_unchanged(subject, expected_version, expected_decisions)
    subject_id = subject.id
    decision = RetentionDecision(
        record_type=SUBJECT,
        record_id=subject_id,
        reference=subject.reference,
        decision=RetentionDecisionKind.DISPOSE,
        reviewer_id=reviewer_id,
        rationale=rationale.strip(),
        decided_at=utcnow(),
        next_review_due=None,
    )
    db.session.add(decision)
    db.session.flush()
    held = _holdings(subject)
    recipients = sorted(
        set(db.session.scalars(select(Referral.organisation_id).where(Referral.id.in_(held["referral"]))))
    )
    _unlink_from_other_orders(subject_id, decision.id)
    db.session.flush()
    for kind, model in ERASABLE.items():
        for batch in _chunks(held[kind]):
            db.session.execute(delete(model).where(model.id.in_(batch)))
    for kind, ids in held.items():
        if not ids:
            continue
        logged_ids = [] if kind == "saved-search" else sorted(ids)  # saved searches' ids are their owners' keys
        db.session.add(
            ErasureRecord(
                decision_id=decision.id,
                record_type=kind,
                record_ids=logged_ids,
                count=len(ids),
                erased_at=decision.decided_at,
                erased_by_id=reviewer_id,
            )
        )
        extra: dict[str, Any] = {"recipient_organisation_ids": recipients} if kind == "referral" else {}
        audit.record(
            audit.ERASURE,
            kind,
            subject_id if kind == SUBJECT else None,
            user_id=reviewer_id,
            purpose=REVIEW_PURPOSE,
            subject_id=subject_id,
            decision_id=decision.id,
            count=len(ids),
            record_ids=logged_ids,
            **extra,
        )
    db.session.flush()
    return decision


def _holdings(subject: Subject) -> dict[str, list]:
    """The ids of every row holding the subject's personal data, by kind, in ERASABLE's order."""
    subject_id = subject.id

    def ids(query) -> list:
        return list(db.session.scalars(query))

    orders = ids(select(Order.id).where(Order.subject_id == subject_id))
    requirements = ids(select(Requirement.id).where(Requirement.order_id.in_(orders)))
    reports = ids(
        select(NonComplianceReport.id).where(
            or_(NonComplianceReport.order_id.in_(orders), NonComplianceReport.requirement_id.in_(requirements))
        )
    )
    found = {
        "report-correction": ids(select(ReportCorrection.id).where(ReportCorrection.report_id.in_(reports))),
        "non-compliance-report": reports,
        "attendance-mark": ids(select(AttendanceMark.id).where(AttendanceMark.requirement_id.in_(requirements))),
        "compliance-event": ids(select(ComplianceEvent.id).where(ComplianceEvent.order_id.in_(orders))),
        "referral": ids(
            select(Referral.id).where(or_(Referral.subject_id == subject_id, Referral.requirement_id.in_(requirements)))
        ),
        "requirement": requirements,
        "occasion": ids(select(Occasion.id).where(Occasion.order_id.in_(orders))),
        "prohibition": ids(select(Prohibition.id).where(Prohibition.order_id.in_(orders))),
        "order": orders,
        "calendar-feed": ids(select(CalendarFeed.id).where(CalendarFeed.subject_id == subject_id)),
        "non-association": ids(
            select(NonAssociation.id).where(
                or_(NonAssociation.subject_low_id == subject_id, NonAssociation.subject_high_id == subject_id)
            )
        ),
        "subject-note": ids(select(SubjectNote.id).where(SubjectNote.subject_id == subject_id)),
        "subject-window": ids(select(SubjectWindow.id).where(SubjectWindow.subject_id == subject_id)),
        "exclusion-zone": ids(select(ExclusionZone.id).where(ExclusionZone.subject_id == subject_id)),
        "saved-search": _searches_naming(subject),
        "subject": [subject_id],
    }
    return {kind: sorted(found[kind]) for kind in ERASABLE}


def _searches_naming(subject: Subject) -> list[str]:
    """Saved searches whose criteria hold the subject's reference, name or home postcode (a surname of fewer than
    four letters only as part of the full name, so unrelated searches are left alone)."""
    surname = subject.last_name.strip().lower()
    needles = {
        subject.reference.strip().lower(),
        f"{subject.first_name.strip()} {subject.last_name.strip()}".lower(),
        surname if len(surname) >= 4 else "",
        subject.home_postcode.strip().lower(),
    } - {""}
    needles |= {json.dumps(needle)[1:-1] for needle in needles}  # as stored in JSON text (non-ASCII escaped)
    criteria = func.lower(cast(SavedSearch.criteria, String))
    return list(
        db.session.scalars(
            select(SavedSearch.id).where(or_(*(criteria.contains(needle, autoescape=True) for needle in needles)))
        )
    )


def _naming_prohibitions(subject_id: int) -> list[tuple[Prohibition, Order, str]]:
    """Prohibitions in other subjects' orders naming this subject as a person not to contact."""
    return [
        (prohibition, order, reference)
        for prohibition, order, reference in db.session.execute(
            select(Prohibition, Order, Subject.reference)
            .join(Order, Order.id == Prohibition.order_id)
            .join(Subject, Subject.id == Order.subject_id)
            .where(Prohibition.person_subject_id == subject_id, Order.subject_id != subject_id)
            .order_by(Order.id, Prohibition.id)
        )
    ]


def _unlink_from_other_orders(subject_id: int, decision_id: int) -> None:
    """Another subject's draft drops the prohibition (its non-association is erased too); a filed, made or earlier
    order keeps it, without the person's name or link."""
    erased = ERASED_PERSON.format(day=format_date(london_today()))
    for prohibition, order, _reference in _naming_prohibitions(subject_id):
        if order.status == OrderStatus.DRAFT:
            db.session.delete(prohibition)
            change = "prohibited person's record erased: prohibition removed from the draft"
        else:
            prohibition.description, prohibition.person_subject_id = erased, None
            change = "prohibited person's record erased: name removed from the prohibition"
        audit.record(
            audit.ALTERATION,
            "order",
            order.id,
            purpose=REVIEW_PURPOSE,
            subject_id=order.subject_id,
            change=change,
            prohibition_id=prohibition.id,
            decision_id=decision_id,
        )


# After a disposal ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisposalRecord:
    decision: RetentionDecision
    reviewer_name: str
    erased: tuple[tuple[str, int], ...]  # what it was, in words, and how many


def disposal_of(subject_id: int) -> RetentionDecision | None:
    """The decision that disposed of this subject, if one did."""
    return db.session.scalar(
        select(RetentionDecision)
        .where(
            RetentionDecision.record_type == SUBJECT,
            RetentionDecision.record_id == subject_id,
            RetentionDecision.decision == RetentionDecisionKind.DISPOSE,
        )
        .order_by(RetentionDecision.id.desc())
        .limit(1)
    )


def disposal_record(decision_id: int) -> DisposalRecord:
    """The metadata a disposal left: who decided, when and why, and how many of each kind of record went."""
    decision = db.session.get(RetentionDecision, decision_id)
    if decision is None or decision.decision != RetentionDecisionKind.DISPOSE:
        abort(404)
    reviewer = db.session.get(User, decision.reviewer_id) if decision.reviewer_id else None
    erased = db.session.scalars(
        select(ErasureRecord).where(ErasureRecord.decision_id == decision.id).order_by(ErasureRecord.id)
    ).all()
    audit.record(
        audit.CONSULTATION, "retention-decision", decision.id, purpose=REVIEW_PURPOSE, subject_id=decision.record_id
    )
    return DisposalRecord(
        decision,
        reviewer.full_name if reviewer else "Unknown",
        tuple((KIND_NAMES.get(row.record_type, row.record_type), row.count) for row in erased),
    )


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
