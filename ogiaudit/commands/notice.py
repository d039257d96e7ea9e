"""`ogiaudit notice [--year YYYY] [--body NAME] --output DIR`: 整改通知书, one .docx per body with errors to correct."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from ogiaudit.commands import options


def register(app: typer.Typer) -> None:
    @app.command("notice", help="为每个有确认错误（或确定错误）的机构生成整改通知书（Word 文档，模板在 config/ 中可编辑）。")
    def notice(
        output: Path = typer.Option(..., "--output", "-o", help="写入的目录（每个机构一个 .docx）"),
        year: int | None = typer.Option(None, "--year", help="只含该年度报告的问题"),
        body: str | None = typer.Option(None, "--body", help="只为这个机构（全称或其中一段）"),
        issued: str | None = typer.Option(None, "--date", help="落款日期 YYYY-MM-DD（默认今天；整改期限从此日算起）"),
        database: options.Database = None,
        config: options.Config = None,
    ) -> None:
        from ogiaudit.commands.query import opened, parse_date
        from ogiaudit.notice import TEMPLATE, write_notices

        day = parse_date(issued, "--date") or date.today()
        with opened(database, config) as (settings, s):
            template = Path(settings.notice.template) if settings.notice.template else TEMPLATE
            if not template.is_file():
                typer.echo(f"ogiaudit: 找不到整改通知书模板 {template}", err=True)
                raise typer.Exit(2)
            try:
                written = write_notices(s, output, office=settings.notice.office, issued=day, year=year, body=body,
                                        deadline_days=settings.notice.deadline_days, template=template)
            except OSError as exc:
                typer.echo(f"ogiaudit: 无法写入 {output}：{exc.strerror or exc}", err=True)
                raise typer.Exit(2) from None
        for path in written:
            typer.echo(str(path))
        if not written:
            typer.echo("没有需要整改的机构（没有确认的或确定的错误）。", err=True)
