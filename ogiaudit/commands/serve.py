"""`ogiaudit serve`: browse and query the SQLite audit database in Datasette (Chinese labels, canned queries)."""
from __future__ import annotations


import typer

from ogiaudit.commands import options


def register(app: typer.Typer) -> None:
    @app.command("serve", help="在浏览器中浏览、查询审核数据库（Datasette；仅 SQLite）。")
    def serve(database: options.Database = None,
              host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机）"),
              port: int = typer.Option(8001, "--port", help="端口"),
              config: options.Config = None) -> None:
        from ogiaudit.commands.query import fail
        from ogiaudit.settings import ConfigError, load_settings
        from storage.datasette_app import make_datasette, sqlite_path
        from storage.db import connect, describe
        try:
            settings = load_settings(config, database_url=database)
            path = sqlite_path(settings.database_url)
            if path is None:
                fail(f"serve 只能打开 SQLite 数据库，而 {describe(settings.database_url)} 不是；"
                     "PostgreSQL 请用 ogiaudit query … --format csv/xlsx 导出，或用 pgweb、Metabase 等工具")
            connect(settings.database_url)  # create / migrate it first
        except ConfigError as exc:
            fail(str(exc))
        except Exception as exc:
            if isinstance(exc, typer.Exit):
                raise
            fail(f"数据库地址无效：{exc}")
        import asyncio
        import uvicorn
        ds = make_datasette(path)
        asyncio.run(ds.invoke_startup())
        typer.echo(f"在浏览器打开 http://{host}:{port}/ （Ctrl+C 停止）", err=True)
        uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
