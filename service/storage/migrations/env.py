"""Alembic environment, driven from code by :func:`service.storage.db.migrate`.

The caller passes an open connection (already inside a transaction) in
``config.attributes["connection"]``, so migrations share its locks and pragmas; there is no
alembic.ini. For hand use, ``sqlalchemy.url`` may be set on the config instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from calltone.service.storage.db import create_engine_for_url
from calltone.service.storage.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no connection for migrations: call service.storage.db.migrate(engine), or set "
            "sqlalchemy.url on the Alembic config"
        )
    engine = create_engine_for_url(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
