"""Row-writing helpers shared by the writers: the database's clock and the race-safe insert."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def now() -> datetime:
    """Naive UTC (the database's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def insert_for(session: Session) -> Any:
    """The dialect's INSERT (with ON CONFLICT) for the session's database."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def insert_ignore(session: Session, model: Any, values: dict[str, Any], keys: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted.  Core (not ORM) statements: several
    times cheaper, and RETURNING rather than rowcount, which psycopg does not report reliably here."""
    table = model.__table__
    pk = list(table.primary_key.columns)[0]
    ins = insert_for(session)(table).values(**values).on_conflict_do_nothing(index_elements=keys).returning(pk)
    return session.connection().execute(ins).first() is not None


def jsonable(value: Any) -> Any:
    """A value as JSON column data (dates as ISO strings, anything else unknown as its str)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
