"""What `ogiaudit status` shows, gathered from the audit database: the queue per kind and per portal, and the
national progress of the current report year (the year before --as-of)."""
from __future__ import annotations

from datetime import date
from typing import Any

from storage import db, jobqueue

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


def gather(settings, day: date) -> dict[str, Any]:
    with db.session(db.connect(settings.database_url), readonly=True) as s:
        queue = jobqueue.supported(s)
        counts = jobqueue.job_counts(s) if queue else []
        per_portal = jobqueue.portal_job_counts(s) if queue else []
        progress = jobqueue.progress(s, day.year - 1)
        problems = [{"job": p.job_id, "task": p.task, "portal": p.portal_id, "error": p.error, "attempts": p.attempts}
                    for p in jobqueue.job_problems(s)] if queue else []
    return {"queue": queue, "jobs": _by_kind(counts), "portals": _by_portal(per_portal), "failures": problems,
            "progress": progress}


def _by_kind(rows: list[dict]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        kind = out.setdefault(r["task"], {k: 0 for k in (*STATUSES, "retried")})
        kind[r["status"]] = r["jobs"]
        kind["retried"] += r["retried"]
    return out


def _by_portal(rows: list[dict]) -> list[dict[str, Any]]:
    keyed: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        row = keyed.setdefault((r["portal"] or "", r["task"]), {"portal": r["portal"], "task": r["task"], "todo": 0,
                                                                 "doing": 0, "failed": 0, "retried": 0})
        if r["status"] in row:
            row[r["status"]] += r["jobs"]
        row["retried"] += r["retried"]
    return [v for v in keyed.values() if v["todo"] or v["doing"] or v["failed"] or v["retried"]]
