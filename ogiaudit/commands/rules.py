"""`ogiaudit rules [explain ID]`: the rule catalogue."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from auditor.rules import load_all


def register(app: typer.Typer) -> None:
    @app.command("rules", help="列出全部审核规则；rules explain ID 显示一条规则的详细说明。")
    def rules(action: Optional[str] = typer.Argument(None, metavar="[explain]"),
              rule_id: Optional[str] = typer.Argument(None, metavar="ID")) -> None:
        from ogiaudit.cli import fail
        registry = load_all()
        console = Console(highlight=False)
        if action is None:
            table = Table("规则", "级别", "名称", header_style="bold")
            for rid, cls in registry.items():
                table.add_row(rid, cls.severity, cls.title)
            console.print(table)
            return
        if action != "explain" or not rule_id:
            fail("用法：ogiaudit rules explain ID")
        cls = registry.get(rule_id.upper())
        if cls is None:
            fail(f"未知的规则：{rule_id}")
        console.print(f"[bold]{cls.id}[/]  {cls.title}\n级别：{cls.severity}\n依据：{cls.basis}\n"
                      f"何时报告：{cls.description}\n提示模板：{cls.template}")
