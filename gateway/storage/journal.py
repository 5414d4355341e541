"""The journal: one row per message, with the verdict and redacted findings.

Rows are written with group commit: concurrent sessions hand their rows to one writer
task that inserts them in a single transaction, and each session waits until its row
is committed. That keeps the journal complete without a transaction per message.

The journal must stay complete when the database does not answer. A batch that fails for
a database reason (unreachable, locked, disk full, too slow) is spooled to disk
(gateway/storage/journal_spool.py) and counts as journalled once fsynced; a drain task writes the
spool to the database when it is back. While the database is known to be down, new rows
go straight to the spool, so replies are not held up by every batch timing out again.

A batch that fails because of a row is retried row by row, so one bad row does not fail
the others; a row the database refuses is written with its text cleaned (NULs and
unencodable characters replaced, cut to the column's length), else in outline (id, times,
outcome, reply, Message-ID and the error), so every message keeps a row. A duplicate id
is the exception: from a live write it is an error (two messages cannot share an id) and
that write raises; from the spool it means the row was already written (a commit whose
answer was lost), so it is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
import time
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.engine import Store
from gateway.storage.journal_spool import JournalSpool
from models import Finding, MessageFacts, Verdict
from models.redact import redact_spans
from models.schema import journal

log = logging.getLogger(__name__)
NODE = socket.gethostname()


class Outcome(StrEnum):
    DELIVERED = "delivered"
    HELD = "held"
    REJECTED = "rejected"
    TEMPFAILED = "tempfailed"
    REFUSED = "refused"
    """The next hop refused the message permanently."""


@dataclass
class JournalEntry:
    id: str
    outcome: Outcome
    smtp_reply: str
    mail_from: str = ""
    recipients: list[str] = field(default_factory=list)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    node: str = NODE
    client_address: str = ""
    client_helo: str = ""
    auth_user: str | None = None
    header_from: str = ""
    subject: str = ""
    message_id: str | None = None
    size: int = 0
    action: str | None = None
    audit_only: bool = False
    rules: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    hold_id: str | None = None
    scan_ms: float | None = None
    total_ms: float | None = None
    error: str | None = None

    # The entry's life, in the order it happens; these are the only places its fields
    # change, so what a journal row says is decided here, whoever writes it.

    def scanned(
        self,
        facts: MessageFacts,
        findings: tuple[Finding, ...],
        verdict: Verdict,
        scan_ms: float,
    ) -> None:
        """What the scan and the verdict found (the subject with the matches masked)."""
        self.scan_ms = scan_ms
        self.header_from = facts.sender
        self.subject = redacted_subject(facts, findings)
        self.message_id = facts.message_id[:998] if facts.message_id else None
        self.size = facts.size
        self.action = str(verdict.action)
        self.audit_only = verdict.audit_only
        self.rules = list(verdict.rules)
        self.findings = [f.to_json() for f in findings]

    def failed(self, error: BaseException | str) -> None:
        """Why the message was not sent on (it is then told 4xx and retried)."""
        self.error = str(error)

    def held_as(self, hold_id: str | None) -> None:
        self.hold_id = hold_id

    def finished(self, outcome: Outcome, reply: str, started: float) -> None:
        """The SMTP answer given, and how long the whole transaction took."""
        self.outcome = outcome
        self.smtp_reply = reply
        self.total_ms = (time.perf_counter() - started) * 1000

    def row(self) -> dict[str, Any]:
        """The row as every path writes it (the writer's batches, a hold's transaction):
        text the database cannot hold replaced, each value cut to its column.

        The fields are read as they are, not deep-copied (`dataclasses.asdict` cost more
        than the insert): cleaning builds new lists and dicts, so the row shares nothing
        mutable with the entry."""
        data = {name: getattr(self, name) for name in _ENTRY_FIELDS}
        data["outcome"] = str(self.outcome)
        return cleaned_row(data)


_ENTRY_FIELDS = tuple(f.name for f in fields(JournalEntry))


def redacted_subject(facts: MessageFacts, findings: tuple[Finding, ...]) -> str:
    """The subject with every finding's matched text masked: it is stored and shown."""
    spans = [f.span for f in findings if f.location == "subject" and f.span]
    return redact_spans(facts.subject, spans)


_INSERT = journal.insert()
"""Built once: SQLAlchemy memoises a statement's cache key on the statement, so every
batch after the first finds its compiled form without building and hashing a new key."""


async def insert_entries(conn: AsyncConnection, entries: list[JournalEntry]) -> None:
    await conn.execute(_INSERT, [e.row() for e in entries])


SPOOL_DIR = "journal-spool"

_UNAVAILABLE_SQLSTATES = ("08", "40", "53", "57", "58")
"""PostgreSQL classes that are about the server, not the row: connection, transaction
rollback, insufficient resources (disk full), operator intervention, system error."""


def database_unavailable(exc: BaseException) -> bool:
    """True if the database (not the rows) is the problem, so retrying rows is pointless."""
    if isinstance(
        exc,
        OSError  # TimeoutError included: the database did not answer in time
        | sa.exc.OperationalError
        | sa.exc.InterfaceError
        | sa.exc.TimeoutError
        | sa.exc.DisconnectionError,
    ):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return isinstance(state, str) and state[:2] in _UNAVAILABLE_SQLSTATES
    return False


class RowRefused(Exception):
    """A live row whose id is already in the journal."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def brief(exc: BaseException) -> str:
    """The database's own words, without SQLAlchemy's statement and parameters (which
    would put the row's addresses in the log)."""
    text = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
    return text.splitlines()[0][:300] if text.strip() else type(exc).__name__


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_value(value: Any, length: int | None = None) -> Any:
    """A value for a text or JSON column: strings cleaned (clean_text) all the way down."""
    if isinstance(value, str):
        return clean_text(value, length)
    if isinstance(value, list | tuple):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {str(clean_value(k)): clean_value(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | datetime):
        return value
    return clean_value(json.dumps(value, default=str))


def clean_text(text: str, length: int | None = None) -> str:
    """Text without what a database refuses (NUL, lone surrogates), cut to `length`."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():  # ASCII text has no surrogates: the usual case skips the regex
        text = _SURROGATE.sub("\ufffd", text)
    return text[:length] if length else text


def column_length(column: sa.Column[Any]) -> int | None:
    """The most characters a text column holds (None: no limit, or not text)."""
    return column.type.length if isinstance(column.type, sa.String) else None


_COLUMN_LENGTHS = tuple((c.name, column_length(c)) for c in journal.columns)


def cleaned_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row with text the database cannot hold replaced and cut to each column."""
    return {name: clean_value(row.get(name), length) for name, length in _COLUMN_LENGTHS}


def outline_row(row: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The least a journal row can say: which message, when, what happened, and why so."""
    kept = ("id", "received_at", "node", "outcome", "smtp_reply", "message_id", "size")
    outline = {name: value for name, value in cleaned_row(row).items() if name in kept}
    if not isinstance(outline.get("received_at"), datetime):
        outline["received_at"] = datetime.now(UTC)
    if not isinstance(outline.get("size"), int):
        outline["size"] = 0
    outline["outcome"] = outline.get("outcome") or "unknown"
    outline["smtp_reply"] = outline.get("smtp_reply") or ""
    outline["node"] = outline.get("node") or NODE
    error = f"journal row stored in outline; the full row was refused: {brief(exc)}"
    outline.update(recipients=[], rules=[], findings=[], error=clean_value(error, 1000))
    return outline


class JournalWriter:
    """Single writer task with group commit, and a spool for when the database is down.

    With `data_dir`, rows the database cannot take are spooled under
    `<data_dir>/journal-spool/` and written later by a drain task; without it (tests of
    the plain writer) they fail as they would without a spool.
    """

    def __init__(
        self,
        store: Store,
        max_batch: int = 500,
        data_dir: Path | None = None,
        *,
        commit_timeout: float = 15.0,
        retry_delays: tuple[float, float] = (1.0, 30.0),
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.spool = JournalSpool(data_dir / SPOOL_DIR) if data_dir is not None else None
        self.commit_timeout = commit_timeout
        """A database that does not answer in this long counts as down (a hung server or a
        locked table); SQLite's own busy timeout is 10 s."""
        self.retry_delays = retry_delays
        """The drain's first and longest wait between tries (doubling in between)."""
        self._queue: asyncio.Queue[tuple[JournalEntry, asyncio.Future[None]] | None] = (
            asyncio.Queue()
        )
        self._task: asyncio.Task[None] | None = None
        self._drainer: asyncio.Task[None] | None = None
        self._down: BaseException | None = None
        """Why the database is down, while it is: rows go straight to the spool."""
        self._spooled = asyncio.Event()

    def start(self) -> None:
        if self.spool is not None:
            self.spool.recover()
            self._drainer = asyncio.create_task(self._drain_loop(), name="journal-drain")
        self._task = asyncio.create_task(self._run(), name="journal-writer")

    async def write(self, entry: JournalEntry) -> None:
        """Return once the entry is committed or spooled; raises if it is neither."""
        await asyncio.shield(self.submit(entry))

    def submit(self, entry: JournalEntry) -> asyncio.Future[None]:
        """Queue the entry now; the future is done once it is committed or spooled, and
        holds the error if it is neither. (`write` without a coroutine: a session that
        shields it awaits the future itself instead of a task made to run `write`.)"""
        if self._task is None or self._task.done():
            raise RuntimeError("journal writer is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((entry, done))
        return done

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                failures = await self._write_batch([entry.row() for entry, _ in batch])
            except Exception as exc:  # a bug here must not stop the writer or hang a session
                log.exception("journal: writing %d rows failed", len(batch))
                failures = dict.fromkeys(range(len(batch)), exc)
            for n, (_, done) in enumerate(batch):
                if done.done():
                    continue
                if n in failures:
                    done.set_exception(failures[n])
                else:
                    done.set_result(None)

    async def _write_batch(self, rows: list[dict[str, Any]]) -> dict[int, BaseException]:
        """Commit or spool the rows; return the failure for each row that is neither."""
        if self._down is not None and self.spool is not None:
            try:
                await self._spool(rows, self._down)
                return {}
            except OSError as exc:
                log.error(
                    "journal: cannot spool %d rows, trying the database: %s", len(rows), brief(exc)
                )
        later, cause, failures = await self._insert(rows, replay=False)
        if later:
            assert cause is not None
            try:
                if self.spool is None:
                    raise cause
                await self._spool([rows[n] for n in later], cause)
            except Exception as exc:
                log.error(
                    "journal write of %d rows failed: %s (spool: %s)",
                    len(later),
                    brief(cause),
                    brief(exc),
                )
                failures.update((n, exc) for n in later)
        return failures

    async def _spool(self, rows: list[dict[str, Any]], cause: BaseException) -> None:
        assert self.spool is not None
        await self.spool.append(rows)
        log.warning("journal: %d rows spooled (database unavailable: %s)", len(rows), brief(cause))
        self._down = cause
        self._spooled.set()

    async def _commit(self, rows: list[dict[str, Any]]) -> None:
        async with asyncio.timeout(self.commit_timeout), self.store.begin() as conn:
            await conn.execute(_INSERT, rows)

    async def _present(self, ids: list[str]) -> set[str]:
        async with asyncio.timeout(self.commit_timeout), self.store.connect() as conn:
            result = await conn.execute(sa.select(journal.c.id).where(journal.c.id.in_(ids)))
            return {row.id for row in result}

    async def _insert(
        self, rows: list[dict[str, Any]], *, replay: bool
    ) -> tuple[list[int], BaseException | None, dict[int, BaseException]]:
        """Insert the rows: in one transaction, else one by one.

        Returns the rows left to spool (the database is unavailable) and why, and the
        rows refused for good with their error.
        """
        if not rows:
            return [], None, {}
        try:
            await self._commit(rows)
            return [], None, {}
        except Exception as exc:
            if database_unavailable(exc):
                return list(range(len(rows))), exc, {}
            if len(rows) > 1:
                log.warning(
                    "journal: %d rows failed together (%s); trying each", len(rows), brief(exc)
                )
        refused: dict[int, BaseException] = {}
        for n, row in enumerate(rows):
            try:
                await self._insert_one(row, replay=replay)
            except RowRefused as exc:
                refused[n] = exc.error
            except Exception as exc:
                return list(range(n, len(rows))), exc, refused
        return [], None, refused

    async def _insert_one(self, row: dict[str, Any], *, replay: bool) -> None:
        """Insert one row, cleaned or in outline if need be; raise RowRefused for a live
        duplicate id, and anything else if the database will not take even the outline."""
        try:
            await self._commit([row])
            return
        except Exception as exc:
            if database_unavailable(exc):
                raise
            first = exc
        if isinstance(first, sa.exc.IntegrityError) and await self._present([row["id"]]):
            if replay:
                return  # written before: a commit whose answer was lost
            log.error("journal: row %s refused: its id is already in the journal", row["id"])
            raise RowRefused(first) from first
        last: Exception = first
        # Entries are cleaned when their row is made; the cleaned variant is for rows a
        # spool written by an earlier version still holds raw.
        for variant, how in ((cleaned_row(row), "with its text cleaned"), (None, "in outline")):
            try:
                await self._commit([variant or outline_row(row, first)])
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                last = exc
                continue
            log.error("journal: row %s was refused (%s); written %s", row["id"], brief(first), how)
            return
        raise last

    async def _drain_loop(self) -> None:
        assert self.spool is not None
        first, longest = self.retry_delays
        delay = first
        while True:
            if not self.spool.pending() and self._down is None:
                self._spooled.clear()
                await self._spooled.wait()
                await asyncio.sleep(first)  # the database has only just failed
            try:
                drained = await self._drain()
            except Exception:  # the spool itself (a read error): keep trying
                log.exception("journal: cannot read the spool")
                drained = False
            if drained:
                self._down = None
                delay = first
                await self.spool.make_reserve()
                continue
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)

    async def _drain(self) -> bool:
        """Write every spooled row not yet in the database; False if it is still down."""
        assert self.spool is not None
        for path in await self.spool.rotate():
            rows = await self.spool.read(path)
            written = 0
            for start in range(0, len(rows), self.max_batch):
                chunk = rows[start : start + self.max_batch]
                try:
                    present = await self._present([row["id"] for row in chunk])
                except Exception as exc:
                    log.warning("journal: spooled rows wait (database unavailable: %s)", brief(exc))
                    return False
                todo = [row for row in chunk if row["id"] not in present]
                later, cause, _ = await self._insert(todo, replay=True)
                if later:
                    assert cause is not None
                    log.warning(
                        "journal: spooled rows wait (database unavailable: %s)", brief(cause)
                    )
                    return False
                written += len(todo)
            await self.spool.remove(path)
            log.info("journal: %d spooled rows written", written)
        return True

    async def close(self) -> None:
        """Commit (or spool) everything queued so far, then stop."""
        if self._task is not None:
            self._queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._drainer is not None:
            self._drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drainer
