"""One language on the command line: every --help in Chinese (usage lines included), --version."""
from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from ogiaudit.cli import app, version_text

ENGLISH = re.compile(r"Usage:|\bOptions\b|\bCommands\b|\bArguments\b|Show this message|\[default:|\[required\]|"
                     r"\b(TEXT|INTEGER|FLOAT|PATH|BOOLEAN)\b|<(str|int|path|bool|float|list\[str\])>|Try '")


def command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    out, todo = [[]], [([], root)]
    while todo:
        path, cmd = todo.pop()
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            out.append(path + [name])
            todo.append((path + [name], sub))
    return out


def test_every_help_is_chinese_usage_line_included():
    paths = command_paths()
    assert ["notice"] in paths and ["query", "findings"] in paths and len(paths) > 15
    runner = CliRunner()
    for path in paths:
        res = runner.invoke(app, path + ["--help"], terminal_width=100)
        assert res.exit_code == 0, (path, res.output)
        assert "用法：ogiaudit" in res.output, path
        assert not ENGLISH.search(res.output), (path, ENGLISH.search(res.output).group(0), res.output)
        assert "选项" in res.output and "显示本帮助并退出" in res.output


def test_version():
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == version_text()
    assert re.fullmatch(r"ogiaudit \d+\.\d+\.\d+（规则集 \d{4}\.\d+\.\d+）", res.stdout.strip())


def test_audit_ocr_engine_option(tmp_path):
    res = CliRunner().invoke(app, ["audit", str(tmp_path / "x.txt"), "--ocr-engine", "nosuch"])
    assert res.exit_code == 2 and "OCR 引擎应为 tesseract/rapidocr" in res.output
