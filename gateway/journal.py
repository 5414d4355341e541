"""The journal: one row per message, with the verdict and redacted findings.

Rows are written with group commit: concurrent sessions hand their rows to one writer
task that inserts them in a single transaction, and each session waits until its row
is committed. That keeps the journal complete without a transaction per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.store import Store
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

    def row(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        for key, limit in (("subject", 1000), ("smtp_reply", 1000), ("error", 1000)):
            if data[key]:
                data[key] = data[key][:limit]
        return data


def redacted_subject(facts: MessageFacts, findings: tuple[Finding, ...]) -> str:
    """The subject with every finding's matched text masked: it is stored and shown."""
    spans = [f.span for f in findings if f.location == "subject" and f.span]
    return redact_spans(facts.subject, spans)


def describe_verdict(
    entry: JournalEntry, facts: MessageFacts, findings: tuple[Finding, ...], verdict: Verdict
) -> None:
    """Fill the parts of an entry that come from the scan and the verdict."""
    entry.header_from = facts.sender
    entry.subject = redacted_subject(facts, findings)
    entry.message_id = facts.message_id[:998] if facts.message_id else None
    entry.size = facts.size
    entry.action = str(verdict.action)
    entry.audit_only = verdict.audit_only
    entry.rules = list(verdict.rules)
    entry.findings = [f.to_json() for f in findings]


async def insert_entries(conn: AsyncConnection, entries: list[JournalEntry]) -> None:
    await conn.execute(journal.insert(), [e.row() for e in entries])


class JournalWriter:
    """Single writer task with group commit."""

    def __init__(self, store: Store, max_batch: int = 500) -> None:
        self.store = store
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[JournalEntry, asyncio.Future[None]] | None] = (
            asyncio.Queue()
        )
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="journal-writer")

    async def write(self, entry: JournalEntry) -> None:
        """Return once the entry is committed; raises if the database write failed."""
        if self._task is None or self._task.done():
            raise RuntimeError("journal writer is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((entry, done))
        await asyncio.shield(done)

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
                async with self.store.begin() as conn:
                    await insert_entries(conn, [entry for entry, _ in batch])
            except Exception as exc:
                log.error("journal write of %d rows failed: %s", len(batch), exc)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def close(self) -> None:
        """Commit everything queued so far, then stop."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
