"""Server-side console sessions behind a random cookie.

The cookie holds 32 random bytes; the database holds only their SHA-256, so a copy of
the database cannot be replayed as a sign-in. Sessions end when they expire, after
`web.idle_minutes` unused, on sign-out, and when the account is disabled or its
password is changed. The cookie is HttpOnly, SameSite=Lax (so the link in an alert
email opens the console already signed in) and Secure whenever the page came over https;
with `web.public_url` https it is `__Host-sg_session`, which no other host can plant
(cookies.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import Request, Response

from gateway.config.settings import WebSettings
from gateway.storage.engine import Store, aware
from gateway.web import cookies
from gateway.web.users_store import ConsoleUser
from models.schema import console_sessions, console_users

COOKIE = "sg_session"
"""The cookie's name (prefixed `__Host-` on an https console)."""
_TOUCH_EVERY = timedelta(minutes=1)
SECOND_FACTOR_TIME = timedelta(minutes=10)
"""How long a password-only sign-in waits for its one-time code."""


def session_id(token: str) -> str:
    """The session's id in the database: the SHA-256 of its cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user: ConsoleUser
    method: str
    second_factor_due: bool


class SessionStore:
    def __init__(self, store: Store, settings: WebSettings) -> None:
        self.store = store
        self.lifetime = timedelta(hours=settings.session_hours)
        self.idle = timedelta(minutes=settings.idle_minutes)

    async def create(
        self, user: ConsoleUser, method: str, client: str | None, *, second_factor_due: bool
    ) -> str:
        """A new session (a new token on every sign-in step: no session fixation)."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        async with self.store.begin() as conn:
            await conn.execute(
                console_sessions.insert().values(
                    id=session_id(token),
                    user_id=user.id,
                    method=method,
                    second_factor_due=second_factor_due,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + (SECOND_FACTOR_TIME if second_factor_due else self.lifetime),
                    client_address=(client or "")[:64] or None,
                )
            )
        return token

    async def load(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        key = session_id(token)
        query = (
            sa.select(
                console_users,
                console_sessions.c.method,
                console_sessions.c.second_factor_due,
                console_sessions.c.last_seen_at,
                console_sessions.c.expires_at,
            )
            .join(console_users, console_users.c.id == console_sessions.c.user_id)
            .where(console_sessions.c.id == key)
        )
        async with self.store.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        now = datetime.now(UTC)
        last_seen = aware(row.last_seen_at)
        expires = aware(row.expires_at)
        assert last_seen is not None and expires is not None
        user = ConsoleUser.from_row(row)
        if expires <= now or last_seen + self.idle <= now or user.disabled:
            await self.end(token)
            return None
        if now - last_seen > _TOUCH_EVERY:
            async with self.store.begin() as conn:
                await conn.execute(
                    console_sessions.update()
                    .where(console_sessions.c.id == key)
                    .values(last_seen_at=now)
                )
        return Session(key, user, row.method, bool(row.second_factor_due))

    async def end(self, token: str) -> None:
        async with self.store.begin() as conn:
            await conn.execute(
                console_sessions.delete().where(console_sessions.c.id == session_id(token))
            )

    async def purge_expired(self) -> None:
        now = datetime.now(UTC)
        async with self.store.begin() as conn:
            await conn.execute(
                console_sessions.delete().where(
                    sa.or_(
                        console_sessions.c.expires_at <= now,
                        console_sessions.c.last_seen_at <= now - self.idle,
                    )
                )
            )


def token_from(request: Request) -> str | None:
    """The session cookie the browser sent, if any."""
    return cookies.get(request, COOKIE)


def set_cookie(request: Request, response: Response, token: str) -> None:
    cookies.put(request, response, COOKIE, token, samesite="lax")


def clear_cookie(request: Request, response: Response) -> None:
    cookies.remove(request, response, COOKIE, samesite="lax")
