"""`ogiaudit digest`: build and send the digests (supervisors: findings of their bodies; operator: operations)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from ogiaudit.commands import options


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"ogiaudit: --as-of 日期应为 YYYY-MM-DD，而不是 {value!r}", err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    @app.command("digest", help="生成并发送摘要（邮件，或钉钉、企业微信、飞书群机器人）：给各门户的监督人（不合规机构），"
                                "给运维人员（抓取和读取问题）。")
    def digest(
        dry_run: bool = typer.Option(False, "--dry-run", help="不发送，也不记录为已发送"),
        outbox: Path | None = typer.Option(None, "--outbox", help="与 --dry-run 一起：把邮件写成 .eml 文件到此目录"),
        as_of: options.AsOf = None,
        database: options.Database = None,
        portals: options.Portals = None,
        config: options.Config = None,
    ) -> None:
        from ogiaudit.digest.deliver import STATUS_CN, run_digests
        from ogiaudit.settings import load_settings

        day = _as_of(as_of)
        if outbox is not None:
            dry_run = True
        from storage.db import require_existing

        settings = load_settings(config, database_url=database, portals=portals or None)
        require_existing(settings.database_url)
        outcomes = run_digests(settings, as_of=day, dry_run=dry_run, outbox=outbox)
        if not outcomes:
            typer.echo("没有需要发送的摘要（门户配置中没有监督人地址，也没有设置运维地址）。")
        kinds = {"supervisor": "监督人", "operator": "运维"}
        for o in outcomes:
            line = f"{kinds.get(o.kind, o.kind)} {o.recipient}：{STATUS_CN.get(o.status, o.status)}"
            if o.status in ("sent", "written", "failed", "dry-run"):
                line += f"；{o.subject}"
            if o.error:
                line += f"；错误：{o.error}"
            typer.echo(line)
        sent = sum(o.status == "sent" for o in outcomes)
        failed = sum(o.status == "failed" for o in outcomes)
        written = sum(o.status == "written" for o in outcomes)
        typer.echo(f"合计：发送 {sent} 封，失败 {failed} 封" + (f"，写入发件箱 {written} 封" if dry_run else "") + "。")
        if failed:
            raise typer.Exit(1)
