"""The distributed jobs, on procrastinate (a PostgreSQL-backed queue: no second broker).

Three kinds of job, named in storage/jobqueue.py, each idempotent (running it twice changes nothing):

- crawl_portal(portal_id, portal, as_of): crawl one portal in a child process.  Its pipeline writes each new or changed
  document's row and that document's audit job in one transaction; at the end it queues the portal's settling job.
- audit_document(document_id, portal_id): audit one archived document unless it is already audited with these rules
  and these bytes; the result is stored in one transaction (findings upserted by fingerprint: never twice).
- settle_portal(portal_id, portal, as_of): after the portal's audits (same lock, lower priority), PUB-MISSING for its expected
  bodies without a report, once the deadline has passed and only from a complete crawl (the PUB-MISSING rule decides
  from the facts storage/missing.py gathers).

A worker killed in the middle of a job leaves the job "doing" with a worker that no longer beats: any live worker
hands it back to the queue (see ogiaudit/worker.py), and it runs again.  A job that raises is retried with a
growing delay; one that fails for good is recorded for the operations digest.
"""
from __future__ import annotations

import functools
import logging
import sys
from dataclasses import asdict
from datetime import date
from typing import Any

import procrastinate
from procrastinate import RetryStrategy
from procrastinate.exceptions import JobAborted
from sqlalchemy.engine import make_url

from auditor.ruleset import RULESET_VERSION
from crawler.pipelines import STORAGE_FAILED
from ogiaudit import pipeline
from ogiaudit.commands.run import raise_missing
from ogiaudit.crawljob import crawl
from ogiaudit.portals import portal_from_dict
from ogiaudit.settings import ConfigError, Settings
from storage import db, jobqueue, repository

logger = logging.getLogger(__name__)
RETRY = RetryStrategy(max_attempts=4, exponential_wait=5)   # 5 s, 25 s, 125 s between attempts


def conninfo(database_url: str) -> str:
    """libpq's form of the audit database's SQLAlchemy URL (the driver name dropped, options such as search_path kept)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError("分布式队列需要 PostgreSQL 数据库（--database postgresql://…）；SQLite 请直接使用 ogiaudit run")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Runtime:
    """What the jobs of this worker process share: settings, the portals it knows, its audit run."""
    settings: Settings | None = None
    run_id: int | None = None


def make_app(database_url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))
    task = functools.partial(app.task, queue=jobqueue.QUEUE, pass_context=True, retry=RETRY)
    task(name=jobqueue.CRAWL_PORTAL)(crawl_portal)
    task(name=jobqueue.AUDIT_DOCUMENT)(audit_document)
    task(name=jobqueue.SETTLE_PORTAL)(settle_portal)
    return app


def _recorded(fn):
    """A failing attempt is recorded (job_problem), final when no retry is left; then it raises for the retry."""
    @functools.wraps(fn)
    def wrapper(context, **kwargs):
        try:
            return fn(context, **kwargs)
        except JobAborted:
            raise
        except Exception as exc:
            _record_failure(context, kwargs, exc)
            raise
    return wrapper


def _record_failure(context, kwargs: dict, exc: BaseException) -> None:
    job = context.job
    attempts = job.attempts   # procrastinate counts this start
    final = attempts >= RETRY.max_attempts
    print(f"ogiaudit worker：任务 {job.id}（{job.task_name}）失败{'，不再重试' if final else '，稍后重试'}："
          f"{pipeline.problem_line(exc)}", file=sys.stderr, flush=True)
    try:
        with db.session(db.connect(Runtime.settings.database_url)) as s:
            jobqueue.record_job_problem(
                s, job_id=job.id, task=job.task_name, portal_id=kwargs.get("portal_id"),
                subject=str(kwargs.get("document_id") or kwargs.get("portal_id") or ""), error=pipeline.problem_line(exc),
                attempts=attempts, final=final, when=repository.now())
    except Exception:   # the database is down: the retry (or the stalled-job sweep) tells the story later
        logger.warning("无法记录任务失败：%s", job.id, exc_info=True)


@_recorded
def crawl_portal(context, *, portal_id: str, portal: dict[str, Any], as_of: str) -> dict[str, Any]:
    summary = crawl(Runtime.settings, [portal_from_dict(portal)], progress=False, overrides={"OGIAUDIT_QUEUE": True},
                    should_stop=context.should_abort)
    if context.should_abort():
        raise JobAborted("工作进程停止：抓取任务交还队列")
    if summary.error and not summary.portals:   # the crawl did not run (its child failed): try again later
        raise RuntimeError(summary.error)
    unsaved = [e for p in summary.portals for e in p.errors if STORAGE_FAILED in e]
    if unsaved:   # the database was away for part of the crawl: crawl again rather than settle on a partial record
        raise RuntimeError(unsaved[0])
    with db.session(db.connect(Runtime.settings.database_url)) as s:
        jobqueue.defer_settle(s, portal, as_of)
    p = summary.portals[0] if summary.portals else None
    return {"documents": summary.documents, "pages": summary.pages, "complete": bool(p and p.complete)}


@_recorded
def audit_document(context, *, document_id: int, portal_id: str | None = None) -> dict[str, Any]:
    outcome = pipeline.audit_document(Runtime.settings, document_id, _run_id(), only_pending=True)
    return {"skipped": outcome.skipped, "error": outcome.error, "line": outcome.line[:200]}


@_recorded
def settle_portal(context, *, portal_id: str, portal: dict[str, Any], as_of: str) -> dict[str, Any]:
    day = date.fromisoformat(as_of)
    raised, undecided = raise_missing(Runtime.settings, [portal_from_dict(portal)], day.year - 1, day)
    return {"missing": len(raised), "undecided": len(undecided)}


def _run_id() -> int:
    """This worker process's audit run (one row per worker, not per document)."""
    if Runtime.run_id is None:
        with db.session(db.connect(Runtime.settings.database_url)) as s:
            Runtime.run_id = repository.start_run(s, RULESET_VERSION, "worker").id
    return Runtime.run_id


def portal_payload(portal) -> dict[str, Any]:
    """A portal's configuration as a job argument: any worker can crawl it without the configuration files."""
    return asdict(portal)
