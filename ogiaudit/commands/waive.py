"""`ogiaudit waive FINDING_ID --reason …` and `ogiaudit unwaive FINDING_ID`: a person decides a finding is acceptable.
Waived findings stay visible in queries (status waived) but are left out of digests and of the error counts."""
from __future__ import annotations

import getpass

import typer

from ogiaudit.commands import options


def register(app: typer.Typer) -> None:
    from ogiaudit.commands.query import fail, opened

    @app.command("waive", help="豁免一个问题（须写明理由）；--undo 取消豁免。问题编号见 ogiaudit query findings。")
    def waive(finding_id: int = typer.Argument(..., help="问题编号"),
              reason: str | None = typer.Option(None, "--reason", help="豁免理由（必填）"),
              by: str | None = typer.Option(None, "--by", help="决定豁免的人（默认当前用户）"),
              undo: bool = typer.Option(False, "--undo", help="取消豁免"),
              database: options.Database = None,
              config: options.Config = None) -> None:
        from storage import repository
        if undo:
            return _unwaive(finding_id, database, config)
        if not reason or not reason.strip():
            fail("豁免须用 --reason 写明理由")
        with opened(database, config, readonly=False) as (_, s):
            try:
                row = repository.waive(s, finding_id, reason=reason.strip(), by=by or _user())
            except repository.NotFound as exc:
                fail(str(exc))
            typer.echo(f"已豁免问题 {row.id}（{row.rule}，{row.message[:40]}）：{row.waived_reason}")

    @app.command("unwaive", help="取消对一个问题的豁免。")
    def unwaive(finding_id: int = typer.Argument(..., help="问题编号"),
                database: options.Database = None,
                config: options.Config = None) -> None:
        _unwaive(finding_id, database, config)

    def _unwaive(finding_id, database, config) -> None:
        from storage import repository
        with opened(database, config, readonly=False) as (_, s):
            try:
                row = repository.unwaive(s, finding_id)
            except repository.NotFound as exc:
                fail(str(exc))
            typer.echo(f"已取消豁免问题 {row.id}（{row.rule}），状态：{row.status}")


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None
