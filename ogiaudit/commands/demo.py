"""`ogiaudit demo`: the whole pipeline against the bundled sample portal on 127.0.0.1, into a fresh SQLite database.
Needs no network: it starts the sample portal itself, crawls it, audits, raises PUB-MISSING with a fixed --as-of
inside the season, and prints the compliance table."""
from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ogiaudit.commands import options
from ogiaudit.vocabulary import cn_date

DEMO_AS_OF = "2023-04-30"
# the sample portal is on this machine: be quick, but keep every mechanism (robots, retries, cache, guard) on
DEMO_OVERRIDES = {"AUTOTHROTTLE_START_DELAY": 0.1, "AUTOTHROTTLE_MAX_DELAY": 2.0, "RETRY_BACKOFF_BASE": 0.5}


def run_demo(workdir: Path, as_of: date, *, port: int = 0, progress: bool = True, console: Console | None = None):
    from crawler.sample_portal import server, write_portals
    from ogiaudit.commands.crawl import select_portals
    from ogiaudit.commands.run import main_job
    from ogiaudit.settings import load_settings

    console = console or Console(highlight=False)
    workdir.mkdir(parents=True, exist_ok=True)
    db_path, archive = workdir / "ogiaudit.db", workdir / "archive"
    from storage import db as storage_db

    storage_db.dispose(f"sqlite:///{db_path}")   # an engine of an earlier demo in this process
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(archive, ignore_errors=True)
    srv = server.start(port)
    try:
        console.print(f"示例门户已启动：{srv.base_url}/   工作目录：{workdir}")
        config = write_portals(srv.base_url, workdir / "portals.toml")
        settings = load_settings(None, database_url=f"sqlite:///{db_path}", archive_dir=archive,
                                 portals=[str(config)])
        portals = select_portals(settings, None, None)
        outcome = main_job(settings, portals, as_of, progress=progress, overrides=DEMO_OVERRIDES, console=console)
        print_reports(settings, console)
        console.print(f"\n数据库：{db_path}\n进一步查询：ogiaudit query findings --database sqlite:///{db_path}")
        return outcome
    finally:
        srv.shutdown()
        srv.server_close()


def print_reports(settings, console: Console) -> None:
    from storage import db, queries

    with db.session(db.connect(settings.database_url), readonly=True) as s:
        rows = queries.reports(s)
    table = Table(title="已发现的年度报告", header_style="bold")
    for name in ("门户", "机构", "年度", "发布日期", "期限", "错误", "警告"):
        table.add_column(name, overflow="fold")
    for r in rows:
        late = r.get("published") and r.get("deadline") and r["published"] > r["deadline"]
        published = f"[red]{cn_date(r['published'])}（逾期）[/]" if late else (cn_date(r.get("published")) or "未知")
        table.add_row(str(r.get("portal") or ""), escape(str(r.get("body") or "")), str(r.get("year") or ""),
                      published, cn_date(r.get("deadline")), str(r.get("errors", "")), str(r.get("warnings", "")))
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("demo", help="演示：在本机 127.0.0.1 启动示例门户，抓取 → 审核 → 判定未发布，写入新的 SQLite 数据库")
    def demo_command(
        workdir: Path | None = typer.Option(None, "--workdir", help="工作目录（默认临时目录；其中的演示数据库会被重建）"),
        as_of: str = typer.Option(DEMO_AS_OF, "--as-of", help="以该日期为“今天”判断期限（YYYY-MM-DD）"),
        port: int = typer.Option(0, "--port", help="示例门户端口（默认自动选择空闲端口）"),
        no_progress: options.NoProgress = False,
    ) -> None:
        from ogiaudit.commands.run import parse_as_of

        day = parse_as_of(as_of)
        target = workdir or Path(tempfile.mkdtemp(prefix="ogiaudit-demo-"))
        outcome = run_demo(target, day, port=port, progress=not no_progress and sys.stderr.isatty())
        if outcome.crawl.error:
            raise typer.Exit(1)
