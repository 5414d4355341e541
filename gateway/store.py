"""The database: engine set-up for SQLite and PostgreSQL, and schema migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


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


def _alembic_config(connection: sa.Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", "gateway:migrations")
    config.attributes["connection"] = connection
    return config


def _head_revision() -> str | None:
    config = AlembicConfig()
    config.set_main_option("script_location", "gateway:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def _upgrade(connection: sa.Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


def _current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


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
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def check_schema(self) -> None:
        async with self.engine.connect() as conn:
            current = await conn.run_sync(_current_revision)
        head = _head_revision()
        if current != head:
            raise StoreError(
                f"the database schema is at revision {current}, this version needs {head}: "
                "run `schoolgate db upgrade`"
            )

    def connect(self) -> Any:
        return self.engine.connect()

    def begin(self) -> Any:
        return self.engine.begin()

    async def close(self) -> None:
        await self.engine.dispose()
