"""`ogiaudit status [--format json]`: the queue (to do, running, failed and retried jobs per kind and per portal) and
the national progress of the current report year."""
from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ogiaudit import vocabulary as words
from ogiaudit.commands import options
from ogiaudit.commands.crawl import fail
from ogiaudit.commands.run import parse_as_of
from ogiaudit.settings import ONE_LINE_ERRORS


def register(app: typer.Typer) -> None:
    @app.command("status", help="队列与进度：各类任务的待办、执行中、失败、重试数（按类型、按门户），以及本年度全国进度")
    def status_command(
        database: options.Database = None,
        config: options.Config = None,
        as_of: options.AsOf = None,
        fmt: Annotated[str, typer.Option("--format", help="输出格式：table 或 json")] = "table",
    ) -> None:
        from ogiaudit.settings import load_settings
        from ogiaudit.status import gather

        if fmt not in ("table", "json"):
            fail(f"--format 只能是 table 或 json，而不是 {fmt!r}")
        day = parse_as_of(as_of)
        try:
            settings = load_settings(config, database_url=database)
            status = gather(settings, day)
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        if fmt == "json":
            typer.echo(json.dumps(status, ensure_ascii=False, indent=2))
        else:
            show(status, day)


def show(status: dict, day: date) -> None:
    console = Console(highlight=False)
    jobs = Table(title="队列任务", header_style="bold")
    for name in ("任务", "待办", "执行中", "完成", "失败", "重试过"):
        jobs.add_column(name, justify="left" if name == "任务" else "right")
    for kind, row in status["jobs"].items():
        jobs.add_row(words.JOB_KINDS.get(kind, kind), *(str(row.get(k, 0)) for k in
                                                        ("todo", "doing", "succeeded", "failed", "retried")))
    console.print(jobs if status["jobs"] else "队列为空（或数据库不是 PostgreSQL：单机运行不使用队列）。")
    if status["portals"]:
        busy = Table(title="按门户（未完成、失败或重试过的任务）", header_style="bold")
        for name in ("门户", "任务", "待办", "执行中", "失败", "重试过"):
            busy.add_column(name, justify="left" if name in ("门户", "任务") else "right", overflow="fold")
        for row in status["portals"][:50]:
            busy.add_row(escape(row["portal"] or ""), words.JOB_KINDS.get(row["task"], row["task"]),
                         *(str(row.get(k, 0)) for k in ("todo", "doing", "failed", "retried")))
        console.print(busy)
        if len(status["portals"]) > 50:
            console.print(f"……另有 {len(status['portals']) - 50} 行（--format json 可看全部）")
    for f in status["failures"][:20]:
        console.print(f"[red]失败（重试用尽）：[/]{words.JOB_KINDS.get(f['task'], f['task'])} "
                      f"{escape(str(f['portal'] or ''))}：{escape(f['error'])}（{f['attempts']} 次）")
    p = status["progress"]
    console.print(f"{p['year']} 年度全国进度（截至 {words.cn_date(day)}）：门户 {p['portals']} 个，已完整抓取 "
                  f"{p['portals_crawled']} 个；应发布机构 {p['expected']} 个，已发布 {p['published']} 个"
                  f"（{p['percent']:.1f}%），已审核报告 {p['reports']} 份。")
