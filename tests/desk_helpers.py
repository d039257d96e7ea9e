"""The review desk under test: the demo database, accounts, and the real application served by uvicorn on an
ephemeral loopback port in a thread (imported by tests/test_desk_*.py)."""
from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

PASSWORD = "correct horse 1"


def make_demo(folder: Path) -> str:
    """`ogiaudit demo` into folder; returns the database URL."""
    from rich.console import Console

    from ogiaudit.commands.demo import DEMO_AS_OF, run_demo
    run_demo(folder, date.fromisoformat(DEMO_AS_OF), progress=False, console=Console(file=open("/dev/null", "w")))
    return f"sqlite:///{folder / 'ogiaudit.db'}"


def add_user(url: str, name: str, role: str, *, portals=(), regions=(), password: str = PASSWORD) -> None:
    from ogiaudit.web.auth import hash_password
    from storage import db, review
    with db.session(url) as s:
        review.add_user(s, name, role, hash_password(password), portals=list(portals), regions=list(regions))


@contextmanager
def serve(url: str, **options):
    """The desk on 127.0.0.1:<free port>; yields its base URL."""
    import uvicorn

    from ogiaudit.web import create_app
    app = create_app(url, **options)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("the desk did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(base: str, name: str, password: str = PASSWORD):
    """An httpx client logged in as name (not following redirects)."""
    import httpx
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/login")
    r = client.post("/login", data={"username": name, "password": password, "csrf_token": csrf(page.text)})
    assert r.status_code == 303, r.text[:500]
    return client


def report_id(url: str, portal: str) -> int:
    from sqlmodel import select

    from storage import db
    from storage.models import ReportRow
    with db.session(url, readonly=True) as s:
        return s.exec(select(ReportRow.id).where(ReportRow.portal_id == portal)).first()


def finding_ids(url: str, portal: str) -> list[int]:
    from sqlmodel import select

    from storage import db
    from storage.models import FindingRow
    with db.session(url, readonly=True) as s:
        return list(s.exec(select(FindingRow.id).where(FindingRow.portal_id == portal).order_by(FindingRow.id)).all())
