"""One poisoned document never stops auditing: `ogiaudit run` over a portal carrying a hostile attachment audits the
rest, records that document's one line, decides no PUB-MISSING for the body it may belong to, and the next
`audit --pending` does not try it again with the same rules."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime

import pytest

from tests import hostile
from tests.servers import Reply, page, serve

LIST_META = '<meta name="ColumnName" content="政府信息公开年报">'.encode()
GOOD = "永靖县盐锅峡镇2022年政府信息公开工作年度报告"
BAD = "永靖县测试镇2022年政府信息公开工作年度报告"


def _portal_files(tmp_path, base: str) -> tuple[str, str]:
    portals = tmp_path / "portals.toml"
    portals.write_text(f'''[[portal]]
id = "t"
name = "永靖县人民政府"
region = ["甘肃省", "临夏回族自治州", "永靖县"]
start_urls = ["{base}/nb/index.html"]

[[portal.body]]
name = "盐锅峡镇人民政府"
kind = "township"

[[portal.body]]
name = "测试镇人民政府"
kind = "township"
''', encoding="utf-8")
    return str(portals), f"sqlite:///{tmp_path / 'ogiaudit.db'}"


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogiaudit", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})


@pytest.mark.slow
def test_run_over_a_poisoned_attachment(tmp_path, seeds):
    listing = (f'<ul><li><a href="/nb/t1.html">{GOOD}</a><span>2023-01-20</span></li>'
               f'<li><a href="/nb/t2.html">{BAD}</a><span>2023-01-21</span></li></ul>')
    report = "".join(f"<p>{line}</p>" for line in seeds["000"].read_text(encoding="utf-8").splitlines() if line.strip())
    srv = serve({
        "/robots.txt": Reply(b"", 404),
        "/nb/index.html": Reply(page("政府信息公开年报", listing).replace(b"</head>", LIST_META + b"</head>")),
        "/nb/t1.html": Reply(page(GOOD, f'<h1>{GOOD}</h1><div class="info">发布日期：2023-01-20</div>'
                                        f'<div class="TRS_Editor">{report}</div>')),
        "/nb/t2.html": Reply(page(BAD, f'<h1>{BAD}</h1><div class="info">发布日期：2023-01-21</div><div class="TRS_Editor">'
                                       f'<p>附件：<a href="/nb/P2.docx">{BAD}.docx</a></p></div>')),
        "/nb/P2.docx": Reply(hostile.docx_grid_before(), content_type="application/octet-stream"),
    })
    try:
        portals, db = _portal_files(tmp_path, srv.base_url)
        proc = _cli("run", "--portals", portals, "--as-of", "2023-04-30", "--database", db,
                    "--archive", str(tmp_path / "archive"), "--no-progress")
    finally:
        srv.stop()
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    con = sqlite3.connect(tmp_path / "ogiaudit.db")
    assert [b for (b,) in con.execute("select body_name from report")] == ["盐锅峡镇人民政府"]
    [(url, error, kind, attempts)] = con.execute("select url, error, kind, attempts from extraction_problem").fetchall()
    assert url.endswith("/nb/P2.docx") and "超过上限" in error and kind == "unreadable" and attempts == 1
    # the body whose report may be that unreadable file is not accused of publishing nothing
    assert con.execute("select count(*) from finding where rule = 'PUB-MISSING'").fetchone()[0] == 0
    undecided = _cli("query", "missing", "--year", "2022", "--as-of", "2023-04-30", "--database", db, "--undecided",
                     "--format", "json")
    assert [json.loads(line)["body"] for line in undecided.stdout.splitlines()] == ["测试镇人民政府"]
    # marked: the same rules do not try it again
    again = _cli("audit", "--pending", "--database", db, "--format", "json")
    assert again.returncode == 0 and again.stdout.strip() == "", again.stdout + again.stderr
    assert con.execute("select attempts from extraction_problem").fetchone()[0] == 1


@pytest.mark.parametrize("raised", [MemoryError(), RecursionError("maximum recursion depth exceeded"),
                                    KeyError("w:val"), ValueError("bad value")], ids=lambda e: type(e).__name__)
def test_whatever_one_document_raises_the_others_are_audited(tmp_path, seeds, monkeypatch, raised):
    """The loop of audit_pending itself: any exception from one document is that document's one line."""
    import auditor.audit
    from ogiaudit.pipeline import audit_pending
    from ogiaudit.settings import load_settings
    from storage import repository
    from storage.db import session

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    settings = load_settings(None, database_url=db, archive_dir=tmp_path / "archive")
    with session(db) as s:
        for name in ("000", "001", "002"):
            repository.record_document(s, url=f"http://x.example/{name}.txt", data=seeds[name].read_bytes(),
                                       archive_dir=tmp_path / "archive", content_type="text/plain", portal_id=None,
                                       body_name=None, title=None, published=None, published_source=None,
                                       fetched_at=datetime(2023, 3, 1))
    real = auditor.audit.audit_bytes

    def poisoned(data, context=None, rules=None, kind=None):
        if context is not None and context.source.endswith("001.txt"):
            raise raised
        return real(data, context, rules, kind)

    monkeypatch.setattr(auditor.audit, "audit_bytes", poisoned)
    results = audit_pending(settings, progress=False)
    assert sorted(r.body for r in results) == ["平型关镇人民政府", "盐锅峡镇人民政府"]
    con = sqlite3.connect(tmp_path / "db.sqlite")
    [(url, error)] = con.execute("select url, error from extraction_problem").fetchall()
    assert url.endswith("001.txt") and "\n" not in error and error
    monkeypatch.setattr(auditor.audit, "audit_bytes", real)
    assert audit_pending(settings, progress=False) == []      # nothing left to retry with the same rules
