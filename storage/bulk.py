"""Bulk loading: many new rows at once, for imports and benchmarks (it bypasses the writers' upsert logic)."""
from __future__ import annotations

from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, insert


def bulk_insert(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite.  `conn` is a SQLAlchemy Connection
    (inside a transaction); rows are dicts of column values (JSON columns as Python objects).  The rows must be
    new."""
    if not rows:
        return
    table = model.__table__
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    cols = [c.name for c in table.columns if c.name in rows[0]]
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in cols)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(row[c]) if c in json_cols and row[c] is not None else row[c] for c in cols])
