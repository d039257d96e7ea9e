"""rule and report tallies (for trend and compliance) and an index on configured bodies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:10:11.632532
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rule_tally',
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(), nullable=False),
    sa.Column('open', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', 'year', 'rule')
    )
    op.create_table('report_tally',
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('complete', sa.Integer(), nullable=False),
    sa.Column('consistent', sa.Integer(), nullable=False),
    sa.Column('no_error', sa.Integer(), nullable=False),
    sa.Column('top_rules', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', 'year')
    )
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.create_index('ix_body_configured', ['configured', 'region_path', 'kind', 'portal_id'], unique=False)
    from storage.migrations.tally import rebuild
    rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.drop_index('ix_body_configured')
    op.drop_table('report_tally')
    op.drop_table('rule_tally')

