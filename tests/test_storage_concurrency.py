"""Two audit processes writing at once neither corrupt nor duplicate; a run killed halfway leaves the database
consistent and the next run completes the work (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlmodel import func, select

from conftest_db import ROOT, SEEDS, assert_tallies_match, db_url, pg_url, settings_for, sqlite_url  # noqa: F401

WORKER = """
import sys
from pathlib import Path
from ogiaudit.settings import load_settings
from ogiaudit.pipeline import audit_pending
from auditor.rules.publication import Late, DateUnknown
from auditor.rules.cross_year import CarryOver, Reuse
url, archive = sys.argv[1], sys.argv[2]
settings = load_settings(Path(archive) / "none.toml", database_url=url, archive_dir=archive,
                         portals=[archive + "/none/*.toml"])
audit_pending(settings, progress=True, rules=[Late(), DateUnknown(), CarryOver(), Reuse()])
"""


def _shift(text: str, years: int) -> str:
    return re.sub(r"20[12]\d", lambda m: str(int(m.group()) + years), text)


def _archive(url: str, tmp_path: Path) -> int:
    """The five seeds, the same five two years earlier, and one unreadable file: 11 documents."""
    from storage.db import session
    from storage.repository import record_document
    docs = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        docs.append((f"http://example.gov.cn/{p.stem}.txt", text.encode()))
        docs.append((f"http://example.gov.cn/{p.stem}-old.txt", _shift(text, -2).encode()))
    docs.append(("http://example.gov.cn/broken.pdf", b"%PDF-1.4 broken \x00\x01"))
    with session(url) as s:
        for u, data in docs:
            record_document(s, url=u, data=data, archive_dir=tmp_path / "archive", content_type=None,
                            portal_id=None, body_name=None, title=None, published=None, published_source=None,
                            fetched_at=datetime(2024, 3, 1))
    return len(docs)


def _worker(url: str, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WORKER, url, str(tmp_path / "archive")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_consistent(url: str) -> dict:
    """Every stored report is whole: it has an audit record, its counts match its open findings, no duplicate
    finding, and every document marked audited has its report or its problem."""
    from storage.db import session
    from storage.models import (AuditRecordRow, DocumentRow, ExtractionProblemRow, FindingRow, ReportRow)
    with session(url, readonly=True) as s:
        reports = s.exec(select(ReportRow)).all()
        for r in reports:
            assert s.exec(select(func.count()).select_from(AuditRecordRow)
                          .where(AuditRecordRow.report_id == r.id)).one() >= 1
            errors = s.exec(select(func.count()).select_from(FindingRow).where(
                FindingRow.report_id == r.id, FindingRow.status == "open", FindingRow.severity == "error")).one()
            assert errors == r.errors
        dup = s.exec(select(FindingRow.body_id, FindingRow.fingerprint, func.count())
                     .group_by(FindingRow.body_id, FindingRow.fingerprint).having(func.count() > 1)).all()
        assert dup == []
        report_docs = {r.document_id for r in reports}
        problems = {p.url for p in s.exec(select(ExtractionProblemRow)).all()}
        audited = s.exec(select(DocumentRow).where(DocumentRow.audited_ruleset.is_not(None))).all()
        for d in audited:
            assert d.id in report_docs or d.url in problems
        result = {"reports": len(reports), "audited": len(audited), "problems": len(problems)}
    assert_tallies_match(url)  # the tallies behind trend and compliance equal a recount
    return result


def test_two_processes_at_once(db_url, tmp_path):
    from storage.db import session
    from storage.models import AuditRunRow
    n = _archive(db_url, tmp_path)
    a, b = _worker(db_url, tmp_path), _worker(db_url, tmp_path)
    outs = [p.communicate(timeout=240) for p in (a, b)]
    assert a.returncode == 0 and b.returncode == 0, [o[1][-2000:] for o in outs]
    state = _check_consistent(db_url)
    assert state == {"reports": n - 1, "audited": n, "problems": 1}
    with session(db_url) as s:
        runs = s.exec(select(AuditRunRow)).all()
        assert len(runs) == 2 and all(r.finished_at for r in runs)


def test_killed_run_leaves_consistent_database(db_url, tmp_path):
    from storage.db import session
    from storage.models import AuditRunRow
    n = _archive(db_url, tmp_path)
    p = _worker(db_url, tmp_path)
    first = p.stderr.readline()  # the first report is stored: kill it now, mid-run
    assert first.startswith("[1/"), first + p.stderr.read()
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    partial = _check_consistent(db_url)
    assert 1 <= partial["audited"] < n
    again = _worker(db_url, tmp_path)
    out, err = again.communicate(timeout=240)
    assert again.returncode == 0, err[-2000:]
    assert _check_consistent(db_url) == {"reports": n - 1, "audited": n, "problems": 1}
    with session(db_url) as s:
        runs = s.exec(select(AuditRunRow).order_by(AuditRunRow.id)).all()
        assert len(runs) == 2 and runs[0].finished_at is None and runs[1].finished_at is not None
        assert runs[0].reports + runs[1].reports + runs[0].problems + runs[1].problems == n
