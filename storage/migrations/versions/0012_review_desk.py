"""the review desk: desk accounts, verdicts on findings, review history; indexes for the desk's pages

Revision ID: 0012
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('desk_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('portals', sa.JSON(), nullable=True),
    sa.Column('regions', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('finding_review',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(), nullable=False),
    sa.Column('by', sa.String(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ),
    sa.PrimaryKeyConstraint('finding_id')
    )
    op.create_index('ix_finding_review_verdict', 'finding_review', ['verdict'], unique=False)
    op.create_table('review_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('by', sa.String(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_review_action_finding_id', 'review_action', ['finding_id'], unique=False)
    op.create_index('ix_finding_year_id', 'finding', ['year', 'id'], unique=False)
    op.create_index('ix_finding_portal_year', 'finding', ['portal_id', 'year', 'id'], unique=False)
    op.create_index('ix_rule_tally_scope_rule', 'rule_tally', ['scope', 'rule', 'key', 'year', 'open'], unique=False)
    op.create_index('ix_report_tally_scope_year', 'report_tally',
                    ['scope', 'year', 'key', 'reports', 'on_time', 'no_error'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_report_tally_scope_year', table_name='report_tally')
    op.drop_index('ix_rule_tally_scope_rule', table_name='rule_tally')
    op.drop_index('ix_finding_portal_year', table_name='finding')
    op.drop_index('ix_finding_year_id', table_name='finding')
    op.drop_index('ix_review_action_finding_id', table_name='review_action')
    op.drop_table('review_action')
    op.drop_index('ix_finding_review_verdict', table_name='finding_review')
    op.drop_table('finding_review')
    op.drop_table('desk_user')
