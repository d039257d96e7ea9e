"""The desk's storage side on SQLite and on PostgreSQL: scope, overview counts from the tallies, review actions and
their history, the digest honouring the verdicts, and a report's evidence page for a broken identity."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest_db import FakeResult, db_url, finding, pg_url, settings_for, sqlite_url  # noqa: F401
from desk_helpers import add_user, login, serve
from tests.helpers import audit_text, plant

SHUYANG = "沭阳县人民政府_2025.txt"


def _fill(url, tmp_path):
    from ogiaudit.pipeline import save_results
    from ogiaudit.portals import BodySpec, Portal
    from storage import repository
    from storage.db import session
    settings = settings_for(url, tmp_path)
    with session(url) as s:
        repository.upsert_portal(s, Portal(id="yj", name="永靖县人民政府", region=["甘肃省", "临夏回族自治州", "永靖县"],
                                           start_urls=["http://yj.gov.cn/"],
                                           bodies=[BodySpec("盐锅峡镇人民政府", "township"),
                                                   BodySpec("永靖县教育局", "department")]))
        repository.upsert_portal(s, Portal(id="hz", name="洪泽区人民政府", region=["江苏省", "淮安市", "洪泽区"],
                                           start_urls=["http://hz.gov.cn/"],
                                           bodies=[BodySpec("洪泽区人民政府", "government")]))
        docs = []
        for i, (portal, body) in enumerate((("yj", "盐锅峡镇人民政府"), ("hz", "洪泽区人民政府"))):
            d, _ = repository.record_document(s, url=f"http://{portal}.gov.cn/{i}.html", data=str(i).encode(),
                                              archive_dir=tmp_path / "a", content_type=None, portal_id=portal,
                                              body_name=body, title=None, published=None, published_source=None,
                                              fetched_at=datetime(2023, 3, 1))
            docs.append(d.id)
        for portal in ("yj", "hz"):  # a complete crawl after the deadlines: what a missing report is decided on
            repository.record_crawl(s, portal_id=portal, started=datetime(2023, 4, 1), finished=datetime(2023, 4, 1, 1),
                                    ok=True, complete=True, errors=[], pages=3, documents=1)
    late = FakeResult("盐锅峡镇人民政府", 2022, [finding("PUB-LATE", section=None),
                                               finding("T3-BAL", column="总计", expected=12, observed=10),
                                               finding("TXT-SUM", "warning")],
                      published=date(2023, 2, 21), deadline=date(2023, 1, 31))
    fine = FakeResult("洪泽区人民政府", 2022, [finding("T4-SUM")], body_kind="government",
                      published=date(2023, 3, 20), deadline=date(2023, 3, 31))
    save_results(settings, [late, fine], [None, None], docs)
    return settings


def _user(s, name):
    from storage.review import get_user
    return get_user(s, name)


def test_scope_overview_and_lists(db_url, tmp_path):
    from storage import desk_queries as dq
    from storage.db import session
    settings = _fill(db_url, tmp_path)
    add_user(db_url, "boss", "admin")
    add_user(db_url, "a", "reviewer", portals=["yj"])
    add_user(db_url, "gs", "reviewer", regions=["甘肃省/临夏回族自治州"])
    add_user(db_url, "v", "viewer")
    with session(db_url, readonly=True) as s:
        scopes = {n: dq.user_scope(s, _user(s, n)) for n in ("boss", "a", "gs", "v")}
        assert scopes == {"boss": None, "a": frozenset({"yj"}), "gs": frozenset({"yj"}), "v": None}
        everything = dq.overview(s, None, 2022, None)
        assert (everything.total.reports, everything.total.on_time, everything.total.late) == (2, 1, 1)
        assert everything.total.with_errors == 2
        assert [name for name, _ in everything.children] == ["江苏省", "甘肃省"]
        assert [pid for pid, _, _ in everything.ranking] == ["hz", "yj"]     # on time first
        mine = dq.overview(s, scopes["a"], 2022, None)
        assert mine.total.reports == 1 and [pid for pid, _, _ in mine.ranking] == ["yj"]
        city = dq.overview(s, None, 2022, "甘肃省/临夏回族自治州")
        assert [name for name, _ in city.children] == ["甘肃省/临夏回族自治州/永靖县"]
        assert {f["portal"] for f in dq.findings(s, scopes["a"])} == {"yj"}
        assert {f["rule"] for f in dq.findings(s, None, rule="T3")} == {"T3-BAL"}
        assert [r["body"] for r in dq.reports(s, None, body="盐锅")] == ["盐锅峡镇人民政府"]
        assert [b["body"] for b in dq.search_bodies(s, scopes["a"], name="教育")] == ["永靖县教育局"]
        assert dq.search_bodies(s, scopes["a"], name="洪泽") == []
        gone = dq.missing(s, scopes["a"], 2022, date(2023, 4, 30), settings)
        assert [m["body"] for m in gone] == ["永靖县教育局"]
        assert dq.missing(s, frozenset({"hz"}), 2022, date(2023, 4, 30), settings) == []
        hz = dq.reports(s, None, portal="hz")[0]["id"]
        assert dq.report(s, scopes["a"], hz) is None and dq.report(s, None, hz) is not None
        assert dq.region_names(s, scopes["a"]) == ["甘肃省/临夏回族自治州", "甘肃省/临夏回族自治州/永靖县"]


def test_review_actions_history_and_digest(db_url, tmp_path):
    from ogiaudit.digest.build import load_findings, reviewed
    from storage import desk_queries as dq
    from storage import review
    from storage.db import session
    _fill(db_url, tmp_path)
    with session(db_url, readonly=True) as s:
        ids = {f["rule"]: f["id"] for f in dq.findings(s, None)}
    with session(db_url) as s:
        review.review(s, ids["PUB-LATE"], "confirm", "张三")
        with pytest.raises(review.UserError):
            review.review(s, ids["T3-BAL"], "dismiss", "张三", "  ")
    with session(db_url) as s:
        review.review(s, ids["T3-BAL"], "dismiss", "张三", "表格经核实无误（抽取错位）")
        review.review(s, ids["TXT-SUM"], "waive", "李四", "县政府通知")
        review.review(s, ids["TXT-SUM"], "unwaive", "李四")
        review.review(s, ids["TXT-SUM"], "waive", "李四", "再次豁免")
    with session(db_url, readonly=True) as s:
        rows = {f["rule"]: f for f in dq.findings(s, None)}
        assert rows["PUB-LATE"]["verdict"] == "confirmed" and rows["T3-BAL"]["verdict"] == "dismissed"
        assert rows["TXT-SUM"]["status"] == "waived" and rows["TXT-SUM"]["waived_by"] == "李四"
        assert [f["rule"] for f in dq.findings(s, None, verdict="none")] == ["T4-SUM"]
        history = dq.history(s, list(ids.values()))
        assert [(a["action"], a["by"], a["reason"]) for a in history[ids["T3-BAL"]]] == [
            ("dismiss", "张三", "表格经核实无误（抽取错位）")]
        assert [a["action"] for a in history[ids["TXT-SUM"]]] == ["waive", "unwaive", "waive"]
        found = load_findings(s)
        default = {f.rule for f in reviewed(s, found)}
        assert "T3-BAL" not in default and {"PUB-LATE", "T4-SUM"} <= default
        confirmed = {f.rule for f in reviewed(s, found, confirmed_only=True) if f.severity == "error"}
        assert confirmed == {"PUB-LATE"}


def test_the_evidence_page_shows_both_sides_and_marks_the_cells(sqlite_url, tmp_path, seeds, realdata):
    from ogiaudit.pipeline import save_results
    text = plant((realdata / SHUYANG).read_text(encoding="utf-8"),
                 "| 上年结转政府信息公开申请数量 | 36 | 0 | 0 | 0 | 0 | 0 | 36 |",
                 "| 上年结转政府信息公开申请数量 | 37 | 0 | 0 | 0 | 0 | 0 | 37 |")
    result = audit_text(text)
    save_results(settings_for(sqlite_url, tmp_path), [result], [None])
    add_user(sqlite_url, "boss", "admin")
    from storage import desk_queries as dq
    from storage.db import session
    with session(sqlite_url, readonly=True) as s:
        rid = dq.reports(s, None)[0]["id"]
        bal = [f for f in dq.findings(s, None, rule="T3-BAL")]
    with serve(sqlite_url) as base:
        page = login(base, "boss").get(f"/reports/{rid}?finding={bal[0]['id']}").text
    assert page.count('class="side left"') == 2 and "≠" in page
    assert "二、上年结转政府信息公开申请数量“总计” 37" in page
    table3 = page.split('id="table-三"')[1].split("</table>")[0]
    assert table3.count("focus") == 4          # the four cells of the focused identity
    assert table3.count(" hl") >= 8            # both broken columns


def test_datasette_never_shows_the_password_hashes(sqlite_url, tmp_path):
    import asyncio

    from storage.datasette_app import make_datasette, sqlite_path
    add_user(sqlite_url, "boss", "admin")
    path = sqlite_path(sqlite_url)
    ds = make_datasette(path)

    async def go(sql):
        await ds.invoke_startup()
        return await ds.client.get(f"/{path.stem}.json", params={"sql": sql, "_shape": "array"})

    assert asyncio.run(go("select name from desk_user")).json() == [{"name": "boss"}]
    for sql in ("select password_hash from desk_user", "select * from desk_user"):
        r = asyncio.run(go(sql))
        assert "argon2" not in r.text and r.status_code >= 400, sql
