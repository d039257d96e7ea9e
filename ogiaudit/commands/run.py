"""`ogiaudit run [--portals PATH] [--as-of YYYY-MM-DD]`: the main job: crawl, audit the new documents, raise
PUB-MISSING for expected bodies without a report once their deadline has passed (only where the portal's crawl was
complete and clean), print a summary table."""
from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ogiaudit import pipeline
from ogiaudit.commands import options
from ogiaudit.commands.crawl import FULL, fail, print_crawl_summary, run_crawl, select_portals
from ogiaudit.portals import Portal
from ogiaudit.settings import ONE_LINE_ERRORS, Settings, load_settings
from ogiaudit.vocabulary import cn_date
from storage import db, jobqueue, queries, repository
from storage.missing import judge_missing


@dataclass
class RunOutcome:
    crawl: object
    audited: int = 0
    year: int = 0
    missing: list[dict] = field(default_factory=list)      # PUB-MISSING raised
    undecided: list[dict] = field(default_factory=list)    # not decided: the portal's crawl failed or was incomplete
    compliance: list[dict] = field(default_factory=list)


def raise_missing(settings: Settings, portals: Sequence[Portal], year: int,
                  as_of: date) -> tuple[list[dict], list[dict]]:
    """PUB-MISSING for the bodies of `portals` that the rule (auditor.rules.publication.Missing.decide) calls missing
    from the facts storage gathers (storage.missing.judge_missing: the same decision `query missing` shows); the
    undecided ones (crawl failed or incomplete, documents unread) are returned as such."""
    ids = {p.id: p for p in portals}
    raised = []
    with db.session(db.connect(settings.database_url)) as s:
        only = next(iter(ids)) if len(ids) == 1 else None   # one portal (a settling job): decide for it alone
        judged, undecided = judge_missing(s, year, as_of, settings, portal=only)
        undecided = [row for row in undecided if row["portal"] in ids]
        for row, finding in judged:
            portal = ids.get(row["portal"])
            if portal is None:
                continue
            repository.store_extra_finding(s, portal_id=portal.id, body=row["body"], year=year, finding=finding,
                                           url=None)
            raised.append(row)
    return raised, undecided


def main_job(settings, portals, as_of: date, *, progress: bool = True, overrides: dict | None = None,
             console: Console | None = None) -> RunOutcome:
    console = console or Console(highlight=False)
    summary = run_crawl(settings, portals, progress=progress, overrides=overrides)
    print_crawl_summary(summary, console)
    outcome = RunOutcome(crawl=summary, year=as_of.year - 1)
    if summary.error and not summary.portals:
        return outcome
    outcome.audited = len(pipeline.audit_pending(settings, progress=progress))
    outcome.missing, outcome.undecided = raise_missing(settings, portals, outcome.year, as_of)
    with db.session(db.connect(settings.database_url), readonly=True) as s:
        ids = {p.id for p in portals}
        outcome.compliance = [r for r in queries.compliance(s, by="portal", year=outcome.year, as_of=as_of,
                                                            settings=settings) if r.get("portal") in ids]
    print_run_summary(outcome, portals, as_of, console)
    return outcome


def print_run_summary(outcome: RunOutcome, portals, as_of: date, console: Console) -> None:
    names = {p.id: p.name for p in portals}
    console.print(f"审核文件 {outcome.audited} 份。")
    table = Table(title=f"{outcome.year} 年度报告合规情况（截至 {cn_date(as_of)}）", header_style="bold")
    for name in ("门户", "应发布", "已发布", "按时发布", "无错误", "逾期未发布"):
        table.add_column(name, justify="right" if name != "门户" else "left", overflow="fold")
    for r in outcome.compliance:
        table.add_row(escape(names.get(r["portal"], r["portal"] or "")), str(r["expected"]), str(r["published"]),
                      str(r["on_time"]), str(r["no_error"]), str(r["overdue"]))
    console.print(table)
    if outcome.missing:
        console.print("[red]未发布（PUB-MISSING）：[/]" + "；".join(
            f"{escape(m['body'])}（{escape(names.get(m['portal'], m['portal']))}，期限 {cn_date(m['deadline'])}）"
            for m in outcome.missing))
    if outcome.undecided:
        console.print("[yellow]暂不判定是否未发布（运维问题，不是合规问题）：[/]" + "；".join(
            f"{escape(m['body'])}（{escape(names.get(m['portal'], m['portal']))}：{m.get('reason', '')}）"
            for m in outcome.undecided))


def enqueue(settings, portals, as_of: date) -> dict[str, int]:
    """`run --queue`: the portals (and their expected bodies) recorded, one crawl job per portal and one audit job per
    archived document not yet audited with the current rules, all in one transaction; workers do the rest."""
    from ogiaudit.jobs import conninfo, portal_payload  # the queue only: procrastinate is loaded for it alone

    conninfo(settings.database_url)   # PostgreSQL only: one line otherwise
    engine = db.connect(settings.database_url)
    pending = pipeline.pending_documents(settings, with_portal=True)
    counts = {"portals": 0, "crawls": 0, "audits": 0}
    with db.session(engine) as s:
        for portal in portals:
            repository.upsert_portal(s, portal)   # and its configured bodies
            counts["portals"] += 1
            counts["crawls"] += jobqueue.defer_crawl(s, portal_payload(portal), as_of.isoformat())
        for doc_id, portal_id in pending:
            counts["audits"] += jobqueue.defer_audit(s, doc_id, portal_id)
    return counts


def parse_as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of 应为 YYYY-MM-DD，而不是 {value!r}")


def register(app: typer.Typer) -> None:
    @app.command("run", help="主任务：抓取 → 审核 → 期限已过仍未发布的机构记为 PUB-MISSING，并打印汇总表")
    def run_command(
        portals: options.Portals = None,
        portal: options.PortalIds = None,
        as_of: options.AsOf = None,
        database: options.Database = None,
        archive: options.Archive = None,
        config: options.Config = None,
        no_progress: options.NoProgress = False,
        full: options.Full = False,
        queue: Annotated[bool, typer.Option("--queue", help="只把每个门户的抓取任务和待审核文件的审核任务加入分布式队列"
                                                            "（PostgreSQL），由 ogiaudit worker 执行，然后返回")] = False,
    ) -> None:
        day = parse_as_of(as_of)
        try:
            settings = load_settings(config, database_url=database, archive_dir=archive, portals=portals or None)
            selected = select_portals(settings, portals, portal)
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        if queue:
            try:
                counts = enqueue(settings, selected, day)
            except ONE_LINE_ERRORS as exc:
                fail(str(exc))
            typer.echo(f"已加入队列：门户 {counts['portals']} 个，抓取任务 {counts['crawls']} 个，"
                       f"审核任务 {counts['audits']} 个（已在队列中的不重复加入）。用 ogiaudit worker 执行，"
                       f"ogiaudit status 查看进度。")
            return
        try:
            outcome = main_job(settings, selected, day, progress=not no_progress and sys.stderr.isatty(),
                               overrides=FULL if full else None)
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        if outcome.crawl.error:
            raise typer.Exit(1)
