"""the job queue for distributed work (PostgreSQL only): procrastinate's schema, and job_problem (why a job failed,
for the operations digest)

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_problem',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.BigInteger(), nullable=False),
        sa.Column('task', sa.String(), nullable=False),
        sa.Column('portal_id', sa.String(), nullable=True),
        sa.Column('subject', sa.String(), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('final', sa.Boolean(), nullable=False),
        sa.Column('when', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('job_id', name='uq_job_problem_job'),
    )
    op.create_index('ix_job_problem_portal_id', 'job_problem', ['portal_id'])
    if op.get_bind().dialect.name == 'postgresql':
        # procrastinate's own schema, as its version ships it (the queue's tables live beside the rows they act on,
        # so a document and its audit job are written in one transaction)
        from procrastinate.schema import SchemaManager
        # the driver's connection, without parameters: the simple protocol runs the many statements as written
        op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('procrastinate_events', 'procrastinate_periodic_defers', 'procrastinate_workers',
                      'procrastinate_jobs'):
            op.execute(f'DROP TABLE IF EXISTS {table} CASCADE')
        op.execute("DO $$ DECLARE r record; BEGIN FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p "
                   "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname LIKE 'procrastinate%' "
                   "AND n.nspname = current_schema() LOOP EXECUTE 'DROP FUNCTION ' || r.f || ' CASCADE'; END LOOP; END $$")
        for typ in ('procrastinate_job_to_defer_v1', 'procrastinate_job_event_type', 'procrastinate_job_status'):
            op.execute(f'DROP TYPE IF EXISTS {typ} CASCADE')
    op.drop_index('ix_job_problem_portal_id', table_name='job_problem')
    op.drop_table('job_problem')
