"""Helpers for the distributed-queue tests: the commands run for real as subprocesses (`ogiaudit run --queue`,
`ogiaudit worker`), against the real PostgreSQL server and the sample portal on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

AS_OF = "2023-04-30"


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "ogiaudit", *args], capture_output=True, text=True, env=env,
                          timeout=kwargs.pop("timeout", 300), **kwargs)


def worker(db: str, archive: Path, *extra: str, log: Path | None = None) -> subprocess.Popen:
    """A worker in its own session (so a test can kill it alone, as a lost machine would be)."""
    env = {**os.environ, "COLUMNS": "200"}
    out = open(log, "ab") if log else subprocess.DEVNULL   # noqa: SIM115 - handed to the child
    return subprocess.Popen([sys.executable, "-m", "ogiaudit", "worker", "--database", db, "--archive", str(archive),
                             *extra], stdout=out, stderr=out, env=env, start_new_session=True)


def enqueue(db: str, portals: Path, archive: Path) -> subprocess.CompletedProcess:
    res = cli("run", "--queue", "--portals", str(portals), "--database", db, "--archive", str(archive),
              "--as-of", AS_OF)
    assert res.returncode == 0, res.stderr
    return res


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def conn(db: str) -> psycopg.Connection:
    url = make_url(db).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def rows(db: str, sql: str, *params) -> list[tuple]:
    with conn(db) as c:
        return c.execute(sql, params).fetchall()


def doing(db: str, task: str) -> list[int]:
    return [r[0] for r in rows(db, "SELECT id FROM procrastinate_jobs WHERE status = 'doing' AND task_name = %s", task)]


def status(db: str) -> dict:
    res = cli("status", "--database", db, "--as-of", AS_OF, "--format", "json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def findings(db: str) -> Counter:
    """What a user checks: open findings by rule and body."""
    return Counter(rows(db, "SELECT f.rule, b.name FROM finding f JOIN body b ON b.id = f.body_id "
                            "WHERE f.status = 'open'"))


def assert_each_document_audited_once(db: str) -> None:
    """Every archived document audited; no report recorded twice; no finding stored twice; one PUB-MISSING a body."""
    assert rows(db, "SELECT url FROM document WHERE audited_sha256 IS DISTINCT FROM sha256") == []
    assert rows(db, "SELECT report_id, count(*) FROM audit_record GROUP BY report_id HAVING count(*) > 1") == []
    assert rows(db, "SELECT body_id, fingerprint, count(*) FROM finding GROUP BY 1, 2 HAVING count(*) > 1") == []
    assert rows(db, "SELECT body_id, year, count(*) FROM finding WHERE rule = 'PUB-MISSING' "
                    "GROUP BY 1, 2 HAVING count(*) > 1") == []
    assert rows(db, "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing', 'failed')") == [(0,)]
