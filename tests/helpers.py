"""Small helpers for tests: audit text, plant a defect in a copy of a real report, render a Document as HTML."""
from __future__ import annotations

import html
from pathlib import Path

from auditor.audit import AuditContext, AuditResult, audit_bytes, audit_document
from auditor.document import Document, Paragraph


def audit_text(text: str, **context) -> AuditResult:
    return audit_bytes(text.encode("utf-8"), AuditContext(**context))


def audit_file(path: Path, **context) -> AuditResult:
    return audit_bytes(path.read_bytes(), AuditContext(source=str(path), **context))


def plant(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old` (which must occur exactly `count` times) by `new`: a defect planted in a copy of a report."""
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def rules(result: AuditResult) -> set[str]:
    return {f.rule for f in result.findings}


def of(result: AuditResult, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def where(finding) -> tuple:
    loc = finding.location
    return (finding.section, loc.table if loc else None, loc.row if loc else None, loc.column if loc else None)


def signature(result: AuditResult) -> set[tuple]:
    """What a user compares between two renderings of one report: each finding's rule and the cell it points at."""
    return {(f.rule, *where(f)) for f in result.findings}


def to_html(document: Document, title: str | None = None, encoding: str = "utf-8") -> bytes:
    """A Document rendered as a CMS detail page (TRS_Editor container), for "the same report as HTML" tests."""
    parts = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            parts.append(f"<p>{html.escape(block.text)}</p>")
        else:
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            parts.append(f'<table border="1">{rows}</table>')
    charset = "gbk" if encoding.lower() in ("gbk", "gb18030") else "utf-8"
    page = (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{html.escape(title or "")}</title></head>'
            f'<body><div class="nav">首页 &gt; 政府信息公开年报</div><div class="TRS_Editor">{"".join(parts)}</div>'
            f'<div class="footer">主办单位：某某县人民政府办公室</div></body></html>')
    return page.encode(encoding, errors="replace")


def audit_html(page: bytes, **context) -> AuditResult:
    return audit_bytes(page, AuditContext(**context))


def audit_doc(document: Document, **context) -> AuditResult:
    return audit_document(document, AuditContext(**context))
