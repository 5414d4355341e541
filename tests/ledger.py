"""A sending MTA's view of a gateway under test: a ledger of what each message was told,
clients that retry as an MTA does, and the database to compare it with.

A message is done when it gets a 250; on a 4xx, a dropped or a refused connection the
client tries again. Used by the chaos and the several-nodes tests.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from tests.harness import CaptureServer


@dataclass
class Ledger:
    """What the client sent and was told, per message number."""

    attempts: Counter[int] = field(default_factory=Counter)
    acknowledged: set[int] = field(default_factory=set)
    refused: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self) -> int:
        with self.lock:
            return len(self.acknowledged) + len(self.refused)


def client(
    ports: list[int],
    numbers: list[int],
    ledger: Ledger,
    stop_at: float,
    raw: Callable[[int], bytes],
) -> None:
    """Send each message until it is acknowledged or refused for good (5xx), each try
    to the next of `ports` in turn (round-robin, as an MTA with several MX hosts)."""
    turn = 0
    for n in numbers:
        while time.monotonic() < stop_at:
            with ledger.lock:
                ledger.attempts[n] += 1
            port = ports[turn % len(ports)]
            turn += 1
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
                    smtp.sendmail("teacher@school.example", ["parent@example.org"], raw(n))
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    with ledger.lock:
                        ledger.refused[n] = f"{exc.smtp_code} {exc.smtp_error!r}"
                    break
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if min(codes) >= 500:
                    with ledger.lock:
                        ledger.refused[n] = str(exc.recipients)
                    break
            except (OSError, smtplib.SMTPException):
                pass  # refused, dropped or timed out: a sending MTA tries again
            else:
                with ledger.lock:
                    ledger.acknowledged.add(n)
                break
            time.sleep(0.2)  # the client's retry interval (an MTA's queue run)


class Database:
    """The gateway's PostgreSQL database, which the test can take away and give back."""

    def __init__(self, admin_dsn: str, name: str) -> None:
        self.admin_dsn = admin_dsn
        self.name = name

    def _admin(self, *statements: str) -> None:
        async def run() -> None:
            conn = await asyncpg.connect(self.admin_dsn, timeout=10)
            try:
                for statement in statements:
                    await conn.execute(statement)
            finally:
                await conn.close()

        asyncio.run(run())

    def lose(self) -> None:
        """Refuse new connections and cut the open ones, as a database restart does."""
        self._admin(
            f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false',
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()",
        )

    def restore(self) -> None:
        self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    def rows(self, sql: str) -> list[Any]:
        async def run() -> list[Any]:
            dsn = self.admin_dsn.rsplit("/", 1)[0] + f"/{self.name}"
            conn = await asyncpg.connect(dsn, timeout=10)
            try:
                return list(await conn.fetch(sql))
            finally:
                await conn.close()

        return asyncio.run(run())


def wait_done(ledger: Ledger, count: int, stop_at: float) -> None:
    while ledger.done() < count:
        assert time.monotonic() < stop_at, f"only {ledger.done()} of {count} messages done"
        time.sleep(0.05)


def delivered_ids(capture: CaptureServer) -> Counter[str]:
    ids: Counter[str] = Counter()
    for captured in capture.originals():
        ids[captured.message_id] += 1
    return ids
