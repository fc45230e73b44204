"""programme drafts: a programme written section by section through a task list, saved as the partner goes

Revision ID: 3c9e7a1d5b42
Revises: f1e2d3c4b5a6
Create Date: 2026-12-06 12:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9e7a1d5b42'
down_revision = 'f1e2d3c4b5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'programme_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('completed', sa.JSON(), nullable=False),
        sa.Column('sessions', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_programme_drafts_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_drafts')),
    )
    with op.batch_alter_table('programme_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_drafts_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_drafts_organisation_id'))
    op.drop_table('programme_drafts')
