"""The job queue's rows, read and written inside the audit database's own sessions (PostgreSQL only).

The queue is procrastinate's (its schema is migration 0013).  Writing a job here, in the caller's session, is what
makes "a document's row and its audit job in one transaction" true: either both are committed or neither is.

- defer(session, task, args, lock=, queueing_lock=, priority=) -> bool: False when an equal job is already waiting
- job_counts(session) / portal_job_counts(session): what `ogiaudit status` shows
- record_job_problem(session, …) / job_problems(session): why a job failed, for the operations digest
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import BodyRow, CrawlRow, JobProblemRow, PortalRow, ReportRow

QUEUE = "ogiaudit"

_DEFER = text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, :lock, :queueing_lock, "
              "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])")


def supported(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def defer(session: Session, task: str, args: dict[str, Any], *, lock: str | None = None,
          queueing_lock: str | None = None, priority: int = 0) -> bool:
    """Add a job in the caller's transaction.  A job with the same queueing_lock still waiting makes this a no-op
    (False): jobs are idempotent, so one waiting copy is enough."""
    params = {"queue": QUEUE, "task": task, "priority": priority, "lock": lock, "queueing_lock": queueing_lock,
              "args": json.dumps(args, ensure_ascii=False)}
    try:
        with session.begin_nested():
            session.execute(_DEFER, params)
    except IntegrityError:   # procrastinate_jobs_queueing_lock_idx: the same job is already waiting
        return False
    return True


_COUNTS = text("""
    SELECT task_name, status::text, count(*) AS jobs, count(*) FILTER (WHERE attempts > 1) AS retried
      FROM procrastinate_jobs GROUP BY task_name, status ORDER BY task_name, status""")

_PORTALS = text("""
    SELECT args->>'portal_id' AS portal, task_name, status::text, count(*) AS jobs,
           count(*) FILTER (WHERE attempts > 1) AS retried
      FROM procrastinate_jobs WHERE status IN ('todo', 'doing', 'failed') OR attempts > 1
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""")


def job_counts(session: Session) -> list[dict[str, Any]]:
    """Jobs per task and status; retried: those started more than once (procrastinate counts each start)."""
    return [dict(task=r.task_name, status=r.status, jobs=r.jobs, retried=r.retried)
            for r in session.execute(_COUNTS)]


def portal_job_counts(session: Session) -> list[dict[str, Any]]:
    """Per portal, the jobs still to do, running, failed or retried (finished first-time jobs are not news)."""
    return [dict(portal=r.portal, task=r.task_name, status=r.status, jobs=r.jobs, retried=r.retried)
            for r in session.execute(_PORTALS)]


def waiting(session: Session) -> int:
    """Jobs not yet finished (to do or running)."""
    return int(session.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"))
               .scalar_one())


def record_job_problem(session: Session, *, job_id: int, task: str, portal_id: str | None, subject: str | None,
                       error: str, attempts: int, final: bool, when: datetime) -> None:
    row = session.exec(select(JobProblemRow).where(JobProblemRow.job_id == job_id)).first()
    row = row or JobProblemRow(job_id=job_id, task=task, error=error, when=when)
    row.portal_id, row.subject, row.error = portal_id, subject, error[:1000]
    row.attempts, row.final, row.when = attempts, final, when
    session.add(row)


def job_problems(session: Session, portal_ids: set[str] | None = None) -> list[JobProblemRow]:
    """Jobs that failed for good (no retry left) and were not later run again successfully."""
    if not supported(session):
        return []
    rows = session.exec(select(JobProblemRow).where(JobProblemRow.final.is_(True))
                        .order_by(JobProblemRow.when.desc())).all()
    still_failed = {r.id for r in session.execute(text(
        "SELECT id FROM procrastinate_jobs WHERE status = 'failed'"))}
    return [r for r in rows if r.job_id in still_failed
            and (portal_ids is None or r.portal_id is None or r.portal_id in portal_ids)]


# --- the kinds of job (their functions are in ogiaudit/jobs.py; the names are the contract between the two) ---------
CRAWL_PORTAL = "crawl_portal"        # args: portal (the portal's configuration), as_of
AUDIT_DOCUMENT = "audit_document"    # args: document_id, portal_id
SETTLE_PORTAL = "settle_portal"      # args: portal_id, portal, as_of: PUB-MISSING once the portal's audits are done

# One lock per portal: its crawl, then its audits (oldest report year first, so that last year's report is stored
# before this year's is compared with it), then its settling run in that order, one at a time, whichever worker
# takes them; different portals run in parallel.
PRIORITY_CRAWL, PRIORITY_SETTLE = -50_000, -100_000


def portal_lock(portal_id: str | None) -> str | None:
    return f"portal:{portal_id}" if portal_id else None


def audit_priority(year: int | None) -> int:
    return -int(year) if year else -9_999


def defer_audit(session: Session, document_id: int, portal_id: str | None, year: int | None = None) -> bool:
    return defer(session, AUDIT_DOCUMENT, {"document_id": document_id, "portal_id": portal_id},
                 lock=portal_lock(portal_id), queueing_lock=f"audit:{document_id}", priority=audit_priority(year))


def defer_crawl(session: Session, portal: dict[str, Any], as_of: str) -> bool:
    return defer(session, CRAWL_PORTAL, {"portal_id": portal["id"], "portal": portal, "as_of": as_of},
                 lock=portal_lock(portal["id"]), queueing_lock=f"crawl:{portal['id']}", priority=PRIORITY_CRAWL)


def defer_settle(session: Session, portal: dict[str, Any], as_of: str) -> bool:
    return defer(session, SETTLE_PORTAL, {"portal_id": portal["id"], "portal": portal, "as_of": as_of},
                 lock=portal_lock(portal["id"]), queueing_lock=f"settle:{portal['id']}", priority=PRIORITY_SETTLE)


def progress(session: Session, year: int) -> dict[str, Any]:
    """The national progress of report year `year`: portals crawled completely, expected bodies that have published,
    reports audited."""
    portals = session.exec(select(func.count()).select_from(PortalRow)).one()
    last = select(CrawlRow.portal_id, func.max(CrawlRow.id).label("id")).group_by(CrawlRow.portal_id).subquery()
    crawled = session.exec(select(func.count()).select_from(CrawlRow).join(last, last.c.id == CrawlRow.id)
                           .where(CrawlRow.ok.is_(True), CrawlRow.complete.is_(True))).one()
    expected = session.exec(select(func.count()).select_from(BodyRow).where(BodyRow.configured.is_(True))).one()
    published = session.exec(select(func.count(func.distinct(ReportRow.body_id))).join(
        BodyRow, BodyRow.id == ReportRow.body_id).where(ReportRow.year == year, BodyRow.configured.is_(True))).one()
    reports = session.exec(select(func.count()).select_from(ReportRow).where(ReportRow.year == year)).one()
    return {"year": year, "portals": portals, "portals_crawled": crawled, "expected": expected,
            "published": published, "percent": 100.0 * published / expected if expected else 0.0, "reports": reports}
