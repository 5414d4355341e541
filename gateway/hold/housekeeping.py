"""The gateway's own chores: expire unanswered holds, purge old content, retry releases,
send the daily digest. Runs every `hold.housekeeping_interval` seconds on every node;
each chore is safe to run concurrently (conditional updates and leases)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.config.settings import Config
from gateway.delivery.mailer import Mailer
from gateway.hold import digest, notices
from gateway.hold.flow import HoldFlow
from gateway.policy.titles import RuleTitles

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Housekeeper:
    config: Config
    flow: HoldFlow
    mailer: Mailer
    clock: Callable[[], datetime] = utc_now
    """Now, as an aware datetime (tests pass their own to pin the time of day)."""

    async def run_once(self) -> dict[str, int]:
        done = {
            "expired": await self.flow.expire_due(),
            "purged": await self.flow.purge_due(),
            "retried": await self.flow.retry_due(),
            "digests": await self.send_digest_if_due(),
        }
        if any(done.values()):
            log.info("housekeeping: %s", ", ".join(f"{k} {v}" for k, v in done.items() if v))
        return done

    async def send_digest_if_due(self, now: datetime | None = None) -> int:
        settings = self.config.notices
        if not self.flow.reviewers() or not settings.digest_time:
            return 0
        now = now or self.clock()
        day, due_today = digest.schedule(now, settings.digest_time, settings.zone)
        if not await digest.claim_day(self.flow.store, day, due_today=due_today):
            return 0
        await self.send_digest(now)
        return 1

    async def send_digest(self, now: datetime | None = None) -> None:
        now = now or self.clock()
        data = await digest.collect(self.flow.store, digest.window_start(now))
        subject, body = digest.render(
            data,
            self.flow.public_url,
            self.config.school.name,
            self.config.notices.zone,
            title=RuleTitles(self.config.effective_rules()),
        )
        message = notices.compose(
            sender=self.config.notice_sender,
            sender_name=self.config.notices.from_name,
            to=self.flow.reviewers(),
            subject=subject,
            body=body,
            kind="digest",
        )
        async with self.flow.store.begin() as conn:
            await self.mailer.enqueue(conn, "digest", message, self.flow.reviewers())
        self.mailer.kick()

    async def loop(self, interval: float) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # keep going: the next round may succeed
                log.error("housekeeping failed: %s", exc, exc_info=exc)
            await asyncio.sleep(interval)
