"""`ogiaudit rules [explain ID]`: the rule catalogue."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from auditor.eras import ERAS, names
from auditor.rules import load_all
from ogiaudit.vocabulary import header, word


def register(app: typer.Typer) -> None:
    @app.command("rules", help="列出全部审核规则；rules explain ID 显示一条规则的详细说明。")
    def rules(action: str | None = typer.Argument(None, metavar="[explain]"),
              rule_id: str | None = typer.Argument(None, metavar="ID")) -> None:
        from ogiaudit.cli import fail
        registry = load_all()
        console = Console(highlight=False)
        if action is None:
            table = Table(header("rule"), header("severity"), "名称", header("era"), header_style="bold")
            for rid, cls in registry.items():
                table.add_row(rid, word("severity", cls.severity), cls.title, _eras(cls.eras))
            console.print(table)
            return
        if action != "explain" or not rule_id:
            fail("用法：ogiaudit rules explain ID")
        cls = registry.get(rule_id.upper())
        if cls is None:
            fail(f"未知的规则：{rule_id}")
        console.print(f"[bold]{cls.id}[/]  {cls.title}\n{header('severity')}：{word('severity', cls.severity)}（{cls.severity}）\n{header('era')}：{names(cls.eras)}\n"
                      f"依据：{cls.basis}\n何时报告：{cls.description}\n提示模板：{cls.template}")


def _eras(eras) -> str:
    """Short: "全部年度", "2019年度起", "2008—2018年度" (the eras a rule covers are contiguous)."""
    if tuple(eras) == ERAS:
        return "全部年度"
    first, last = eras[0].first_year, eras[-1].last_year
    return f"{first}年度起" if last is None else f"{first}—{last}年度"
