"""The findings of a digest as XLSX and CSV (UTF-8 with BOM, so Excel opens it), one row per finding, in the words
of the vocabulary and through the same writer as the query exports (filters, dates, numbers, links)."""
from __future__ import annotations

from typing import Any

from ogiaudit import exports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = ("digest_status", "portal", "body", "year", "rule", "severity", "section", "table", "row", "column",
          "expected", "observed", "message", "evidence", "url", "first_seen", "resolved_at")


def rows(digest) -> list[dict[str, Any]]:
    out = []
    for f in digest.all_findings:
        loc = f.location or {}
        out.append(dict(zip(FIELDS, (
            f.category, f.portal, f.body, f.year, f.rule, f.severity, f.section, loc.get("table"), loc.get("row"),
            loc.get("column"), f.expected, f.observed, f.message, f.evidence, f.url, f.first_seen, f.resolved_at),
            strict=True)))
    return out


def to_csv(digest) -> bytes:
    return exports.csv_bytes(rows(digest), kind="digest", names=getattr(digest, "portal_names", None))


def to_xlsx(digest) -> bytes:
    return exports.xlsx_bytes(rows(digest), kind="digest", title="问题清单", names=getattr(digest, "portal_names", None))


def attachments(digest) -> list[tuple[str, str, bytes]]:
    """(filename, MIME type, bytes); none for the operations digest."""
    if digest.kind != "supervisor":
        return []
    stem = f"ogiaudit-findings-{digest.as_of.isoformat()}"
    return [(f"{stem}.xlsx", XLSX_TYPE, to_xlsx(digest)), (f"{stem}.csv", "text/csv", to_csv(digest))]
