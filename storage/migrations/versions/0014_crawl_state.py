"""crawl state in the database: crawl_entry, the list entries of each portal fetched before (was JSON files under
the archive's .crawlstate/; the first crawl after this migration imports them)

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'crawl_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('portal_id', sa.String(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('listed', sa.String(), nullable=True),
        sa.Column('validators', sa.Boolean(), nullable=False),
        sa.Column('checked', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('portal_id', 'url', name='uq_crawl_entry_portal_url'),
    )


def downgrade() -> None:
    op.drop_table('crawl_entry')
