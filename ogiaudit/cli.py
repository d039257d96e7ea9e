"""The command line (INTERFACE.md).  Each command lives in ogiaudit/commands/<name>.py and registers itself."""
from __future__ import annotations

import contextlib
import errno
import importlib
import os
import re
import signal
import sys

import typer

try:  # typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on the real click
    from click import exceptions as _cx

from ogiaudit import help_zh
from ogiaudit.settings import ONE_LINE_ERRORS

help_zh.apply()
app = typer.Typer(
    name="ogiaudit",
    help="政府信息公开工作年度报告审核工具：抓取、审核、存档、查询、发送摘要。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ("audit", "rules", "crawl", "run", "query", "db", "waive", "serve", "digest", "schedule", "demo",
                   "web", "users", "notice", "portals", "worker", "status")
for _name in COMMAND_MODULES:
    importlib.import_module(f"ogiaudit.commands.{_name}").register(app)


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from auditor.audit import RULESET_VERSION
    try:
        mine = version("ogiaudit")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        mine = "0+unknown"
    return f"ogiaudit {mine}（规则集 {RULESET_VERSION}）"


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="显示版本并退出。", is_eager=True,
                                       callback=_version)) -> None:
    """政府信息公开工作年度报告审核工具：抓取、审核、存档、查询、发送摘要。"""


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
    (re.compile(r"Invalid value: (.*)", re.S), "{0}"),     # our own BadParameter lines, already in Chinese
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


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the command: it stops where it is (children stopped, transactions rolled back),
    says so in one line and exits 128 + the signal number.  Not a KeyboardInterrupt, so nothing swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, _frame) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):  # the clean-up runs once, undisturbed by a second signal
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)


_SIGNAL_NAMES = {signal.SIGINT: "SIGINT（Ctrl-C）", signal.SIGTERM: "SIGTERM"}


_ERRNO = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已满", errno.EACCES: "没有权限",
          errno.EPERM: "没有权限", errno.EROFS: "文件系统只读", errno.ENOENT: "文件或目录不存在",
          errno.EISDIR: "这是一个目录", errno.ENOTDIR: "路径中有一段不是目录", errno.EIO: "读写错误（磁盘或设备故障）"}


def os_reason(exc: OSError) -> str:
    """An operating-system error in Chinese (ENOSPC: 磁盘空间不足 …), with the file it concerns."""
    reason = _ERRNO.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{reason}：{exc.filename}" if exc.filename else reason


def error_line(exc: BaseException) -> str:
    """What went wrong, in one Chinese line (the error reaching main(): never a traceback)."""
    if isinstance(exc, MemoryError):
        return "内存不足，已停止（可减少一次处理的文件，或检查是否有异常文件）"
    if isinstance(exc, OSError) and exc.errno in _ERRNO:
        return os_reason(exc) + ("；请清理磁盘后重试" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "")
    if isinstance(exc, RecursionError):
        return "输入嵌套过深，无法处理（RecursionError）"
    from sqlalchemy.exc import SQLAlchemyError
    if isinstance(exc, SQLAlchemyError):
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        if "disk is full" in first or "No space left" in first:
            return "磁盘空间不足，数据库无法写入；请清理磁盘后重试"
        return f"数据库错误：{first[:300]}"
    message = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"意外错误（{type(exc).__name__}：{message}）；设置环境变量 OGIAUDIT_DEBUG=1 可查看详细信息"


def _quiet_broken_pipe() -> None:
    """The reader went away (`ogiaudit … | head`): nothing more to say, and nothing to flush at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(141)   # 128 + SIGPIPE, as a program killed by the closed pipe


def main() -> None:
    install_signal_handlers()
    try:
        code = app(standalone_mode=False)
    except _cx.UsageError as exc:
        if _NO_ARGS and isinstance(exc, _NO_ARGS):  # bare "ogiaudit": the help was printed
            sys.exit(0)
        typer.echo(f"ogiaudit: {_usage_error(exc)}", err=True)
        sys.exit(2)
    except Interrupted as exc:
        _say(f"已中断（收到 {_SIGNAL_NAMES.get(exc.signum, exc.signum)}），本次运行未完成")
        sys.exit(128 + exc.signum)
    except KeyboardInterrupt:
        _say("已中断（收到 SIGINT（Ctrl-C）），本次运行未完成")
        sys.exit(130)
    except ONE_LINE_ERRORS as exc:
        _say(str(exc))
        sys.exit(2)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - whatever reaches here is still one line
        if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
            _quiet_broken_pipe()
        if os.environ.get("OGIAUDIT_DEBUG"):
            import traceback
            traceback.print_exc()
        _say(error_line(exc))
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def _say(line: str) -> None:
    with contextlib.suppress(OSError):   # stderr closed too: nothing left to tell
        typer.echo(f"ogiaudit: {line}", err=True)
