"""`ogiaudit serve`: the SQLite audit database in Datasette, with Chinese labels and canned queries
(storage/datasette_metadata.json)."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import make_url

METADATA_FILE = Path(__file__).with_name("datasette_metadata.json")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, None for any other database."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser().resolve()


def metadata(db_path: Path) -> dict:
    raw = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    return {"title": raw["title"], "description": raw["description"],
            "databases": {db_path.stem: {"title": raw["title"], "tables": raw["tables"], "queries": raw["queries"]}}}


def make_datasette(db_path: Path):
    from datasette.app import Datasette
    from datasette.plugins import pm

    from storage import datasette_guard
    if not pm.is_registered(datasette_guard):
        pm.register(datasette_guard, name="ogiaudit_no_passwords")
    return Datasette([str(db_path)], metadata=metadata(db_path),
                     settings={"default_page_size": 100, "sql_time_limit_ms": 5000, "allow_download": False})
