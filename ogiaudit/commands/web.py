"""`ogiaudit web`: the review desk in the browser (login, overview, evidence, review, exports)."""
from __future__ import annotations

import typer

from ogiaudit.commands import options

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str, extra: list[str] | None) -> list[str]:
    """The host names the desk answers to: the one it is served as (loopback: both of its names), plus any given."""
    names = ["127.0.0.1", "localhost"] if host in LOOPBACK else [host]
    return names + [h for h in extra or [] if h not in names]


def register(app: typer.Typer) -> None:
    @app.command("web", help="审核台：在浏览器中查看、核实、确认审核发现（默认只在本机 127.0.0.1 监听）。")
    def web(database: options.Database = None,
            host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机）"),
            port: int = typer.Option(8080, "--port", help="端口"),
            server_name: list[str] | None = typer.Option(None, "--server-name",
                                                            help="另外接受的主机名（经反向代理访问时，可多次给出）"),
            secure_cookie: bool = typer.Option(False, "--secure-cookie", help="只经 HTTPS 发送登录 Cookie（在 HTTPS 反向代理之后使用）"),
            config: options.Config = None) -> None:
        import os

        import uvicorn

        from ogiaudit.commands.query import fail
        from ogiaudit.settings import ONE_LINE_ERRORS, load_settings
        from ogiaudit.web import create_app
        if host in ("0.0.0.0", "::") and not server_name:
            fail("在所有网络接口上监听时，须用 --server-name 给出用户访问审核台所用的主机名（例如 --server-name shenhe.example.gov.cn）")
        try:
            settings = load_settings(config, database_url=database)
            app = create_app(settings.database_url, hosts=allowed_hosts(host, server_name), settings=settings,
                             secret=os.environ.get("OGIAUDIT_WEB_SECRET"), https_only=secure_cookie)
        except ONE_LINE_ERRORS as exc:
            fail(str(exc))
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"审核台：在浏览器打开 http://{shown}:{port}/ （Ctrl+C 停止）", err=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
