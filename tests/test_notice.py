"""`ogiaudit notice`: 整改通知书 as Word documents, for the demo database and for a report with a broken identity,
opened again with python-docx."""
from __future__ import annotations

from datetime import date

import docx
import pytest
from typer.testing import CliRunner

from helpers import plant
from ogiaudit.cli import app

SHUYANG = "沭阳县人民政府_2025.txt"


def read(path) -> tuple[str, list[list[str]]]:
    d = docx.Document(str(path))
    text = "\n".join(p.text for p in d.paragraphs)
    rows = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    return text, rows


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from rich.console import Console

    from ogiaudit.commands.demo import DEMO_AS_OF, run_demo
    work = tmp_path_factory.mktemp("demo")
    run_demo(work, date.fromisoformat(DEMO_AS_OF), progress=False, console=Console(record=True))
    return f"sqlite:///{work / 'ogiaudit.db'}"


def test_notices_for_the_demo_database(demo_db, tmp_path):
    out = tmp_path / "notices"
    res = CliRunner().invoke(app, ["notice", "--database", demo_db, "--output", str(out), "--date", "2024-03-04"])
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("*.docx"))
    assert [str(f) for f in files] == sorted(res.stdout.split())          # prints the files it wrote
    assert {f.name for f in files} == {"整改通知书_盐锅峡镇人民政府_2022年度.docx", "整改通知书_刘家峡镇人民政府_2022年度.docx",
                                       "整改通知书_淮安市洪泽区人民政府_2024年度.docx"}

    text, rows = read(out / "整改通知书_盐锅峡镇人民政府_2022年度.docx")
    assert "盐锅峡镇人民政府：" in text
    assert "请你单位于2024年4月3日前完成整改" in text                     # 30 days from the notice (config)
    assert text.rstrip().endswith("2024年3月4日") and "县人民政府办公室（县政务公开办）" in text
    assert rows[0] == ["序号", "问题", "位置", "应为", "实为", "依据"]
    [late] = rows[1:]
    assert late[0] == "1" and "逾期22天" in late[1] and late[2] == "发布时间"
    assert (late[3], late[4]) == ("2023年1月31日", "2023年2月22日")          # both dates, in Chinese
    assert "第四十九条" in late[5]

    text, rows = read(out / "整改通知书_刘家峡镇人民政府_2022年度.docx")
    assert "未发现2022年度政府信息公开工作年度报告" in rows[1][1] and rows[1][3] == "2023年1月31日"

    # the sample portal's 洪泽区 report with its planted table-三 imbalance: each broken cell, both numbers
    text, rows = read(out / "整改通知书_淮安市洪泽区人民政府_2024年度.docx")
    places = [r[2] for r in rows[1:]]
    assert "表三，一、本年新收政府信息公开申请数量，总计" in places and "表三，（七）总计，总计" in places
    assert ("表三，（七）总计，总计", "2", "1") in {(r[2], r[3], r[4]) for r in rows[1:]}

    res = CliRunner().invoke(app, ["notice", "--database", demo_db, "--output", str(tmp_path / "one"),
                                   "--body", "盐锅峡", "--year", "2022"])
    assert res.exit_code == 0 and len(list((tmp_path / "one").glob("*.docx"))) == 1
    res = CliRunner().invoke(app, ["notice", "--database", demo_db, "--output", str(tmp_path / "none"),
                                   "--year", "2019"])
    assert res.exit_code == 0 and not list((tmp_path / "none").glob("*.docx"))


def test_a_broken_identity_gives_table_row_column_and_both_numbers(realdata, tmp_path):
    report = plant((realdata / SHUYANG).read_text(encoding="utf-8"),
                   "| 上年结转政府信息公开申请数量 | 36 | 0 | 0 | 0 | 0 | 0 | 36 |",
                   "| 上年结转政府信息公开申请数量 | 37 | 0 | 0 | 0 | 0 | 0 | 37 |")
    src = tmp_path / "沭阳2025.txt"
    src.write_text(report, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    r = CliRunner()
    res = r.invoke(app, ["audit", str(src), "--save", "--database", db, "--format", "json"])
    assert res.exit_code == 0, res.output
    _make_one_uncertain(db, "T3-BAL", "自然人")
    out = tmp_path / "n"
    res = r.invoke(app, ["notice", "--database", db, "--output", str(out), "--date", "2026-04-01"])
    assert res.exit_code == 0, res.output
    [path] = list(out.glob("*.docx"))
    text, rows = read(path)
    assert "阳县人民政府：" in text and "2个问题" in text   # the report names itself 沐阳 (sic)
    # the certain T3-BAL (总计 column) with its place, both numbers and its basis; the uncertain one (自然人) is not
    bal = [r for r in rows[1:] if "勾稽关系" in r[5]]
    assert [(r[2], r[3], r[4]) for r in bal] == [("表三，一、本年新收政府信息公开申请数量，总计", "749", "750")]
    assert "上年结转37" in bal[0][1] and all("自然人" not in r[2] for r in rows[1:])
    assert [r[0] for r in rows[1:]] == [str(k) for k in range(1, len(rows))]


def _make_one_uncertain(db, rule, column):
    from sqlmodel import select

    from storage.db import session
    from storage.models import Finding
    with session(db) as s:
        for f in s.exec(select(Finding).where(Finding.rule == rule)).all():
            if (f.location or {}).get("column") == column:
                f.uncertain = True
                s.add(f)


def test_notices_follow_the_review_desks_verdicts(demo_db, tmp_path):
    """The desk's verdicts (storage.review) decide with certainty: a dismissed error leaves the notice, an uncertain
    error enters it only once a reviewer confirmed it, a confirmed warning-only rule stays out, a waived one too."""
    import sqlite3

    from sqlmodel import select

    from ogiaudit.notice import notice_findings
    from storage.db import session
    from storage.models import Body, Finding
    from storage.review import review

    path = tmp_path / "desk.db"
    src, dst = sqlite3.connect(demo_db.removeprefix("sqlite:///")), sqlite3.connect(path)
    src.backup(dst)                                       # the demo's database as it stands (WAL included)
    src.close()
    dst.close()
    db = f"sqlite:///{path}"

    def carried(body: str) -> set[tuple]:
        with session(db, readonly=True) as s:
            return {(f.rule, (f.location or {}).get("row"), (f.location or {}).get("column"))
                    for f, name, *_ in notice_findings(s) if name == body}

    def one(s, body: str, rule: str, column: str | None = None) -> Finding:
        rows = s.exec(select(Finding).join(Body, Body.id == Finding.body_id)
                      .where(Body.name == body, Finding.rule == rule)).all()
        return next(f for f in rows if column is None or (f.location or {}).get("column") == column)

    hongze = "淮安市洪泽区人民政府"
    before = carried(hongze)
    bal = ("T3-BAL", "一、本年新收政府信息公开申请数量", "自然人")
    assert bal in before and ("TXT-TABLE", "一、本年新收政府信息公开申请数量", "总计") in before
    assert not any(rule == "CNT-ACCOUNT" for rule, *_ in before)        # a warning: never in a notice

    with session(db) as s:
        review(s, one(s, hongze, "TXT-TABLE").id, "dismiss", "审核员张三", "正文所述与表格一致，已核实")
        doubtful = one(s, hongze, "T3-BAL", "自然人")   # as the auditor leaves an error resting on an unsure cell
        doubtful.uncertain, doubtful.severity = True, "warning"
        s.add(doubtful)
        review(s, one(s, hongze, "T3-TOTAL", "总计").id, "waive", "审核员张三", "已在更正版中改正")
        review(s, one(s, hongze, "CNT-ACCOUNT").id, "confirm", "审核员张三")
        review(s, one(s, "盐锅峡镇人民政府", "PUB-LATE").id, "dismiss", "审核员张三", "发布日期以门户记录为准")
    now = carried(hongze)
    assert not any(rule == "TXT-TABLE" for rule, *_ in now)              # dismissed
    assert bal not in now                                                 # uncertain, not yet confirmed
    assert ("T3-TOTAL", "（七）总计", "总计") not in now                   # waived
    assert not any(rule == "CNT-ACCOUNT" for rule, *_ in now)            # confirmed, but only ever a warning
    assert ("T3-TOTAL", "（七）总计", "自然人") in now                     # certain, nobody objected
    assert not carried("盐锅峡镇人民政府")

    with session(db) as s:
        review(s, one(s, hongze, "T3-BAL", "自然人").id, "confirm", "审核员张三")
    assert bal in carried(hongze)                                         # confirmed: an error again

    out = tmp_path / "n"
    res = CliRunner().invoke(app, ["notice", "--database", db, "--output", str(out), "--date", "2025-04-01"])
    assert res.exit_code == 0, res.output
    assert {f.name for f in out.glob("*.docx")} == {"整改通知书_刘家峡镇人民政府_2022年度.docx",
                                                    "整改通知书_淮安市洪泽区人民政府_2024年度.docx"}
    _text, rows = read(out / "整改通知书_淮安市洪泽区人民政府_2024年度.docx")
    assert sorted(r[2] for r in rows[1:]) == sorted(["表三，一、本年新收政府信息公开申请数量，自然人",
                                                     "表三，一、本年新收政府信息公开申请数量，总计",
                                                     "表三，（七）总计，自然人"])
