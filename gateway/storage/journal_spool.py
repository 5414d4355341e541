"""The journal spool: journal rows the database could not take, kept on disk until it can.

The journal is the DSLs' record of every message, so a row must outlive a database outage
and a crash. Rows go to `<data_dir>/journal-spool/spool.jsonl`, one JSON line each, with
one `os.write` and `os.fsync` per batch (and an fsync of the directory when the file is
new); a row counts as journalled once that returns. The drain renames the file to
`draining-<ns>.jsonl` before reading it, so new rows go to a fresh file while old ones are
written, and deletes it only once every row is in the database. A crash at any point
leaves files that the next start drains again; the drain skips ids already present.

A full disk is the likeliest outage of all, and the spool usually shares that disk with
SQLite. So the spool keeps a `reserve` file of preallocated space and deletes it to make
room when an append fails with ENOSPC, then makes it again once the spool is drained.
(Best effort: filesystems that share or compress blocks may not honour the reservation.)
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from models.schema import journal

log = logging.getLogger(__name__)

RESERVE_BYTES = 8 * 1024 * 1024
"""About 8,000 journal rows' worth of room kept back for the spool on a full disk."""

_DATETIME_COLUMNS = frozenset(c.name for c in journal.columns if isinstance(c.type, sa.DateTime))
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def encode_row(row: dict[str, Any]) -> bytes:
    """One journal row as a JSON line; datetimes as ISO 8601 (they keep their offset)."""

    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(f"cannot spool a {type(value).__name__}")

    return json.dumps(row, default=default, ensure_ascii=True).encode("ascii") + b"\n"


def decode_row(line: bytes) -> dict[str, Any]:
    """The inverse of encode_row; raises ValueError on a line that is not a whole row."""
    row = json.loads(line)
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise ValueError("not a journal row")
    for name in _DATETIME_COLUMNS:
        if isinstance(row.get(name), str):
            row[name] = datetime.fromisoformat(row[name])
    return row


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows in a spool file. A torn or damaged line (a crash mid-append) is skipped."""
    rows = []
    for number, line in enumerate(path.read_bytes().splitlines(keepends=True), 1):
        if not line.strip():
            continue
        try:
            if not line.endswith(b"\n"):
                raise ValueError("no end of line (torn write)")
            rows.append(decode_row(line))
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError included
            log.error("journal: skipping unreadable line %d of %s: %s", number, path, exc)
    return rows


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _append(path: Path, data: bytes) -> None:
    """Append and fsync; on failure cut the file back so no partial line is left."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        start = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)
    if new:
        _fsync_dir(path.parent)


class JournalSpool:
    """Append-only spool files under one directory. Appends and rotation are serialised."""

    def __init__(self, directory: Path, reserve_bytes: int = RESERVE_BYTES) -> None:
        self.directory = directory
        self.reserve_bytes = reserve_bytes
        self.current = directory / "spool.jsonl"
        self.reserve = directory / "reserve"
        self._lock = asyncio.Lock()

    def recover(self) -> None:
        """At start-up, before any append: set aside what a previous process left, and
        reserve space.

        A crash mid-append can leave a torn last line; appending after it would glue the
        next row onto it, so the old file is renamed for the drain and never appended to.
        """
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.current.exists():
            self._rotate()
            log.warning("journal: found spooled rows from a previous run; writing them")
        self._make_reserve()  # before the first message, so a full disk finds it there

    def pending(self) -> list[Path]:
        """Spool files that hold rows not yet in the database, oldest first."""
        draining = sorted(self.directory.glob("draining-*.jsonl"))
        return [*draining, self.current] if self.current.exists() else draining

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Return once the rows are on disk (fsynced); raise OSError if they cannot be."""
        data = b"".join(encode_row(row) for row in rows)
        async with self._lock:
            try:
                await asyncio.to_thread(_append, self.current, data)
            except OSError as exc:
                if exc.errno not in _NO_SPACE or not await asyncio.to_thread(self._release):
                    raise
                await asyncio.to_thread(_append, self.current, data)

    async def rotate(self) -> list[Path]:
        """Set the current file aside for draining; return every file to drain."""
        async with self._lock:
            if self.current.exists():
                await asyncio.to_thread(self._rotate)
        return sorted(self.directory.glob("draining-*.jsonl"))

    async def read(self, path: Path) -> list[dict[str, Any]]:
        return await asyncio.to_thread(read_rows, path)

    async def remove(self, path: Path) -> None:
        def remove() -> None:
            path.unlink(missing_ok=True)
            _fsync_dir(self.directory)

        await asyncio.to_thread(remove)

    async def make_reserve(self) -> None:
        """Preallocate the reserve if it is missing; quietly try again later if no room."""
        await asyncio.to_thread(self._make_reserve)

    def _rotate(self) -> None:
        self.current.rename(self.directory / f"draining-{time.time_ns():020d}.jsonl")
        _fsync_dir(self.directory)

    def _release(self) -> bool:
        """Free the reserve for the spool; False if there was none."""
        try:
            self.reserve.unlink()
        except FileNotFoundError:
            return False
        log.warning("journal: the disk is full; using the spool's reserved space")
        return True

    def _make_reserve(self) -> None:
        if self.reserve_bytes <= 0 or self.reserve.exists():
            return
        partial = self.reserve.with_suffix(".new")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.reserve_bytes)
                os.fsync(fd)
            finally:
                os.close(fd)
            partial.rename(self.reserve)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink()
            log.warning("journal: cannot reserve space for the spool yet: %s", exc)
