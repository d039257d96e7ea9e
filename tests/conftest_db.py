"""Database fixtures for the storage tests (imported by tests/test_storage*.py, test_queries*.py, test_cross_year.py).

- `db_url`: parametrised over SQLite (a temporary file) and PostgreSQL (127.0.0.1:5432, database `test`, a schema
  unique to this test that is dropped afterwards, so parallel runs never collide).  Without a reachable PostgreSQL the
  PostgreSQL cases skip and say why; with the environment variable CI set they fail instead.
- OGIAUDIT_TEST_PG: another libpq connection string for the PostgreSQL server (default
  "host=127.0.0.1 port=5432 dbname=test user=postgres").
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "crawler" / "sample_portal" / "data"   # the project's own copy of the five seeds
PG_CONNINFO = os.environ.get("OGIAUDIT_TEST_PG", "host=127.0.0.1 port=5432 dbname=test user=postgres")
SESSION_TAG = f"t{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _pg_admin():
    import psycopg
    return psycopg.connect(PG_CONNINFO, autocommit=True, connect_timeout=3)


def _pg_base_url() -> str:
    import psycopg
    params = psycopg.conninfo.conninfo_to_dict(PG_CONNINFO)
    user = params.get("user", "postgres")
    pw = f":{quote(params['password'])}" if params.get("password") else ""
    return (f"postgresql+psycopg://{user}{pw}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}"
            f"/{params.get('dbname', 'test')}")


_pg_reason: list[str] = []


def pg_available() -> str | None:
    """None when PostgreSQL is usable, else the reason."""
    if not _pg_reason:
        try:
            with _pg_admin() as conn:
                conn.execute("SELECT 1")
            _pg_reason.append("")
        except Exception as exc:
            _pg_reason.append(f"PostgreSQL on 127.0.0.1:5432 (database test) is not reachable: "
                              f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")
    return _pg_reason[0] or None


def require_pg() -> None:
    reason = pg_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema for one test (dropped afterwards)."""
    require_pg()
    schema = f"{SESSION_TAG}_{uuid.uuid4().hex[:8]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{_pg_base_url()}?options=-csearch_path%3D{schema}"
    yield url
    from storage.db import dispose
    dispose(url)
    with _pg_admin() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    yield url
    from storage.db import dispose
    dispose(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
    else:
        yield request.getfixturevalue("pg_url")


# --- small fakes of the auditor's results (the storage side does not need a parsed report) -----------------------
@dataclass
class FakeReport:
    title: str | None = None
    year: int | None = None
    sections: dict = field(default_factory=dict)
    vals: dict = field(default_factory=dict)

    def values(self):
        return self.vals


@dataclass
class FakeResult:
    body: str
    year: int
    findings: list
    body_kind: str | None = "township"
    published: date | None = date(2023, 1, 20)
    published_source: str | None = "signature"
    deadline: date | None = date(2023, 1, 31)
    source: str = "http://example.gov.cn/a.html"
    format: str = "text"
    sha256: str | None = None
    ocr: bool = False
    vals: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)
    report: Any = None

    def __post_init__(self):
        if self.report is None:
            self.report = FakeReport(title=f"{self.body}{self.year}年政府信息公开工作年度报告", year=self.year,
                                     vals=self.vals)

    def values(self):
        return self.vals

    def section_texts(self):
        return self.texts

    def counts(self):
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out


def finding(rule: str, severity: str = "error", column: str | None = None, section: str | None = "三",
            message: str = "测试", expected=None, observed=None):
    from auditor.findings import Finding, Location
    loc = Location(table="三", row="一、本年新收政府信息公开申请数量", column=column) if column else None
    return Finding(rule=rule, severity=severity, message=message, section=section, location=loc,
                   expected=expected, observed=observed, evidence="证据")


def settings_for(url: str, tmp_path: Path, **kw):
    from ogiaudit.settings import load_settings
    return load_settings(tmp_path / "none.toml", database_url=url, archive_dir=str(tmp_path / "archive"),
                         portals=[str(tmp_path / "portals" / "*.toml")], **kw)


def assert_tallies_match(url: str) -> None:
    """rule_tally and report_tally, kept up to date incrementally, equal a recount from scratch."""
    from sqlmodel import Session, select
    from storage.db import connect
    from storage.models import ReportTallyRow, RuleTallyRow
    from storage.repository import rebuild_tally

    def snapshot(s):
        rules = {(t.scope, t.key, t.year, t.rule): t.open for t in s.exec(select(RuleTallyRow)).all() if t.open}
        reports = {(t.scope, t.key, t.year): (t.reports, t.on_time, t.complete, t.consistent, t.no_error,
                                              t.top_rules)
                   for t in s.exec(select(ReportTallyRow)).all()
                   if t.reports or t.on_time or t.no_error or t.top_rules != "[]"}
        return rules, reports

    s = Session(connect(url))
    try:
        before = snapshot(s)
        rebuild_tally(s, reports=True)
        after = snapshot(s)
    finally:
        s.rollback()
        s.close()
    assert before == after
