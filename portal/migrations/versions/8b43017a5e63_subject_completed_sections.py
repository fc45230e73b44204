"""the sections of a subject's record the officer has marked as complete (the record's task list)

Revision ID: 8b43017a5e63
Revises: 3c9e7a1d5b42
Create Date: 2026-12-06 12:40:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b43017a5e63'
down_revision = '3c9e7a1d5b42'
branch_labels = None
depends_on = None

EXISTING_RECORDS_COMPLETE = [
    'languages-and-interests', 'needs', 'weekly-commitments', 'curfew-and-travel', 'exclusion-zones', 'non-associations',
]


def upgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_sections', sa.JSON(), server_default='[]', nullable=False))
    # Records made before the task list were made through the one long form, which officers treated as the whole
    # record and which always led on to suggestions: they keep that, rather than every existing young person's
    # record suddenly showing "Cannot start yet".
    subjects = sa.table('subjects', sa.column('completed_sections', sa.JSON()))
    op.execute(subjects.update().values(completed_sections=EXISTING_RECORDS_COMPLETE))


def downgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_column('completed_sections')
