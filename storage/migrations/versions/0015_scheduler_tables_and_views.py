"""the scheduler's tables, and the Chinese views in the one vocabulary's words. The tables: ogiaudit_job_lock (one run per job and day across schedulers) and APScheduler's job store
(apscheduler_jobs, exactly as APScheduler 3's SQLAlchemyJobStore creates it, so the store finds it existing)

Both were created outside Alembic before (create_all in ogiaudit/schedule.py, and by APScheduler when it started): a
database that has them already keeps them as they are.

The views 报告一览 and 问题一览 (migration 0001 wrote their words by hand: "部门", "未解决", "级别") are recreated from
storage/views.py, whose words are auditor/labels.py's, the same as every export's and the review desk's.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _exists(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if not _exists('ogiaudit_job_lock'):
        op.create_table(
            'ogiaudit_job_lock',
            sa.Column('job_id', sa.String(length=100), nullable=False),
            sa.Column('run_key', sa.String(length=100), nullable=False),
            sa.Column('owner', sa.String(length=200), nullable=False),
            sa.Column('started_at', sa.DateTime(), nullable=False),
            sa.Column('finished_at', sa.DateTime(), nullable=True),
            sa.Column('status', sa.String(length=50), nullable=False),
            sa.Column('detail', sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint('job_id', 'run_key'),
        )
    if not _exists('apscheduler_jobs'):
        # apscheduler/jobstores/sqlalchemy.py (3.x): its schema belongs to the library (storage.models.FOREIGN_PREFIXES)
        op.create_table(
            'apscheduler_jobs',
            sa.Column('id', sa.Unicode(length=191), nullable=False),
            sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
            sa.Column('job_state', sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint('id'),
        )
        op.create_index('ix_apscheduler_jobs_next_run_time', 'apscheduler_jobs', ['next_run_time'])
    from storage import views
    views.recreate(op.execute)


def downgrade() -> None:
    import importlib.util
    from pathlib import Path

    from storage import views
    spec = importlib.util.spec_from_file_location("_ogiaudit_0001", Path(__file__).with_name("0001_initial_schema.py"))
    initial = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(initial)
    for name in views.VIEWS:
        op.execute(f'DROP VIEW IF EXISTS "{name}"')
    for name, sql in initial.VIEWS.items():   # the views as migration 0001 made them
        op.execute(f'CREATE VIEW "{name}" AS {sql}')
    op.drop_index('ix_apscheduler_jobs_next_run_time', table_name='apscheduler_jobs')
    op.drop_table('apscheduler_jobs')
    op.drop_table('ogiaudit_job_lock')
