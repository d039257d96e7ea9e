"""Distributed work on the PostgreSQL-backed queue (procrastinate), run for real: `ogiaudit run --queue` enqueues,
`ogiaudit worker` processes crawl the sample portal on 127.0.0.1, audit and settle.  A user checks that the findings
are those of a single-process run, that nothing is audited twice, and that a killed worker loses nothing."""
from __future__ import annotations

import signal
import sqlite3
from collections import Counter

import pytest

from conftest_db import pg_url  # noqa: F401
from crawler.sample_portal import server as sample_server
from crawler.sample_portal import write_portals
from queue_helpers import (
    AS_OF, assert_each_document_audited_once, cli, doing, enqueue, findings, rows, status, wait_for, worker,
)

pytestmark = pytest.mark.slow
LIST_PAGE_2 = "/yongjing/zwgk/zfxxgknb/index_1.html"   # asked for once the 年报 column of 永靖 was read
FAST = ("--stalled-after", "3", "--grace", "1")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    srv = sample_server.start(0, slow_seconds=0.2)
    tmp = tmp_path_factory.mktemp("queue")
    yield srv, write_portals(srv.base_url, tmp / "portals.toml")
    srv.release()
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def reference(portal, tmp_path_factory):
    """The findings of the single-process path (`ogiaudit run` on SQLite): the queue must give the same."""
    tmp = tmp_path_factory.mktemp("reference")
    res = cli("run", "--portals", str(portal[1]), "--as-of", AS_OF, "--database", f"sqlite:///{tmp / 'a.db'}",
              "--archive", str(tmp / "archive"), "--no-progress")
    assert res.returncode == 0, res.stderr
    con = sqlite3.connect(tmp / "a.db")
    found = Counter(con.execute("SELECT f.rule, b.name FROM finding f JOIN body b ON b.id = f.body_id "
                                "WHERE f.status = 'open'").fetchall())
    complete = con.execute("SELECT count(*) FROM crawl c WHERE ok AND complete AND id = "
                           "(SELECT max(id) FROM crawl d WHERE d.portal_id = c.portal_id)").fetchone()[0]
    return found, complete


def test_two_workers_give_the_findings_of_one_process_and_a_second_round_changes_nothing(
        portal, reference, pg_url, tmp_path):
    reference, crawled_complete = reference
    archive = tmp_path / "archive"
    out = enqueue(pg_url, portal[1], archive).stdout
    assert "抓取任务 6 个" in out
    workers = [worker(pg_url, archive, "--until-idle", *FAST) for _ in range(2)]
    assert [w.wait(timeout=240) for w in workers] == [0, 0]
    assert findings(pg_url) == reference
    assert ("PUB-MISSING", "刘家峡镇人民政府") in reference
    assert_each_document_audited_once(pg_url)
    st = status(pg_url)
    assert st["jobs"]["crawl_portal"]["succeeded"] == 6 and st["jobs"]["settle_portal"]["succeeded"] == 6
    documents = rows(pg_url, "SELECT count(*) FROM document")[0][0]
    assert st["jobs"]["audit_document"]["succeeded"] == documents
    assert st["progress"]["portals"] == 6 and st["progress"]["portals_crawled"] == crawled_complete
    assert st["progress"]["published"] > 0
    records = rows(pg_url, "SELECT count(*) FROM audit_record")
    # a second round: the portals are crawled again, nothing changed, so no document is audited again
    out = enqueue(pg_url, portal[1], archive).stdout
    assert "审核任务 0 个" in out
    assert worker(pg_url, archive, "--until-idle", *FAST).wait(timeout=240) == 0
    assert rows(pg_url, "SELECT count(*) FROM audit_record") == records
    assert findings(pg_url) == reference
    assert_each_document_audited_once(pg_url)


def test_queue_needs_postgresql(portal, tmp_path):
    for args in (["run", "--queue", "--portals", str(portal[1])], ["worker"]):
        res = cli(*args, "--database", f"sqlite:///{tmp_path / 'a.db'}")
        assert res.returncode == 2
        assert res.stderr.count("\n") == 1 and "PostgreSQL" in res.stderr


def _stop_mid_crawl(portal, pg_url, archive, log, sig):
    """A worker crawling the sample portal gets `sig` while its crawl waits on a held page; returns its exit code."""
    srv, config = portal
    arrived = srv.hold(LIST_PAGE_2)
    enqueue(pg_url, config, archive)
    first = worker(pg_url, archive, *FAST, log=log)
    try:
        assert arrived.wait(120), "the crawl never reached the held page"
        first.send_signal(sig)
        return first.wait(timeout=60)
    finally:
        srv.release()


def test_a_worker_killed_mid_crawl_loses_nothing(portal, reference, pg_url, tmp_path):
    reference = reference[0]
    archive = tmp_path / "archive"
    _stop_mid_crawl(portal, pg_url, archive, tmp_path / "first.log", signal.SIGKILL)   # its crawl child dies too
    assert doing(pg_url, "crawl_portal"), "the killed worker's crawl job is left doing"
    assert worker(pg_url, archive, "--until-idle", *FAST).wait(timeout=300) == 0
    assert findings(pg_url) == reference
    assert_each_document_audited_once(pg_url)
    assert status(pg_url)["jobs"]["crawl_portal"]["retried"] >= 1


def test_sigterm_hands_a_running_crawl_back(portal, reference, pg_url, tmp_path):
    reference = reference[0]
    archive = tmp_path / "archive"
    code = _stop_mid_crawl(portal, pg_url, archive, tmp_path / "first.log", signal.SIGTERM)
    assert code == 0, (tmp_path / "first.log").read_text()
    assert doing(pg_url, "crawl_portal") == []      # handed back, not left running
    assert worker(pg_url, archive, "--until-idle", *FAST).wait(timeout=300) == 0
    assert findings(pg_url) == reference
    assert_each_document_audited_once(pg_url)


def test_a_job_that_failed_for_good_reaches_status_and_the_operations_digest(pg_url):
    from datetime import date

    from ogiaudit.channels.message import from_digest
    from ogiaudit.digest.build import build_operator_digest, load_job_failures
    from ogiaudit.digest.render import render
    from storage import db, jobqueue, repository

    with db.session(db.connect(pg_url)) as s:
        assert jobqueue.defer_crawl(s, {"id": "p1"}, AS_OF)
    job = rows(pg_url, "UPDATE procrastinate_jobs SET status = 'failed', attempts = 4 RETURNING id")[0][0]
    with db.session(db.connect(pg_url)) as s:
        jobqueue.record_job_problem(s, job_id=job, task=jobqueue.CRAWL_PORTAL, portal_id="p1", subject="p1",
                                    error="<b>连接被拒绝</b>", attempts=4, final=True, when=repository.now())
        failures = load_job_failures(s)
    assert [(f.kind, f.portal) for f in failures] == [("crawl_portal", "p1")]
    digest = build_operator_digest("ops@example.gov.cn", as_of=date(2023, 4, 30), crawl_failures=[], layouts=[],
                                   unreadable=[], job_failures=failures)
    assert not digest.is_empty and f"job:{job}" in digest.finding_ids
    page = render(digest)
    assert "失败的队列任务" in page.html and "抓取门户" in page.html
    assert "&lt;b&gt;连接被拒绝" in page.html and "<b>连接被拒绝" not in page.html   # escaped
    assert "队列任务失败：抓取门户 p1" in "\n".join(from_digest(digest).lines)
    st = status(pg_url)
    assert st["jobs"]["crawl_portal"]["failed"] == 1 and st["failures"][0]["portal"] == "p1"
