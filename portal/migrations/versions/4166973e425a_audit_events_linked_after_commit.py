"""audit events linked after commit: sequence, previous_hash and hash may be empty until the chain's linker runs

A request inserts its audit events without taking the chain's lock; one linker sets their place in the chain
shortly after (portal/audit_chain.py). The partial index is the linker's work list.

Downgrading links any pending events first (in id order, the canonical form of format 1 copied here, as in
cc46eff8c403), so that the columns can be required again.

Revision ID: 4166973e425a
Revises: 8b43017a5e63
Create Date: 2026-12-06 12:30:00
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4166973e425a'
down_revision = '8b43017a5e63'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('sequence', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(
            'ix_audit_events_pending',
            ['id'],
            unique=False,
            postgresql_where=sa.text('sequence IS NULL'),
            sqlite_where=sa.text('sequence IS NULL'),
        )


def _hash(row, sequence, previous_hash):
    occurred_at = row.occurred_at
    payload = {
        "format": 1,
        "sequence": sequence,
        "occurred_at": "" if occurred_at is None else occurred_at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        "action": row.action,
        "user_id": row.user_id,
        "organisation_id": row.organisation_id,
        "record_type": row.record_type,
        "record_id": row.record_id,
        "purpose": row.purpose or "",
        "detail": json.loads(json.dumps(row.detail or {}, default=str)),
        "correlation_id": row.correlation_id or "",
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def downgrade():
    events = sa.table(
        'audit_events',
        sa.column('id', sa.Integer),
        sa.column('occurred_at', sa.DateTime),
        sa.column('action', sa.String),
        sa.column('user_id', sa.Integer),
        sa.column('organisation_id', sa.Integer),
        sa.column('record_type', sa.String),
        sa.column('record_id', sa.Integer),
        sa.column('purpose', sa.String),
        sa.column('detail', sa.JSON),
        sa.column('correlation_id', sa.String),
        sa.column('sequence', sa.BigInteger),
        sa.column('previous_hash', sa.String),
        sa.column('hash', sa.String),
    )
    connection = op.get_bind()
    head = connection.execute(
        sa.select(events.c.sequence, events.c.hash)
        .where(events.c.sequence.is_not(None))
        .order_by(events.c.sequence.desc())
        .limit(1)
    ).first()
    sequence, previous_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    pending = sa.select(events).where(events.c.sequence.is_(None)).order_by(events.c.id)
    for row in connection.execute(pending).fetchall():
        sequence += 1
        digest = _hash(row, sequence, previous_hash)
        connection.execute(
            events.update().where(events.c.id == row.id).values(sequence=sequence, previous_hash=previous_hash, hash=digest)
        )
        previous_hash = digest

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_pending')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('sequence', existing_type=sa.BigInteger(), nullable=False)
