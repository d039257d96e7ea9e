"""`ogiaudit db upgrade|current`: the database schema (Alembic migrations; also applied automatically on first use)."""
from __future__ import annotations

import typer

from ogiaudit.commands import options
from ogiaudit.settings import ONE_LINE_ERRORS


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="数据库结构：升级到最新版本、查看当前版本。", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade", help="把数据库升级到最新结构（首次使用时也会自动升级）。")
    def upgrade(database: options.Database = None,
                config: options.Config = None) -> None:
        from ogiaudit.settings import load_settings
        from storage.db import describe
        from storage.db import upgrade as do_upgrade
        try:
            settings = load_settings(config, database_url=database)
            rev = do_upgrade(settings.database_url)
        except ONE_LINE_ERRORS as exc:
            typer.echo(f"ogiaudit: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"数据库 {describe(settings.database_url)} 已是最新结构（版本 {rev}）")

    @db.command("current", help="显示数据库当前的结构版本和各表行数。")
    def current(database: options.Database = None,
                config: options.Config = None) -> None:
        from ogiaudit.settings import load_settings
        from storage import repository
        from storage.db import connect, current_revision, describe, head_revision, require_existing, session
        try:
            settings = load_settings(config, database_url=database)
            require_existing(settings.database_url)
            engine = connect(settings.database_url)
            rev = current_revision(engine)
            with session(engine, readonly=True) as s:
                counts = repository.counts(s)
        except ONE_LINE_ERRORS as exc:
            typer.echo(f"ogiaudit: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"数据库 {describe(settings.database_url)}：结构版本 {rev}（最新 {head_revision()}）")
        for table, n in counts.items():
            typer.echo(f"  {table}: {n}")
