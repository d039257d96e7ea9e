"""`ogiaudit crawl [--portals PATH] [--portal ID]`: crawl the portals, archive and record what was fetched."""
from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ogiaudit.commands import options
from ogiaudit.settings import ONE_LINE_ERRORS, ConfigError

FULL = {"OGIAUDIT_RECHECK_DAYS": 0}


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"ogiaudit: {message}", err=True)
    raise typer.Exit(code)


def select_portals(settings, portals: list[str] | None, ids: list[str] | None):
    """The configured portals (from --portals files or the settings' globs), limited to --portal ids."""
    from ogiaudit.portals import load_portals

    found = load_portals(portals or settings.portals)
    if ids:
        known = {p.id for p in found}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ConfigError(f"没有这个门户：{'、'.join(unknown)}（已配置：{'、'.join(sorted(known)) or '无'}）")
        found = [p for p in found if p.id in ids]
    if not found:
        raise ConfigError("没有配置任何门户（config/portals/*.toml，或用 --portals 指定）")
    return found


def print_crawl_summary(summary, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    if summary.error:
        console.print(f"[red]抓取失败：{escape(summary.error)}[/]")
        if not summary.portals:
            return
    table = Table(title="抓取结果", show_header=True, header_style="bold")
    for name in ("门户", "页面", "年报条目", "存档文件", "状态", "问题"):
        table.add_column(name, overflow="fold")
    for p in summary.portals:
        if p.ok and p.complete:
            state = "[green]完整[/]"
        elif p.complete:
            state = "[yellow]有失败的抓取[/]"
        else:
            state = "[red]不完整[/]"
        problems = "；".join(escape(e) for e in p.errors[:3]) + (f" 等 {len(p.errors)} 项" if len(p.errors) > 3 else "")
        table.add_row(f"{escape(p.name)}（{p.portal_id}）", str(p.pages), str(p.reports), str(p.documents), state,
                      problems)
    console.print(table)
    new = [(p.portal_id, name, kind) for p in summary.portals for name, kind in p.new_bodies]
    if new:
        from auditor.labels import BODY_KINDS
        console.print("发现未配置的机构（已加入数据库，未列入应发布名单）：" +
                      "；".join(f"{escape(n)}（{BODY_KINDS.get(k, k)}，{pid}）" for pid, n, k in new))
    changed = [u for p in summary.portals for u in p.changed]
    if changed:
        console.print(f"[yellow]发布后被修改（PUB-CHANGED）：{len(changed)} 份[/] " + "；".join(escape(u) for u in changed))
    skipped = sum(p.known_skipped for p in summary.portals)
    if skipped:
        console.print(f"已知且未变化、本次未重新获取的条目：{skipped} 条（--full 可全部重新检查）")
    console.print(f"共请求 {summary.requests} 次，接收 {summary.bytes / 1024:.0f} KB，"
                  f"未变化（304/缓存）{summary.cached} 次，用时 {summary.seconds:.1f} 秒")


def run_crawl(settings, portals, *, progress: bool = True, overrides: dict | None = None):
    """The crawl in a child process, after checking here that the database opens (a wrong URL is one line)."""
    from ogiaudit.crawljob import crawl
    from storage import db

    db.connect(settings.database_url)   # raises DatabaseError (a ConfigError): one Chinese line
    return crawl(settings, portals, progress=progress, overrides=overrides)


def register(app: typer.Typer) -> None:
    @app.command("crawl", help="抓取门户：找到年报栏目、每份年报及附件和门户发布日期，存档并记入数据库")
    def crawl_command(
        portals: options.Portals = None,
        portal: options.PortalIds = None,
        database: options.Database = None,
        archive: options.Archive = None,
        config: options.Config = None,
        no_progress: options.NoProgress = False,
        full: options.Full = False,
    ) -> None:
        from ogiaudit.settings import load_settings

        try:
            settings = load_settings(config, database_url=database, archive_dir=archive)
            selected = select_portals(settings, portals, portal)
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        try:
            summary = run_crawl(settings, selected, progress=not no_progress and sys.stderr.isatty(),
                                overrides=FULL if full else None)
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        print_crawl_summary(summary)
        if summary.error:
            raise typer.Exit(1)
