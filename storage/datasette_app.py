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
