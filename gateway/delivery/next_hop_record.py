"""Where the running gateway delivers, recorded in the database for the CLI.

`schoolgate held release` delivers (and sends notices) itself. Run with a config file
that has no next hop while the gateway was started with `--next-hop`, it "sent" released
mail into a local outbox folder that nobody reads (issue 11). The gateway records its
next hop at start; a CLI command whose own next hop differs refuses to act.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.storage.engine import Store
from models.schema import app_state

KEY = "next_hop"


MAX_CHARS = 255
"""The width of app_state.value; both sides are compared cut to it."""


async def record(store: Store, description: str) -> None:
    """The running gateway's next hop (nodes sharing a database share a next hop)."""
    values = {"value": description[:MAX_CHARS], "updated_at": datetime.now(UTC)}
    update = app_state.update().where(app_state.c.key == KEY).values(**values)
    async with store.begin() as conn:
        if (await conn.execute(update)).rowcount:
            return
        try:
            async with conn.begin_nested():
                await conn.execute(app_state.insert().values(key=KEY, **values))
        except sa.exc.IntegrityError:  # another node started at the same moment
            await conn.execute(update)


async def recorded(store: Store) -> str | None:
    query = sa.select(app_state.c.value).where(app_state.c.key == KEY)
    async with store.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else str(row.value)


def mismatch(gateway: str | None, here: str) -> str | None:
    """Why a CLI command must not deliver, or None when it goes where the gateway does."""
    if gateway is None or gateway == here[:MAX_CHARS]:
        return None
    return (
        f"the running gateway delivers to {gateway}, but this command would deliver to "
        f"{here}. Run it with the gateway's own configuration (--config), so released mail "
        "and notices go the same way."
    )
