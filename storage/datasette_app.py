"""`ogiaudit serve`: the SQLite audit database in Datasette, with Chinese labels and canned queries
(storage/datasette_metadata.json)."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import make_url

from auditor.labels import BODY_KINDS, CERTAINTY, FIELD_LABELS, FINDING_STATUSES, PUBLISHED_SOURCES, SEVERITIES, YES_NO

METADATA_FILE = Path(__file__).with_name("datasette_metadata.json")

# the columns whose values are codes: their descriptions name each code with the one vocabulary's word
# (auditor/labels.py), over what the JSON file says
_BOOL = {1: YES_NO[True], 0: YES_NO[False]}
CODED_COLUMNS: dict[str, dict[str, tuple[str, dict]]] = {
    "body": {"kind": ("body_kind", BODY_KINDS)},
    "report": {"body_kind": ("body_kind", BODY_KINDS), "published_source": ("published_source", PUBLISHED_SOURCES),
               "on_time": ("on_time", _BOOL), "complete": ("complete", _BOOL), "consistent": ("consistent", _BOOL)},
    "finding": {"severity": ("severity", SEVERITIES), "status": ("status", FINDING_STATUSES),
                "uncertain": ("uncertain", {int(k): v for k, v in CERTAINTY.items()})},
    "document": {"published_source": ("published_source", PUBLISHED_SOURCES)},
}


def coded_description(field: str, words: dict) -> str:
    """"严重程度（error 错误 / warning 警告 / info 提示）"."""
    return f"{FIELD_LABELS.get(field, field)}（{' / '.join(f'{code} {word}' for code, word in words.items())}）"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, None for any other database."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser().resolve()


def metadata(db_path: Path) -> dict:
    raw = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    for table, columns in CODED_COLUMNS.items():
        described = raw["tables"].setdefault(table, {}).setdefault("columns", {})
        for column, (field, words) in columns.items():
            described[column] = coded_description(field, words)
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


def allowed_hosts(host: str, port: int, extra: list[str] | tuple[str, ...] = ()) -> set[str]:
    """The Host headers the site answers: the names it is served as (with and without the port).  A page on
    another site that a DNS-rebinding attack points at this address sends its own name, and is refused."""
    names = {"localhost", "127.0.0.1", "[::1]", *(h.lower() for h in extra)}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host and not host.startswith("[") else host.lower())
    return names | {f"{n}:{port}" for n in names}


class HostGuard:
    """ASGI middleware: requests whose Host header is not one of `allowed` get 400 and never reach Datasette."""

    def __init__(self, app, allowed: set[str]):
        self.app, self.allowed = app, allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
            if host not in self.allowed:
                body = "Host 不被允许（ogiaudit serve 只接受它所服务的主机名，见 --allowed-host）".encode()
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
