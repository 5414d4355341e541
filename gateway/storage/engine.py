"""The database: engine set-up for SQLite and PostgreSQL, and schema migrations.

Alembic runs only when the schema is behind: the revision is read with one query and
compared with `gateway.storage.migrations.HEAD`, so a start-up or a CLI command on an up-to-date
database does not import Alembic (a fifth of a second of CPU; the imports inside the
functions below are for that, not to dodge a cycle).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from gateway.storage.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class StoreError(Exception):
    """The database cannot be opened or is at the wrong schema version."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a held message's commit is what lets us answer 250, so it must survive power loss.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _alembic_config(connection: sa.Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "gateway.storage:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration, as Alembic reads it (a test holds HEAD to it)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


MIGRATION_LOCK = 5_141_837_202
"""PostgreSQL advisory lock key held while one node migrates (any fixed 64-bit number)."""


def _upgrade(connection: sa.Connection) -> None:
    """Migrate to HEAD. On PostgreSQL, nodes starting together on a new database take
    turns (an advisory lock held to the end of this transaction), and a node that waited
    finds the schema already migrated instead of creating its tables a second time."""
    from alembic import command

    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    if _current_revision(connection) == HEAD:
        return
    command.upgrade(_alembic_config(connection), "head")


def _current_revision(connection: sa.Connection) -> str | None:
    """The schema's revision (what Alembic's version table holds), None before any."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return str(version) if version is not None else None


class Store:
    """Owns the engine. Every component takes a Store rather than its own engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect, and bring the schema up to date (or check it is, with migrate=False)."""
        engine = create_engine(url)
        store = cls(engine)
        try:
            if migrate:
                await store.migrate()
            else:
                await store.check_schema()
        except (OSError, sa.exc.SQLAlchemyError) as exc:
            await engine.dispose()
            safe = make_url(url).render_as_string(hide_password=True)
            raise StoreError(f"cannot open the database at {safe}: {exc}") from exc
        except StoreError:
            await engine.dispose()
            raise
        return store

    async def migrate(self) -> None:
        async with self.engine.connect() as conn:
            if await conn.run_sync(_current_revision) == HEAD:
                return
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def check_schema(self) -> None:
        async with self.engine.connect() as conn:
            current = await conn.run_sync(_current_revision)
        head = HEAD
        if current != head:
            raise StoreError(
                f"the database schema is at revision {current}, this version needs {head}: "
                "run `schoolgate db upgrade`"
            )

    def connect(self) -> AsyncConnection:
        """A connection (`async with store.connect() as conn`); commit it yourself."""
        return self.engine.connect()

    def begin(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection in a transaction, committed when the block ends without error."""
        return self.engine.begin()

    async def close(self) -> None:
        await self.engine.dispose()
