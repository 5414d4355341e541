"""The audit log: who did what to which held message, and who viewed what.

Append-only: the code never updates or deletes its rows. DSLs and admins read it in
the console; every release, rejection, override, expiry and purge is recorded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.engine import Store
from models.schema import audit_log

SYSTEM = "schoolgate"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: a console user, a sender following their link, the CLI, or the system."""

    name: str
    role: str | None = None
    client_address: str | None = None


SYSTEM_ACTOR = Actor(SYSTEM, "system")


async def record(
    conn: AsyncConnection,
    actor: Actor,
    action: str,
    *,
    hold_id: str | None = None,
    journal_id: str | None = None,
    detail: str = "",
) -> None:
    await conn.execute(
        audit_log.insert().values(
            at=datetime.now(UTC),
            actor=actor.name[:320],
            role=actor.role,
            action=action,
            hold_id=hold_id,
            journal_id=journal_id,
            detail=detail[:2000],
            client_address=actor.client_address,
        )
    )


async def log(store: Store, actor: Actor, action: str, **kwargs: str | None) -> None:
    async with store.begin() as conn:
        await record(conn, actor, action, **kwargs)  # type: ignore[arg-type]
