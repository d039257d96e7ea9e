"""`ogiaudit query reports|findings|missing|compliance|body|trend`: reads the audit database (INTERFACE.md)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer

from ogiaudit.commands import options
from ogiaudit.settings import ONE_LINE_ERRORS

FORMAT_HELP = "输出格式：table（默认，表格）、json（JSON Lines）、csv、xlsx（须同时给 --output）"


def fail(message: str) -> None:
    typer.echo(f"ogiaudit: {message}", err=True)
    raise typer.Exit(2)


def parse_date(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 应为 YYYY-MM-DD，而不是 {value!r}")


@contextmanager
def opened(database: str | None, config: Path | None = None, *, readonly: bool = True):
    """(settings, session) for a command; any database or configuration problem -> one Chinese line, exit 2."""
    from ogiaudit.settings import load_settings
    from storage.db import require_existing, session
    try:
        settings = load_settings(config, database_url=database)
        require_existing(settings.database_url)
        with session(settings.database_url, readonly=readonly) as s:
            yield settings, s
            _NAMES.clear()
            _NAMES.update(portal_names(s))
    except ONE_LINE_ERRORS as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    except Exception as exc:  # a driver error that slipped through: still one line
        from sqlalchemy.exc import SQLAlchemyError
        if isinstance(exc, SQLAlchemyError):
            fail(f"数据库错误：{str(getattr(exc, 'orig', exc)).splitlines()[0]}")
        raise


_NAMES: dict[str, str] = {}   # portal id -> name, read with the rows: people see names, scripts (JSON) ids


def portal_names(s) -> dict[str, str]:
    from sqlmodel import select

    from storage.models import Portal
    return {pid: name for pid, name in s.exec(select(Portal.id, Portal.name)).all()}


def emit(rows: list[dict], fmt: str, output: Path | None, kind: str, title: str) -> None:
    from ogiaudit.exports import write
    try:
        write(rows, fmt, output, kind=kind, title=title, names=dict(_NAMES))
    except ValueError as exc:
        fail(str(exc))
    except BrokenPipeError:
        raise                     # `ogiaudit query … | head`: main() ends quietly (141)
    except OSError as exc:
        from ogiaudit.cli import os_reason
        fail(f"无法写入 {output or '标准输出'}：{os_reason(exc)}")
    if output:
        typer.echo(f"已写入 {output}（{len(rows)} 行）", err=True)


def _check_format(fmt: str, output: Path | None) -> None:
    from storage.export import FORMATS
    if fmt not in FORMATS:
        fail(f"--format 应为 {'/'.join(FORMATS)}，而不是 {fmt!r}")
    if fmt == "xlsx" and not output:
        fail("--format xlsx 需要 --output 文件名")


def register(app: typer.Typer) -> None:
    q = typer.Typer(help="查询审核数据库：报告、问题、未发布机构、合规统计、单个机构历年情况、趋势。",
                    no_args_is_help=True)
    app.add_typer(q, name="query")

    Format = typer.Option("table", "--format", "-f", help=FORMAT_HELP)
    Output = typer.Option(None, "--output", "-o", help="写入文件（xlsx 必需）")

    @q.command("reports", help="每份报告一行：门户、机构、年度、地址、发布日期、期限、错误/警告数。")
    def reports_cmd(year: int | None = typer.Option(None, "--year", help="报告年度"), portal: str | None = typer.Option(None, "--portal", help="门户 id"),
                    body: str | None = typer.Option(None, "--body", help="机构名称（全称或其中一段）"), fmt: str = Format,
                    output: Path | None = Output, database: options.Database = None,
                    config: options.Config = None) -> None:
        _check_format(fmt, output)
        from storage import queries
        with opened(database, config) as (_, s):
            rows = queries.reports(s, year=year, portal=portal, body=body)
        emit(rows, fmt, output, "reports", "报告")

    @q.command("findings", help="每个问题一行（含编号，可用于 ogiaudit waive）。")
    def findings_cmd(year: int | None = typer.Option(None, "--year", help="报告年度"),
                     portal: str | None = typer.Option(None, "--portal", help="门户 id"),
                     body: str | None = typer.Option(None, "--body", help="机构名称（全称或其中一段）"),
                     rule: list[str] | None = typer.Option(None, "--rule", help="规则编号或前缀，如 T3-BAL、T3"),
                     severity: str | None = typer.Option(None, "--severity", help="error|warning|info"),
                     status: str | None = typer.Option(None, "--status", help="open|resolved|waived"),
                     fmt: str = Format, output: Path | None = Output, database: options.Database = None,
                     config: options.Config = None) -> None:
        _check_format(fmt, output)
        if severity and severity not in ("error", "warning", "info"):
            fail(f"--severity 应为 error/warning/info，而不是 {severity!r}")
        if status and status not in ("open", "resolved", "waived"):
            fail(f"--status 应为 open/resolved/waived，而不是 {status!r}")
        from storage import queries
        with opened(database, config) as (_, s):
            rows = queries.findings(s, year=year, portal=portal, body=body, rule=rule or None, severity=severity,
                                    status=status)
        emit(rows, fmt, output, "findings", "问题")

    @q.command("missing", help="期限已过仍无该年度报告的应发布机构（与 run 判定 PUB-MISSING 的条件相同：门户抓取成功且完整）。")
    def missing_cmd(year: int = typer.Option(..., "--year", help="报告年度"),
                    portal: str | None = typer.Option(None, "--portal", help="门户 id"),
                    as_of: options.AsOf = None,
                    undecided: bool = typer.Option(False, "--undecided",
                                                   help="列出暂不判定的机构及原因（门户抓取失败或不完整等）"),
                    fmt: str = Format, output: Path | None = Output, database: options.Database = None,
                    config: options.Config = None) -> None:
        _check_format(fmt, output)
        day = parse_date(as_of) or date.today()
        from storage import queries
        with opened(database, config) as (settings, s):
            missing, pending = queries.missing_decision(s, year, day, settings, portal=portal)
        rows = pending if undecided else missing
        for r in rows:
            r.pop("body_id", None)
        emit(rows, fmt, output, "missing", f"{year}年度{'暂不判定' if undecided else '未发布'}")
        if pending and not undecided:
            typer.echo(f"另有 {len(pending)} 个机构暂不判定（门户抓取失败、不完整或有未读文件），"
                       "用 --undecided 查看", err=True)

    @q.command("compliance", help="按地区/门户/机构类型和年度统计：应发布、已发布、按时发布、无错误。")
    def compliance_cmd(by: str = typer.Option("region", "--by", help="region|portal|body_kind"),
                       year: int | None = typer.Option(None, "--year", help="报告年度"),
                       level: str | None = typer.Option(None, "--level", help="按地区时的层级：province|city|county"),
                       as_of: options.AsOf = None,
                       fmt: str = Format, output: Path | None = Output, database: options.Database = None,
                       config: options.Config = None) -> None:
        _check_format(fmt, output)
        if by not in ("region", "portal", "body_kind"):
            fail(f"--by 应为 region/portal/body_kind，而不是 {by!r}")
        if level and level not in ("province", "city", "county"):
            fail(f"--level 应为 province/city/county，而不是 {level!r}")
        day = parse_date(as_of) or date.today()
        from storage import queries
        with opened(database, config) as (settings, s):
            rows = queries.compliance(s, by=by, year=year, as_of=day, settings=settings, level=level)
        emit(rows, fmt, output, "compliance", "合规统计")

    @q.command("body", help="一个机构历年的报告：发布、期限、问题、上年结转对照。")
    def body_cmd(name: str = typer.Argument(..., help="机构名称（全称或其中一段）"),
                 portal: str | None = typer.Option(None, "--portal", help="门户 id"),
                 fmt: str = Format, output: Path | None = Output, database: options.Database = None,
                 config: options.Config = None) -> None:
        _check_format(fmt, output)
        from storage import queries
        with opened(database, config) as (_, s):
            rows = queries.body_history(s, name, portal=portal)
        if not rows and fmt == "table":
            fail(f"数据库中没有机构“{name}”的报告")
        emit(rows, fmt, output, "body", name)

    @q.command("trend", help="按年度和地区：按时发布率、六部分完整率、数据一致率、最常见的问题。")
    def trend_cmd(by: str = typer.Option("region", "--by", help="region|portal|body_kind"),
                  year: int | None = typer.Option(None, "--year", help="报告年度"),
                  level: str = typer.Option("province", "--level",
                                            help="按地区时的层级：province（默认）|city|county"),
                  fmt: str = Format, output: Path | None = Output, database: options.Database = None,
                  config: options.Config = None) -> None:
        _check_format(fmt, output)
        if by not in ("region", "portal", "body_kind"):
            fail(f"--by 应为 region/portal/body_kind，而不是 {by!r}")
        if level not in ("province", "city", "county"):
            fail(f"--level 应为 province/city/county，而不是 {level!r}")
        from storage import queries
        with opened(database, config) as (_, s):
            rows = queries.trend(s, by=by, year=year, level=level)
        emit(rows, fmt, output, "trend", "趋势")
