"""`ogiaudit worker [--database postgresql://…] [--concurrency N] [--until-idle]`: run the queue's jobs (crawl a
portal, audit a document, settle a portal) until stopped.  Any number of workers, on any machines that share the
PostgreSQL database and the archive directory."""
from __future__ import annotations

from typing import Annotated

import typer

from ogiaudit.commands import options
from ogiaudit.commands.crawl import fail
from ogiaudit.settings import ONE_LINE_ERRORS


def register(app: typer.Typer) -> None:
    @app.command("worker", help="分布式工作进程：执行队列中的抓取、审核、判定任务，直到停止（SIGTERM 时完成或交还当前任务）")
    def worker_command(
        database: options.Database = None,
        archive: options.Archive = None,
        config: options.Config = None,
        concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64,
                                                 help="同时执行的任务数（审核占用 CPU：每个 CPU 核心一个工作进程更好）")] = 1,
        until_idle: Annotated[bool, typer.Option("--until-idle", help="队列中没有待办或执行中的任务时退出")] = False,
        stalled_after: Annotated[float, typer.Option("--stalled-after", min=2.0,
                                                     help="工作进程失联多少秒后，其任务交还队列（默认 60）")] = 60.0,
        grace: Annotated[float, typer.Option("--grace", min=0.0,
                                             help="停止时等待当前任务完成的秒数，之后抓取任务交还队列（默认 20）")] = 20.0,
    ) -> None:
        from ogiaudit.jobs import conninfo
        from ogiaudit.settings import load_settings
        from ogiaudit.worker import WorkerOptions, run
        from storage import db

        try:
            settings = load_settings(config, database_url=database, archive_dir=archive)
            conninfo(settings.database_url)     # PostgreSQL only: one line otherwise
            db.connect(settings.database_url)   # migrated (the queue's tables included) before the first job
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        typer.echo(f"ogiaudit worker：已连接 {db.describe(settings.database_url)}，并发 {concurrency}", err=True)
        run(settings, WorkerOptions(concurrency=concurrency, until_idle=until_idle, stalled_after=stalled_after,
                                    grace=grace))
        typer.echo("ogiaudit worker：已停止", err=True)
