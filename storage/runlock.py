"""The scheduler's run lock: the `ogiaudit_job_lock` table (migration 0015).

Each scheduled run first inserts (job id, run key); the primary key makes the insert succeed once, so of several
schedulers on one database exactly one runs the job for that key.  The row then records how the run ended.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from storage.models import JobLockRow

job_lock = JobLockRow.__table__


def claim(engine: Engine, job_id: str, key: str, owner: str, started_at: datetime) -> bool:
    """Insert the lock row (started_at: naive UTC); False when another scheduler already ran (or is running) it."""
    try:
        with engine.begin() as conn:
            conn.execute(insert(job_lock).values(job_id=job_id, run_key=key, owner=owner, started_at=started_at,
                                                 status="running"))
        return True
    except IntegrityError:
        return False


def finish(engine: Engine, job_id: str, key: str, *, status: str, detail: str, finished_at: datetime) -> None:
    """Record how the run ended (finished_at: naive UTC)."""
    with engine.begin() as conn:
        conn.execute(update(job_lock).where(job_lock.c.job_id == job_id, job_lock.c.run_key == key).values(
            finished_at=finished_at, status=status, detail=detail))
