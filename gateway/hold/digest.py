"""The daily digest for admins and DSLs: what was held, warned, overridden and expired.

Sent once a day at `notices.digest_time` by whichever gateway node claims the day
first in `app_state`, so several nodes sharing a PostgreSQL database send one digest.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

import sqlalchemy as sa

from gateway.hold.status import HoldStatus
from gateway.policy.titles import RuleTitles
from gateway.storage.engine import Store
from models.schema import app_state, audit_log, held_messages, journal

DIGEST_KEY = "digest_last_day"


@dataclass(frozen=True, slots=True)
class DigestData:
    since: datetime
    actions: Counter[str]
    rules: Counter[str]
    waiting: list[tuple[str, str, str, str]]
    """(hold id, sender, redacted subject, severity) still awaiting review."""
    overrides: list[tuple[str, str, str]]
    """(sender, hold id, reason) for "Send anyway" choices."""
    expired: int


async def collect(store: Store, since: datetime) -> DigestData:
    async with store.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(journal.c.action, journal.c.rules).where(journal.c.received_at >= since)
            )
        ).all()
        waiting = (
            await conn.execute(
                sa.select(
                    held_messages.c.id,
                    held_messages.c.mail_from,
                    held_messages.c.subject,
                    held_messages.c.severity,
                )
                .where(held_messages.c.status == HoldStatus.HELD)
                .where(held_messages.c.action == "quarantine")
                .order_by(held_messages.c.created_at)
            )
        ).all()
        overrides = (
            await conn.execute(
                sa.select(audit_log.c.actor, audit_log.c.hold_id, audit_log.c.detail)
                .where(audit_log.c.action == "override")
                .where(audit_log.c.at >= since)
                .order_by(audit_log.c.at)
            )
        ).all()
        expired = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(audit_log)
                .where(audit_log.c.action == "expired")
                .where(audit_log.c.at >= since)
            )
        ).scalar_one()
    actions: Counter[str] = Counter(str(r.action) for r in rows if r.action)
    rules: Counter[str] = Counter(rule for r in rows for rule in (r.rules or []))
    return DigestData(
        since=since,
        actions=actions,
        rules=rules,
        waiting=[(w.id, w.mail_from, w.subject, w.severity) for w in waiting],
        overrides=[(o.actor, o.hold_id or "", o.detail) for o in overrides],
        expired=int(expired),
    )


def render(
    data: DigestData,
    console_url: str,
    school: str,
    zone: tzinfo,
    title: Callable[[str], str] | None = None,
) -> tuple[str, str]:
    """The digest's subject and text; `title` names a rule as people read it (pass the
    configured rules' titles so that a school's own rule shows its own; default: the
    built-in rules')."""
    title = title or RuleTitles(())
    lines = [
        f"schoolgate daily summary for {school}",
        f"Since {data.since.astimezone(zone):%A %d %B %H:%M}.",
        "",
        "Messages checked: "
        + (", ".join(f"{n} {a}" for a, n in sorted(data.actions.items())) or "none"),
    ]
    if data.rules:
        lines += ["", "Rules that matched:"]
        lines += [f"  - {title(rule)}: {n}" for rule, n in data.rules.most_common(15)]
    lines += ["", f"Held for review and still waiting: {len(data.waiting)}"]
    lines += [
        f'  - [{severity}] {sender}: "{subject}"  {console_url}/held/{hold_id}'
        for hold_id, sender, subject, severity in data.waiting[:50]
    ]
    lines += ["", f'"Send anyway" overrides: {len(data.overrides)}']
    lines += [f"  - {who} ({hold}): {reason}" for who, hold, reason in data.overrides[:50]]
    lines += ["", f"Expired without an answer: {data.expired}", "", f"Console: {console_url}"]
    subject = f"[schoolgate] Daily summary: {len(data.waiting)} waiting for review"
    return subject, "\n".join(lines) + "\n"


async def claim_day(store: Store, day: str, *, due_today: bool) -> bool:
    """True for exactly one caller per day (across every node sharing the database).

    `day` is the local date (YYYY-MM-DD) and `due_today` whether its digest time has
    passed. A database that has never sent a digest records a starting point instead of
    sending: a new installation sends its first digest at the next digest time, not a
    "daily" summary of nothing the moment it starts. After that, a node that was down at
    the digest time sends the day's digest when it comes back.
    """
    now = datetime.now(UTC)
    async with store.begin() as conn:
        if due_today:
            updated = await conn.execute(
                app_state.update()
                .where(app_state.c.key == DIGEST_KEY)
                .where(app_state.c.value < day)
                .values(value=day, updated_at=now)
            )
            if updated.rowcount == 1:
                return True
        exists = (
            await conn.execute(sa.select(app_state.c.value).where(app_state.c.key == DIGEST_KEY))
        ).first()
        if exists is not None:
            return False
        # Today's digest counts as sent when its time has passed, so the next one is due
        # at the next digest time; otherwise yesterday's does, so today's still goes.
        start = day if due_today else (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        with contextlib.suppress(sa.exc.IntegrityError):  # another node recorded it first
            async with conn.begin_nested():
                await conn.execute(
                    app_state.insert().values(key=DIGEST_KEY, value=start, updated_at=now)
                )
        return False


def schedule(now: datetime, digest_time: str, zone: tzinfo) -> tuple[str, bool]:
    """The school's date (YYYY-MM-DD) at `now`, and whether that day's digest is due."""
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in digest_time.split(":"))
    return local.strftime("%Y-%m-%d"), (local.hour, local.minute) >= (hour, minute)


def window_start(now: datetime) -> datetime:
    return now - timedelta(days=1)
