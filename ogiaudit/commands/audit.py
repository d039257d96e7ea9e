"""`ogiaudit audit PATH_OR_URL...` (RULES.md: output contract)."""
from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum

import typer

from auditor.audit import AuditContext, AuditResult, audit_bytes
from auditor.extract import failure_line
from auditor.findings import severity_rank
from auditor.rules import selected_rules, unknown_ids
from ogiaudit.commands import options
from ogiaudit.settings import load_settings


class Format(StrEnum):
    table = "table"
    json = "json"


class Kind(StrEnum):
    department = "department"
    government = "government"
    township = "township"


class Severity(StrEnum):
    error = "error"
    warning = "warning"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} 应为 YYYY-MM-DD，而不是 {value!r}") from None


def _month_day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        month, day = (int(x) for x in value.split("-"))
        date(2024, month, day)
    except ValueError:
        raise typer.BadParameter(f"{option} 应为 MM-DD（例如 01-31），而不是 {value!r}") from None
    return f"{month:02d}-{day:02d}"


def _ids(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def register(app: typer.Typer) -> None:
    @app.command("audit", help="审核年度报告（文件或网址），按 RULES.md 输出审核结果。")
    def audit(
        inputs: list[str] = typer.Argument(None, metavar="PATH_OR_URL...", help="报告文件（txt/md/html/pdf/docx/doc/wps/图片）或网址"),
        format: Format | None = typer.Option(None, "--format", help="table（终端默认）或 json（每个输入一行 JSON）"),
        published: str | None = typer.Option(None, "--published", help="已知的发布日期 YYYY-MM-DD"),
        body_kind: Kind | None = typer.Option(None, "--body-kind", help="机构类型；默认按名称推断"),
        year: int | None = typer.Option(None, "--year", help="报告年度；默认取标题中的年份"),
        deadline: str | None = typer.Option(None, "--deadline", help="发布期限 YYYY-MM-DD；默认按机构类型"),
        select: str | None = typer.Option(None, "--select", help="只运行这些规则（逗号分隔，可用前缀，如 T3）"),
        ignore: str | None = typer.Option(None, "--ignore", help="不运行这些规则（逗号分隔，可用前缀）"),
        fail_on: Severity | None = typer.Option(None, "--fail-on", help="存在该级别或更高级别的问题时退出码为 1"),
        save: bool = typer.Option(False, "--save", help="同时把结果存入审核数据库"),
        pending: bool = typer.Option(False, "--pending", help="审核存档中尚未用当前规则审核的文件"),
        all_: bool = typer.Option(False, "--all", help="用当前规则重新审核存档中的全部文件"),
        database: options.Database = None,
        township_deadline: str | None = typer.Option(None, "--township-deadline", help="乡镇报告期限 MM-DD（默认 01-31）"),
        config: options.Config = None,
        ocr_engine: str | None = typer.Option(None, "--ocr-engine", metavar="NAME",
                                                 help="图片版报告的 OCR 引擎：tesseract（默认）或 rapidocr"),
    ) -> None:
        from auditor.extract import ocr_engines
        from ogiaudit.cli import fail
        settings = load_settings(config, database_url=database)
        try:
            ocr_engines.use(ocr_engine)
        except ValueError as exc:
            fail(f"--ocr-engine：{exc}")
        bad = unknown_ids(_ids(select) + _ids(ignore))
        if bad:
            fail(f"未知的规则：{', '.join(bad)}（ogiaudit rules 列出全部规则）")
        rules = selected_rules(_ids(select), _ids(ignore))
        fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
        if pending or all_:
            from ogiaudit import pipeline
            from storage.db import require_existing
            require_existing(settings.database_url)
            results = pipeline.audit_pending(settings, all=all_, progress=sys.stderr.isatty(), rules=rules)
            _print(results, fmt)
            raise typer.Exit(_exit_code(results, fail_on, False))
        if not inputs:
            fail("请给出要审核的文件或网址（或 --pending / --all）")
        base = AuditContext(published=_date(published, "--published"), published_source="given" if published else None,
                            body_kind=body_kind.value if body_kind else None, year=year,
                            deadline=_date(deadline, "--deadline"),
                            township_deadline=_month_day(township_deadline, "--township-deadline")
                            or settings.deadlines.township,
                            department_deadline=settings.deadlines.department,
                            government_deadline=settings.deadlines.government)
        # with --save, print after storing: saving adds the cross-year findings (X-CARRY, X-REUSE) from history
        results, contexts, unreadable = _audit_all(inputs, base, rules, fmt, stream=not save)
        if save and results:
            _save(settings, results, contexts, fmt)
        raise typer.Exit(_exit_code(results, fail_on, unreadable))


def _save(settings, results, contexts, fmt) -> None:
    """Store the results, then print them.  When storing fails the results are still printed (nothing is lost),
    and one line says they were not saved: exit 2."""
    from ogiaudit import pipeline
    from ogiaudit.cli import error_line, fail
    from ogiaudit.settings import ONE_LINE_ERRORS

    try:
        pipeline.save_results(settings, results, contexts)
    except Exception as exc:  # noqa: BLE001 - a database that is down, full or locked: said, not lost
        _print(results, fmt)
        reason = str(exc) if isinstance(exc, ONE_LINE_ERRORS) else error_line(exc)
        fail(f"审核结果未能保存到数据库（{reason}）；以上结果仍然有效，可修复后用 --save 重新保存")
    _print(results, fmt)


def _audit_all(inputs, base: AuditContext, rules, fmt, stream: bool = True):
    from dataclasses import replace

    from ogiaudit.fetch import read_input
    results, contexts, unreadable = [], [], False
    for source in _progress(inputs):
        context = replace(base, source=source)
        try:
            data, known = read_input(source)
            context.url_date = known.get("url_date")
            result = audit_bytes(data, context, rules)
        except Exception as exc:  # noqa: BLE001 - one input that cannot be read or audited: one line, go on
            unreadable = True
            line = failure_line(exc)
            typer.echo(f"ogiaudit: {source}: {line}", err=True)
            if fmt is Format.json:
                print(json.dumps({"source": source, "error": line, "findings": []}, ensure_ascii=False), flush=True)
            continue
        results.append(result)
        contexts.append(context)
        if stream:
            _print([result], fmt)
    return results, contexts, unreadable


def _progress(inputs: list[str]):
    """A progress bar on stderr for long runs at a terminal; plain iteration otherwise."""
    if len(inputs) < 5 or not sys.stderr.isatty():
        yield from inputs
        return
    from rich.console import Console
    from rich.progress import Progress
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("审核中", total=len(inputs))
        for source in inputs:
            yield source
            progress.advance(task)


def _exit_code(results: list[AuditResult], fail_on: Severity | None, unreadable: bool) -> int:
    if unreadable:
        return 2
    if fail_on and any(severity_rank(f.severity) >= severity_rank(fail_on.value) for r in results for f in r.findings):
        return 1
    return 0


def _print(results: list[AuditResult], fmt: Format) -> None:
    if fmt is Format.json:
        for r in results:
            print(json.dumps(r.to_dict(), ensure_ascii=False), flush=True)
        return
    from ogiaudit.render import print_result
    for r in results:
        print_result(r)
