"""The command line (INTERFACE.md).  Each command lives in ogiaudit/commands/<name>.py and registers itself."""
from __future__ import annotations

import importlib
import re
import sys

import typer

try:  # typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on the real click
    from click import exceptions as _cx

from ogiaudit.settings import ConfigError

app = typer.Typer(
    name="ogiaudit",
    help="政府信息公开工作年度报告审核工具：抓取、审核、存档、查询、发送摘要。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ("audit", "rules", "crawl", "run", "query", "db", "waive", "serve", "digest", "schedule", "demo",
                   "web", "users")
for _name in COMMAND_MODULES:
    importlib.import_module(f"ogiaudit.commands.{_name}").register(app)


def fail(message: str, code: int = 2) -> None:
    """One readable line on stderr, never a traceback, for a user's mistake."""
    typer.echo(f"ogiaudit: {message}", err=True)
    raise typer.Exit(code)


_CLICK_MESSAGES = (  # click's English usage errors, said in Chinese
    (re.compile(r"No such option: (\S+)"), "没有这个选项：{0}"),
    (re.compile(r"No such command '([^']+)'"), "没有这个命令：{0}"),
    (re.compile(r"Option '([^']+)' requires an argument"), "选项 {0} 需要一个值"),
    (re.compile(r"Missing argument '([^']+)'"), "缺少参数 {0}"),
    (re.compile(r"Missing option '([^']+)'"), "缺少选项 {0}"),
    (re.compile(r"Invalid value for '([^']+)': (.*)", re.S), "{0} 的值无效：{1}"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), "多余的参数：{0}"),
)


_NO_ARGS = getattr(_cx, "NoArgsIsHelpError", None)


def _usage_error(exc) -> str:
    message = exc.format_message()
    for pattern, template in _CLICK_MESSAGES:
        if m := pattern.search(message):
            message = template.format(*m.groups())
            break
    where = exc.ctx.command_path if exc.ctx else "ogiaudit"
    return f"{message.splitlines()[0]}（{where} --help 查看用法）"


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except _cx.UsageError as exc:
        if _NO_ARGS and isinstance(exc, _NO_ARGS):  # bare "ogiaudit": the help was printed
            sys.exit(0)
        typer.echo(f"ogiaudit: {_usage_error(exc)}", err=True)
        sys.exit(2)
    except _cx.Abort:
        typer.echo("ogiaudit: 已中断", err=True)
        sys.exit(130)
    except ConfigError as exc:
        typer.echo(f"ogiaudit: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("ogiaudit: 已中断", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
