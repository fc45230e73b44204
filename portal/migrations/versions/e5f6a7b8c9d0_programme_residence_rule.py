"""programme residence rule: only for people living in postcode areas, districts, sectors or polygons

Revision ID: e5f6a7b8c9d0
Revises: e1b2c3d4f5a6
Create Date: 2026-12-06 10:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'e1b2c3d4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('residence_rule', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('residence_rule')
