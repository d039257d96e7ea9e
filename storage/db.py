"""Engine, sessions and migrations.

- `connect(url)` returns an Engine for the URL, migrated to the newest schema on first use (Alembic).
  SQLite: WAL, a busy timeout, and BEGIN IMMEDIATE for writing sessions, so that two processes can write at once
  (the second waits for the first instead of failing); the URL may be relative (`sqlite:///ogiaudit.db`).
  PostgreSQL: `postgresql+psycopg://user:password@host/db`; an optional `?options=-csearch_path%3Dschema` selects a schema.
- `session(url_or_engine)` yields a SQLModel Session that commits on success and rolls back on error.
- Any failure to reach or migrate the database becomes DatabaseError: one Chinese line (exit 2 on the command line).
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session

from storage.datasette_app import sqlite_path
from storage.errors import DatabaseError

__all__ = ["DatabaseError", "connect", "current_revision", "describe", "dispose", "head_revision", "require_existing",
           "session", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 60_000

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()
_migrate_lock = threading.RLock()


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"数据库地址无效：{url!r}（例如 sqlite:///ogiaudit.db 或 postgresql+psycopg://用户@主机/库）") from None
    backend = u.get_backend_name()
    if backend == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _sqlite_setup(engine)
        return engine
    if backend == "postgresql":
        if u.drivername == "postgresql":
            u = u.set(drivername="postgresql+psycopg")
        try:
            return create_engine(u, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        except Exception as exc:  # missing driver and the like
            raise DatabaseError(f"无法使用数据库 {describe(url)}：{_short(exc)}") from None
    raise DatabaseError(f"不支持的数据库：{backend}（只支持 SQLite 和 PostgreSQL）")


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        with contextlib.suppress(Exception):  # a read-only file system: keep the default journal
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # a writing transaction takes the write lock up front: two writers queue (busy timeout) instead of
        # deadlocking on a lock upgrade; readers use a plain deferred BEGIN
        immediate = conn.get_execution_options().get("sqlite_immediate", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _short(exc: BaseException) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return msg[0][:200] if msg else exc.__class__.__name__


def alembic_config(engine_or_conn=None):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine_or_conn is not None:
        cfg.attributes["connection"] = engine_or_conn
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect().execution_options(sqlite_immediate=False) as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> str:
    """Apply the migrations up to `revision`; returns the revision the database is at."""
    engine = url_or_engine if isinstance(url_or_engine, Engine) else _engine_for(url_or_engine, migrate=False)
    try:
        with _migrate_lock, engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, so a second process waits
            if conn.dialect.name == "postgresql":  # two processes migrating one server: the second waits here
                conn.execute(text("SELECT pg_advisory_xact_lock(7283915)"))
            command.upgrade(alembic_config(conn), revision)
        return current_revision(engine) or ""
    except DatabaseError:
        raise
    except SQLAlchemyError as exc:
        raise DatabaseError(f"无法连接或升级数据库 {describe(str(engine.url))}：{_short(exc)}") from None


def _engine_for(url: str, migrate: bool) -> Engine:
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _make_engine(url)
    if migrate and url not in _migrated:
        with _migrate_lock:  # threads connecting at once migrate once
            return _migrate_once(url, engine)
    return engine


def _migrate_once(url: str, engine: Engine) -> Engine:
    if url not in _migrated:
        try:
            at = current_revision(engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(f"无法连接数据库 {describe(url)}：{_short(exc)}") from None
        if at != head_revision():
            upgrade(engine)
        _migrated.add(url)
    return engine


def require_existing(url: str) -> None:
    """A command that only reads or changes an existing database refuses a SQLite file that is not there (a
    mistyped path), naming it, instead of creating an empty database.  Commands that build a database (crawl,
    run, audit --save, db upgrade, demo) call connect() directly."""
    try:
        path = sqlite_path(url)
    except ArgumentError:
        raise DatabaseError(f"数据库地址无效：{url!r}（例如 sqlite:///ogiaudit.db 或 postgresql+psycopg://用户@主机/库）") from None
    if path is not None and not path.is_file():
        raise DatabaseError(f"数据库文件不存在：{path}（请检查 --database 或 database_url；"
                            "新建数据库请用 ogiaudit db upgrade、crawl、run 或 audit --save）")


def is_migrated(url: str) -> bool:
    """This process has already brought `url` to the newest schema."""
    return url.strip() in _migrated


def assume_migrated(url: str) -> None:
    """A child whose parent has just migrated `url` skips the check (it reads every migration script: a large
    part of a short crawl's cost)."""
    _migrated.add(url.strip())


def connect(url: str) -> Engine:
    """The Engine for `url`, migrated to head on first use.  Raises DatabaseError (one line) when unusable."""
    if not isinstance(url, str) or not url.strip():
        raise DatabaseError("未指定数据库地址")
    return _engine_for(url.strip(), migrate=True)


def dispose(url: str | None = None) -> None:
    """Forget cached engines (tests; a forked child)."""
    with _lock:
        for key in [url] if url else list(_engines):
            _migrated.discard(key)
            engine = _engines.pop(key, None)
            if engine is not None:
                engine.dispose()


@contextmanager
def session(url_or_engine: str | Engine, *, readonly: bool = False) -> Iterator[Session]:
    """A Session that commits on success and rolls back on error.  readonly=True: no write lock on SQLite."""
    engine = url_or_engine if isinstance(url_or_engine, Engine) else connect(url_or_engine)
    if readonly and engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_immediate=False)
    s = Session(engine, expire_on_commit=False)
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()
