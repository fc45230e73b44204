"""i16 accounts: API tokens expire; calendar feeds without names; registered email addresses confirmed

Revision ID: d1a2b3c4e5f6
Revises: b8d2f3a4c5e6
Create Date: 2026-12-06 09:15:00

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a2b3c4e5f6'
down_revision = 'b8d2f3a4c5e6'
branch_labels = None
depends_on = None

# Tokens made before tokens expired get the default lifetime from the upgrade, so no integration stops at once.
DEFAULT_LIFETIME = timedelta(days=90)


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    expires_at = datetime.now(UTC).replace(tzinfo=None) + DEFAULT_LIFETIME
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :expires_at").bindparams(expires_at=expires_at))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)

    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('without_names', sa.Boolean(), nullable=False, server_default=sa.false()))

    # Every account so far came from an invitation, the command line or a registration that signed straight in.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_column('without_names')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
