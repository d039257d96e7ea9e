"""The command line (INTERFACE.md).  Each command lives in ogiaudit/commands/<name>.py and registers itself."""
from __future__ import annotations

import importlib
import sys

import typer

from ogiaudit.settings import ConfigError

app = typer.Typer(
    name="ogiaudit",
    help="政府信息公开工作年度报告审核工具：抓取、审核、存档、查询、发送摘要。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ("audit", "rules", "crawl", "run", "query", "db", "waive", "serve", "digest", "schedule", "demo")
for _name in COMMAND_MODULES:
    importlib.import_module(f"ogiaudit.commands.{_name}").register(app)


def fail(message: str, code: int = 2) -> None:
    """One readable line on stderr, never a traceback, for a user's mistake."""
    typer.echo(f"ogiaudit: {message}", err=True)
    raise typer.Exit(code)


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        typer.echo(f"ogiaudit: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("ogiaudit: 已中断", err=True)
        sys.exit(130)
