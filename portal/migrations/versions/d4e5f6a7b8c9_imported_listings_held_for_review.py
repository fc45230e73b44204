"""imported listings held for review: unmapped items kept, places and confirmation date may be unknown

Revision ID: d4e5f6a7b8c9
Revises: d1a2b3c4e5f6
Create Date: 2026-12-06 09:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'd1a2b3c4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_for_review', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('unmapped_items', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.alter_column('capacity', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('assured_on', existing_type=sa.Date(), nullable=True)


def downgrade():
    op.execute("UPDATE programmes SET capacity = 1 WHERE capacity IS NULL")
    op.execute("UPDATE programmes SET assured_on = valid_from WHERE assured_on IS NULL")
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.alter_column('assured_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('capacity', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('unmapped_items')
        batch_op.drop_column('held_for_review')
