"""The simulated nation (crawler/sample_portal/nation.py) at a small size: 20 portals, each its own 127.x.y.z host,
crawled and audited by a plain `ogiaudit run` (one process, SQLite) as a user would; the planted missing bodies are
PUB-MISSING, the planted broken files are problems, never findings."""
from __future__ import annotations

import ipaddress
import json
import sqlite3
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.sample_portal import nation

N = 20
REPO = Path(__file__).resolve().parents[1]


def _seed_with_everything() -> int:
    """The first nation seed whose first N portals plant every kind of trouble (missing, the three broken kinds)."""
    for seed in range(1, 200):
        names = nation._names(seed)
        plans = [nation.plan_portal(i, seed, names) for i in range(N)]
        broken = {r.broken for p in plans for r in p.reports if r.broken}
        families = {p.family for p in plans}
        if broken >= {"truncated-pdf", "corrupt-docx", "http-500"} and any(p.missing for p in plans) \
                and families == set(nation.FAMILIES):
            return seed
    raise AssertionError("no seed plants everything in 20 portals")


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nation")
    running = nation.start(N, seed=_seed_with_everything(), render_pdfs=False)
    try:
        files = running.nation.write_config(tmp / "portals.toml", running.port)
        expected = json.loads(files["expected"].read_text(encoding="utf-8"))
        proc = subprocess.run(
            [sys.executable, "-m", "ogiaudit", "run", "--portals", str(files["portals"]), "--config",
             str(files["settings"]), "--database", f"sqlite:///{tmp}/ogiaudit.db", "--archive", str(tmp / "archive"),
             "--as-of", expected["as_of"], "--no-progress"],
            capture_output=True, text=True, timeout=600, cwd=REPO)
        yield dict(tmp=tmp, files=files, expected=expected, proc=proc, db=tmp / "ogiaudit.db",
                   nation=running.nation, port=running.port)
    finally:
        running.stop()


def test_each_portal_is_its_own_loopback_host(audited):
    config = audited["files"]["portals"].read_text(encoding="utf-8")
    hosts = [urlsplit(line.split('"')[1]).hostname for line in config.splitlines() if line.startswith("start_urls")]
    assert len(hosts) == N == len(set(hosts))
    for host in hosts:
        address = ipaddress.ip_address(host)
        assert address.is_loopback and host != "127.0.0.1"
    # two hosts on the same port serve two different counties
    port = audited["port"]
    homes = []
    for p in audited["nation"].portals[:2]:
        with urllib.request.urlopen(nation.start_url(p, port), timeout=10) as r:
            homes.append(r.read().decode("gbk" if p.family == "trs" else "utf-8", "replace"))
        assert p.name in homes[-1]
    assert homes[0] != homes[1]
    # and every host was crawled
    assert {h for h, n in audited["nation"].hits.items() if n > 1} == set(hosts)


def test_run_crawls_every_column_and_archives_every_format(audited):
    proc, expected = audited["proc"], audited["expected"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    con = sqlite3.connect(audited["db"])
    crawls = {pid: (ok, complete) for pid, ok, complete in con.execute("select portal_id, ok, complete from crawl")}
    assert len(crawls) == N and all(complete for _ok, complete in crawls.values())
    failed = {b[0] for b in expected["broken"] if b[2] == "http-500"}
    assert {pid for pid, (ok, _c) in crawls.items() if not ok} == failed
    docs = con.execute("select url, content_type, archive_path from document").fetchall()
    kinds = Counter("pdf" if "pdf" in ct else "docx" if "word" in ct else "html" for _u, ct, _a in docs)
    served = Counter(expected["formats"])
    served["html"] -= len(failed)   # the 500 page is no document
    assert kinds == served
    assert all((audited["tmp"] / "archive" / path).is_file() or Path(path).is_file() for _u, _c, path in docs)
    audited_docs = con.execute("select count(*) from document where audited_sha256 = sha256").fetchone()[0]
    assert audited_docs == len(docs)   # every document went through the auditor (the unreadable ones too)


def test_planted_missing_bodies_are_pub_missing(audited):
    con = sqlite3.connect(audited["db"])
    got = sorted([pid, body] for pid, body in con.execute(
        "select f.portal_id, b.name from finding f join body b on b.id = f.body_id where f.rule = 'PUB-MISSING'"))
    assert got == sorted(audited["expected"]["missing"])
    assert "未发布（PUB-MISSING）" in audited["proc"].stdout


def test_broken_files_are_problems_not_findings(audited):
    con = sqlite3.connect(audited["db"])
    problems = {url: (pid, kind) for url, pid, kind in con.execute(
        "select url, portal_id, kind from extraction_problem where resolved_at is null")}
    for pid, _body, _how, url in audited["expected"]["broken"]:
        assert problems.get(url) == (pid, "unreadable"), url
    broken_urls = [b[3] for b in audited["expected"]["broken"]]
    assert not con.execute(f"select count(*) from finding where url in ({','.join('?' * len(broken_urls))})",
                           broken_urls).fetchone()[0]


def test_late_townships_are_pub_late(audited):
    con = sqlite3.connect(audited["db"])
    late = {(pid, body) for pid, body in con.execute(
        "select f.portal_id, b.name from finding f join body b on b.id = f.body_id where f.rule = 'PUB-LATE'")}
    planted = {(pid, body) for pid, body, kind in audited["expected"]["late"] if kind == "township"}
    assert planted and planted <= late
