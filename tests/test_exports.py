"""Exports for people (table, CSV, XLSX) in the words of the vocabulary; JSON keeps the keys and codes of
INTERFACE.md."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from openpyxl import load_workbook

from ogiaudit import exports, vocabulary
from auditor.labels import BODY_KINDS

ROWS = [{"id": 7, "portal": "yj", "body": "盐锅峡镇人民政府", "body_kind": "township", "year": 2022,
         "url": "http://yj.example/nb.html", "rule": "T3-BAL", "severity": "error", "status": "open",
         "location": {"table": "三", "row": "（七）总计", "column": "总计"}, "expected": 12, "observed": 10,
         "published": "2023-02-21", "first_seen": "2024-03-01T02:00:00", "message": "=HYPERLINK(\"http://x\")",
         "body_id": 3}]
NAMES = {"yj": "永靖县人民政府"}


def test_csv_is_chinese_headers_and_values():
    text = exports.csv_bytes(ROWS, kind="findings", names=NAMES).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["门户"] == "永靖县人民政府" and row["机构类型"] == BODY_KINDS["township"]
    assert (row["严重程度"], row["状态"]) == ("错误", "未整改")
    assert row["发布日期"] == "2023年2月21日" and row["首次发现"] == "2024年3月1日 02:00"
    assert row["位置"] == "表三 / （七）总计 / 总计" and (row["应为"], row["实为"]) == ("12", "10")
    assert row["说明"].startswith("'=")                    # never a formula in Excel
    assert "机构编号" not in row and "body_id" not in text


def test_xlsx_has_filters_real_dates_numbers_links_and_names(tmp_path):
    ws = load_workbook(io.BytesIO(exports.xlsx_bytes(ROWS, kind="findings", names=NAMES))).active
    heads = [c.value for c in ws[1]]
    cell = {h: ws.cell(2, i + 1) for i, h in enumerate(heads)}
    assert ws.auto_filter.ref == ws.dimensions
    assert cell["门户"].value == "永靖县人民政府" and cell["严重程度"].value == "错误"
    assert cell["发布日期"].value == datetime(2023, 2, 21) and "年" in cell["发布日期"].number_format
    assert cell["首次发现"].value == datetime(2024, 3, 1, 2, 0)
    assert cell["应为"].value == 12 and cell["年度"].value == 2022
    assert cell["原文链接"].hyperlink.target == "http://yj.example/nb.html"
    assert cell["说明"].data_type == "s" and cell["说明"].value.startswith("'=")


def test_json_keeps_the_interface_keys(capsys):
    exports.write(ROWS, "json", kind="findings", names=NAMES)
    out = json.loads(capsys.readouterr().out)
    assert out["portal"] == "yj" and out["severity"] == "error" and out["published"] == "2023-02-21"


def test_vocabulary_uses_the_auditors_labels():
    assert vocabulary.BODY_KINDS is BODY_KINDS
    assert vocabulary.word("severity", "warning") == "警告" and vocabulary.word("status", "waived") == "已豁免"
    assert vocabulary.cn_date(date(2023, 1, 31)) == "2023年1月31日"


def test_the_review_desk_speaks_the_same_vocabulary():
    from ogiaudit.web import words

    assert words.SEVERITY is vocabulary.SEVERITIES and words.STATUS is vocabulary.STATUSES
    assert words.CERTAINTY == {True: "确定", False: "存疑"} and words.VERDICT[None] == vocabulary.VERDICTS["none"]
    rows = [{"id": 1, "rule": "T3-BAL", "uncertain": True, "verdict": "confirmed", "verdict_by": "张三"}]
    ws = load_workbook(io.BytesIO(exports.xlsx_bytes(rows, kind="findings"))).active
    assert [c.value for c in ws[1]] == ["编号", "规则", "确定性", "审核结论", "审核人"]
    assert [c.value for c in ws[2]][2:] == ["存疑", "已确认", "张三"]
