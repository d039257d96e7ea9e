"""`ogiaudit schedule`: the scheduler in the foreground (for systemd): the main job and the digest."""
from __future__ import annotations

import logging

import typer

from ogiaudit.commands import options


def register(app: typer.Typer) -> None:
    @app.command("schedule", help="在前台运行调度器（适合 systemd）：抓取审核（年报季每天，其余每周）和每周摘要。")
    def schedule(
        database: options.Database = None,
        portals: options.Portals = None,
        config: options.Config = None,
        list_only: bool = typer.Option(False, "--list", help="只同步并列出任务及下次运行时间，然后退出"),
    ) -> None:
        from ogiaudit import schedule as sched
        from ogiaudit.settings import load_settings

        settings = load_settings(config, database_url=database, portals=portals or None)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        if list_only:
            scheduler = sched.make_scheduler(settings)
            scheduler.start(paused=True)
            try:
                sched.sync_jobs(scheduler, sched.job_specs(settings, portals=portals or None, config=config))
                for line in sched.describe_jobs(scheduler):
                    typer.echo(line)
            finally:
                scheduler.shutdown(wait=False)
            return
        sched.serve(settings, portals=portals or None, config=config, echo=typer.echo)
