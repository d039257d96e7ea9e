"""Rows for people: the readable table, CSV and XLSX, in the words of ogiaudit/vocabulary.py.

JSON Lines keep the English keys and codes of INTERFACE.md (storage/export.py); every other format shows Chinese
headers and values, the portal's name instead of its id, dates as 2023年1月31日.  XLSX cells are typed: numbers are
numbers, dates are dates (Excel sorts and filters them), links are clickable, and the header row has filters.
Crawled text never becomes a formula: every cell goes through the one guard of every export,
storage.export.safe_cell (append_safe for XLSX rows).
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ogiaudit import vocabulary as V
from storage.export import append_safe, safe_cell

HIDDEN = {"body_id"}


def fields(rows: list[dict]) -> list[str]:
    out: list[str] = []
    for row in rows:
        out += [k for k in row if k not in out and k not in HIDDEN]
    return out


def location(value: dict) -> str:
    parts = [f"表{value['table']}" if value.get("table") else "", value.get("row") or "", value.get("column") or ""]
    return " / ".join(p for p in parts if p)


def text_value(field: str, value: Any, names: dict[str, str] | None = None) -> str:
    """A value as a person reads it in a table or a CSV cell."""
    if value is None:
        return ""
    if field == "portal" and names:
        return names.get(value, value)
    if field in V.DATE_FIELDS or field in V.TIME_FIELDS or (field in ("expected", "observed") and V.as_date(value)):
        return V.cn_date(value)
    if field == "location" and isinstance(value, dict):
        return location(value)
    if field.startswith("share_") and isinstance(value, float):
        return f"{value:.1%}"
    value = V.word(field, value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_value(field: str, value: Any, names: dict[str, str] | None = None) -> Any:
    """A value as a typed spreadsheet cell: numbers stay numbers, dates become dates."""
    if value is None:
        return None
    if field in V.DATE_FIELDS or field in V.TIME_FIELDS:
        return V.as_date(value) or str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not field.startswith("share_"):
        return value
    if field.startswith("share_") and isinstance(value, float):
        return value
    if field in ("expected", "observed") and isinstance(value, str):
        if V.as_date(value) is not None:
            return V.as_date(value)     # PUB-LATE: the deadline and the publication date
        try:
            return int(value)
        except ValueError:
            pass
    return text_value(field, value, names)


def write_csv(rows: list[dict], fh: TextIO, *, kind: str | None = None, names: dict[str, str] | None = None) -> None:
    cols = fields(rows)
    w = csv.writer(fh, lineterminator="\r\n")
    w.writerow([V.header(c, kind) for c in cols])
    for row in rows:
        w.writerow([safe_cell(text_value(c, row.get(c), names)) for c in cols])


def csv_bytes(rows: list[dict], *, kind: str | None = None, names: dict[str, str] | None = None) -> bytes:
    buf = io.StringIO()
    write_csv(rows, buf, kind=kind, names=names)
    return buf.getvalue().encode("utf-8-sig")   # the BOM: Excel then reads UTF-8


def xlsx_bytes(rows: list[dict], *, kind: str | None = None, title: str | None = None,
               names: dict[str, str] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = (title or "结果")[:31]
    cols = fields(rows)
    ws.append([V.header(c, kind) for c in cols])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        append_safe(ws, [cell_value(c, row.get(c), names) for c in cols])
        for cell, field in zip(ws[ws.max_row], cols, strict=True):
            _style(cell, field)
    if rows:
        ws.auto_filter.ref = ws.dimensions
    ws.freeze_panes = "A2"
    for i, c in enumerate(cols, 1):
        width = max([len(V.header(c, kind))] + [len(text_value(c, r.get(c), names)) for r in rows[:200]]) + 2
        ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width * 1.6)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _style(cell, field: str) -> None:
    from datetime import date, datetime

    if isinstance(cell.value, datetime):
        cell.number_format = 'yyyy"年"m"月"d"日" hh:mm'
    elif isinstance(cell.value, date):
        cell.number_format = 'yyyy"年"m"月"d"日"'
    elif field.startswith("share_") and isinstance(cell.value, float):
        cell.number_format = "0.0%"
    elif field in V.LINK_FIELDS and isinstance(cell.value, str) and cell.value.lower().startswith(("http://",
                                                                                                   "https://")):
        cell.hyperlink = cell.value
        cell.style = "Hyperlink"


def write_table(rows: list[dict], fh: TextIO, cols: list[str], *, kind: str | None = None, title: str | None = None,
                names: dict[str, str] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=fh, width=None if fh is sys.stdout else 200, force_terminal=False)
    if not rows:
        console.print(f"{title + '：' if title else ''}没有符合条件的记录")
        return
    table = Table(title=title, header_style="bold")
    for c in cols:
        table.add_column(V.header(c, kind), overflow="fold")
    for row in rows:
        table.add_row(*(text_value(c, row.get(c), names) for c in cols))
    console.print(table)


def write(rows: list[dict], fmt: str, output: str | Path | None = None, *, kind: str | None = None,
          title: str | None = None, names: dict[str, str] | None = None, stream: TextIO | None = None) -> None:
    """Write rows in `fmt` (table, json, csv, xlsx).  Raises ValueError (Chinese) on a bad format or missing output."""
    from storage import export

    if fmt == "json" or fmt not in export.FORMATS:
        export.write(rows, fmt, output, kind=kind, title=title, stream=stream)
        return
    if fmt == "xlsx":
        if not output:
            raise ValueError("--format xlsx 需要 --output 文件名")
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_bytes(xlsx_bytes(rows, kind=kind, title=title or kind, names=names))
        return
    if fmt == "csv":
        if output:
            Path(output).write_bytes(csv_bytes(rows, kind=kind, names=names))
        else:
            write_csv(rows, stream or sys.stdout, kind=kind, names=names)
        return
    cols = [c for c in export.TABLE_COLUMNS.get(kind or "", []) if any(c in r for r in rows)] or fields(rows)
    write_table(rows, stream or sys.stdout, cols, kind=kind, title=title, names=names)
