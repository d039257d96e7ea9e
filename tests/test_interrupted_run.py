"""An interrupted `ogiaudit run` (Ctrl-C, or SIGTERM as systemd stops a service) is never taken for a complete crawl:
it exits 128 + the signal with one Chinese line, stores no PUB-MISSING, `query missing` agrees, and the next run
completes the crawl.  The command runs for real, as a subprocess, against the sample portal on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from crawler.sample_portal import server as sample_server
from crawler.sample_portal import write_portals

pytestmark = pytest.mark.slow

LIST_PAGE_2 = "/yongjing/zwgk/zfxxgknb/index_1.html"          # asked for once the 年报 column was read
DOCX = "/fanshi/fsxxgk/gknb/202301/P020230118345.docx"        # an attachment, stalled halfway through its body
POINTS = {"column-found": (LIST_PAGE_2, False), "mid-download": (DOCX, True)}


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    srv = sample_server.start(0, slow_seconds=0.2)
    tmp = tmp_path_factory.mktemp("interrupt")
    yield srv, write_portals(srv.base_url, tmp / "portals.toml"), tmp
    srv.release()
    srv.shutdown()
    srv.server_close()


def _cli(*args, **kwargs):
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "ogiaudit", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def _run_args(config, db):
    return ["run", "--portals", str(config), "--as-of", "2023-04-30", "--database", f"sqlite:///{db}",
            "--archive", str(db.parent / "archive"), "--no-progress"]


def _pub_missing(db) -> list[str]:
    con = sqlite3.connect(db)
    return [r[0] for r in con.execute("select b.name from finding f join body b on b.id = f.body_id "
                                      "where f.rule = 'PUB-MISSING'")]


def _latest_crawls(db) -> dict[str, tuple[int, int]]:
    con = sqlite3.connect(db)
    rows = con.execute("select portal_id, ok, complete from crawl c where id = "
                       "(select max(id) from crawl d where d.portal_id = c.portal_id)").fetchall()
    return {p: (ok, complete) for p, ok, complete in rows}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("point", sorted(POINTS))
def test_interrupted_run_decides_nothing_and_the_next_run_completes(portal, sig, point, tmp_path):
    srv, config, _ = portal
    db = tmp_path / "ogiaudit.db"
    path, partial = POINTS[point]
    arrived = srv.hold(path, partial=partial)
    proc = _cli(*_run_args(config, db))
    try:
        assert arrived.wait(90), "the run never reached the point where it is interrupted"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        srv.release()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("ogiaudit: 已中断")
    assert "PUB-MISSING" not in out and _pub_missing(db) == []
    crawls = _latest_crawls(db)
    assert crawls and all(complete == 0 and ok == 0 for ok, complete in crawls.values()), crawls
    # `query missing` decides as run does: nothing, while the last crawl is incomplete
    q = subprocess.run([sys.executable, "-m", "ogiaudit", "query", "missing", "--year", "2022", "--as-of",
                        "2023-04-30", "--database", f"sqlite:///{db}", "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    assert q.returncode == 0 and q.stdout.strip() == "", q.stdout
    # the next run completes the crawl, and only then is the body that never published missing
    proc = _cli(*_run_args(config, db))
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert _latest_crawls(db)["sample-yongjing"] == (1, 1)
    assert _pub_missing(db) == ["刘家峡镇人民政府"]


def test_killed_run_leaves_no_crawler_behind(portal, tmp_path):
    """SIGKILL cannot be caught: the crawl child dies with its parent (no orphan crawling), and the crawl row
    written when it started says incomplete."""
    srv, config, _ = portal
    db = tmp_path / "ogiaudit.db"
    arrived = srv.hold(LIST_PAGE_2)
    proc = _cli(*_run_args(config, db))
    try:
        assert arrived.wait(90)
        children = _children(proc.pid)
        assert children, "the crawl runs in a child process"
        proc.kill()
        proc.wait(timeout=30)
        for pid in children:
            assert _gone(pid), f"crawl child {pid} outlived the killed run"
    finally:
        srv.release()
    assert _pub_missing(db) == []
    assert all(complete == 0 for _ok, complete in _latest_crawls(db).values())


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _gone(pid: int, wait: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(") ", 1)[1].startswith("Z"):
                    return True   # a zombie: dead, only not yet reaped
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_crawl_that_times_out_is_stopped_whole_and_incomplete(portal, tmp_path):
    from ogiaudit.crawljob import crawl
    from ogiaudit.portals import load_portals
    from ogiaudit.settings import load_settings

    srv, config, _ = portal
    db = tmp_path / "ogiaudit.db"
    arrived = srv.hold(LIST_PAGE_2)
    try:
        settings = load_settings(None, database_url=f"sqlite:///{db}", archive_dir=tmp_path / "archive")
        summary = crawl(settings, load_portals([str(config)]), progress=False, timeout=20,
                        overrides={"AUTOTHROTTLE_START_DELAY": 0.05})
    finally:
        srv.release()
    assert summary.error and "超时" in summary.error
    assert arrived.is_set()
    assert all(complete == 0 for _ok, complete in _latest_crawls(db).values())
    # spawned children, or the fork server's children (the fork server itself lives on, idle, for the next crawl)
    helpers = _children(os.getpid())
    crawlers = [p for p in helpers if b"spawn_main" in _cmdline(p)]
    crawlers += [c for p in helpers if b"forkserver" in _cmdline(p) for c in _children(p)]
    assert all(_gone(p, 1) for p in crawlers), crawlers


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def test_scheduled_job_that_times_out_leaves_no_grandchild(tmp_path):
    """The scheduler's runner stops the job's whole process group, grandchildren included."""
    from ogiaudit.procs import run_group

    pidfile = tmp_path / "grandchild"
    code = ("import subprocess, sys, time; "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); "
            f"open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(300)")
    with pytest.raises(subprocess.TimeoutExpired):
        run_group([sys.executable, "-c", code], timeout=5, grace=2)
    assert _gone(int(pidfile.read_text()))
