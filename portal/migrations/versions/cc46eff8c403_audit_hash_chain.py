"""audit hash chain: sequence, previous_hash and hash on audit_events

Existing events are chained in id order, with the same canonical form portal/audit_chain.py uses (format 1),
copied here so that this migration keeps meaning what it meant when it was written.

Revision ID: cc46eff8c403
Revises: 7804dadfa648
Create Date: 2026-11-24 09:53:06.674846

"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cc46eff8c403'
down_revision = '7804dadfa648'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64


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


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

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
    previous_hash, sequence = GENESIS_HASH, 0
    for row in connection.execute(sa.select(events).order_by(events.c.id)).fetchall():
        sequence += 1
        digest = _hash(row, sequence, previous_hash)
        connection.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(sequence=sequence, previous_hash=previous_hash, hash=digest, purpose=row.purpose or "",
                    correlation_id=row.correlation_id or "")
        )
        previous_hash = digest

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('sequence', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_sequence'), ['sequence'])


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_sequence'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('previous_hash')
        batch_op.drop_column('sequence')
