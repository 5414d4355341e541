"""Console accounts in the database: look-up, creation, lockout bookkeeping, TOTP.

Shared by the sign-in pages and `schoolgate users`; every change is one UPDATE so that
several gateway nodes (and the CLI) can act at once. TOTP keys are sealed with a key
derived from the web secret (gateway.web.totp.SecretBox), so both need that secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.storage.engine import Store, aware
from gateway.web.roles import Role
from gateway.web.totp import UNREADABLE, SecretBox, UnreadableSecret
from models.schema import console_sessions, console_users

log = logging.getLogger(__name__)


class UserError(Exception):
    """A user command cannot be done (no such account, already exists, bad role)."""


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    local, at, domain = cleaned.partition("@")
    if not (local and at and "." in domain) or " " in cleaned:
        raise UserError(f"{email!r} is not an email address like 'name@school.example'")
    return cleaned


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    id: int
    email: str
    role: str
    password_hash: str | None
    totp_secret: str | None
    """The base32 TOTP key; None when none is enrolled; totp.UNREADABLE when one is
    enrolled but cannot be opened here (another web secret, or read without the box, as
    the session loader does), so the second factor is still asked for and never passes."""
    totp_last_step: int | None
    disabled: bool
    failed_sign_ins: int
    locked_until: datetime | None
    created_at: datetime
    last_sign_in_at: datetime | None

    @classmethod
    def from_row(cls, row: Any, box: SecretBox | None = None) -> ConsoleUser:
        return cls(
            id=row.id,
            email=row.email,
            role=row.role,
            password_hash=row.password_hash,
            totp_secret=_opened(row, box),
            totp_last_step=row.totp_last_step,
            disabled=bool(row.disabled),
            failed_sign_ins=row.failed_sign_ins,
            locked_until=aware(row.locked_until),
            created_at=aware(row.created_at),  # type: ignore[arg-type]
            last_sign_in_at=aware(row.last_sign_in_at),
        )

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or datetime.now(UTC))


def _opened(row: Any, box: SecretBox | None) -> str | None:
    if row.totp_secret is None:
        return None
    if box is None:
        return UNREADABLE
    try:
        return box.open(row.totp_secret, row.id)
    except UnreadableSecret as exc:
        log.error(
            "the one-time code key of console account %s cannot be read: %s. The account "
            "cannot sign in with its password until the key is enrolled again with "
            "`schoolgate users totp %s`",
            row.email,
            exc,
            row.email,
        )
        return UNREADABLE


class UserStore:
    def __init__(self, store: Store, web_secret: bytes) -> None:
        self.store = store
        self.box = SecretBox(web_secret)

    async def _one(self, condition: Any) -> ConsoleUser | None:
        async with self.store.connect() as conn:
            row = (await conn.execute(sa.select(console_users).where(condition))).first()
        return ConsoleUser.from_row(row, self.box) if row else None

    async def by_email(self, email: str) -> ConsoleUser | None:
        return await self._one(console_users.c.email == email.strip().lower())

    async def by_id(self, user_id: int) -> ConsoleUser | None:
        return await self._one(console_users.c.id == user_id)

    async def require(self, email: str) -> ConsoleUser:
        user = await self.by_email(email)
        if user is None:
            raise UserError(f"there is no console account for {email}")
        return user

    async def all(self) -> list[ConsoleUser]:
        async with self.store.connect() as conn:
            rows = await conn.execute(sa.select(console_users).order_by(console_users.c.email))
        return [ConsoleUser.from_row(r, self.box) for r in rows]

    async def add(self, email: str, role: str, password_hash: str | None) -> ConsoleUser:
        email = normalise_email(email)
        if role not in set(Role):
            raise UserError(f"unknown role {role!r}; use one of: {', '.join(Role)}")
        if await self.by_email(email) is not None:
            raise UserError(f"{email} already has an account")
        async with self.store.begin() as conn:
            await conn.execute(
                console_users.insert().values(
                    email=email,
                    role=role,
                    password_hash=password_hash,
                    created_at=datetime.now(UTC),
                )
            )
        return await self.require(email)

    async def _update(self, user_id: int, **values: Any) -> None:
        async with self.store.begin() as conn:
            await conn.execute(
                console_users.update().where(console_users.c.id == user_id).values(**values)
            )

    async def set_password(self, user_id: int, password_hash: str | None) -> None:
        """A new password also lifts a lockout and signs the account out everywhere."""
        await self._update(
            user_id, password_hash=password_hash, failed_sign_ins=0, locked_until=None
        )
        await self.end_sessions(user_id)

    async def set_disabled(self, user_id: int, disabled: bool) -> None:
        await self._update(user_id, disabled=disabled, failed_sign_ins=0, locked_until=None)
        if disabled:
            await self.end_sessions(user_id)

    async def set_totp(self, user_id: int, secret: str | None) -> None:
        """Enrol a key (stored sealed) or, with None, remove it."""
        sealed = None if secret is None else self.box.seal(secret, user_id)
        await self._update(user_id, totp_secret=sealed, totp_last_step=None)

    async def end_sessions(self, user_id: int) -> None:
        async with self.store.begin() as conn:
            await conn.execute(
                console_sessions.delete().where(console_sessions.c.user_id == user_id)
            )

    async def record_success(self, user: ConsoleUser) -> None:
        """A sign-in; a lock in force for other addresses stays (gateway.web.lockout)."""
        await self._update(user.id, failed_sign_ins=0, last_sign_in_at=datetime.now(UTC))

    async def claim_totp_step(self, user_id: int, step: int) -> bool:
        """Use a TOTP time step once: a code seen before (a replay) is refused."""
        async with self.store.begin() as conn:
            result = await conn.execute(
                console_users.update()
                .where(console_users.c.id == user_id)
                .where(
                    sa.or_(
                        console_users.c.totp_last_step.is_(None),
                        console_users.c.totp_last_step < step,
                    )
                )
                .values(totp_last_step=step)
            )
        return bool(result.rowcount == 1)
