"""The query commands (reports, findings, missing, compliance, body, trend) in every output format, waivers from the
command line, bad databases in one Chinese line, and the Datasette site with its canned queries."""
from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date, datetime

import pytest
import typer
from typer.testing import CliRunner

from conftest_db import FakeResult, db_url, finding, pg_url, settings_for, sqlite_url  # noqa: F401


def _app() -> typer.Typer:
    """Only this helper's commands (the full CLI also needs the other helpers' modules)."""
    from ogiaudit.commands import db, query, serve, waive
    app = typer.Typer()
    for mod in (query, db, waive, serve):
        mod.register(app)
    return app


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
                                                   BodySpec("永靖县教育局", "department"),
                                                   BodySpec("永靖县人民政府", "government")]))
        docs = []
        for i, body in enumerate(("盐锅峡镇人民政府", "永靖县人民政府")):
            d, _ = repository.record_document(s, url=f"http://yj.gov.cn/{i}.html", data=str(i).encode(),
                                              archive_dir=tmp_path / "a", content_type=None, portal_id="yj",
                                              body_name=body, title=None, published=None, published_source=None,
                                              fetched_at=datetime(2023, 3, 1))
            docs.append(d.id)
        repository.record_crawl(s, portal_id="yj", started=datetime(2023, 3, 1), finished=datetime(2023, 3, 1, 1),
                                ok=True, complete=True, errors=[], pages=3, documents=2)
    late = FakeResult("盐锅峡镇人民政府", 2022, [finding("PUB-LATE", section=None),
                                               finding("T3-BAL", column="总计", expected=12, observed=10)],
                      published=date(2023, 2, 21), deadline=date(2023, 1, 31))
    fine = FakeResult("永靖县人民政府", 2022, [finding("TBL-LABEL", "info", column="自然人")], body_kind="government",
                      published=date(2023, 3, 20), deadline=date(2023, 3, 31))
    save_results(settings, [late, fine], [None, None], docs)
    return settings


def test_query_commands_all_formats(db_url, tmp_path):
    _fill(db_url, tmp_path)
    r = CliRunner()
    app = _app()
    res = r.invoke(app, ["query", "reports", "--database", db_url, "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(l) for l in res.stdout.splitlines()]
    assert {k for k in ("portal", "body", "body_kind", "year", "url", "published", "published_source", "deadline",
                        "errors", "warnings")} <= set(rows[0])
    late = next(x for x in rows if x["body"] == "盐锅峡镇人民政府")
    assert (late["portal"], late["year"], late["published"], late["deadline"], late["errors"]) == \
        ("yj", 2022, "2023-02-21", "2023-01-31", 2)

    res = r.invoke(app, ["query", "findings", "--database", db_url, "--format", "json", "--rule", "T3"])
    f = [json.loads(l) for l in res.stdout.splitlines()]
    assert len(f) == 1 and f[0]["rule"] == "T3-BAL" and f[0]["location"]["column"] == "总计"
    assert f[0]["url"] == "http://yj.gov.cn/0.html" and f[0]["status"] == "open" and f[0]["id"]

    res = r.invoke(app, ["query", "findings", "--database", db_url, "--format", "csv", "--severity", "error"])
    table = list(csv.DictReader(io.StringIO(res.stdout)))   # CSV is for people: Chinese headers and values
    assert sorted(x["规则"] for x in table) == ["PUB-LATE", "T3-BAL"]
    assert {x["严重程度"] for x in table} == {"错误"} and {x["状态"] for x in table} == {"未整改"}

    out = tmp_path / "f.xlsx"
    res = r.invoke(app, ["query", "findings", "--database", db_url, "--format", "xlsx", "--output", str(out)])
    assert res.exit_code == 0 and out.exists()
    from openpyxl import load_workbook
    ws = load_workbook(out).active
    assert ws.cell(1, 2).value == "机构" and ws.max_row == 4
    heads = [c.value for c in ws[1]]
    assert ws.auto_filter.ref and "原文链接" in heads and "首次发现" in heads
    link = ws.cell(2, heads.index("原文链接") + 1)
    assert link.hyperlink is not None and link.value.startswith("http")
    from datetime import datetime
    assert isinstance(ws.cell(2, heads.index("首次发现") + 1).value, datetime)

    res = r.invoke(app, ["query", "findings", "--database", db_url])
    assert res.exit_code == 0 and "规则" in res.stdout and "T3-BAL" in res.stdout

    res = r.invoke(app, ["query", "missing", "--year", "2022", "--as-of", "2023-04-01", "--database", db_url,
                         "--format", "json"])
    assert [json.loads(l) for l in res.stdout.splitlines()] == [
        {"portal": "yj", "body": "永靖县教育局", "body_kind": "department", "year": 2022, "deadline": "2023-01-31",
         "region": "甘肃省/临夏回族自治州/永靖县"}]

    res = r.invoke(app, ["query", "compliance", "--by", "body_kind", "--year", "2022", "--as-of", "2023-04-01",
                         "--database", db_url, "--format", "json"])
    comp = {x["body_kind"]: x for x in map(json.loads, res.stdout.splitlines())}
    assert comp["township"]["on_time"] == 0 and comp["government"]["on_time"] == 1
    assert comp["department"]["expected"] == 1 and comp["department"]["published"] == 0
    res = r.invoke(app, ["query", "compliance", "--database", db_url, "--level", "province", "--format", "json",
                         "--as-of", "2023-04-01"])
    [prov] = [json.loads(l) for l in res.stdout.splitlines()]
    assert (prov["region"], prov["expected"], prov["published"], prov["on_time"], prov["no_error"],
            prov["overdue"]) == ("甘肃省", 3, 2, 1, 1, 1)
    # in the season (the townships' and departments' deadline passed, the governments' not yet): same answer
    # through the per-body deadlines
    res = r.invoke(app, ["query", "compliance", "--database", db_url, "--by", "body_kind", "--format", "json",
                         "--as-of", "2023-02-15"])
    comp = {x["body_kind"]: x for x in map(json.loads, res.stdout.splitlines())}
    assert comp["department"]["overdue"] == 1 and comp["government"]["overdue"] == 0

    res = r.invoke(app, ["query", "trend", "--database", db_url, "--format", "json", "--level", "county"])
    [t] = [json.loads(l) for l in res.stdout.splitlines()]
    assert t["reports"] == 2 and t["share_on_time"] == 0.5 and t["share_consistent"] == 0.5
    assert "PUB-LATE×1" in t["top_rules"]

    res = r.invoke(app, ["query", "body", "盐锅峡镇", "--database", db_url, "--format", "json"])
    [h] = [json.loads(l) for l in res.stdout.splitlines()]
    assert h["year"] == 2022 and h["rules"] == "PUB-LATE,T3-BAL"


def test_waive_from_the_command_line(sqlite_url, tmp_path):
    _fill(sqlite_url, tmp_path)
    r, app = CliRunner(), _app()
    rows = [json.loads(l) for l in r.invoke(app, ["query", "findings", "--database", sqlite_url, "--format", "json",
                                                  "--rule", "PUB-LATE"]).stdout.splitlines()]
    fid = str(rows[0]["id"])
    res = r.invoke(app, ["waive", fid, "--database", sqlite_url])
    assert res.exit_code == 2 and "理由" in res.stderr
    res = r.invoke(app, ["waive", fid, "--reason", "县里通知延期至2月底", "--by", "李四", "--database", sqlite_url])
    assert res.exit_code == 0, res.output
    rows = [json.loads(l) for l in r.invoke(app, ["query", "findings", "--database", sqlite_url, "--format", "json",
                                                  "--status", "waived"]).stdout.splitlines()]
    assert rows[0]["waived_reason"] == "县里通知延期至2月底" and rows[0]["waived_by"] == "李四"
    reps = [json.loads(l) for l in r.invoke(app, ["query", "reports", "--database", sqlite_url, "--format", "json",
                                                  "--body", "盐锅峡镇人民政府"]).stdout.splitlines()]
    assert reps[0]["errors"] == 1
    assert r.invoke(app, ["unwaive", fid, "--database", sqlite_url]).exit_code == 0
    assert r.invoke(app, ["waive", "99999", "--reason", "x", "--database", sqlite_url]).exit_code == 2


@pytest.mark.parametrize("args", [
    ["query", "reports", "--database", "nonsense://x"],
    ["query", "reports", "--database", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
    ["query", "reports", "--format", "pdf", "--database", "sqlite:///x.db"],
    ["query", "findings", "--format", "xlsx", "--database", "sqlite:///x.db"],
    ["query", "missing", "--year", "2022", "--as-of", "2023-13-01", "--database", "sqlite:///x.db"],
    ["db", "upgrade", "--database", "nonsense://x"],
    ["serve", "--database", "postgresql+psycopg://u@127.0.0.1/db"],
])
def test_user_mistakes_are_one_chinese_line(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(_app(), args)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output and lines[0].startswith("ogiaudit: ")


def test_db_commands(sqlite_url):
    r, app = CliRunner(), _app()
    res = r.invoke(app, ["db", "upgrade", "--database", sqlite_url])
    from storage.db import head_revision
    assert res.exit_code == 0 and f"版本 {head_revision()}" in res.stdout
    res = r.invoke(app, ["db", "current", "--database", sqlite_url])
    assert res.exit_code == 0 and "finding: 0" in res.stdout


def test_datasette_canned_queries(sqlite_url, tmp_path):
    _fill(sqlite_url, tmp_path)
    from storage.datasette_app import make_datasette, sqlite_path
    path = sqlite_path(sqlite_url)
    ds = make_datasette(path)

    async def go():
        await ds.invoke_startup()
        home = await ds.client.get(f"/{path.stem}")
        late = await ds.client.get(ds.urls.table(path.stem, "本年度逾期发布的机构", format="json") + "?year=2022&_shape=array")
        broken = await ds.client.get(ds.urls.table(path.stem, "表格数据不一致的报告", format="json") + "?_shape=array")
        trend = await ds.client.get(ds.urls.table(path.stem, "按地区的趋势", format="json") + "?_shape=array")
        view = await ds.client.get(ds.urls.table(path.stem, "问题一览", format="json") + "?_shape=array")
        return home, late, broken, trend, view

    home, late, broken, trend, view = asyncio.run(go())
    assert home.status_code == 200 and "政府信息公开工作年度报告审核数据库" in home.text
    assert [x["机构"] for x in late.json()] == ["盐锅峡镇人民政府"] and late.json()[0]["逾期天数"] == 21
    assert [(x["机构"], x["规则"], x["列"]) for x in broken.json()] == [("盐锅峡镇人民政府", "T3-BAL", "总计")]
    assert trend.json()[0]["报告数"] == 2 and trend.json()[0]["按时率"] == 50.0
    assert {x["规则"] for x in view.json()} == {"PUB-LATE", "T3-BAL", "TBL-LABEL"}
