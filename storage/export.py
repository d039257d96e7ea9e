"""Query output: a readable table (rich), JSON Lines, CSV, XLSX.

JSON Lines and CSV keep the English keys of INTERFACE.md (scripts depend on them; CSV is UTF-8 with a BOM so that
Excel shows the Chinese); the table and XLSX use Chinese headings.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("table", "json", "csv", "xlsx")

LABELS = {
    "id": "编号", "portal": "门户", "region": "地区", "body": "机构", "body_kind": "机构类型", "year": "年度",
    "url": "地址", "published": "发布日期", "published_source": "日期来源", "deadline": "期限",
    "errors": "错误", "warnings": "警告", "on_time": "按时", "complete": "完整", "consistent": "一致",
    "rule": "规则", "severity": "级别", "section": "部分", "location": "位置", "expected": "应为", "observed": "实为",
    "message": "说明", "evidence": "证据", "status": "状态", "first_seen": "首次发现", "last_seen": "最近发现",
    "fingerprint": "指纹", "waived_by": "豁免人", "waived_reason": "豁免理由", "waived_at": "豁免时间",
    "resolved_at": "解决时间", "report_id": "报告编号", "audited_at": "审核时间", "ruleset_version": "规则版本",
    "expected_bodies": "应发布", "published_count": "已发布", "no_error": "无错误", "overdue": "逾期未发布",
    "share_published": "发布率", "share_on_time": "按时率", "share_complete": "完整率", "share_consistent": "一致率",
    "reports": "报告数", "top_rules": "最常见问题", "rules": "未解决问题", "carry_over": "上年结转(总计)",
    "last_year_carried_forward": "上年报告结转下年度(总计)", "body_id": "机构编号", "reason": "原因",
    # the review desk's lists
    "certain": "确定性", "verdict": "审核结论", "verdict_by": "审核人", "verdict_reason": "审核理由", "title": "标题",
    "format": "格式", "ocr": "图片版", "infos": "提示", "configured": "应发布", "attempts": "次数", "error": "错误原因",
}
# compliance rows reuse "expected"/"published" for counts: their own headings
COMPLIANCE_LABELS = {"expected": "应发布机构数", "published": "已发布", "on_time": "按时发布", "no_error": "无错误"}
VALUE_LABELS = {
    "severity": {"error": "错误", "warning": "警告", "info": "提示"},
    "status": {"open": "未解决", "resolved": "已解决", "waived": "已豁免"},
    "body_kind": {"department": "部门", "government": "人民政府", "township": "乡镇/街道"},
    "published_source": {"given": "用户指定", "portal": "门户", "meta": "网页元数据", "signature": "落款"},
}
# the columns a table shows (the other formats give every field)
TABLE_COLUMNS = {
    "reports": ["portal", "body", "body_kind", "year", "published", "published_source", "deadline", "errors",
                "warnings", "url"],
    "findings": ["id", "body", "year", "rule", "severity", "location", "message", "status"],
    "missing": ["portal", "body", "body_kind", "year", "deadline", "reason"],
    "body": ["year", "body", "published", "deadline", "on_time", "errors", "warnings", "rules", "carry_over",
             "last_year_carried_forward"],
}


def label(key: str, kind: str | None = None) -> str:
    if kind == "compliance" and key in COMPLIANCE_LABELS:
        return COMPLIANCE_LABELS[key]
    return LABELS.get(key, key)


def cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in VALUE_LABELS and isinstance(value, str):
        return VALUE_LABELS[key].get(value, value)
    if key == "location" and isinstance(value, dict):
        parts = [f"表{value['table']}" if value.get("table") else "", value.get("row") or "", value.get("column") or ""]
        return " / ".join(p for p in parts if p)
    if key.startswith("share_") and isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flat(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell (CSV or XLSX): crawled text that a spreadsheet would run as a formula
    (it starts with = + - @, a tab or a carriage return) is kept as text, with a leading apostrophe.  Every
    export uses this: `query --format csv|xlsx` and the digest attachments."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def columns_of(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        for k in row:
            if k not in cols:
                cols.append(k)
    return cols


def write(rows: list[dict], fmt: str = "table", output: str | Path | None = None, *, kind: str | None = None,
          title: str | None = None, stream: TextIO | None = None) -> None:
    """Write rows in `fmt`; xlsx needs `output`.  Raises ValueError (Chinese) on a bad format or missing output."""
    if fmt not in FORMATS:
        raise ValueError(f"输出格式应为 {'/'.join(FORMATS)}，而不是 {fmt!r}")
    if fmt == "xlsx":
        if not output:
            raise ValueError("--format xlsx 需要 --output 文件名")
        write_xlsx(rows, Path(output), kind=kind, title=title)
        return
    if output:
        with open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
            _write_text(rows, fmt, fh, kind, title)
    else:
        _write_text(rows, fmt, stream or sys.stdout, kind, title)


def _write_text(rows, fmt, fh, kind, title) -> None:
    if fmt == "json":
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        cols = columns_of(rows)
        w = csv.writer(fh)
        w.writerow(cols)
        for row in rows:
            w.writerow(["" if row.get(c) is None else safe_cell(_flat(row.get(c))) for c in cols])
    else:
        write_table(rows, fh, kind=kind, title=title)


def write_table(rows: list[dict], fh: TextIO, *, kind: str | None = None, title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    cols = [c for c in TABLE_COLUMNS.get(kind or "", []) if any(c in r for r in rows)] or columns_of(rows)
    cols = [c for c in cols if c not in ("body_id",)]
    table = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        table.add_column(label(c, kind), overflow="fold")
    for row in rows:
        table.add_row(*(cell(c, row.get(c)) for c in cols))
    console = Console(file=fh, width=None if fh is sys.stdout else 200, force_terminal=False)
    if not rows:
        console.print(f"{title + '：' if title else ''}没有符合条件的记录")
        return
    console.print(table)


def write_xlsx(rows: list[dict], path: Path, *, kind: str | None = None, title: str | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = (title or kind or "结果")[:31]
    cols = columns_of(rows)
    ws.append([label(c, kind) for c in cols])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        append_safe(ws, [cell(c, row.get(c)) if c in VALUE_LABELS or c == "location"
                         or isinstance(row.get(c), (bool, dict, list)) else row.get(c) for c in cols])
    ws.freeze_panes = "A2"
    for i, c in enumerate(cols, 1):
        width = max([len(label(c, kind))] + [len(str(row.get(c) or "")) for row in rows[:200]]) + 2
        ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width * 1.6)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def append_safe(ws, values: list) -> None:
    """Append a row to an openpyxl sheet: values through safe_cell, and no cell ever stored as a formula."""
    ws.append([safe_cell(v) for v in values])
    for c in ws[ws.max_row]:
        if c.data_type == "f":
            c.data_type = "s"


def to_string(rows: list[dict], fmt: str, kind: str | None = None) -> str:
    buf = io.StringIO()
    _write_text(rows, fmt, buf, kind, None)
    return buf.getvalue()
