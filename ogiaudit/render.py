"""Readable Chinese output for people at a terminal (rich).  Crawled text is escaped: it is never markup."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from auditor.audit import AuditResult
from auditor.dates import cn_date
from auditor.labels import BODY_KINDS, PUBLISHED_SOURCES
from ogiaudit.vocabulary import SEVERITIES, header

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
SEVERITY_CN = {k: f"[{_COLOURS[k]}]{word}[/]" for k, word in SEVERITIES.items()}
_console = Console(highlight=False, soft_wrap=False)


def _loc(f) -> str:
    if not f.location:
        return ""
    parts = []
    if f.location.table:
        parts.append(f"表{f.location.table}")
    if f.location.row:
        parts.append(f"行“{f.location.row}”")
    if f.location.column:
        parts.append(f"列“{f.location.column}”")
    return " ".join(parts)


def print_result(result: AuditResult, console: Console | None = None) -> None:
    console = console or _console
    c = result.counts()
    kind = BODY_KINDS.get(result.body_kind, "类型未知")
    published = (f"{cn_date(result.published)}（{PUBLISHED_SOURCES.get(result.published_source, '')}）"
                 if result.published else "未知")
    deadline = cn_date(result.deadline) if result.deadline else "未知"
    era = f" · {result.report.era.name}" if result.report.era else ""
    console.print(f"\n[bold]{escape(result.body or '机构未知')}[/] {result.year or '年度未知'}年度{era} · {kind} · "
                  f"发布 {published} · 期限 {deadline}  [dim]{escape(result.source)}[/]")
    if not result.findings:
        console.print("  [green]未发现问题[/]")
        return
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
    for name in (header("severity"), header("rule"), header("section"), header("location"), header("message")):
        table.add_column(name, overflow="fold")
    for f in result.findings:
        note = escape(f.message) + (" [dim]（需人工复核）[/]" if f.uncertain else "")
        table.add_row(SEVERITY_CN[f.severity], f.rule, f.section or "", escape(_loc(f)), note)
    console.print(table)
    console.print(f"  合计：错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}")
