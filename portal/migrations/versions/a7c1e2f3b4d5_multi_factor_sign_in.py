"""multi-factor sign-in, recovery codes, link purposes

Revision ID: a7c1e2f3b4d5
Revises: 52539bf9a199
Create Date: 2026-11-27 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c1e2f3b4d5'
down_revision = '52539bf9a199'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('mfa_set_up_at', sa.DateTime(), nullable=True))

    # Sessions from before multi-factor sign-in count as unverified, so everyone signs in again with a code.
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reauthenticated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('pending_totp_secret', sa.String(length=64), nullable=True))

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), nullable=False, server_default='invitation'))

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('purpose')

    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('pending_totp_secret')
        batch_op.drop_column('reauthenticated_at')
        batch_op.drop_column('mfa_verified_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mfa_set_up_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
