"""Chinese `--help`: the words Typer and its Click print around our own help texts (usage line, panel titles, type
names, defaults, the help option itself).

Typer >= 0.20 carries its own copy of Click (`typer._click`); older versions use the real `click`.  Both are patched
where present, each patch guarded, so a Typer upgrade that moves a name leaves that word in English rather than
breaking the command line; tests/test_cli_zh.py walks every command's help and fails on any English left.
"""
from __future__ import annotations

import importlib
import re
from typing import Any

WORDS = {
    "Options": "选项", "Commands": "命令", "Arguments": "参数", "Error": "错误", "Aborted.": "已中断。",
    "[default: {}]": "[默认：{}]", "[required]": "[必填]", "[env var: {}]": "[环境变量：{}]",
    "(deprecated) ": "（已弃用）", "Show this message and exit.": "显示本帮助并退出。",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}
PANELS = {"ARGUMENTS_PANEL_TITLE": "参数", "OPTIONS_PANEL_TITLE": "选项", "COMMANDS_PANEL_TITLE": "命令",
          "ERRORS_PANEL_TITLE": "错误", "ABORTED_TEXT": "已中断。", "DEFAULT_STRING": "[默认：{}]",
          "REQUIRED_LONG_STRING": "[必填]", "ENVVAR_STRING": "[环境变量：{}]", "DEPRECATED_STRING": "（已弃用）",
          "RICH_HELP": WORDS["Try [blue]'{command_path} {help_option}'[/] for help."]}
TYPES = {"TEXT": "文本", "INTEGER": "整数", "FLOAT": "数值", "PATH": "路径", "FILE": "文件", "BOOLEAN": "是/否",
         "DIRECTORY": "目录", "UUID": "UUID", "DATETIME": "日期时间", "OPTIONS": "选项", "COMMAND": "命令",
         "ARGS": "参数", "INT": "整数", "STR": "文本", "BOOL": "是/否"}
_TYPE = re.compile(r"\b(" + "|".join(TYPES) + r")\b")
# newer Typer shows Python type names: <int>, <str>, <path>, <bool>, <list[str]>
SHORT = {"int range": "整数", "float range": "数值", "int": "整数", "str": "文本", "path": "路径", "bool": "是/否", "float": "数值", "file": "文件",
         "date": "日期", "datetime": "日期时间", "list[str]": "文本…", "list[int]": "整数…", "list[path]": "路径…"}
_SHORT = re.compile(r"<(" + "|".join(re.escape(k) for k in SHORT) + r")>")
_done = False


def translate(message: str) -> str:
    return WORDS.get(message, message)


def types(text: Any) -> Any:
    """TEXT, INTEGER, [OPTIONS], COMMAND [ARGS]... in Chinese."""
    if not isinstance(text, str):
        return text
    return _SHORT.sub(lambda m: f"<{SHORT[m.group(1)]}>", _TYPE.sub(lambda m: TYPES[m.group(1)], text))


def apply() -> None:
    global _done
    if _done:
        return
    _done = True
    for core, formatting in (("typer._click.core", "typer._click.formatting"), ("click.core", "click.formatting")):
        _patch_click(_module(core), _module(formatting))
    rich_utils, typer_core = _module("typer.rich_utils"), _module("typer.core")
    for module in (rich_utils, typer_core):
        if module is not None and hasattr(module, "_"):
            module._ = translate                      # gettext's _ at call time
    for name, text in PANELS.items():                 # constants read once at import
        if rich_utils is not None and hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    if typer_core is not None:
        for cls_name in ("TyperOption", "TyperArgument"):
            cls = getattr(typer_core, cls_name, None)
            for meth in ("display_type", "display_type_rich", "make_metavar"):
                _wrap(cls, meth, types)


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _wrap(cls, name: str, after) -> None:
    original = getattr(cls, name, None) if cls is not None else None
    if original is None or getattr(original, "_zh", False):
        return

    def wrapper(self, *args, **kwargs):
        return after(original(self, *args, **kwargs))

    wrapper._zh = True  # type: ignore[attr-defined]
    setattr(cls, name, wrapper)


def _patch_click(core, formatting) -> None:
    if core is None or formatting is None:
        return
    fmt = getattr(formatting, "HelpFormatter", None)
    write_usage = getattr(fmt, "write_usage", None)
    if write_usage is not None and not getattr(write_usage, "_zh", False):
        def usage(self, prog, args="", prefix=None):
            return write_usage(self, prog, types(args), "用法：" if prefix in (None, "Usage: ") else prefix)
        usage._zh = True  # type: ignore[attr-defined]
        fmt.write_usage = usage
    command = getattr(core, "Command", None)
    get_help_option = getattr(command, "get_help_option", None)
    if get_help_option is not None and not getattr(get_help_option, "_zh", False):
        def help_option(self, ctx):
            option = get_help_option(self, ctx)
            if option is not None:
                option.help = WORDS["Show this message and exit."]
            return option
        help_option._zh = True  # type: ignore[attr-defined]
        command.get_help_option = help_option
    for cls_name in ("Command", "Group"):
        _wrap(getattr(core, cls_name, None), "collect_usage_pieces", lambda pieces: [types(p) for p in pieces])
