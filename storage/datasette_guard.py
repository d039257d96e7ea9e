"""A Datasette plugin registered by `ogiaudit serve`: the review desk's password hashes (desk_user.password_hash)
are never readable through Datasette, whatever SQL is typed — an SQLite authorizer on every connection refuses to
read that column."""
from __future__ import annotations

import sqlite3

from datasette import hookimpl


def _authorize(action, table, column, *_):
    if action == sqlite3.SQLITE_READ and table == "desk_user" and column == "password_hash":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.set_authorizer(_authorize)
