"""Options shared by several commands, declared once (INTERFACE.md: every command that touches the database takes
--database URL; --as-of fixes "today" wherever a deadline is decided)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Database = Annotated[str | None, typer.Option("--database", help="数据库地址（SQLAlchemy URL；默认取配置 database_url）")]
Config = Annotated[Path | None, typer.Option("--config", help="配置文件（默认 config/ogiaudit.toml）")]
Portals = Annotated[list[str] | None, typer.Option("--portals", help="门户配置文件（可多次给出；默认取配置 portals）")]
PortalIds = Annotated[list[str] | None, typer.Option("--portal", help="只处理这个门户 id（可多次给出）")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="以该日期为“今天”判断期限（YYYY-MM-DD，默认今天）")]
Archive = Annotated[Path | None, typer.Option("--archive", help="存档目录（默认取配置 archive_dir）")]
NoProgress = Annotated[bool, typer.Option("--no-progress", help="不显示进度")]
Full = Annotated[bool, typer.Option("--full", help="重新检查所有已知条目（不跳过未变化的条目）")]
