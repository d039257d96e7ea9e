"""extraction problems say what kind they are: unreadable (the document could not be read: no PUB-MISSING is decided
for its body while it stands) or not_report (read, but not an annual report)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('extraction_problem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(), nullable=False, server_default='unreadable'))


def downgrade() -> None:
    with op.batch_alter_table('extraction_problem', schema=None) as batch_op:
        batch_op.drop_column('kind')
