"""Sign-in lockout by (account, network address), so a guesser cannot lock the owner out.

A lockout per account alone let anyone lock a DSL out of the console by typing wrong
passwords for their email, from anywhere. So the count is kept per (account, address):

- **Per address.** After `web.lockout_after` failed passwords or codes in a row for an
  account from one address (since that address last signed in to it or was last locked,
  within a day), that address may not sign in to that account for `web.lockout_minutes`
  (audit action "account-locked"). The owner at their usual address is not affected, and
  a successful sign-in from an address clears its count.
- **Account-wide**, against guessing from many addresses: after `ACCOUNT_FACTOR` times as
  many failures (50 by default) for the account within a day, from any addresses, only
  addresses that have signed in to the account before may sign in to it for
  `web.lockout_minutes` ("account-locked-new-addresses"); each still has its own count.
- Attempts refused by a lock are recorded as "locked" and count towards nothing, so they
  do not make a lock longer. `schoolgate users enable` or `set-password` lifts every lock
  of the account (the moment comes from their audit rows).
- Each lock is written to the audit log and emailed to `notices.admin_addresses`,
  through the notice outbox like other alerts, at most once per account every
  `web.lockout_minutes` (later locks in that time are in the audit log only), so a
  guesser cannot flood the admins' mailboxes. `console_users.locked_until` is set to the
  end of the latest lock, so `schoolgate users list` shows the account as locked.

Everything is read from the audit log, which every gateway node shares and which
outlives a restart, so several nodes count together and no schema change was needed.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.config.settings import Config
from gateway.delivery.mailer import Mailer
from gateway.hold import notices
from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.storage.engine import Store, aware
from gateway.web.users_store import ConsoleUser
from models.schema import audit_log, console_users

FAILED = "sign-in-failed"
SIGNED_IN = "sign-in"
ADDRESS_LOCK = "account-locked"
ACCOUNT_LOCK = "account-locked-new-addresses"
LIFTS = ("user-enable", "user-password")
"""`schoolgate users` actions (detail: the account's email) that lift every lock."""
COUNTED = ("password", "one-time code")
"""Failure details that count towards a lock; "locked", "unknown account" and the like
do not."""
REFUSED = "locked"
"""The detail of an attempt refused because a lock is in force."""
ACCOUNT_FACTOR = 10
MEMORY = timedelta(days=1)
"""Failures older than this are forgotten."""
ALERT_KIND = "lockout"


def _address(address: str | None) -> Any:
    column = audit_log.c.client_address
    return column.is_(None) if address is None else column == address


@dataclass(frozen=True, slots=True)
class Lock:
    action: str
    detail: str
    alert: str
    """The alert's opening paragraph."""


class Lockout:
    def __init__(self, store: Store, mailer: Mailer, config: Config) -> None:
        self.store = store
        self.mailer = mailer
        self.config = config

    @property
    def after(self) -> int:
        return self.config.web.lockout_after

    @property
    def account_after(self) -> int:
        return self.after * ACCOUNT_FACTOR

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.config.web.lockout_minutes)

    async def _latest(self, conn: AsyncConnection, *conditions: Any) -> datetime | None:
        query = sa.select(sa.func.max(audit_log.c.at)).where(*conditions)
        return aware((await conn.execute(query)).scalar())

    async def _lifted(self, conn: AsyncConnection, email: str) -> datetime | None:
        return await self._latest(conn, audit_log.c.action.in_(LIFTS), audit_log.c.detail == email)

    def _by(self, email: str, *actions: str) -> tuple[Any, ...]:
        return (audit_log.c.actor == email, audit_log.c.action.in_(actions))

    async def refused(self, user: ConsoleUser, address: str | None) -> bool:
        """Whether a lock stops `user` signing in from `address` now."""
        now = datetime.now(UTC)
        async with self.store.connect() as conn:
            since = max(
                [now - self.duration, *filter(None, [await self._lifted(conn, user.email)])]
            )
            locked = await self._latest(
                conn, *self._by(user.email, ADDRESS_LOCK), _address(address)
            )
            if locked is not None and locked > since:
                return True
            wide = await self._latest(conn, *self._by(user.email, ACCOUNT_LOCK))
            if wide is None or wide <= since:
                return False
            known = await self._latest(conn, *self._by(user.email, SIGNED_IN), _address(address))
            return known is None

    async def _failures(self, conn: AsyncConnection, email: str, *conditions: Any) -> Any:
        query = sa.select(
            sa.func.count(), sa.func.count(sa.distinct(audit_log.c.client_address))
        ).where(*self._by(email, FAILED), audit_log.c.detail.in_(COUNTED), *conditions)
        return (await conn.execute(query)).one()

    async def _due(self, user: ConsoleUser, address: str | None) -> Lock | None:
        """The lock the failures so far call for, if any."""
        now = datetime.now(UTC)
        minutes = f"{self.config.web.lockout_minutes:g}"
        shown = address or "an unknown address"
        async with self.store.connect() as conn:
            floor = [now - MEMORY, *filter(None, [await self._lifted(conn, user.email)])]
            pair = [
                await self._latest(conn, *self._by(user.email, SIGNED_IN), _address(address)),
                await self._latest(conn, *self._by(user.email, ADDRESS_LOCK), _address(address)),
            ]
            since = max([*floor, *filter(None, pair)])
            count, _ = await self._failures(
                conn, user.email, _address(address), audit_log.c.at > since
            )
            if count >= self.after:
                return Lock(
                    ADDRESS_LOCK,
                    f"{count} failed sign-ins in a row from {shown}; "
                    f"locked {minutes} min for that address",
                    f"{count} failed sign-ins in a row to the console account {user.email} "
                    f"came from {shown}. For {minutes} minutes that address cannot sign "
                    "in to the account. The account's owner can still sign in from their "
                    "usual address.",
                )
            wide = await self._latest(conn, *self._by(user.email, ACCOUNT_LOCK))
            since = max([*floor, *filter(None, [wide])])
            count, addresses = await self._failures(conn, user.email, audit_log.c.at > since)
        if count >= self.account_after:
            return Lock(
                ACCOUNT_LOCK,
                f"{count} failed sign-ins from {addresses} addresses; locked {minutes} min "
                "for addresses it has not signed in from",
                f"{count} failed sign-ins to the console account {user.email} came from "
                f"{addresses} network addresses within a day, which looks like someone "
                f"guessing its password from many places. For {minutes} minutes the "
                "account can only be signed in to from addresses it has signed in from "
                "before.",
            )
        return None

    async def failed(self, user: ConsoleUser, actor: Actor) -> bool:
        """After a counted failure (already in the audit log): lock if due. True if locked."""
        lock = await self._due(user, actor.client_address)
        if lock is None:
            return False
        now = datetime.now(UTC)
        async with self.store.begin() as conn:
            earlier = await self._latest(conn, *self._by(user.email, ADDRESS_LOCK, ACCOUNT_LOCK))
            await audit.record(conn, actor, lock.action, detail=lock.detail)
            await conn.execute(
                console_users.update()
                .where(console_users.c.id == user.id)
                .values(locked_until=now + self.duration)
            )
            admins = list(self.config.notices.admin_addresses)
            if admins and (earlier is None or earlier <= now - self.duration):
                await self.mailer.enqueue(conn, ALERT_KIND, self._alert(user, lock), admins)
        self.mailer.kick()
        return True

    def _alert(self, user: ConsoleUser, lock: Lock) -> EmailMessage:
        minutes = f"{self.config.web.lockout_minutes:g}"
        body = f"""{textwrap.fill(lock.alert, 76)}

If this was not the owner mistyping their password, someone may be trying to
guess it. The console's audit log lists every attempt with its network address.
Further locks of this account in the next {minutes} minutes are recorded there
but not emailed.

To lift the lock now:
  schoolgate users enable {user.email}

{self.config.notices.from_name}
"""
        return notices.compose(
            sender=self.config.notice_sender,
            sender_name=self.config.notices.from_name,
            to=list(self.config.notices.admin_addresses),
            subject=f"[schoolgate] Console sign-in locked: {user.email}",
            body=body,
            kind=ALERT_KIND,
        )
