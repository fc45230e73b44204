"""retention review and disposal: review dates, decisions, erasure records

Revision ID: b8d2f3a4c5e6
Revises: a7c1e2f3b4d5
Create Date: 2026-11-27 14:10:00

Existing subjects and orders get their review dates here, counted with the default periods (no admin can have set
others before this revision): an order made by a court 24 months after its last day, an order never made 12 months
after it was started, a subject the latest of their orders' dates or 12 months after their record was created.
From then on the portal keeps the dates (portal/data/retention.py). The arithmetic is copied here on purpose, so this
migration keeps working whatever later happens to the application code.
"""
import calendar
from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2f3a4c5e6'
down_revision = 'a7c1e2f3b4d5'
branch_labels = None
depends_on = None

MONTHS_AFTER_ORDER_END = 24
MONTHS_AFTER_UNMADE_ORDER = 12
MONTHS_WITHOUT_ORDER = 12


def upgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_due', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_subjects_review_due'), ['review_due'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_due', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_review_due'), ['review_due'], unique=False)

    op.create_table('retention_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('next_review_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_retention_decisions_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_decisions'))
    )
    with op.batch_alter_table('retention_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_retention_decisions_record', ['record_type', 'record_id'], unique=False)

    op.create_table('erasure_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_ids', sa.JSON(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['retention_decisions.id'], name=op.f('fk_erasure_records_decision_id_retention_decisions')),
    sa.ForeignKeyConstraint(['erased_by_id'], ['users.id'], name=op.f('fk_erasure_records_erased_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_records'))
    )
    with op.batch_alter_table('erasure_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_records_decision_id'), ['decision_id'], unique=False)

    _backfill_review_dates()


def downgrade():
    with op.batch_alter_table('erasure_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_records_decision_id'))
    op.drop_table('erasure_records')

    with op.batch_alter_table('retention_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_retention_decisions_record')
    op.drop_table('retention_decisions')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_review_due'))
        batch_op.drop_column('review_due')

    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subjects_review_due'))
        batch_op.drop_column('review_due')


def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _as_date(value):
    return value if type(value) is date else value.date()


def _backfill_review_dates():
    connection = op.get_bind()
    subjects = sa.table(
        'subjects',
        sa.column('id', sa.Integer()),
        sa.column('created_at', sa.DateTime()),
        sa.column('review_due', sa.Date()),
    )
    orders = sa.table(
        'orders',
        sa.column('id', sa.Integer()),
        sa.column('subject_id', sa.Integer()),
        sa.column('created_at', sa.DateTime()),
        sa.column('made_on', sa.Date()),
        sa.column('duration_months', sa.Integer()),
        sa.column('review_due', sa.Date()),
    )
    latest = {}
    order_dates = []
    for row in connection.execute(
        sa.select(orders.c.id, orders.c.subject_id, orders.c.created_at, orders.c.made_on, orders.c.duration_months)
    ):
        if row.made_on is not None:
            last_day = _add_months(_as_date(row.made_on), row.duration_months) - timedelta(days=1)
            due = _add_months(last_day, MONTHS_AFTER_ORDER_END)
        else:
            due = _add_months(_as_date(row.created_at), MONTHS_AFTER_UNMADE_ORDER)
        order_dates.append({'row_id': row.id, 'due': due})
        latest[row.subject_id] = max(due, latest.get(row.subject_id, due))
    subject_dates = [
        {'row_id': row.id, 'due': latest.get(row.id) or _add_months(_as_date(row.created_at), MONTHS_WITHOUT_ORDER)}
        for row in connection.execute(sa.select(subjects.c.id, subjects.c.created_at))
    ]
    for table, rows in ((orders, order_dates), (subjects, subject_dates)):
        if rows:
            connection.execute(
                table.update().where(table.c.id == sa.bindparam('row_id')).values(review_due=sa.bindparam('due')),
                rows,
            )
