"""`ogiaudit serve`: browse and query the SQLite audit database in Datasette (Chinese labels, canned queries).

Only an existing database is served (a mistyped path is refused, never created empty); only the Host headers it is
served as are answered (DNS-rebinding defence); a busy port is one line."""
from __future__ import annotations

import typer

from ogiaudit.commands import options


def register(app: typer.Typer) -> None:
    @app.command("serve", help="在浏览器中浏览、查询审核数据库（Datasette；仅 SQLite）。")
    def serve(database: options.Database = None,
              host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机）"),
              port: int = typer.Option(8001, "--port", help="端口"),
              allowed_host: list[str] | None = typer.Option(
                  None, "--allowed-host", help="另外接受的主机名（浏览器地址栏中的名字；可多次给出）"),
              config: options.Config = None) -> None:
        from ogiaudit.commands.query import fail
        from ogiaudit.settings import ONE_LINE_ERRORS, load_settings
        from storage.datasette_app import HostGuard, allowed_hosts, make_datasette, sqlite_path
        from storage.db import connect, describe, require_existing
        try:
            settings = load_settings(config, database_url=database)
            path = sqlite_path(settings.database_url)
            if path is None:
                fail(f"serve 只能打开 SQLite 数据库，而 {describe(settings.database_url)} 不是；"
                     "PostgreSQL 请用 ogiaudit query … --format csv/xlsx 导出，或用 pgweb、Metabase 等工具")
            require_existing(settings.database_url)
            connect(settings.database_url)  # migrate it first
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        except Exception as exc:
            if isinstance(exc, typer.Exit):
                raise
            fail(f"数据库地址无效：{exc}")
        sock = _bind(host, port, fail)
        import asyncio

        import uvicorn
        ds = make_datasette(path)
        asyncio.run(ds.invoke_startup())
        guarded = HostGuard(ds.app(), allowed_hosts(host, sock.getsockname()[1], allowed_host or ()))
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"在浏览器打开 http://{shown}:{sock.getsockname()[1]}/ （Ctrl+C 停止）", err=True)
        uvicorn.Server(uvicorn.Config(guarded, log_level="warning")).run(sockets=[sock])


def _bind(host: str, port: int, fail):
    """The listening socket, or one line when the address is taken or cannot be used."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail(f"端口 {port} 已被占用（{host}:{port}）；请用 --port 换一个端口，或先停止占用它的程序")
        fail(f"无法在 {host}:{port} 上监听：{exc.strerror or exc}")
