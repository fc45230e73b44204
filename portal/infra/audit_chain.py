"""A hash chain over the audit log, so that editing, deleting or reordering events after the fact shows.

Each linked `AuditEvent` carries a `sequence` (1, 2, 3, ... with no gaps), the `previous_hash` of the event before it
and its own `hash`: SHA-256 over a canonical JSON of its fields and that previous hash.

Recording and linking are two steps, so that no request waits for another's:

* A request inserts its events in its own transaction (they commit or roll back with the change they describe),
  without sequence or hashes ("pending") and without any lock beyond the row's own insert.
* One linker at a time gives the pending events their place in the chain, shortly after they commit: a thread of
  each process (`nudge()`, run by the commit of a transaction that inserted events) wakes, waits `LINK_DELAY`
  seconds to gather a batch, and calls `link_pending()` in a transaction of its own. Linkers exclude one another
  with PostgreSQL's transaction-level advisory try-lock (`pg_try_advisory_xact_lock`; a linker that finds it taken
  tries again shortly, since the holder may have looked before this process's events committed) and, on SQLite,
  with the database's write lock (`BEGIN IMMEDIATE`, portal/database.py). Requests never take that lock.
* A pass links every pending event it can see, in id order, after the head of the chain. It selects by "not linked
  yet", never by "id above the last linked", so an event whose transaction commits after one with a higher id (ids
  are handed out at insert, not at commit) is not skipped: it is linked by the next pass, after that higher id.
  The chain's order is the order events were linked; `sequence` records it, and the verifier checks that order.
  A crashed process leaves its events pending, never lost: any later pass, or `flask audit verify` (which links
  first), links them.

Because the events are added as late as possible, `hold()` keeps a recorded event beside the session until the
transaction commits (`before_commit`), so that one transaction's events go in one INSERT; inside a savepoint they are
added at once, so that rolling the savepoint back removes them as it removes everything else done in it. A query of
the audit log in the same transaction that must see them calls `include_held()` first.

The ORM also refuses to update or delete an event (append-only); on PostgreSQL the application's database role is
granted only INSERT and SELECT on the table, and UPDATE of the three chain columns, which a trigger allows once, to
link a pending event (`flask audit lock-down`).

The chain detects changes made by anyone who cannot recompute every later hash; the verifier's output (the head
sequence and hash) can be kept elsewhere as an anchor (`flask audit verify --anchor SEQ:HASH`) to detect the tail
being cut off or rewritten.
"""

import atexit
import hashlib
import json
import logging
import os
import re
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session, SessionTransaction

from portal.models import AuditEvent, utcnow

GENESIS_HASH = "0" * 64
CHAIN_FORMAT = 1
# Any constant will do, as long as nothing else in the database uses it for an advisory lock.
ADVISORY_LOCK_KEY = 0x6B63706F_61756474  # "kcpoaudt"
LINK_DELAY = 1.0  # seconds a woken linker waits to gather the events of the requests that follow; a pass is 4
# statements whatever it links (at 0.2 s, bench/pages.py counted about 2 of them per subject page on PostgreSQL)
LINK_BATCH = 1000  # events linked per transaction
_HELD_KEY = "audit_chain_held"  # Session.info key: events recorded in this transaction, not yet in the session
_INSERTED_KEY = "audit_chain_inserted"  # Session.info key: this transaction inserted events, to link after commit
log = logging.getLogger("portal.audit_chain")  # the logger name the logs have always carried


class AuditLogIsAppendOnly(Exception):
    """An audit event was changed or deleted through the ORM: the log is append-only."""


def normalise_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as it will read back from the database's JSON column (string keys, lists, plain values)."""
    return json.loads(json.dumps(detail or {}, default=str))


def _timestamp(value: datetime | None) -> str:
    return "" if value is None else value.replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical_bytes(event: Any, previous_hash: str, sequence: int | None = None) -> bytes:
    """EVENT: an AuditEvent or a row with its columns; SEQUENCE: its place, when it is not linked yet."""
    payload = {
        "format": CHAIN_FORMAT,
        "sequence": event.sequence if sequence is None else sequence,
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


def event_hash(event: Any, previous_hash: str, sequence: int | None = None) -> str:
    return hashlib.sha256(canonical_bytes(event, previous_hash, sequence)).hexdigest()


# Recording: insert in the request's transaction, no lock ---------------------------------------------------------

_EVENTS = AuditEvent.__table__
_INSERT_EVENTS = insert(_EVENTS)


def _check_and_complete_new_events(session: Session, _flush_context: Any, _instances: Any) -> None:
    changed = [
        obj
        for obj in session.dirty
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False)
    ]
    removed = [obj for obj in session.deleted if isinstance(obj, AuditEvent)]
    if changed or removed:
        raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted")
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    for obj in new:  # the values as the database will give them back to the linker and the verifier
        if obj.occurred_at is None:
            obj.occurred_at = utcnow()
        obj.detail = normalise_detail(obj.detail)
        obj.purpose = obj.purpose or ""
        obj.correlation_id = obj.correlation_id or ""
    session.info[_INSERTED_KEY] = True


def hold(session: Session, audit_event: AuditEvent) -> None:
    """Add a new event to the session's transaction, to be inserted when the transaction commits."""
    if session.get_transaction() is None or session.in_nested_transaction():
        session.add(audit_event)  # no transaction to wait for yet, or a savepoint that may roll back without it
        return
    session.info.setdefault(_HELD_KEY, []).append(audit_event)


def include_held(session: Session) -> None:
    """Insert the events this transaction recorded so far: at commit, or before a query of the audit log that must
    see them. One prebuilt Core INSERT for them all, with the values the ORM's flush would give them (see
    `_check_and_complete_new_events`), at a fraction of a flush's cost; an event already added to the session (for
    its id) is the ORM's to insert."""
    held = [audit_event for audit_event in session.info.pop(_HELD_KEY, ()) if inspect(audit_event).transient]
    if not held:
        return
    session.flush()  # first the rows the events name (a user or organisation made in this transaction)
    connection = session.connection(bind_arguments={"mapper": AuditEvent})
    connection.execute(_INSERT_EVENTS, [_inserted_values(audit_event) for audit_event in held])
    session.info[_INSERTED_KEY] = True


def _inserted_values(audit_event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": audit_event.occurred_at or utcnow(),
        "action": audit_event.action,
        "user_id": audit_event.user_id,
        "organisation_id": audit_event.organisation_id,
        "record_type": audit_event.record_type,
        "record_id": audit_event.record_id,
        "purpose": audit_event.purpose or "",
        "detail": normalise_detail(audit_event.detail),
        "correlation_id": audit_event.correlation_id or "",
    }


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # releasing a savepoint is not the end of the transaction
        include_held(session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_INSERTED_KEY, None):
        bind = session.get_bind(mapper=AuditEvent)
        nudge(bind.engine if isinstance(bind, Connection) else bind)


def _forget_held(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction is over: anything still held was rolled back with it
        session.info.pop(_HELD_KEY, None)
        session.info.pop(_INSERTED_KEY, None)


def install() -> None:
    """Check and complete every AuditEvent flushed by any ORM session, holding recorded ones until commit and
    waking the linker after it (idempotent)."""
    for name, listener in (
        ("before_flush", _check_and_complete_new_events),
        ("before_commit", _before_commit),
        ("after_commit", _after_commit),
        ("after_transaction_end", _forget_held),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# Linking: one linker at a time, after commit ---------------------------------------------------------------------

_LINK = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("b_id"), _EVENTS.c.sequence.is_(None))
    .values(sequence=bindparam("b_sequence"), previous_hash=bindparam("b_previous"), hash=bindparam("b_hash"))
)
_HEAD = (
    select(_EVENTS.c.sequence, _EVENTS.c.hash)
    .where(_EVENTS.c.sequence.is_not(None))
    .order_by(_EVENTS.c.sequence.desc())
    .limit(1)
)


def _pending(batch: int) -> Any:
    return select(_EVENTS).where(_EVENTS.c.sequence.is_(None)).order_by(_EVENTS.c.id).limit(batch)


def _link_batch(connection: Connection, wait: bool, batch: int) -> int | None:
    """In CONNECTION's transaction: link up to BATCH pending events. None when another linker holds the lock."""
    if connection.dialect.name == "postgresql":
        if wait:
            connection.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
        elif not connection.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))):
            return None
    # SQLite: the transaction began with BEGIN IMMEDIATE, so it holds the only write lock.
    rows = connection.execute(_pending(batch)).all()
    if not rows:
        return 0
    head = connection.execute(_HEAD).first()
    sequence, previous_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    links = []
    for row in rows:
        sequence += 1
        digest = event_hash(row, previous_hash, sequence)
        links.append({"b_id": row.id, "b_sequence": sequence, "b_previous": previous_hash, "b_hash": digest})
        previous_hash = digest
    linked = connection.execute(_LINK, links).rowcount
    if linked != len(links):  # only another linker could have linked them: give way, keep the chain whole
        raise RuntimeError(f"audit chain: {len(links) - linked} of the events being linked were linked meanwhile")
    return len(links)


def link_pending(engine: Engine, *, wait: bool = True, batch: int = LINK_BATCH) -> int | None:
    """Link every pending event committed so far, in transactions of BATCH events; the number linked.

    With `wait=False`, None when another linker holds the lock (it may have looked before the latest events
    committed: try again)."""
    with engine.connect() as connection:
        return _link_all(connection, wait, batch)


def _link_all(connection: Connection, wait: bool, batch: int = LINK_BATCH) -> int | None:
    total = 0
    while True:
        with connection.begin():
            linked = _link_batch(connection, wait, batch)
        if linked is None:
            return None if total == 0 else total
        total += linked
        if linked < batch:
            return total


def link_in(session: Session) -> int:
    """Link every pending event in SESSION's own transaction, this transaction's events included: for a reader of
    the log (an auditor's page) that shows the chain as it stands. Waits for a linker busy elsewhere, never for a
    writer."""
    include_held(session)
    session.flush()
    connection = session.connection(bind_arguments={"mapper": AuditEvent})
    total = 0
    while (linked := _link_batch(connection, True, LINK_BATCH) or 0) == LINK_BATCH:
        total += linked
    return total + linked


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_EVENTS).where(_EVENTS.c.sequence.is_(None))) or 0


class _Linker:
    """A process's linking thread for one database: woken by commits, gone after a while with nothing to do."""

    RETRY = 0.05
    IDLE = 5.0
    ATTEMPTS = 50  # after a database error; the events stay pending for the next commit or verify to link

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.wake = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.guard = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def nudge(self) -> None:
        with self.guard:  # the thread decides it is idle under the same lock
            self.wake.set()
            self.idle.clear()
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="audit-chain-linker", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        # The thread's own connection, out of the pool (so that disposing of the pool leaves it alone), closed when
        # the thread ends.
        held: list[Connection] = []
        try:
            while True:
                if not self.wake.wait(self.IDLE):
                    with self.guard:
                        if not self.wake.is_set():
                            self.thread = None
                            return
                    continue
                time.sleep(LINK_DELAY)  # gather the events of the requests that follow
                self.wake.clear()  # before looking: an event committed from now on wakes the next pass
                self._pass(held)
                with self.guard:
                    if not self.wake.is_set():
                        self.idle.set()
        finally:
            _close(held)

    def _pass(self, held: list[Connection]) -> None:
        for attempt in range(self.ATTEMPTS):
            if _exiting.is_set():
                return
            try:
                if not held:
                    connection = self.engine.connect()
                    connection.detach()
                    held.append(connection)
                if _link_all(held[0], wait=False) is not None:
                    return
            except Exception:  # noqa: BLE001 - logged; the events stay pending, nothing is lost
                _close(held)
                if attempt in (0, self.ATTEMPTS - 1):
                    log.warning("audit chain: linking failed (attempt %s)", attempt + 1, exc_info=True)
            time.sleep(self.RETRY * min(attempt + 1, 20))


def _close(held: list[Connection]) -> None:
    while held:
        try:
            held.pop().close()
        except Exception:  # noqa: BLE001, S110 - a connection already gone
            pass


_linkers: "weakref.WeakKeyDictionary[Engine, _Linker]" = weakref.WeakKeyDictionary()
_linkers_guard = threading.Lock()


def _linker(engine: Engine) -> _Linker:
    with _linkers_guard:
        linker = _linkers.get(engine)
        if linker is None:
            linker = _linkers[engine] = _Linker(engine)
        return linker


def nudge(engine: Engine) -> None:
    """Events were committed to ENGINE's database: link them shortly, in this process's linker thread."""
    _linker(engine).nudge()


def settle(engine: Engine, timeout: float = 10.0) -> bool:
    """Wait until this process's linker for ENGINE has linked what it was woken for (tests, shutdown)."""
    linker = _linkers.get(engine)
    return True if linker is None else linker.idle.wait(timeout)


def set_link_delay(seconds: float) -> None:
    """How long a woken linker waits before linking (the app's AUDIT_LINK_DELAY_SECONDS; the same for every app of
    a process, as the linker threads are)."""
    global LINK_DELAY  # noqa: PLW0603 - one setting for the process's linker threads
    LINK_DELAY = seconds


def settle_all(timeout: float = 10.0) -> bool:
    """Wait until every linker of this process is idle (tests, before a database is emptied or dropped)."""
    return all(linker.idle.wait(timeout) for linker in list(_linkers.values()))


_exiting = threading.Event()


@atexit.register
def _link_before_exit() -> None:
    """A command that recorded events (seeding, say) links them before the process ends, if its thread has not."""
    _exiting.set()
    for engine, linker in list(_linkers.items()):
        if not linker.idle.is_set():
            try:
                link_pending(engine)
            except Exception:  # noqa: BLE001, S110 - they stay pending for the next linker or verify to link
                pass


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
    pending: int = 0  # events recorded but not linked yet: not part of the chain checked

    @property
    def ok(self) -> bool:
        return self.problem is None


def _events_in_order(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = None
    while True:
        query = select(AuditEvent).where(AuditEvent.sequence.is_not(None)).order_by(AuditEvent.sequence).limit(batch)
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
    wanted = dict(anchors or [])
    pending = pending_count(session)
    result = _verify_linked(session, wanted, batch)
    result.pending = pending
    return result


def _verify_linked(session: Session, wanted: dict[int, str], batch: int) -> Verification:
    expected_sequence, previous_hash, count = 1, GENESIS_HASH, 0
    seen_anchor: set[int] = set()
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
        linked = _who_has_hash(session, row.previous_hash) if row.previous_hash not in (GENESIS_HASH, None) else None
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


def _literal(name: str) -> str:
    return "'" + name + "'"  # a plain identifier (checked): no quote to escape


def lock_down_statements(role_name: str, schema: str = "public") -> list[str]:
    """GRANT/REVOKE statements: ROLE may read and write the application's tables but only append to the audit log.

    The role may also set the three chain columns of a pending event, once (a trigger refuses any other update it
    makes), so that the linker can run as the application.

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
        f"GRANT UPDATE (sequence, previous_hash, hash) ON {audit} TO {role}",  # to link a pending event ...
        f'CREATE OR REPLACE FUNCTION "{schema}".audit_events_link_once() RETURNS trigger LANGUAGE plpgsql AS $$ '
        "BEGIN IF OLD.sequence IS NOT NULL OR OLD.previous_hash IS NOT NULL OR OLD.hash IS NOT NULL "
        "OR NEW.sequence IS NULL OR NEW.previous_hash IS NULL OR NEW.hash IS NULL THEN "
        "RAISE EXCEPTION 'audit events are append-only: an event is linked into the chain once'; "
        "END IF; RETURN NEW; END $$",
        f"CREATE OR REPLACE TRIGGER audit_events_link_once BEFORE UPDATE ON {audit} "  # ... once, and only that
        f"FOR EACH ROW WHEN (CURRENT_USER = {_literal(role_name)}) "
        f'EXECUTE FUNCTION "{schema}".audit_events_link_once()',
        f'REVOKE ALL ON "{schema}".alembic_version FROM {role}',
        f'GRANT SELECT ON "{schema}".alembic_version TO {role}',
    ]
