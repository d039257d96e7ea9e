"""Alembic environment: run by storage.db.upgrade() (on first use and by `ogiaudit db upgrade`).

The connection is passed in through config.attributes["connection"]; no alembic.ini is needed.
"""
from __future__ import annotations

from alembic import context

from storage.models import described_here, metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` run by hand with -x url=...
        from sqlalchemy import create_engine
        url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
        with create_engine(url).connect() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True, include_name=described_here,
                      transactional_ddl=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # two processes migrating at once: the second waits, then finds the schema at head
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7262718)")
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
