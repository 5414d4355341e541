"""The notice outbox: notices, alerts and digests go out through the next hop.

A notice is first written to the `notice_outbox` table — in the same transaction as
the hold it describes, so a held message always has its notice — and then sent by a
background task that retries with back-off while the next hop is unavailable. Sent
notices keep their row (for the record) but not their content.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import logging
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.delivery.relay import NextHop, NextHopUnavailable, SendResult, send
from gateway.storage.engine import Store, aware
from gateway.storage.ids import new_id
from models.schema import notice_outbox

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
GIVE_UP = timedelta(days=3)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(attempts - 1, 0)))


def to_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=email.policy.SMTP)


class Mailer:
    def __init__(self, store: Store, next_hop: NextHop) -> None:
        self.store = store
        self.next_hop = next_hop
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def enqueue(
        self,
        conn: AsyncConnection,
        kind: str,
        message: EmailMessage,
        recipients: list[str],
        hold_id: str | None = None,
    ) -> None:
        """Queue a notice inside the caller's transaction; it is sent after the commit."""
        recipients = [r for r in dict.fromkeys(recipients) if r]
        if not recipients:
            return
        now = datetime.now(UTC)
        await conn.execute(
            notice_outbox.insert().values(
                id=new_id(),
                created_at=now,
                kind=kind,
                hold_id=hold_id,
                mail_from="",
                recipients=recipients,
                content=to_bytes(message),
                next_attempt_at=now,
            )
        )

    def kick(self) -> None:
        """Send what is due now rather than at the next housekeeping round."""
        self._wake.set()

    def start(self, interval: float) -> None:
        self._task = asyncio.create_task(self._run(interval), name="notice-outbox")

    async def _run(self, interval: float) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # the database may be briefly away; try again later
                log.exception("sending notices failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def flush(self) -> int:
        """Send every notice that is due; return how many went out."""
        sent = 0
        now = datetime.now(UTC)
        async with self.store.connect() as conn:
            due = (
                await conn.execute(
                    sa.select(notice_outbox)
                    .where(notice_outbox.c.sent_at.is_(None))
                    .where(notice_outbox.c.next_attempt_at <= now)
                    .order_by(notice_outbox.c.next_attempt_at)
                    .limit(50)
                )
            ).all()
        for row in due:
            if await self._claim(row.id, row.next_attempt_at):
                sent += await self._send_one(row)
        return sent

    async def _claim(self, notice_id: str, seen_at: datetime) -> bool:
        """Take a lease on one notice so two gateway nodes never send it twice."""
        async with self.store.begin() as conn:
            result = await conn.execute(
                notice_outbox.update()
                .where(notice_outbox.c.id == notice_id)
                .where(notice_outbox.c.next_attempt_at == seen_at)
                .where(notice_outbox.c.sent_at.is_(None))
                .values(next_attempt_at=datetime.now(UTC) + LEASE)
            )
            return bool(result.rowcount == 1)

    async def _send_one(self, row: Any) -> int:
        now = datetime.now(UTC)

        async def sent(result: SendResult) -> None:
            # Marked sent the moment the next hop says 250, before QUIT: a node killed
            # after that sends no second copy; one killed in between sends one when
            # the lease runs out (at least once, never lost).
            refused = "; ".join(f"{r}: {reply}" for r, reply in result.refused.items())
            await self._finish(row.id, now, f"refused by {refused}" if refused else None)

        try:
            result = await send(
                self.next_hop, row.mail_from, list(row.recipients), row.content, on_accepted=sent
            )
        except NextHopUnavailable as exc:
            await self._retry_later(row, str(exc))
            return 0
        if result.delivered:
            return 1
        if result.reply.transient:
            await self._retry_later(row, str(result.reply))
            return 0
        log.warning("notice %s (%s) refused: %s", row.id, row.kind, result.reply)
        await self._finish(row.id, now, f"refused: {result.reply}")
        return 0

    async def _retry_later(self, row: Any, error: str) -> None:
        now = datetime.now(UTC)
        if now - aware(row.created_at) > GIVE_UP:  # type: ignore[operator]
            log.error("giving up on notice %s (%s): %s", row.id, row.kind, error)
            await self._finish(row.id, now, f"gave up: {error}")
            return
        async with self.store.begin() as conn:
            await conn.execute(
                notice_outbox.update()
                .where(notice_outbox.c.id == row.id)
                .values(
                    attempts=row.attempts + 1,
                    next_attempt_at=now + _backoff(row.attempts + 1),
                    last_error=error[:1000],
                )
            )

    async def _finish(self, notice_id: str, when: datetime, error: str | None) -> None:
        async with self.store.begin() as conn:
            await conn.execute(
                notice_outbox.update()
                .where(notice_outbox.c.id == notice_id)
                .values(sent_at=when, content=b"", last_error=error[:1000] if error else None)
            )
