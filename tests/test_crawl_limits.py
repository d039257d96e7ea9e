"""What a crawl gives up on is never evidence that a report is missing, and no crawl reaches an address it must not:
`ogiaudit run` against hostile portals on 127.0.0.1 (real servers), then the database and `query missing`."""
from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.servers import Reply, page, serve

pytestmark = pytest.mark.slow

TITLE = "永靖县测试镇2022年政府信息公开工作年度报告"
LIST_META = '<meta name="ColumnName" content="政府信息公开年报">'


def _config(tmp_path, **crawl) -> str:
    lines = ["[crawl]"] + [f"{k} = {v}" for k, v in crawl.items()]
    path = tmp_path / "ogiaudit.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _portals(tmp_path, start_url: str) -> str:
    path = tmp_path / "portals.toml"
    path.write_text(f'''[[portal]]
id = "t"
name = "永靖县人民政府"
region = ["甘肃省", "临夏回族自治州", "永靖县"]
start_urls = ["{start_url}"]

[[portal.body]]
name = "测试镇人民政府"
kind = "township"
''', encoding="utf-8")
    return str(path)


def _run(tmp_path, start_url: str, **crawl) -> subprocess.CompletedProcess:
    db = tmp_path / "ogiaudit.db"
    return subprocess.run([sys.executable, "-m", "ogiaudit", "run", "--config", _config(tmp_path, **crawl),
                           "--portals", _portals(tmp_path, start_url), "--as-of", "2023-04-30",
                           "--database", f"sqlite:///{db}", "--archive", str(tmp_path / "archive"), "--no-progress"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})


def _query_missing(tmp_path, *extra) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "ogiaudit", "query", "missing", "--year", "2022", "--as-of",
                           "2023-04-30", "--database", f"sqlite:///{tmp_path / 'ogiaudit.db'}", "--format", "json",
                           *extra], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _db(tmp_path):
    return sqlite3.connect(tmp_path / "ogiaudit.db")


def _last_crawl(tmp_path) -> tuple[int, int, list[str]]:
    ok, complete, errors = _db(tmp_path).execute(
        "select ok, complete, errors from crawl order by id desc limit 1").fetchone()
    return ok, complete, json.loads(errors)


def _pub_missing(tmp_path) -> int:
    return _db(tmp_path).execute("select count(*) from finding where rule = 'PUB-MISSING'").fetchone()[0]


def _list(items: str) -> bytes:
    return page("政府信息公开年报", LIST_META + f'<ul>{items}</ul>').replace(b"</head>", LIST_META.encode() + b"</head>")


def _detail(attachment: str) -> bytes:
    return page(TITLE, f'<h1>{TITLE}</h1><div class="info">发布日期：2023-01-20</div>'
                       f'<div class="TRS_Editor"><p>附件：<a href="{attachment}">{TITLE}.pdf</a></p></div>')


def test_attachment_over_the_cap_after_decompression_is_a_failed_fetch(tmp_path):
    bomb = gzip.compress(b"%PDF-1.4\n" + b"0" * (3 << 20))   # 3 KB on the wire, 3 MB decoded: over a 1 MB cap
    srv = serve({
        "/nb/index.html": Reply(_list(f'<li><a href="/nb/t1.html">{TITLE}</a><span>2023-01-20</span></li>')),
        "/nb/t1.html": Reply(_detail("/nb/P1.pdf")),
        "/nb/P1.pdf": Reply(bomb, headers={"Content-Encoding": "gzip"}, content_type="application/pdf"),
    })
    try:
        proc = _run(tmp_path, f"{srv.base_url}/nb/index.html", max_download_mb=1)
    finally:
        srv.stop()
    assert "/nb/P1.pdf" in srv.log and "Traceback" not in proc.stderr
    ok, complete, errors = _last_crawl(tmp_path)
    assert not ok and any("P1.pdf" in e and "大小上限" in e for e in errors), errors
    assert _pub_missing(tmp_path) == 0 and "PUB-MISSING" not in proc.stdout
    assert _query_missing(tmp_path) == []
    [row] = _query_missing(tmp_path, "--undecided")
    assert row["body"] == "测试镇人民政府" and "抓取失败或不完整" in row["reason"]


def test_robots_txt_redirected_to_an_internal_address_is_not_fetched(tmp_path):
    internal = serve({"/robots.txt": Reply(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
                      "/secret": Reply(b"internal")})
    portal = serve({
        "/robots.txt": Reply(status=302, headers={"Location": f"{internal.base_url}/robots.txt"}),
        "/nb/index.html": Reply(_list(f'<li><a href="/nb/t1.html">{TITLE}</a><span>2023-01-20</span></li>'
                                      f'<li><a href="{internal.base_url}/secret">另一个2022年政府信息公开工作年度报告</a></li>')),
        "/nb/t1.html": Reply(_detail("/nb/P1.pdf")),
        "/nb/P1.pdf": Reply(b"%PDF-1.4 not really", content_type="application/pdf"),
    })
    try:
        proc = _run(tmp_path, f"{portal.base_url}/nb/index.html")
    finally:
        portal.stop()
        internal.stop()
    assert "/robots.txt" in portal.log and "/nb/P1.pdf" in portal.log, portal.log
    assert internal.log == [], f"the crawl reached another loopback port: {internal.log}"
    assert "Traceback" not in proc.stderr


def test_endless_next_page_stops_at_the_cap_and_decides_nothing(tmp_path):
    def calendar(handler):   # a calendar trap: every day has a 下一页
        n = int(re.search(r"(\d+)", handler.path).group(1))
        body = _list(f'<li><a href="/cal/a{n}.html">{n}日活动安排</a></li>'
                     f'<div class="page"><a href="/cal/d{n + 1}.html">下一页</a></div>')
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    srv = serve({"/robots.txt": Reply(b"", 404)}, fallback=calendar)
    try:
        proc = _run(tmp_path, f"{srv.base_url}/cal/d1.html", max_list_pages=5)
    finally:
        srv.stop()
    pages = [p for p in srv.log if p.startswith("/cal/d")]
    assert 5 <= len(pages) <= 6, pages      # the start page and at most max_list_pages more
    ok, complete, errors = _last_crawl(tmp_path)
    assert not complete and any("列表页超过上限 5 页" in e for e in errors), errors
    assert _pub_missing(tmp_path) == 0 and _query_missing(tmp_path) == []
    assert "Traceback" not in proc.stderr
