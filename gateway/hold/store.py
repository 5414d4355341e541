"""Held messages (confirm and quarantine) in the database, encrypted at rest.

This module is the storage: rows, state transitions and decryption. What the actions
mean (release, reject, expiry, notices) lives in gateway/hold/flow.py.

Every state change is a conditional UPDATE ("... WHERE status IN (expected)"), so two
admins, the CLI and several gateway nodes can act at once and only one of them wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.hold.crypto import HoldCipher
from gateway.hold.status import HoldStatus
from gateway.storage.engine import Store, aware
from gateway.storage.ids import new_id
from gateway.storage.journal import clean_text, clean_value, column_length
from models import Action, Finding, Severity
from models.schema import held_messages

if TYPE_CHECKING:
    from gateway.config.settings import Config


@dataclass(frozen=True, slots=True)
class ReleaseAttempt:
    """One try at handing a released message to the next hop, committed before it starts.

    `ended` says how it ended when it is known that nothing was delivered (a refusal to
    retry, the next hop unreachable). An attempt that is neither ended nor followed by the
    hold's "released" commit was cut off between sending and recording (the process
    killed, the connection lost during DATA): the next hop may have accepted it, so the
    retry may deliver a duplicate, and that is recorded instead of hidden.
    """

    id: str
    number: int
    started_at: datetime
    next_hop: str
    ended: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "started_at": self.started_at.isoformat(),
            "next_hop": self.next_hop,
            "ended": self.ended,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReleaseAttempt:
        return cls(
            id=str(data["id"]),
            number=int(data["number"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            next_hop=str(data.get("next_hop", "")),
            ended=data.get("ended"),
        )


def delivery_record(
    attempt: ReleaseAttempt, uncertain: Iterable[ReleaseAttempt], **outcome: Any
) -> dict[str, Any]:
    """The hold's `delivery` column: the latest attempt, the attempts whose outcome is
    unknown, and once known the next hop's answer (accepted, refused, reply or error)."""
    return {
        **outcome,
        "attempt": attempt.to_json(),
        "uncertain": [a.to_json() for a in uncertain],
    }


@dataclass(frozen=True, slots=True)
class HeldMessage:
    """A held message's metadata (its content is read separately, and decrypted)."""

    id: str
    journal_id: str
    action: str
    status: str
    severity: Severity
    created_at: datetime
    expires_at: datetime
    confirm_by: datetime | None
    mail_from: str
    recipients: tuple[str, ...]
    mail_options: tuple[str, ...]
    subject: str
    size: int
    rules: tuple[str, ...]
    findings: tuple[dict[str, Any], ...]
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    release_attempts: int
    next_attempt_at: datetime | None
    released_at: datetime | None
    delivery: dict[str, Any] | None
    purged_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> HeldMessage:
        return cls(
            id=row.id,
            journal_id=row.journal_id,
            action=row.action,
            status=row.status,
            severity=Severity(row.severity),
            created_at=aware(row.created_at),  # type: ignore[arg-type]
            expires_at=aware(row.expires_at),  # type: ignore[arg-type]
            confirm_by=aware(row.confirm_by),
            mail_from=row.mail_from,
            recipients=tuple(row.recipients),
            mail_options=tuple(row.mail_options),
            subject=row.subject,
            size=row.size,
            rules=tuple(row.rules),
            findings=tuple(row.findings),
            decided_at=aware(row.decided_at),
            decided_by=row.decided_by,
            decision_reason=row.decision_reason,
            release_attempts=row.release_attempts,
            next_attempt_at=aware(row.next_attempt_at),
            released_at=aware(row.released_at),
            delivery=row.delivery,
            purged_at=aware(row.purged_at),
        )

    def summary(self) -> dict[str, Any]:
        """What `held list` and `held show` print, as JSON (no span offsets, no content)."""
        return {
            "id": self.id,
            "action": self.action,
            "status": self.status,
            "severity": self.severity,
            "created_at": self.created_at.isoformat(),
            "confirm_by": self.confirm_by.isoformat() if self.confirm_by else None,
            "expires_at": self.expires_at.isoformat(),
            "mail_from": self.mail_from,
            "recipients": list(self.recipients),
            "subject": self.subject,
            "size": self.size,
            "rules": list(self.rules),
            "findings": [{k: v for k, v in f.items() if k != "span"} for f in self.findings],
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decision_reason": self.decision_reason,
            "released_at": self.released_at.isoformat() if self.released_at else None,
            "delivery": self.delivery,
            "purged": self.purged_at is not None,
        }

    @property
    def content_available(self) -> bool:
        return self.purged_at is None

    @property
    def attempt(self) -> ReleaseAttempt | None:
        """The latest delivery attempt (holds released before attempts were recorded: None)."""
        data = (self.delivery or {}).get("attempt")
        return ReleaseAttempt.from_json(data) if data else None

    @property
    def uncertain_attempts(self) -> tuple[ReleaseAttempt, ...]:
        """Earlier attempts that may have delivered the message: a copy may be a duplicate."""
        return tuple(
            ReleaseAttempt.from_json(a) for a in (self.delivery or {}).get("uncertain", [])
        )


def finding_record(finding: Finding) -> dict[str, Any]:
    """Findings as stored with a hold: redacted, plus the span for highlighting."""
    data = finding.to_json()
    if finding.span:
        data["span"] = list(finding.span)
    return data


_METADATA = [c for c in held_messages.c if c.name not in ("ciphertext", "nonce")]


class HoldStore:
    def __init__(self, store: Store, cipher: HoldCipher) -> None:
        self.store = store
        self.cipher = cipher

    @classmethod
    def for_config(cls, store: Store, config: Config) -> HoldStore:
        """With the hold key the configuration names (raises KeyFileError/HoldKeyError)."""
        cipher = HoldCipher.load(
            config.hold.key_env, config.hold_key_file, config.hold.previous_key_files
        )
        return cls(store, cipher)

    async def insert(
        self,
        conn: AsyncConnection,
        raw: bytes,
        *,
        journal_id: str,
        action: Action,
        severity: Severity,
        mail_from: str,
        recipients: list[str],
        mail_options: list[str],
        subject: str,
        rules: list[str],
        findings: tuple[Finding, ...],
        expires_at: datetime,
        confirm_by: datetime | None,
    ) -> str:
        """Store an encrypted copy inside the caller's transaction; return the hold id."""
        hold_id = new_id()
        kid, nonce, sealed = self.cipher.encrypt(raw, hold_id)
        await conn.execute(
            held_messages.insert().values(
                id=hold_id,
                journal_id=journal_id,
                created_at=datetime.now(UTC),
                expires_at=expires_at,
                confirm_by=confirm_by,
                action=str(action),
                status=HoldStatus.HELD,
                severity=severity,
                mail_from=mail_from,
                recipients=recipients,
                mail_options=mail_options,
                subject=clean_text(subject, column_length(held_messages.c.subject)),
                size=len(raw),
                rules=rules,
                findings=clean_value([finding_record(f) for f in findings]),
                key_id=kid,
                nonce=nonce,
                ciphertext=sealed,
            )
        )
        return hold_id

    async def get(self, hold_id: str) -> HeldMessage | None:
        async with self.store.connect() as conn:
            return await self.get_in(conn, hold_id)

    @staticmethod
    async def get_in(conn: AsyncConnection, hold_id: str) -> HeldMessage | None:
        """A hold's metadata as the caller's transaction sees it."""
        row = (
            await conn.execute(sa.select(*_METADATA).where(held_messages.c.id == hold_id))
        ).first()
        return HeldMessage.from_row(row) if row else None

    async def find(
        self,
        *,
        statuses: Iterable[str] | None = None,
        action: str | None = None,
        limit: int = 200,
        offset: int = 0,
        where: Iterable[Any] = (),
    ) -> list[HeldMessage]:
        query = sa.select(*_METADATA).order_by(held_messages.c.created_at.desc())
        if statuses is not None:
            query = query.where(held_messages.c.status.in_(list(statuses)))
        if action is not None:
            query = query.where(held_messages.c.action == action)
        for condition in where:
            query = query.where(condition)
        async with self.store.connect() as conn:
            rows = (await conn.execute(query.limit(limit).offset(offset))).all()
        return [HeldMessage.from_row(r) for r in rows]

    async def content(self, hold_id: str) -> bytes:
        """The original message bytes, decrypted."""
        async with self.store.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(
                        held_messages.c.key_id,
                        held_messages.c.nonce,
                        held_messages.c.ciphertext,
                        held_messages.c.purged_at,
                    ).where(held_messages.c.id == hold_id)
                )
            ).first()
        if row is None:
            raise LookupError(f"no held message {hold_id}")
        if row.purged_at is not None:
            raise LookupError(f"held message {hold_id} was purged; its content is gone")
        return self.cipher.decrypt(row.key_id, row.nonce, row.ciphertext, hold_id)

    @staticmethod
    async def transition(
        conn: AsyncConnection, hold_id: str, expected: Iterable[str], **values: Any
    ) -> bool:
        """Change a hold only if it is still in one of the expected states."""
        result = await conn.execute(
            held_messages.update()
            .where(held_messages.c.id == hold_id)
            .where(held_messages.c.status.in_(list(expected)))
            .values(**values)
        )
        return result.rowcount == 1
