"""Query output for scripts, and the one spreadsheet-formula guard of every export.

JSON Lines keep the English keys and code values of INTERFACE.md (scripts depend on them).  Everything meant for
people — the readable table, CSV, XLSX, the digest attachments, the review desk's lists — is written by
ogiaudit/exports.py in the words of ogiaudit/vocabulary.py; every one of those cells goes through `safe_cell` here
(storage never imports ogiaudit, so the guard lives where every writer can use it).
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("table", "json", "csv", "xlsx")

# the columns a table shows (the other formats give every field)
TABLE_COLUMNS = {
    "reports": ["portal", "body", "body_kind", "year", "published", "published_source", "deadline", "errors",
                "warnings", "url"],
    "findings": ["id", "body", "year", "rule", "severity", "location", "message", "status"],
    "missing": ["portal", "body", "body_kind", "year", "deadline", "reason"],
    "body": ["year", "body", "published", "deadline", "on_time", "errors", "warnings", "rules", "carry_over",
             "last_year_carried_forward"],
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell (CSV or XLSX): crawled text that a spreadsheet would run as a formula
    (it starts with = + - @, a tab or a carriage return) is kept as text, with a leading apostrophe.  Every
    export uses this: `query --format csv|xlsx`, the digest attachments and the review desk's lists."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def append_safe(ws, values: list) -> None:
    """Append a row to an openpyxl sheet: values through safe_cell, and no cell ever stored as a formula."""
    ws.append([safe_cell(v) for v in values])
    for c in ws[ws.max_row]:
        if c.data_type == "f":
            c.data_type = "s"


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"输出格式应为 {'/'.join(FORMATS)}，而不是 {fmt!r}")


def write(rows: list[dict], fmt: str = "json", output: str | Path | None = None, *, kind: str | None = None,
          title: str | None = None, stream: TextIO | None = None) -> None:
    """Write rows as JSON Lines (the other formats: ogiaudit.exports.write).  Raises ValueError (Chinese) on a bad
    format."""
    check_format(fmt)
    if fmt != "json":
        raise ValueError(f"--format {fmt} 由 ogiaudit.exports 写出")
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            write_json(rows, fh)
    else:
        write_json(rows, stream or sys.stdout)


def write_json(rows: list[dict], fh: TextIO) -> None:
    for row in rows:
        fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def to_json(rows: list[dict]) -> str:
    buf = io.StringIO()
    write_json(rows, buf)
    return buf.getvalue()
