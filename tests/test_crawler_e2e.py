"""End to end over HTTP: the sample portal on 127.0.0.1, crawled by the real spider in a child process
(ogiaudit.crawljob.crawl) into a fresh SQLite database, then audited; a second crawl fetches no document again;
a changed document raises PUB-CHANGED."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from crawler.sample_portal import server as sample_server
from crawler.sample_portal import write_portals
from crawler.sample_portal.site import Page

FAST = {"AUTOTHROTTLE_START_DELAY": 0.05, "AUTOTHROTTLE_MAX_DELAY": 1.0, "RETRY_BACKOFF_BASE": 0.2}
DOC_SUFFIXES = (".pdf", ".docx")
REPORT_PAGES = ("t20230222_1001.html", "art_3401_90001.html", "art_3401_90002.html", "t20230120_2001.html")


def _documents(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    return {r["url"].split("/", 3)[3]: dict(r) for r in con.execute("select * from document")}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from ogiaudit.crawljob import crawl
    from ogiaudit.portals import load_portals
    from ogiaudit.settings import load_settings

    tmp = tmp_path_factory.mktemp("e2e")
    srv = sample_server.start(0, slow_seconds=1.0)
    try:
        config = write_portals(srv.base_url, tmp / "portals.toml")
        settings = load_settings(None, database_url=f"sqlite:///{tmp}/ogiaudit.db", archive_dir=tmp / "archive",
                                 portals=[str(config)])
        portals = load_portals([str(config)])
        first = crawl(settings, portals, progress=False, overrides=FAST)
        log1 = list(srv.log)
        docs1 = _documents(tmp / "ogiaudit.db")
        srv.reset_log()
        second = crawl(settings, portals, progress=False, overrides=FAST)
        log2 = list(srv.log)
        # the 柔远镇 report is edited after publication
        path = "/shapotou/art/2023/1/18/art_3401_90001.html"
        old = srv.site[path]
        srv.site[path] = Page(old.body.replace("一、总体情况".encode(), "一、总体情况（修订）".encode()), old.content_type)
        third = crawl(settings, portals, progress=False, overrides=FAST)
        yield dict(settings=settings, portals=portals, srv=srv, first=first, second=second, third=third, log1=log1,
                   log2=log2, docs1=docs1, db=tmp / "ogiaudit.db", tmp=tmp)
    finally:
        srv.shutdown()
        srv.server_close()


def test_every_report_found_with_its_portal_date(crawled):
    assert crawled["first"].error is None
    docs = {k.split("/", 1)[1] if k.startswith("sample") else k: v for k, v in crawled["docs1"].items()}
    got = {(d["portal_id"], d["body_name"], d["published"], d["published_source"]) for d in docs.values()}
    assert got == {
        ("sample-yongjing", "盐锅峡镇人民政府", "2023-02-22", "meta"),        # TRS, GBK, createPageHTML page 1
        ("sample-shapotou", "柔远镇人民政府", "2023-01-18", "meta"),          # Hanweb, via dataproxy.jsp
        ("sample-shapotou", "宣和镇人民政府", "2023-01-29", "meta"),          # Hanweb, a body not configured
        ("sample-fanshi", "平型关镇人民政府", "2023-01-18", "portal"),        # ucap <publishtime>, not 成文日期 01-17
        ("sample-yanbian", "红格镇人民政府", "2024-01-16", "portal"),         # 发布时间 byline, PDF behind pdf.js
        ("sample-zhaoyuan", "金岭镇人民政府", "2023-01-20", "meta"),          # TRS countPage
        ("sample-hongze", "淮安市洪泽区人民政府", "2025-03-20", "portal"),     # PDF straight from the list
    }
    kinds = sorted(d["content_type"].split(";")[0] for d in docs.values())
    assert kinds.count("application/pdf") == 2
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in kinds


def test_no_notice_mistaken_for_a_report(crawled):
    titles = [d["title"] for d in crawled["docs1"].values()]
    assert not any("通知" in t or "要点" in t or "预算" in t for t in titles)
    fetched = [p for _m, p, _s, _n in crawled["log1"]]
    assert "/yongjing/zwgk/zfxxgknb/202401/t20240105_1002.html" not in fetched   # 关于做好…编制发布工作的通知
    assert "/yanbian/xxgk/nb/a103.html" not in fetched
    assert "/yanbian/files/ysqgk_sqb.doc" not in fetched                          # the site's 申请表, beside a report


def test_politeness_and_guards(crawled):
    log = crawled["log1"]
    fetched = [p for _m, p, _s, _n in log]
    assert fetched[0] == "/robots.txt"
    assert "/yongjing/private/t20230110_1003.html" not in fetched                   # robots.txt Disallow
    skipped = {s.split(": ", 1)[0] for p in crawled["first"].portals for s in p.skipped}
    assert "file:///etc/passwd" in skipped and "ftp://127.0.0.1/nb/2022.pdf" in skipped
    assert "http://10.0.0.1/zfxxgknb/t20230110_1004.html" in skipped
    assert "http://169.254.169.254/latest/meta-data/" in skipped                   # a redirect off the portal


def test_500s_survived_and_slow_page_waited_for(crawled):
    statuses = [s for _m, p, s, _n in crawled["log1"] if p == "/yanbian/xxgk/nb/list2.html"]
    assert statuses == [500, 500, 200]
    assert any(p == "/fanshi/fsxxgk/gknb/index_2.shtml" and s == 200 for _m, p, s, _n in crawled["log1"])
    yanbian = next(p for p in crawled["first"].portals if p.portal_id == "sample-yanbian")
    assert yanbian.ok and yanbian.complete


def test_broken_attachment_is_a_crawl_problem(crawled):
    zhaoyuan = next(p for p in crawled["first"].portals if p.portal_id == "sample-zhaoyuan")
    assert not zhaoyuan.ok and zhaoyuan.complete
    assert any("P020230130551.pdf" in e and "404" in e for e in zhaoyuan.errors)
    con = sqlite3.connect(crawled["db"])
    assert con.execute("select count(*) from crawl where portal_id='sample-zhaoyuan' and ok=0").fetchone()[0] >= 1
    assert con.execute("select count(*) from extraction_problem where url like '%P020230130551.pdf'").fetchone()[0] == 1


def test_second_crawl_fetches_no_document_again(crawled):
    first, second = crawled["first"], crawled["second"]
    assert second.error is None
    refetched = [p for _m, p, s, _n in crawled["log2"]
                 if s == 200 and (p.endswith(DOC_SUFFIXES) or p.endswith(REPORT_PAGES))]
    assert refetched == []
    assert second.not_modified >= 20
    assert second.bytes <= 0.05 * first.bytes, (second.bytes, first.bytes)
    # the archive holds each version once: 7 documents, plus the new version of the one changed before the third crawl
    archived = [p for p in (crawled["tmp"] / "archive").rglob("*")
                if p.is_file() and not {".httpcache", ".crawlstate", ".logs"} & set(p.parts)]
    assert len(archived) == 8


def test_changed_document_raises_pub_changed(crawled):
    third = crawled["third"]
    [url] = [u for p in third.portals for u in p.changed]
    assert url.endswith("/shapotou/art/2023/1/18/art_3401_90001.html")
    con = sqlite3.connect(crawled["db"])
    assert con.execute("select count(*) from finding where rule='PUB-CHANGED'").fetchone()[0] == 1


def test_audit_and_pub_missing(crawled):
    from ogiaudit import pipeline
    from ogiaudit.commands.run import raise_missing

    settings, portals = crawled["settings"], crawled["portals"]
    results = pipeline.audit_pending(settings, progress=False)
    assert len(results) == 7
    assert {r.format for r in results} >= {"pdf", "docx", "html"}          # attachments audited too
    late = [r for r in results if any(f.rule == "PUB-LATE" for f in r.findings)]
    assert {r.body for r in late} == {"盐锅峡镇人民政府"}                     # published 2023-02-22, deadline 01-31
    raised, undecided = raise_missing(settings, portals, 2022, date(2023, 4, 30))
    assert [(m["portal"], m["body"]) for m in raised] == [("sample-yongjing", "刘家峡镇人民政府")]
    assert [(m["portal"], m["body"]) for m in undecided] == [("sample-zhaoyuan", "辛庄镇人民政府")]
    con = sqlite3.connect(crawled["db"])
    assert con.execute("select count(*) from finding where rule='PUB-MISSING'").fetchone()[0] == 1


def test_download_size_capped(crawled, tmp_path):
    from ogiaudit.crawljob import crawl
    from ogiaudit.settings import load_settings

    settings = load_settings(None, database_url=f"sqlite:///{tmp_path}/cap.db", archive_dir=tmp_path / "archive")
    hongze = [p for p in crawled["portals"] if p.id == "sample-hongze"]
    summary = crawl(settings, hongze, progress=False, overrides={**FAST, "DOWNLOAD_MAXSIZE": 100_000})
    [portal] = summary.portals
    assert portal.documents == 0 and not portal.ok
    assert any("P020250320_hongze2024.pdf" in e for e in portal.errors)   # 240 KB > the 100 KB cap


def test_known_unchanged_entries_skipped_without_validators(tmp_path):
    """A server without ETag/Last-Modified cannot answer 304: entries already fetched, still listed with the same
    date, are not fetched again until OGIAUDIT_RECHECK_DAYS have passed."""
    from ogiaudit.crawljob import crawl
    from ogiaudit.portals import load_portals
    from ogiaudit.settings import load_settings

    srv = sample_server.start(0)
    srv.validators = False
    try:
        config = write_portals(srv.base_url, tmp_path / "portals.toml")
        shapotou = [p for p in load_portals([str(config)]) if p.id == "sample-shapotou"]
        settings = load_settings(None, database_url=f"sqlite:///{tmp_path}/db.sqlite", archive_dir=tmp_path / "archive")
        first = crawl(settings, shapotou, progress=False, overrides=FAST)
        assert first.documents == 2
        srv.reset_log()
        second = crawl(settings, shapotou, progress=False, overrides=FAST)
        fetched = [p for _m, p, _s, _n in srv.log]
        assert not any("art_3401_9000" in p for p in fetched), fetched
        assert second.portals[0].known_skipped == 2 and second.portals[0].ok
        srv.reset_log()
        crawl(settings, shapotou, progress=False, overrides={**FAST, "OGIAUDIT_RECHECK_DAYS": 0})
        assert sum("art_3401_9000" in p for _m, p, _s, _n in srv.log) == 2   # a full re-check fetches them
    finally:
        srv.shutdown()
        srv.server_close()


def test_robots_exception_needs_and_uses_the_portal_config(crawled, tmp_path):
    import dataclasses

    from ogiaudit.crawljob import crawl
    from ogiaudit.settings import load_settings

    srv = crawled["srv"]
    yongjing = next(p for p in crawled["portals"] if p.id == "sample-yongjing")
    relaxed = dataclasses.replace(yongjing, obey_robots=False, robots_reason="县政务公开办书面同意")
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path}/r.db", archive_dir=tmp_path / "archive")
    srv.reset_log()
    crawl(settings, [relaxed], progress=False, overrides=FAST)
    fetched = [p for _m, p, _s, _n in srv.log]
    assert "/yongjing/private/t20230110_1003.html" in fetched
    assert "/robots.txt" not in fetched
