"""The journal stays complete when the database is down: rows are spooled to disk, fsynced,
and written exactly once when it is back, including after a crash; one bad row does not
fail its batch. Real SQLite and PostgreSQL; a real full disk (a small tmpfs, as root)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import smtplib
import sqlite3
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from gateway.storage.engine import Store
from gateway.storage.journal import SPOOL_DIR, JournalEntry, JournalWriter, Outcome
from gateway.storage.journal_spool import JournalSpool, encode_row, read_rows
from models.schema import journal
from tests.harness import CaptureServer, GatewayRunner
from tests.support import require

DEADLINE = 30.0


def fast_writer(store: Store, data_dir: Path) -> JournalWriter:
    """A writer that gives up on the database after 1 s and retries the spool quickly."""
    writer = JournalWriter(store, data_dir=data_dir, commit_timeout=1.0, retry_delays=(0.05, 0.2))
    writer.start()
    return writer


def entry(n: int, **fields: Any) -> JournalEntry:
    return JournalEntry(
        id=f"J{n:025d}",
        outcome=Outcome.DELIVERED,
        smtp_reply="250 2.0.0 Ok",
        recipients=[f"r{n}@example.org"],
        message_id=f"<{n}@school.example>",
        received_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC) + timedelta(seconds=n),
        **fields,
    )


async def open_store(db_url: str) -> Store:
    """The real store; on SQLite with a short busy timeout, so a lock fails in 0.2 s."""
    store = await Store.open(db_url)
    if store.dialect == "sqlite":

        def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=200")
            cursor.close()

        event.listen(store.engine.sync_engine, "connect", short_busy_timeout)
        await store.engine.dispose()
    return store


@contextlib.asynccontextmanager
async def database_locked(db_url: str) -> AsyncIterator[None]:
    """Another client holds a lock that keeps the journal from being written."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    pg = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    tx = pg.transaction()
    await tx.start()
    await pg.execute("LOCK TABLE journal IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await tx.rollback()
        await pg.close()


async def journal_ids(store: Store) -> list[str]:
    async with store.connect() as conn:
        return [r.id for r in await conn.execute(sa.select(journal.c.id).order_by(journal.c.id))]


async def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def spool_dir(data_dir: Path) -> Path:
    return data_dir / SPOOL_DIR


def spooled_lines(data_dir: Path) -> int:
    return sum(len(read_rows(path)) for path in JournalSpool(spool_dir(data_dir)).pending())


def test_rows_are_spooled_while_the_database_is_down_and_written_once_when_back(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gateway.storage.journal")

    async def scenario() -> list[str]:
        store = await open_store(db_url)
        writer = fast_writer(store, tmp_path)
        try:
            await writer.write(entry(0))  # the database is up: committed at once
            async with database_locked(db_url):
                entries = [entry(n) for n in range(1, 51)]
                await asyncio.wait_for(
                    asyncio.gather(*(writer.write(e) for e in entries)), DEADLINE
                )
                assert spooled_lines(tmp_path) == 50  # all fsynced before write() returned
            await until(lambda: not JournalSpool(spool_dir(tmp_path)).pending(), "the drain")
            return await journal_ids(store)
        finally:
            await writer.close()
            await store.close()

    ids = asyncio.run(scenario())
    assert ids == [f"J{n:025d}" for n in range(51)]  # each exactly once (and the PK agrees)
    assert "rows spooled (database unavailable:" in caplog.text
    written = [r.getMessage() for r in caplog.records if "spooled rows written" in r.getMessage()]
    assert sum(int(message.split()[1]) for message in written) == 50


def test_a_spool_left_by_a_crash_is_written_at_start_up(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The previous process spooled rows (one of them was committed after all, one line was
    torn by the crash) and died; the next writer writes the rest once, skipping the tear."""
    rows = [entry(n).row() for n in range(5)]
    spool = spool_dir(tmp_path)
    spool.mkdir()
    (spool / "draining-00000000000000000001.jsonl").write_bytes(encode_row(rows[0]))
    torn = encode_row(entry(99).row())[:40]
    (spool / "spool.jsonl").write_bytes(b"".join(encode_row(r) for r in rows[1:]) + torn)

    async def scenario() -> list[Any]:
        store = await open_store(db_url)
        async with store.begin() as conn:
            await conn.execute(journal.insert(), [rows[2]])  # its commit did land
        writer = fast_writer(store, tmp_path)
        try:
            await writer.write(entry(7))  # new rows do not wait for the old spool
            await until(lambda: not JournalSpool(spool).pending(), "the drain")
            async with store.connect() as conn:
                result = await conn.execute(sa.select(journal).order_by(journal.c.id))
                return list(result)
        finally:
            await writer.close()
            await store.close()

    found = asyncio.run(scenario())
    assert [r.id for r in found] == [f"J{n:025d}" for n in (0, 1, 2, 3, 4, 7)]
    when = found[3].received_at
    assert (when if when.tzinfo else when.replace(tzinfo=UTC)) == entry(3).received_at
    assert found[3].recipients == ["r3@example.org"]
    assert "torn write" in caplog.text
    assert not (spool / "spool.jsonl").exists()


def test_one_bad_row_does_not_fail_its_batch(db_url: str, tmp_path: Path) -> None:
    """A duplicate id fails only its own write; rows the database refuses as they are
    (unencodable text, a value too long, something that is not JSON) are written cleaned."""

    async def scenario() -> tuple[list[Any], list[BaseException | None]]:
        store = await open_store(db_url)
        writer = fast_writer(store, tmp_path)
        try:
            await writer.write(entry(0))
            batch = [entry(n) for n in range(1, 10)]
            batch[2] = entry(0)  # the same id again: a real error, for that write only
            batch[4].subject = "Trip \udc80 form"  # a lone surrogate from a broken header
            batch[5].mail_from = "x" * 600 + "@example.org"  # longer than the column
            batch[6].findings = [{"type": "X", "where": {1, 2}}]  # not JSON
            outcomes = await asyncio.gather(
                *(writer.write(e) for e in batch), return_exceptions=True
            )
            async with store.connect() as conn:
                result = await conn.execute(sa.select(journal).order_by(journal.c.id))
                return list(result), list(outcomes)
        finally:
            await writer.close()
            await store.close()

    rows, outcomes = asyncio.run(scenario())
    assert isinstance(outcomes[2], sa.exc.IntegrityError)
    assert [o for n, o in enumerate(outcomes) if n != 2] == [None] * 8
    assert [r.id for r in rows] == [f"J{n:025d}" for n in range(10) if n != 3]
    by_id = {r.id: r for r in rows}
    assert by_id[f"J{5:025d}"].subject == "Trip \ufffd form"
    if "postgresql" in db_url:  # SQLite does not enforce lengths
        assert len(by_id[f"J{6:025d}"].mail_from) == 512
    assert by_id[f"J{7:025d}"].message_id == "<7@school.example>"
    assert not JournalSpool(spool_dir(tmp_path)).pending()


# --- a real full disk --------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB tmpfs: a disk that can really fill up (needs root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    require(done.returncode == 0, f"cannot mount a small tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last block; SQLite's WAL is emptied first so it cannot absorb
    the writes. Returns the filler file (delete it to free the disk)."""
    for db in disk.rglob("*.db"):
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)
    with pytest.raises(OSError, match="No space left on device") as full:
        (disk / "one-more").write_bytes(b"\0" * 4096)
    assert full.value.errno == errno.ENOSPC
    return filler


def test_a_full_disk_spools_into_the_reserve_and_drains_when_freed(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gateway.storage.journal_spool")
    db_url = f"sqlite+aiosqlite:///{small_disk / 'schoolgate.db'}"

    async def scenario() -> list[str]:
        store = await open_store(db_url)
        writer = fast_writer(store, small_disk)
        try:
            await writer.write(entry(0))
            filler = fill(small_disk)
            entries = [entry(n) for n in range(1, 51)]
            await asyncio.wait_for(asyncio.gather(*(writer.write(e) for e in entries)), DEADLINE)
            assert spooled_lines(small_disk) == 50
            filler.unlink()
            await until(lambda: not JournalSpool(spool_dir(small_disk)).pending(), "the drain")
            await until(lambda: (spool_dir(small_disk) / "reserve").exists(), "a new reserve")
            return await journal_ids(store)
        finally:
            await writer.close()
            await store.close()

    assert asyncio.run(scenario()) == [f"J{n:025d}" for n in range(51)]
    assert "the disk is full; using the spool's reserved space" in caplog.text


def test_every_delivered_message_is_journalled_after_the_data_disk_was_full(
    small_disk: Path,
    capture: CaptureServer,
    start_gateway: Callable[..., GatewayRunner],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """End to end: the data disk (SQLite and all) fills up while mail is delivered."""
    caplog.set_level(logging.INFO, "gateway.storage.journal")
    gateway = start_gateway(capture.port, data_dir=str(small_disk / "var"))

    def send(n: int) -> str:
        message_id = f"<disk-full-{n}-{uuid.uuid4().hex}@school.example>"
        raw = (
            f"From: teacher@school.example\r\nTo: parent@example.org\r\nSubject: Trip {n}\r\n"
            f"Message-ID: {message_id}\r\n\r\nSee you at 9.\r\n"
        ).encode()
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
            client.sendmail("teacher@school.example", ["parent@example.org"], raw)
        return message_id

    def journalled() -> set[str]:
        async def run() -> set[str]:
            assert gateway.gateway.store is not None
            async with gateway.gateway.store.connect() as conn:
                rows = await conn.execute(
                    sa.select(journal.c.message_id).where(journal.c.outcome == "delivered")
                )
                return {r.message_id for r in rows}

        result: set[str] = gateway.run(run())
        return result

    sent = [send(0)]
    filler = fill(small_disk)
    sent += [send(n) for n in range(1, 21)]  # each answered 250 (sendmail raises otherwise)
    assert len(capture.wait_for(21)) == 21
    filler.unlink()
    deadline = time.monotonic() + DEADLINE
    while not set(sent) <= journalled():
        assert time.monotonic() < deadline, f"unjournalled: {set(sent) - journalled()}"
        time.sleep(0.05)
    assert "rows spooled (database unavailable:" in caplog.text
