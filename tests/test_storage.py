"""The audit database: migrations on first use, documents, re-audits updating findings by fingerprint, waivers,
extra findings (PUB-MISSING / PUB-CHANGED), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import func, select

from conftest_db import FakeResult, assert_tallies_match, db_url, finding, pg_url, settings_for, sqlite_url  # noqa: F401


def _count(s, model, *where):
    return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_migrates_on_first_use_and_upgrade_is_idempotent(db_url):
    from storage.db import connect, current_revision, head_revision, upgrade
    from sqlalchemy import inspect
    engine = connect(db_url)
    assert current_revision(engine) == head_revision()
    names = set(inspect(engine).get_table_names())
    assert {"portal", "body", "document", "report", "audit_run", "finding", "crawl", "extraction_problem",
            "delivery", "audit_record"} <= names
    assert upgrade(db_url) == head_revision()
    # the migrations build exactly what the models describe
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from storage.models import described_here, metadata
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described_here})
        assert compare_metadata(context, metadata) == []


def test_bad_url_is_one_line():
    from storage.db import DatabaseError, connect
    with pytest.raises(DatabaseError, match="数据库"):
        connect("nosuchdb://x")
    with pytest.raises(DatabaseError) as err:
        connect("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "\n" not in str(err.value)


def test_record_document_archives_once_and_detects_change(db_url, tmp_path):
    from storage.db import session
    from storage.repository import record_document
    archive = tmp_path / "archive"
    t0 = datetime(2024, 2, 1, 8, 0)
    with session(db_url) as s:
        row, changed = record_document(s, url="http://x.gov.cn/a.pdf", data=b"v1", archive_dir=archive,
                                       content_type="application/pdf", portal_id="p", body_name="甲镇人民政府",
                                       title="t", published=date(2024, 1, 20), published_source="portal",
                                       fetched_at=t0)
        assert not changed
        sha1 = row.sha256
    path = archive / sha1[:2] / sha1[2:4] / sha1
    assert path.read_bytes() == b"v1"
    assert not list(archive.rglob(".tmp-*"))
    with session(db_url) as s:
        row, changed = record_document(s, url="http://x.gov.cn/a.pdf", data=b"v1", archive_dir=archive,
                                       content_type=None, portal_id="p", body_name=None, title=None, published=None,
                                       published_source=None, fetched_at=t0 + timedelta(days=1))
        assert not changed and row.first_fetched == t0 and row.last_fetched == t0 + timedelta(days=1)
        row, changed = record_document(s, url="http://x.gov.cn/a.pdf", data=b"v2", archive_dir=archive,
                                       content_type=None, portal_id="p", body_name=None, title=None, published=None,
                                       published_source=None, fetched_at=t0 + timedelta(days=2))
        assert changed and row.previous_sha256 == sha1 and row.published == date(2024, 1, 20)


def test_reaudit_updates_same_findings_and_resolves(db_url, tmp_path):
    from ogiaudit.pipeline import save_results
    from storage.db import session
    from storage.models import AuditRecordRow, AuditRunRow, FindingRow, ReportRow
    from storage import queries, repository
    settings = settings_for(db_url, tmp_path)
    a, b, c = finding("T3-BAL", column="总计"), finding("TBL-CELL", "warning", column="自然人"), finding("PUB-LATE", section=None)
    save_results(settings, [FakeResult("甲镇人民政府", 2022, [a, b, c])], [None])
    with session(db_url) as s:
        rows = {f["rule"]: f for f in queries.findings(s)}
        assert set(rows) == {"T3-BAL", "TBL-CELL", "PUB-LATE"}
        report = s.exec(select(ReportRow)).one()
        assert (report.errors, report.warnings, report.consistent) == (2, 1, False)
        late_id = rows["PUB-LATE"]["id"]
        repository.waive(s, late_id, reason="县政府通知延期", by="张三")
    # second audit: T3-BAL fixed; PUB-LATE no longer fires but was waived -> stays waived
    save_results(settings, [FakeResult("甲镇人民政府", 2022, [b])], [None])
    with session(db_url) as s:
        rows = {f["rule"]: f for f in queries.findings(s)}
        assert rows["T3-BAL"]["status"] == "resolved"
        assert rows["TBL-CELL"]["status"] == "open"
        assert rows["PUB-LATE"]["status"] == "waived" and rows["PUB-LATE"]["waived_reason"] == "县政府通知延期"
        assert _count(s, FindingRow) == 3 and _count(s, ReportRow) == 1
        assert _count(s, AuditRunRow) == 2 and _count(s, AuditRecordRow) == 2
        report = s.exec(select(ReportRow)).one()
        assert (report.errors, report.warnings, report.consistent) == (0, 1, True)
    # third audit: T3-BAL is back -> the same row reopens
    save_results(settings, [FakeResult("甲镇人民政府", 2022, [a, b])], [None])
    with session(db_url) as s:
        rows = {f["rule"]: f for f in queries.findings(s)}
        assert rows["T3-BAL"]["status"] == "open" and _count(s, FindingRow) == 3
        assert all(r.finished_at for r in s.exec(select(AuditRunRow)).all())
        repository.unwaive(s, late_id)
        assert s.get(FindingRow, late_id).status == "open"
    assert_tallies_match(db_url)


def test_extra_findings_and_missing_resolved_when_report_arrives(db_url, tmp_path):
    from auditor.rules.publication import changed_finding, missing_finding
    from ogiaudit.pipeline import save_results
    from ogiaudit.portals import BodySpec, Portal
    from storage.db import session
    from storage import queries, repository
    settings = settings_for(db_url, tmp_path)
    portal = Portal(id="yj", name="永靖县人民政府", region=["甘肃省", "临夏回族自治州", "永靖县"],
                    start_urls=["http://yj.gov.cn/"], bodies=[BodySpec("盐锅峡镇人民政府", "township"),
                                                             BodySpec("永靖县教育局", "department")])
    with session(db_url) as s:
        repository.upsert_portal(s, portal)
        repository.add_body(s, "yj", "新发现局", None, False)
        repository.record_crawl(s, portal_id="yj", started=datetime(2023, 3, 1), finished=datetime(2023, 3, 1, 1),
                                ok=True, complete=True, errors=[], pages=3, documents=1)
        assert queries.last_crawl_ok(s, "yj")
        gone = queries.missing(s, 2022, date(2023, 2, 1), settings)
        assert {m["body"] for m in gone} == {"盐锅峡镇人民政府", "永靖县教育局"}
        assert {m["deadline"] for m in gone} == {"2023-01-31"}
        assert queries.missing(s, 2022, date(2023, 1, 31), settings) == []
        for m in gone:
            repository.store_extra_finding(s, portal_id="yj", body=m["body"], year=2022,
                                           finding=missing_finding(m["body"], 2022, date(2023, 1, 31)), url=None)
        repository.store_extra_finding(s, portal_id="yj", body=gone[0]["body"], year=2022,
                                       finding=missing_finding(gone[0]["body"], 2022, date(2023, 1, 31)), url=None)
        rows = queries.findings(s, rule="PUB-MISSING")
        assert len(rows) == 2 and all(r["url"] is None for r in rows)
        repository.record_crawl(s, portal_id="yj", started=datetime(2023, 3, 2), finished=datetime(2023, 3, 2, 1),
                                ok=False, complete=False, errors=["timeout"], pages=0, documents=0)
        assert not queries.last_crawl_ok(s, "yj") and queries.failed_crawls(s, "yj") == 1
        doc, _ = repository.record_document(s, url="http://yj.gov.cn/r.html", data=b"x", archive_dir=tmp_path / "a",
                                            content_type="text/html", portal_id="yj", body_name="盐锅峡镇人民政府",
                                            title=None, published=date(2023, 2, 21), published_source="portal",
                                            fetched_at=datetime(2023, 3, 1))
        doc_id = doc.id
    save_results(settings, [FakeResult("盐锅峡镇人民政府", 2022, [finding("PUB-LATE", section=None)])], [None], [doc_id])
    with session(db_url) as s:
        by_body = {r["body"]: r for r in queries.findings(s, rule="PUB-MISSING")}
        assert by_body["盐锅峡镇人民政府"]["status"] == "resolved"
        assert by_body["永靖县教育局"]["status"] == "open"
        reps = queries.reports(s, portal="yj")
        assert reps[0]["url"] == "http://yj.gov.cn/r.html" and reps[0]["portal"] == "yj"
        repository.store_extra_finding(s, portal_id="yj", body="盐锅峡镇人民政府", year=2022,
                                       finding=changed_finding("http://yj.gov.cn/r.html", date(2023, 3, 1),
                                                               date(2023, 3, 5), "a" * 64, "b" * 64),
                                       url="http://yj.gov.cn/r.html")
        assert queries.reports(s, portal="yj")[0]["warnings"] == 1
        # the crawler may not know the body or year: taken from the document and its report
        repository.store_extra_finding(s, portal_id="yj", body=None, year=None,
                                       finding=changed_finding("http://yj.gov.cn/r.html", date(2023, 3, 1),
                                                               date(2023, 3, 6), "b" * 64, "c" * 64),
                                       url="http://yj.gov.cn/r.html")
        changed = queries.findings(s, rule="PUB-CHANGED")
        assert len(changed) == 1 and changed[0]["body"] == "盐锅峡镇人民政府" and changed[0]["year"] == 2022
        repository.store_extra_finding(s, portal_id="yj", body=None, year=None,
                                       finding=changed_finding("http://yj.gov.cn/other.html", date(2023, 3, 1),
                                                               date(2023, 3, 6), "b" * 64, "c" * 64),
                                       url="http://yj.gov.cn/other.html")
        assert len(queries.findings(s, rule="PUB-CHANGED")) == 2
        repository.record_problem(s, url="http://yj.gov.cn/bad.pdf", portal_id="yj", error="无法读取",
                                  when=datetime(2023, 3, 1))
        repository.record_problem(s, url="http://yj.gov.cn/bad.pdf", portal_id="yj", error="无法读取",
                                  when=datetime(2023, 3, 2))
        from storage.models import ExtractionProblemRow
        p = s.exec(select(ExtractionProblemRow)).one()
        assert p.attempts == 2
        comp = queries.compliance(s, by="region", year=2022, as_of=date(2023, 3, 1), settings=settings)
    assert_tallies_match(db_url)
    with session(db_url) as s:
        # the last crawl failed: 永靖县教育局 is not counted overdue (query missing and run do not call it missing)
        comp = queries.compliance(s, by="region", year=2022, as_of=date(2023, 3, 1), settings=settings)
        assert comp == [{"region": "甘肃省/临夏回族自治州/永靖县", "year": 2022, "expected": 2, "published": 1,
                         "on_time": 1, "no_error": 0, "overdue": 0, "share_published": 0.5, "share_on_time": 0.5}]
        repository.record_crawl(s, portal_id="yj", started=datetime(2023, 3, 3), finished=datetime(2023, 3, 3, 1),
                                ok=True, complete=True, errors=[], pages=3, documents=1)
        comp = queries.compliance(s, by="region", year=2022, as_of=date(2023, 3, 1), settings=settings)
        assert comp[0]["overdue"] == 1
        assert [m["body"] for m in queries.missing(s, 2022, date(2023, 3, 1), settings)] == ["永靖县教育局"]


def test_delivery_unique_payload(db_url):
    from sqlalchemy.exc import IntegrityError
    from storage.db import session
    from storage.models import DeliveryRow
    row = dict(kind="supervisor", recipient="a@x.cn", period_key="2023-W10", subject="s",
               created_at=datetime(2023, 3, 1), payload_sha256="abc", finding_ids="[1, 2]")
    with session(db_url) as s:
        s.add(DeliveryRow(**row))
    with pytest.raises(IntegrityError):
        with session(db_url) as s:
            s.add(DeliveryRow(**row))


def test_views_and_datasette_speak_the_one_vocabulary(sqlite_url):
    """The Chinese views of a migrated database are storage/views.py's (the words of auditor/labels.py, which every
    export uses), and Datasette's metadata names coded values with the same words."""
    import json
    from pathlib import Path

    from sqlalchemy import text

    from auditor.labels import BODY_KINDS, FIELD_LABELS, FINDING_STATUSES, SEVERITIES
    from storage import views
    from storage.datasette_app import metadata
    from storage.db import connect
    with connect(sqlite_url).connect() as conn:
        stored = dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all())
    assert set(stored) == set(views.VIEWS)
    for name, sql in views.VIEWS.items():
        assert " ".join(sql.split()) in " ".join(stored[name].split())
    sql = " ".join(views.VIEWS.values())
    for word in (*BODY_KINDS.values(), *FINDING_STATUSES.values(), *SEVERITIES.values(), FIELD_LABELS["severity"]):
        assert f"'{word}'" in sql or f'"{word}"' in sql
    for stale in ("'部门'", "未解决", "已解决", '"级别"'):
        assert stale not in sql
    tables = metadata(Path("x.db"))["databases"]["x"]["tables"]
    assert tables["finding"]["columns"]["status"] == "状态（open 未整改 / resolved 已整改 / waived 已豁免）"
    assert tables["body"]["columns"]["kind"].endswith("township 乡镇人民政府/街道办事处）")
    text_of_all = json.dumps(tables, ensure_ascii=False)
    for stale in ("未解决", "已解决", "department 部门", "级别"):
        assert stale not in text_of_all
