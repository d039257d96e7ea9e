"""The findings of a digest as XLSX (openpyxl) and CSV (UTF-8 with BOM, so Excel opens it), one row per finding."""
from __future__ import annotations

import csv
import io
from typing import Any

from ogiaudit.digest.render import _dt, _fmt
from storage.export import append_safe, safe_cell

COLUMNS = ["状态", "门户", "机构", "年度", "规则", "严重程度", "章节", "表", "行", "列", "应为", "实为", "说明", "原文摘录",
           "来源链接", "首次发现", "整改时间"]
CATEGORY = {"new": "新增", "open": "仍未整改", "resolved": "已整改"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(digest) -> list[list[Any]]:
    out = []
    for f in digest.all_findings:
        loc = f.location or {}
        out.append([CATEGORY.get(f.category, f.category), f.portal, f.body, f.year, f.rule, f.severity,
                    f.section or "", loc.get("table") or "", loc.get("row") or "", loc.get("column") or "",
                    "" if f.expected is None else _fmt(f.expected), "" if f.observed is None else _fmt(f.observed),
                    f.message, f.evidence or "", f.url or "", _dt(f.first_seen), _dt(f.resolved_at)])
    return [[safe_cell(v) for v in r] for r in out]


def to_csv(digest) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    w.writerows(["" if v is None else v for v in r] for r in rows(digest))
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(digest) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows(digest):
        append_safe(ws, r)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLMNOPQ", (8, 12, 24, 6, 14, 8, 6, 6, 30, 14, 10, 10, 50, 30, 40, 16, 16)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def attachments(digest) -> list[tuple[str, str, bytes]]:
    """(filename, MIME type, bytes); none for the operations digest."""
    if digest.kind != "supervisor":
        return []
    stem = f"ogiaudit-findings-{digest.as_of.isoformat()}"
    return [(f"{stem}.xlsx", XLSX_TYPE, to_xlsx(digest)), (f"{stem}.csv", "text/csv", to_csv(digest))]
