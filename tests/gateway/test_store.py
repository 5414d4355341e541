"""Schema, migrations and the journal writer on both engines."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.storage.engine import Store, StoreError
from gateway.storage.journal import JournalEntry, JournalWriter, Outcome
from gateway.storage.migrations import HEAD
from models.schema import journal, metadata


async def _diff(store: Store) -> list:
    async with store.connect() as conn:
        return await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )


def test_migrations_build_exactly_the_declared_schema(db_url: str):
    async def scenario() -> list:
        store = await Store.open(db_url)
        try:
            await store.check_schema()
            return await _diff(store)
        finally:
            await store.close()

    assert asyncio.run(scenario()) == []


def test_an_unmigrated_database_is_refused_with_the_fix(db_url: str):
    with pytest.raises(StoreError, match=r"run `schoolgate db upgrade`"):
        asyncio.run(Store.open(db_url, migrate=False))


def test_migrating_twice_is_harmless(db_url: str):
    async def scenario() -> None:
        for _ in range(2):
            store = await Store.open(db_url)
            await store.close()

    asyncio.run(scenario())


def test_group_commit_writes_every_concurrent_entry(db_url: str):
    async def scenario() -> list[str]:
        store = await Store.open(db_url)
        writer = JournalWriter(store, max_batch=7)
        writer.start()
        entries = [
            JournalEntry(
                id=f"{n:026d}",
                outcome=Outcome.DELIVERED,
                smtp_reply="250 ok",
                recipients=[f"r{n}@example.org"],
                findings=[{"type": "X"}],
            )
            for n in range(100)
        ]
        await asyncio.gather(*(writer.write(e) for e in entries))
        await writer.close()
        async with store.connect() as conn:
            ids = [r.id for r in await conn.execute(sa.select(journal.c.id).order_by(journal.c.id))]
        await store.close()
        return ids

    assert asyncio.run(scenario()) == [f"{n:026d}" for n in range(100)]


def test_a_failed_journal_write_is_reported_to_the_writer(db_url: str):
    async def scenario() -> None:
        store = await Store.open(db_url)
        writer = JournalWriter(store)
        writer.start()
        entry = JournalEntry(id="A" * 26, outcome=Outcome.DELIVERED, smtp_reply="250")
        await writer.write(entry)
        try:
            with pytest.raises(sa.exc.IntegrityError):
                await writer.write(entry)  # duplicate primary key
            # and the writer keeps working afterwards
            await writer.write(JournalEntry(id="B" * 26, outcome=Outcome.HELD, smtp_reply="250"))
        finally:
            await writer.close()
            await store.close()

    asyncio.run(scenario())


def test_the_head_constant_is_the_newest_migration():
    """Start-up skips Alembic when the database is at HEAD, so HEAD must be the newest."""
    from gateway.storage.engine import head_revision
    from gateway.storage.migrations import HEAD

    assert head_revision() == HEAD


def test_nodes_starting_together_on_a_new_database_all_start(postgres_url: str):
    """Two (here four) gateway nodes first started at once on an empty PostgreSQL
    database: each used to see no schema and create the tables, and all but one failed
    to start. They now take turns, and those that waited find the schema migrated."""

    async def run() -> list[str]:
        stores = await asyncio.gather(*(Store.open(postgres_url) for _ in range(4)))
        try:
            async with stores[0].connect() as conn:
                versions = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                return [str(v) for (v,) in versions]
        finally:
            for store in stores:
                await store.close()

    assert asyncio.run(run()) == [HEAD]
