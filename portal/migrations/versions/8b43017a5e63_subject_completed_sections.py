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


def upgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_sections', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_column('completed_sections')
