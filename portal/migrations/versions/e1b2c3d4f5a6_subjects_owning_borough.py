"""need to know between officers: each subject belongs to the borough of the officer who created the record

Revision ID: e1b2c3d4f5a6
Revises: d4e5f6a7b8c9
Create Date: 2026-12-06 09:40:00

Existing subjects take their creating officer's borough; a subject with no creator (or a creator with no borough)
keeps "" and stays open to every officer, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1b2c3d4f5a6'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owning_borough', sa.String(length=80), server_default='', nullable=False))
    op.execute(
        "UPDATE subjects SET owning_borough = COALESCE("
        "(SELECT users.borough FROM users WHERE users.id = subjects.created_by_id), '')"
    )


def downgrade():
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_column('owning_borough')
