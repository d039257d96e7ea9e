"""Faults under distributed work, against real PostgreSQL: a worker killed with SIGKILL in the middle of an audit, and
the database server restarting while workers run (a cluster of the test's own, so no other user of the machine's
server is disturbed).  Afterwards every document is audited exactly once and each missing body has one PUB-MISSING."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest_db import SEEDS, pg_url  # noqa: F401
from crawler.sample_portal import server as sample_server
from crawler.sample_portal import write_portals
from queue_helpers import (
    assert_each_document_audited_once, doing, enqueue, findings, rows, wait_for, worker,
)

pytestmark = pytest.mark.slow
FAST = ("--stalled-after", "3", "--grace", "1")


def _archive_with_audit_jobs(db: str, archive: Path, documents: dict[str, bytes]) -> dict[str, int]:
    """Documents recorded as the crawler records them: each row with its audit job, in one transaction."""
    from datetime import datetime, timezone

    from storage import db as storage_db
    from storage import jobqueue, repository

    ids = {}
    with storage_db.session(storage_db.connect(db)) as s:
        for url, data in documents.items():
            row, _ = repository.record_document(
                s, url=url, data=data, archive_dir=archive, content_type=None, portal_id=None, body_name=None,
                title=None, published=None, published_source=None, fetched_at=datetime.now(timezone.utc))
            assert jobqueue.defer_audit(s, row.id, None)
            assert not jobqueue.defer_audit(s, row.id, None)     # the same job twice: one waits
            ids[url] = row.id
    storage_db.dispose(db)
    return ids


def test_a_worker_killed_mid_audit_loses_nothing(pg_url, tmp_path):
    from render import pdf_to_scan, tesseract_ready

    if reason := tesseract_ready():
        pytest.skip(reason)
    archive = tmp_path / "archive"
    scan = pdf_to_scan((SEEDS / "seed004_hongze2024.pdf").read_bytes(), dpi=150)   # OCR: seconds a page
    texts = {f"https://example.gov.cn/{p.stem}.txt": p.read_bytes() for p in sorted(SEEDS.glob("00[0-3]_*.txt"))}   # 004 is the scan
    ids = _archive_with_audit_jobs(pg_url, archive, {"https://example.gov.cn/scan.pdf": scan, **texts})
    first = worker(pg_url, archive, *FAST, log=tmp_path / "first.log")
    scan_job = f"""SELECT id FROM procrastinate_jobs WHERE status = 'doing' AND args->>'document_id' = '{ids["https://example.gov.cn/scan.pdf"]}'"""
    wait_for(lambda: rows(pg_url, scan_job), 120, "the scan's audit to start")
    time.sleep(1.0)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert doing(pg_url, "audit_document"), "the killed worker's audit is left doing"
    assert worker(pg_url, archive, "--until-idle", *FAST).wait(timeout=300) == 0
    assert_each_document_audited_once(pg_url)
    reports = rows(pg_url, "SELECT r.body_name, count(a.id) FROM report r JOIN audit_record a ON a.report_id = r.id "
                           "GROUP BY 1")
    assert len(reports) == len(ids) and all(n == 1 for _, n in reports), reports
    assert "淮安市洪泽区人民政府" in {name for name, _ in reports}


# --- the database restarting ------------------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster of the test's own, on 127.0.0.1 and a free port (initdb refuses root: run as postgres)."""

    def __init__(self, bindir: Path):
        self.bin, self.port = bindir, _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ogiaudit-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user)
        self._as_owner("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _as_owner(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def pg_ctl(self, action: str, *extra: str) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_owner("pg_ctl", action, "-D", str(self.data), "-w", "-o", opts, "-l", str(self.dir / "log"), *extra)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    bindir = _pg_bin()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if os.environ.get("CI"):
            pytest.fail("CI: PostgreSQL's server programs (initdb, pg_ctl) are needed for the restart test")
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    c = Cluster(bindir)
    c.pg_ctl("start")
    yield c
    c.remove()


def test_the_database_restarting_while_workers_run(cluster, tmp_path):
    srv = sample_server.start(0, slow_seconds=0.2)
    try:
        config = write_portals(srv.base_url, tmp_path / "portals.toml")
        archive = tmp_path / "archive"
        db = cluster.url
        enqueue(db, config, archive)
        workers = [worker(db, archive, "--until-idle", *FAST, log=tmp_path / f"w{i}.log") for i in range(2)]
        wait_for(lambda: rows(db, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")[0][0] >= 2,
                 180, "work to be under way")
        cluster.pg_ctl("stop", "-m", "fast")             # every connection is cut, and for a while none is taken
        time.sleep(4)
        cluster.pg_ctl("start")
        codes = [w.wait(timeout=400) for w in workers]
        logs = "\n".join((tmp_path / f"w{i}.log").read_text(errors="replace") for i in range(2))
        assert codes == [0, 0], logs
        assert "数据库暂时不可用" in logs and "数据库已恢复" in logs   # they noticed, said so, and went on
    finally:
        srv.shutdown()
        srv.server_close()
    assert_each_document_audited_once(db)
    got = findings(db)
    assert got[("PUB-MISSING", "刘家峡镇人民政府")] == 1
    assert got[("T3-BAL", "淮安市洪泽区人民政府")] == 2
