"""Engines, SQLite tuning and schema migrations for the storage layer.

One engine per :class:`~service.storage.store.Store`, shared by every thread; each store call opens
a short session. The same code serves an embedded SQLite file (one node) and a shared PostgreSQL
(many nodes); only the URL differs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from calltone.audio.errors import CalltoneError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
"""Alembic script location; found relative to this file so no alembic.ini is needed."""

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for another writer before giving up."""

WRITE_OPTION = "calltone_write"
"""Execution option marking a connection that will write (SQLite: ``BEGIN IMMEDIATE``)."""

MIGRATION_LOCK_KEY = 0x63_74_6D_67  # "ctmg": serialises migrations across PostgreSQL nodes
APPEND_LOCK_KEY = 0x63_74_61_70  # "ctap": serialises id-ordered appends (alerts, feed)


class StorageError(CalltoneError):
    """A storage operation that cannot be done as asked."""


class StorageUnavailableError(StorageError):
    """The database cannot be reached or opened."""


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer calltone than this one."""


class NotFoundError(StorageError):
    """An id or name that the database does not hold."""


class ConflictError(StorageError):
    """The request clashes with what is stored (duplicate name, call already live or ended)."""


class InvalidRecordError(StorageError, ValueError):
    """A record (user, call, event, alert...) with missing or out-of-range fields."""


def safe_url(url: str) -> str:
    """The URL with any password masked, for error messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file (the single-node default)."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def create_engine_for_url(url: str) -> Engine:
    """An engine for ``url`` tuned for many short sessions from many threads.

    SQLite gets WAL (readers never block the writer), ``synchronous=NORMAL`` (durable across
    application crashes, fast), foreign keys, a busy timeout, and explicit ``BEGIN`` so writers
    can take the write lock up front (``BEGIN IMMEDIATE``) instead of failing mid-transaction.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"cannot parse database URL {url!r}: {exc}; use e.g. sqlite:///path/calltone.db "
            "or postgresql+psycopg://user@host:5432/dbname"
        ) from exc
    try:
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, pool_pre_ping=True)
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
        connect_args: dict[str, Any] = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        }
        if in_memory:
            # One shared connection, or every session would see its own empty database.
            engine = create_engine(parsed, connect_args=connect_args, poolclass=StaticPool)
        else:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args=connect_args)
    except NoSuchModuleError as exc:
        raise StorageError(
            f"no SQLAlchemy driver for {safe_url(url)}: {exc}; for PostgreSQL install "
            "'calltone[postgres]' and use a postgresql+psycopg:// URL"
        ) from exc
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the database driver for {safe_url(url)} is not installed ({exc.name}); "
            "for PostgreSQL run: pip install 'psycopg[binary]'"
        ) from exc
    _install_sqlite_hooks(engine, in_memory=in_memory)
    return engine


def _install_sqlite_hooks(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module; _on_begin emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes fails at once (SQLITE_BUSY, no
        # waiting) if another writer committed in between; IMMEDIATE takes the lock up front.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def lock_appends(conn: Connection) -> None:
    """Make id-ordered appends commit in id order (PostgreSQL; SQLite already serialises).

    Readers resume feeds with ``id > last_seen``. If a transaction holding id 7 committed after one
    holding id 8, a reader could see 8, move past it, and never see 7. A transaction-scoped
    advisory lock taken before the id is drawn rules that out; appends are rare, so it costs little.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})


# -- migrations ---------------------------------------------------------------------------------


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code (no alembic.ini), optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StorageError(f"no migrations found in {MIGRATIONS_DIR}; the install is incomplete")
    return head


def current_revisions(conn: Connection) -> tuple[str, ...]:
    """The revision(s) the database is stamped with (empty for a fresh database)."""
    return tuple(MigrationContext.configure(conn).get_current_heads())


def migrate(engine: Engine, revision: str = "head") -> str:
    """Upgrade the database to ``revision`` in one transaction and return the revision reached.

    Refuses a database stamped with a revision this code does not know (made by a newer
    calltone): guessing at a newer schema could corrupt it.
    """
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    with write_engine.connect() as conn:
        is_sqlite = conn.dialect.name == "sqlite"
        if is_sqlite:
            # Batch migrations rebuild tables (copy, drop, rename); with foreign keys on, the drop
            # would cascade-delete child rows. The pragma only works outside a transaction.
            _raw_sqlite(conn, "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                found = current_revisions(conn)
                unknown = [rev for rev in found if rev not in known]
                if unknown:
                    raise SchemaTooNewError(
                        f"database {safe_url(str(engine.url))} has schema revision "
                        f"{', '.join(unknown)}, which this calltone does not know (newest known: "
                        f"{script.get_current_head()}); it was created by a newer calltone. "
                        "Upgrade calltone, or point it at another database."
                    )
                if not found and inspect(conn).has_table("calls"):
                    raise StorageError(
                        f"database {safe_url(str(engine.url))} has a 'calls' table but no "
                        "alembic_version stamp, so its schema is unknown; use an empty database "
                        "or one created by calltone"
                    )
                command.upgrade(alembic_config(conn), revision)
                if is_sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageError(
                            f"migration to {revision} left {len(broken)} rows with dangling "
                            "foreign keys; the upgrade was rolled back, please report this"
                        )
                reached = current_revisions(conn)
        finally:
            if is_sqlite:
                _raw_sqlite(conn, "PRAGMA foreign_keys=ON")
    return ",".join(reached)


def _raw_sqlite(conn: Connection, sql: str) -> None:
    """Run ``sql`` on the DBAPI connection, outside any SQLAlchemy-begun transaction."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    cursor.execute(sql)
    cursor.close()


def check_reachable(engine: Engine) -> None:
    """Fail with an actionable message when the database cannot be opened at all."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageUnavailableError(
            f"cannot open database {safe_url(str(engine.url))}: {detail}; check that the server "
            "is running and the URL, user and permissions are right (for SQLite: that the "
            "directory is writable)"
        ) from exc


@contextmanager
def translate_operational_errors(url: str) -> Iterator[None]:
    """Turn driver-level failures (server gone, disk full, lock timeout) into StorageError."""
    try:
        yield
    except OperationalError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageUnavailableError(
            f"database {safe_url(url)} failed: {detail}; check the server or file and retry"
        ) from exc


# -- JSON ---------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: numpy scalars/arrays unwrapped, NaN/inf as null, datetimes ISO.

    Detectors hand over numpy numbers and may produce NaN (no pitch in a frame); PostgreSQL's
    JSON types reject NaN and the stdlib encoder rejects numpy types, so clean once at the edge.
    """
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # numpy array or scalar, without importing numpy
        return jsonable(value.tolist())
    if hasattr(value, "item"):
        return jsonable(value.item())
    raise InvalidRecordError(
        f"cannot store a value of type {type(value).__name__} as JSON ({value!r:.80}); "
        "convert it to a number, string, list or dict first"
    )


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC; naive datetimes are taken to be UTC already (as SQLite returns them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def iso_utc(value: dt.datetime) -> str:
    """ISO-8601 with an explicit ``+00:00`` offset."""
    return as_utc(value).isoformat()
