"""A hash chain over the audit log, so that editing, deleting or reordering events after the fact shows.

Each `AuditEvent` carries a `sequence` (1, 2, 3, ... with no gaps), the `previous_hash` of the event before it and its
own `hash`: SHA-256 over a canonical JSON of its fields and that previous hash. The values are set as the events are
flushed, under a lock that makes one writer at a time extend the chain:

* PostgreSQL: a transaction-level advisory lock (`pg_advisory_xact_lock`), held until the transaction ends;
* SQLite: every transaction already holds the database's write lock from its start (`BEGIN IMMEDIATE`,
  portal/database.py).

Because that lock is held until the transaction ends, events are added to the session as late as possible: `hold()`
keeps a recorded event beside the session until the transaction commits (`before_commit`), so the lock is taken by
the commit's own flush and held only for the insert and the commit, not for the rest of the request (rendering the
page, say), which would make every audited request on PostgreSQL wait for every other. Nothing else changes: the
events still commit or roll back with their transaction, in the order they were recorded; a query that reads the
audit log in the same transaction sees them (they are added, and so flushed, before it runs); inside a savepoint they
are added at once, so that rolling the savepoint back removes them as it removes everything else done in it.

The ORM also refuses to update or delete an event (append-only); on PostgreSQL the application's database role is
granted only INSERT and SELECT on the table as well (`flask audit lock-down`).

The chain detects changes made by anyone who cannot recompute every later hash; the verifier's output (the head
sequence and hash) can be kept elsewhere as an anchor (`flask audit verify --anchor SEQ:HASH`) to detect the tail
being cut off or rewritten.
"""

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import TableClause, TextClause, event, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import visitors

from portal.models import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
CHAIN_FORMAT = 1
# Any constant will do, as long as nothing else in the database uses it for an advisory lock.
ADVISORY_LOCK_KEY = 0x6B63706F_61756474  # "kcpoaudt"
_ORDER_KEY = "_audit_chain_order"
_HELD_KEY = "audit_chain_held"  # Session.info key: events recorded in this transaction, not yet in the session


class AuditLogIsAppendOnly(Exception):
    """An audit event was changed or deleted through the ORM: the log is append-only."""


def normalise_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as it will read back from the database's JSON column (string keys, lists, plain values)."""
    return json.loads(json.dumps(detail or {}, default=str))


def _timestamp(value: datetime | None) -> str:
    return "" if value is None else value.replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical_bytes(event: AuditEvent, previous_hash: str) -> bytes:
    payload = {
        "format": CHAIN_FORMAT,
        "sequence": event.sequence,
        "occurred_at": _timestamp(event.occurred_at),
        "action": event.action,
        "user_id": event.user_id,
        "organisation_id": event.organisation_id,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "purpose": event.purpose or "",
        "detail": normalise_detail(event.detail),
        "correlation_id": event.correlation_id or "",
        "previous_hash": previous_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def event_hash(event: AuditEvent, previous_hash: str) -> str:
    return hashlib.sha256(canonical_bytes(event, previous_hash)).hexdigest()


def mark_order(event: AuditEvent, order: int) -> None:
    """Remember the order events were recorded in, so one transaction's events chain in that order."""
    setattr(event, _ORDER_KEY, order)


def _lock_and_read_head(session: Session) -> tuple[int, str]:
    connection = session.connection(bind_arguments={"mapper": AuditEvent})
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    # SQLite: the transaction began with BEGIN IMMEDIATE, so it already holds the only write lock.
    head = connection.execute(
        select(AuditEvent.sequence, AuditEvent.hash).order_by(AuditEvent.sequence.desc()).limit(1)
    ).first()
    return (head.sequence, head.hash) if head else (0, GENESIS_HASH)


def _chain_new_events(session: Session, _flush_context: Any, _instances: Any) -> None:
    changed = [
        obj
        for obj in session.dirty
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False)
    ]
    removed = [obj for obj in session.deleted if isinstance(obj, AuditEvent)]
    if changed or removed:
        raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted")
    new = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.hash is None]
    if not new:
        return
    new.sort(key=lambda obj: getattr(obj, _ORDER_KEY, math.inf))
    sequence, previous_hash = _lock_and_read_head(session)
    for obj in new:
        if obj.occurred_at is None:
            obj.occurred_at = utcnow()
        obj.detail = normalise_detail(obj.detail)
        obj.purpose = obj.purpose or ""
        obj.correlation_id = obj.correlation_id or ""
        sequence += 1
        obj.sequence = sequence
        obj.previous_hash = previous_hash
        obj.hash = event_hash(obj, previous_hash)
        previous_hash = obj.hash


def hold(session: Session, audit_event: AuditEvent) -> None:
    """Add a new event to the session's transaction, to be chained and inserted when the transaction commits."""
    if session.get_transaction() is None or session.in_nested_transaction():
        session.add(audit_event)  # no transaction to wait for yet, or a savepoint that may roll back without it
        return
    session.info.setdefault(_HELD_KEY, []).append(audit_event)


def _add_held(session: Session) -> None:
    held = session.info.pop(_HELD_KEY, None)
    if held:
        session.add_all(held)


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # releasing a savepoint is not the end of the transaction
        _add_held(session)


def _reads_the_log(statement: Any) -> bool:
    if isinstance(statement, TextClause):
        return AuditEvent.__tablename__ in statement.text
    name = AuditEvent.__tablename__
    return any(isinstance(element, TableClause) and element.name == name for element in visitors.iterate(statement))


def _before_reading_the_log(state: ORMExecuteState) -> None:
    """A query of the audit log in the same transaction sees the events recorded so far, as it would if they had
    been added at once (autoflush runs after this)."""
    if state.session.info.get(_HELD_KEY) and _reads_the_log(state.statement):
        _add_held(state.session)


def _forget_held(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction is over: anything still held was rolled back with it
        session.info.pop(_HELD_KEY, None)


def install() -> None:
    """Chain every AuditEvent flushed by any ORM session, holding recorded ones until commit (idempotent)."""
    for name, listener in (
        ("before_flush", _chain_new_events),
        ("before_commit", _before_commit),
        ("do_orm_execute", _before_reading_the_log),
        ("after_transaction_end", _forget_held),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# Verification ---------------------------------------------------------------------------------------------------


@dataclass
class Problem:
    sequence: int
    event_id: int | None
    kind: str  # edited | deleted | reordered | anchor
    message: str

    def __str__(self) -> str:
        where = f"sequence {self.sequence}" + (f" (event id {self.event_id})" if self.event_id is not None else "")
        return f"Broken at {where}: {self.kind}: {self.message}"


@dataclass
class Verification:
    count: int
    head_sequence: int
    head_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _events_in_order(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = None
    while True:
        query = select(AuditEvent).order_by(AuditEvent.sequence).limit(batch)
        if last is not None:
            query = query.where(AuditEvent.sequence > last)
        rows = session.scalars(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].sequence
        session.expunge_all()


def _who_has_hash(session: Session, value: str) -> AuditEvent | None:
    return session.scalar(select(AuditEvent).where(AuditEvent.hash == value).limit(1))


def verify(session: Session, anchors: list[tuple[int, str]] | None = None, batch: int = 1000) -> Verification:
    """Recompute the chain from the first event; stop at the first broken link and say what is wrong with it."""
    expected_sequence, previous_hash, count = 1, GENESIS_HASH, 0
    wanted = dict(anchors or [])
    seen_anchor: set[int] = set()
    unsequenced = session.scalar(select(AuditEvent.id).where(AuditEvent.sequence.is_(None)).limit(1))
    if unsequenced is not None:
        return Verification(0, 0, GENESIS_HASH, Problem(0, unsequenced, "edited", "the event has no sequence number"))
    for row in _events_in_order(session, batch):
        problem = _check(session, row, expected_sequence, previous_hash)
        if problem:
            return Verification(count, expected_sequence - 1, previous_hash, problem)
        if row.sequence in wanted:
            seen_anchor.add(row.sequence)
            if wanted[row.sequence] != row.hash:
                message = "the hash differs from the recorded anchor: the chain was rewritten up to here"
                problem = Problem(row.sequence, row.id, "anchor", message)
                return Verification(count, row.sequence - 1, previous_hash, problem)
        count += 1
        expected_sequence, previous_hash = row.sequence + 1, row.hash
    for sequence in sorted(set(wanted) - seen_anchor):
        message = f"the chain ends at sequence {expected_sequence - 1}: events from {expected_sequence} were deleted"
        return Verification(count, expected_sequence - 1, previous_hash, Problem(sequence, None, "deleted", message))
    return Verification(count, expected_sequence - 1, previous_hash, None)


def _check(session: Session, row: AuditEvent, expected_sequence: int, previous_hash: str) -> Problem | None:
    if row.sequence > expected_sequence:
        missing = (
            f"sequence {expected_sequence}"
            if row.sequence == expected_sequence + 1
            else f"sequences {expected_sequence} to {row.sequence - 1}"
        )
        return Problem(row.sequence, row.id, "deleted", f"gap before this event: {missing} missing")
    if row.sequence < expected_sequence:  # only possible without the unique constraint
        return Problem(row.sequence, row.id, "reordered", "sequence number repeated")
    if row.previous_hash != previous_hash:
        linked = _who_has_hash(session, row.previous_hash) if row.previous_hash != GENESIS_HASH else None
        if linked is not None and linked.id != row.id:
            return Problem(
                row.sequence,
                row.id,
                "reordered",
                f"this event was chained after event id {linked.id} (now at sequence {linked.sequence}), "
                f"not after the event now before it",
            )
        return Problem(row.sequence, row.id, "edited", "previous_hash does not match the hash of the event before it")
    if event_hash(row, previous_hash) != row.hash:
        return Problem(row.sequence, row.id, "edited", "the content no longer matches its hash (edited after writing)")
    return None


# PostgreSQL privileges ------------------------------------------------------------------------------------------

_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def lock_down_statements(role_name: str, schema: str = "public") -> list[str]:
    """GRANT/REVOKE statements: ROLE may read and write the application's tables but only append to the audit log.

    Run them as the tables' owner (the role that runs migrations); the application must not connect as the owner,
    because an owner can always grant itself the rights back. Run them again after each migration.
    """
    for name in (role_name, schema):
        if not _ROLE_NAME.fullmatch(name):
            raise ValueError(f"Not a plain PostgreSQL identifier: {name!r}")
    role, audit = f'"{role_name}"', f'"{schema}".audit_events'
    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO {role}',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}',
        f"REVOKE ALL ON {audit} FROM PUBLIC",
        f"REVOKE ALL ON {audit} FROM {role}",
        f"GRANT SELECT, INSERT ON {audit} TO {role}",
        f'REVOKE ALL ON "{schema}".alembic_version FROM {role}',
        f'GRANT SELECT ON "{schema}".alembic_version TO {role}',
    ]
