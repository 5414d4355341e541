"""What happens to held mail: hold, release, confirm, cancel, reject, delete, expire, purge.

States: held -> releasing -> released, or held -> rejected / cancelled / expired /
deleted; releasing -> failed when the next hop refuses for good. Releasing is a state
of its own so that a release interrupted mid-delivery (next hop down, process killed)
is retried by whichever node gets the delivery lease next, and so that releasing twice
delivers once: only the caller whose conditional UPDATE wins starts a delivery.
"""

from __future__ import annotations

import email.utils
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.config.settings import Config
from gateway.delivery.ascii import ascii_text
from gateway.delivery.mailer import Mailer
from gateway.delivery.relay import DeliveryUncertain, NextHop, NextHopUnavailable, SendResult, send
from gateway.faults import crash_point
from gateway.hold import notices
from gateway.hold.links import LinkSigner
from gateway.hold.notices import MatchedRule, NoticeFacts, Signature
from gateway.hold.status import HoldStatus
from gateway.hold.store import (
    HeldMessage,
    HoldStore,
    ReleaseAttempt,
    delivery_record,
)
from gateway.storage import audit
from gateway.storage.audit import SYSTEM_ACTOR, Actor
from gateway.storage.engine import Store
from gateway.storage.ids import new_id
from gateway.storage.journal import JournalEntry, Outcome, insert_entries
from models import Action, Finding, Verdict, domain_matches
from models.schema import held_messages, journal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of an action, for the CLI and the web pages."""

    ok: bool
    status: str
    message: str


@dataclass
class HoldFlow:
    config: Config
    store: Store
    holds: HoldStore
    mailer: Mailer
    next_hop: NextHop
    signer: LinkSigner
    base_url: str = ""
    """Where links point; the configured public URL, else the web listener's address."""

    # --- helpers ------------------------------------------------------------------------

    @property
    def signature(self) -> Signature:
        n = self.config.notices
        return Signature(
            n.from_name, self.config.school.name, n.reviewer_role, n.review_time, n.releaser_role
        )

    def _rules_by_name(self) -> dict[str, MatchedRule]:
        return {r.name: MatchedRule(r.reason, r.notice) for r in self.config.effective_rules()}

    def _facts(self, held: HeldMessage) -> NoticeFacts:
        known = self._rules_by_name()
        return NoticeFacts(
            subject=held.subject,
            recipients=held.recipients,
            rules=tuple(known[r] for r in held.rules if r in known),
            findings=held.findings,
            hold_id=held.id,
        )

    def notifiable(self, sender: str) -> bool:
        """Notices go to the school's own staff, never to forged outside senders."""
        if not sender or "@" not in sender:
            return False
        if self.config.notices.notify_external_senders or not self.config.school.domains:
            return True
        return domain_matches(sender.rpartition("@")[2], self.config.school.domains)

    @property
    def delivery_lease(self) -> timedelta:
        """How long one delivery attempt may take before another process may try again."""
        relay = self.config.relay
        return timedelta(seconds=relay.connect_timeout + 3 * relay.timeout + 5)

    def console_url(self, hold_id: str) -> str:
        return f"{self.public_url}/held/{hold_id}"

    @property
    def public_url(self) -> str:
        return self.base_url or self.config.public_url

    def confirm_urls(self, hold_id: str) -> tuple[str, str]:
        token = self.signer.token(hold_id)
        base = f"{self.public_url}/confirm/{token}"
        return f"{base}/send", f"{base}/cancel"

    async def _notice(
        self,
        conn: AsyncConnection,
        kind: str,
        to: list[str],
        subject_body: tuple[str, str],
        hold_id: str | None = None,
    ) -> None:
        subject, body = subject_body
        message = notices.compose(
            sender=self.config.notice_sender,
            sender_name=self.config.notices.from_name,
            to=to,
            subject=subject,
            body=body,
            kind=kind,
        )
        await self.mailer.enqueue(conn, kind, message, to, hold_id=hold_id)

    async def _tell_sender(
        self, conn: AsyncConnection, held: HeldMessage, kind: str, subject_body: tuple[str, str]
    ) -> None:
        if self.notifiable(held.mail_from):
            await self._notice(conn, kind, [held.mail_from], subject_body, held.id)

    def reviewers(self) -> list[str]:
        n = self.config.notices
        return list(dict.fromkeys([*n.admin_addresses, *n.dsl_addresses]))

    # --- holding ------------------------------------------------------------------------

    async def hold(
        self,
        raw: bytes,
        *,
        verdict: Verdict,
        findings: tuple[Finding, ...],
        mail_from: str,
        recipients: list[str],
        mail_options: list[str],
        entry: JournalEntry,
    ) -> str:
        """Store the message, its journal row, the sender's notice and any alert, atomically.

        Only after this commits may the client be told 250.
        """
        now = datetime.now(UTC)
        action = verdict.action
        confirm_by = now + timedelta(hours=self.config.hold.confirm_hours)
        async with self.store.begin() as conn:
            hold_id = await self.holds.insert(
                conn,
                raw,
                journal_id=entry.id,
                action=action,
                severity=verdict.severity,
                mail_from=mail_from,
                recipients=recipients,
                mail_options=mail_options,
                subject=entry.subject,
                rules=entry.rules,
                findings=findings,
                expires_at=now + timedelta(days=self.config.hold.retention_days),
                confirm_by=confirm_by if action == Action.CONFIRM else None,
            )
            entry.held_as(hold_id)
            await insert_entries(conn, [entry])
            await audit.record(
                conn,
                SYSTEM_ACTOR,
                "held",
                hold_id=hold_id,
                journal_id=entry.id,
                detail=f"{action} by rules {', '.join(entry.rules)}",
            )
            held = await self.holds.get_in(conn, hold_id)
            assert held is not None  # inserted above, in this transaction
            facts = self._facts(held)
            if action == Action.CONFIRM:
                send_url, cancel_url = self.confirm_urls(hold_id)
                text = notices.confirm_notice(
                    facts, send_url, cancel_url, confirm_by, self.signature
                )
                await self._tell_sender(conn, held, "confirm", text)
            else:
                await self._tell_sender(
                    conn, held, "quarantine", notices.quarantine_notice(facts, self.signature)
                )
                if verdict.severity >= self.config.notices.alert_severity and self.reviewers():
                    text = notices.alert(
                        facts,
                        mail_from,
                        verdict.severity,
                        self.console_url(hold_id),
                        self.signature,
                    )
                    await self._notice(conn, "alert", self.reviewers(), text, hold_id)
            crash_point("before-hold-commit")
        self.mailer.kick()
        return hold_id

    async def notify_delivered(self, entry: JournalEntry, verdict: Verdict) -> None:
        """After a notify verdict's delivery: a reminder to the sender."""
        if not self.notifiable(entry.mail_from):
            return
        facts = NoticeFacts(
            subject=entry.subject,
            recipients=tuple(entry.recipients),
            rules=tuple(MatchedRule(m.reason, m.notice) for m in verdict.deciding),
            findings=tuple(entry.findings),
        )
        async with self.store.begin() as conn:
            text = notices.notify_notice(facts, self.signature)
            await self._notice(conn, "notify", [entry.mail_from], text)
        self.mailer.kick()

    # --- decisions ----------------------------------------------------------------------

    async def release(self, hold_id: str, actor: Actor, reason: str = "") -> Result:
        """Deliver a held message (idempotent: a second release delivers nothing more)."""
        return await self._start_release(hold_id, actor, reason, audit_action="release")

    async def send_anyway(self, hold_id: str, actor: Actor, reason: str) -> Result:
        """The sender's override of a confirm hold, with the reason DSLs will review."""
        held = await self.holds.get(hold_id)
        if held is None or held.action != str(Action.CONFIRM):
            return Result(False, "unknown", "This message is not waiting for your confirmation.")
        if not reason.strip():
            return Result(False, held.status, "Please give a short reason.")
        return await self._start_release(hold_id, actor, reason.strip(), audit_action="override")

    async def _start_release(
        self, hold_id: str, actor: Actor, reason: str, *, audit_action: str
    ) -> Result:
        held = await self.holds.get(hold_id)
        if held is None:
            return Result(False, "unknown", f"No held message {hold_id}.")
        if held.status in (HoldStatus.RELEASED, HoldStatus.RELEASING):
            return Result(True, held.status, _already(held))
        if held.status != HoldStatus.HELD:
            return Result(False, held.status, f"It cannot be sent: it was {held.status}.")
        async with self.store.begin() as conn:
            won = await self._decide(
                conn,
                held,
                actor,
                audit_action,
                reason,
                status=HoldStatus.RELEASING,
                next_attempt_at=None,
            )
        if not won:
            current = await self.holds.get(hold_id)
            assert current is not None
            ok = current.status in (HoldStatus.RELEASED, HoldStatus.RELEASING)
            return Result(
                ok, current.status, _already(current) if ok else f"It was {current.status}."
            )
        return await self.attempt(hold_id)

    async def _decide(
        self,
        conn: AsyncConnection,
        held: HeldMessage,
        actor: Actor,
        audit_action: str,
        reason: str,
        **values: Any,
    ) -> bool:
        """Move a held message on, and audit who did it and why, if nobody beat us to it."""
        won = await self.holds.transition(
            conn,
            held.id,
            [HoldStatus.HELD],
            decided_at=datetime.now(UTC),
            decided_by=actor.name,
            decision_reason=reason or None,
            **values,
        )
        if won:
            await audit.record(
                conn,
                actor,
                audit_action,
                hold_id=held.id,
                journal_id=held.journal_id,
                detail=reason,
            )
        return won

    async def cancel(self, hold_id: str, actor: Actor) -> Result:
        """The sender chose "Don't send"."""
        return await self._close(hold_id, actor, HoldStatus.CANCELLED, "cancel", "", tell=False)

    async def reject(self, hold_id: str, actor: Actor, reason: str = "") -> Result:
        return await self._close(hold_id, actor, HoldStatus.REJECTED, "reject", reason, tell=True)

    async def delete(self, hold_id: str, actor: Actor, reason: str = "") -> Result:
        """Reject and erase the content at once (e.g. it should never have been stored)."""
        held = await self.holds.get(hold_id)
        if held is None:
            return Result(False, "unknown", f"No held message {hold_id}.")
        if held.status == HoldStatus.DELETED:
            return Result(True, held.status, "It was already deleted.")
        if held.status == HoldStatus.RELEASING:
            return Result(False, held.status, "It is being delivered; it cannot be deleted now.")
        async with self.store.begin() as conn:
            won = await self.holds.transition(
                conn,
                hold_id,
                [s for s in (HoldStatus.HELD, *HoldStatus.FINAL) if s != HoldStatus.DELETED],
                status=HoldStatus.DELETED,
                decided_at=datetime.now(UTC),
                decided_by=actor.name,
                decision_reason=reason or None,
                ciphertext=b"",
                purged_at=datetime.now(UTC),
            )
            if won:
                await audit.record(conn, actor, "delete", hold_id=hold_id, detail=reason)
                if held.status == HoldStatus.HELD:
                    text = notices.rejected_notice(
                        self._facts(held), actor.name, reason, self.signature
                    )
                    await self._tell_sender(conn, held, "rejected", text)
        self.mailer.kick()
        return Result(
            won,
            HoldStatus.DELETED if won else held.status,
            "Deleted." if won else "It changed meanwhile.",
        )

    async def _close(
        self, hold_id: str, actor: Actor, status: str, audit_action: str, reason: str, *, tell: bool
    ) -> Result:
        held = await self.holds.get(hold_id)
        if held is None:
            return Result(False, "unknown", f"No held message {hold_id}.")
        if held.status == status:
            return Result(True, status, f"It was already {status}.")
        if held.status != HoldStatus.HELD:
            return Result(False, held.status, f"It cannot be {status} now: it was {held.status}.")
        async with self.store.begin() as conn:
            won = await self._decide(conn, held, actor, audit_action, reason, status=status)
            if won and tell:
                text = notices.rejected_notice(
                    self._facts(held), actor.name, reason, self.signature
                )
                await self._tell_sender(conn, held, status, text)
        self.mailer.kick()
        if not won:
            current = await self.holds.get(hold_id)
            return Result(False, current.status if current else "unknown", "It changed meanwhile.")
        return Result(True, status, f"Done: the message is {status}.")

    # --- delivery -----------------------------------------------------------------------

    async def attempt(self, hold_id: str) -> Result:
        """One delivery attempt, under a lease so that only one node or process tries.

        The attempt is committed on the hold before the message goes out, and the delivery
        is committed the moment the next hop accepts it. A process killed between those
        two commits leaves an attempt with no outcome: the retry delivers again (nothing
        is lost) and records that the recipients may have two copies.
        """
        async with self.store.begin() as conn:
            started = await self._claim(conn, hold_id)
        held = await self.holds.get(hold_id)
        if held is None:
            return Result(False, "unknown", f"No held message {hold_id}.")
        if started is None:
            return Result(held.status != HoldStatus.FAILED, held.status, _already(held))
        crash_point("release-after-claim")
        content = self._release_header(held, started) + await self.holds.content(hold_id)
        first: list[bool] = []

        async def record(result: SendResult) -> None:
            first.append(await self._record_delivered(held, started, result))

        try:
            result = await send(
                self.next_hop,
                held.mail_from,
                list(held.recipients),
                content,
                list(held.mail_options),
                on_accepted=record,
            )
        except DeliveryUncertain as exc:
            return await self._defer(held, started, str(exc), known=False)
        except NextHopUnavailable as exc:
            return await self._defer(held, started, str(exc), known=True)
        if result.delivered:
            if first == [True]:
                await self._tell_released(held, result)
            return Result(True, HoldStatus.RELEASED, "Sent.")
        if result.reply.transient:
            return await self._defer(held, started, str(result.reply), known=True)
        return await self._failed(held, started, str(result.reply))

    async def _claim(self, conn: AsyncConnection, hold_id: str) -> ReleaseAttempt | None:
        """Take the delivery lease and record the attempt, or None if it is not due.

        An earlier attempt with no recorded end was cut off after it may have delivered:
        the audit log and the journal say so here, before the message is sent again.
        """
        now = datetime.now(UTC)
        held = await self.holds.get_in(conn, hold_id)
        if held is None or held.status != HoldStatus.RELEASING:
            return None
        attempt = ReleaseAttempt(new_id(), held.release_attempts + 1, now, self.next_hop.describe())
        previous = held.attempt
        cut_off = previous if previous is not None and previous.ended is None else None
        uncertain = (*held.uncertain_attempts, *([cut_off] if cut_off else []))
        claimed = await conn.execute(
            held_messages.update()
            .where(held_messages.c.id == hold_id)
            .where(held_messages.c.status == HoldStatus.RELEASING)
            .where(held_messages.c.release_attempts == held.release_attempts)
            .where(
                sa.or_(
                    held_messages.c.next_attempt_at.is_(None),
                    held_messages.c.next_attempt_at <= now,
                )
            )
            .values(
                release_attempts=attempt.number,
                next_attempt_at=now + self.delivery_lease,
                delivery=delivery_record(attempt, uncertain),
            )
        )
        if claimed.rowcount != 1:
            return None
        if cut_off is not None:
            detail = _uncertain_detail(cut_off, attempt)
            await audit.record(
                conn,
                SYSTEM_ACTOR,
                "delivery-uncertain",
                hold_id=held.id,
                journal_id=held.journal_id,
                detail=detail,
            )
            await self._journal_uncertain(conn, held, detail)
            log.warning("release of %s: %s", held.id, detail)
        return attempt

    @staticmethod
    async def _journal_uncertain(conn: AsyncConnection, held: HeldMessage, detail: str) -> None:
        """A journal row for the cut-off attempt, next to the message's own row. It has no
        verdict (action), so it is not counted again as an incident or in the digest."""
        original = (
            await conn.execute(
                sa.select(journal.c.message_id, journal.c.header_from).where(
                    journal.c.id == held.journal_id
                )
            )
        ).first()
        entry = JournalEntry(
            id=new_id(),
            outcome=Outcome.TEMPFAILED,
            smtp_reply="",
            mail_from=held.mail_from,
            recipients=list(held.recipients),
            header_from=original.header_from if original else "",
            subject=held.subject,
            message_id=original.message_id if original else None,
            size=held.size,
            hold_id=held.id,
            error=f"possible duplicate: {detail}",
        )
        await insert_entries(conn, [entry])

    def _release_header(self, held: HeldMessage, attempt: ReleaseAttempt) -> bytes:
        """Trace headers; the message itself (and its Message-ID) is left as it was, so a
        duplicate can be matched to its first copy downstream."""
        by = ascii_text(held.decided_by or "unknown")[:200]
        date = email.utils.formatdate(localtime=True)
        trace = f"{attempt.number}; id={attempt.id}"
        if held.uncertain_attempts:
            earlier = ",".join(a.id for a in held.uncertain_attempts)
            trace += f"; possible-duplicate-of={earlier}"
        return (
            f"X-Schoolgate-Released: hold={held.id}; by={by}; {date}\r\n"
            f"X-Schoolgate-Release-Attempt: {trace}\r\n"
        ).encode()

    async def _record_delivered(
        self, held: HeldMessage, attempt: ReleaseAttempt, result: SendResult
    ) -> bool:
        """Commit the delivery at once, before QUIT and before any notice: this commit is
        all of the time in which a crash would make the retry deliver a second copy.
        False when another attempt had already recorded a delivery (a second copy)."""
        accepted = result.accepted
        refused = {r: str(x) for r, x in result.refused.items()}
        reply = str(result.reply)
        async with self.store.begin() as conn:
            won = await self.holds.transition(
                conn,
                held.id,
                [HoldStatus.RELEASING],
                status=HoldStatus.RELEASED,
                released_at=datetime.now(UTC),
                next_attempt_at=None,
                delivery=delivery_record(
                    attempt,
                    held.uncertain_attempts,
                    accepted=accepted,
                    refused=refused,
                    reply=reply,
                ),
            )
            await audit.record(
                conn,
                SYSTEM_ACTOR,
                "delivered" if won else "delivered-again",
                hold_id=held.id,
                journal_id=held.journal_id,
                detail=f"accepted {len(accepted)}, refused {len(refused)}: {reply}"
                if won
                else f"attempt {attempt.number} delivered a second copy: {reply}",
            )
            crash_point("release-before-delivered-commit")
        return won

    async def _tell_released(self, held: HeldMessage, result: SendResult) -> None:
        """The sender's notice, after the delivery's commit (kept out of its window)."""
        refused = {r: str(x) for r, x in result.refused.items()}
        if held.decided_by != held.mail_from or refused:
            async with self.store.begin() as conn:
                text = notices.released_notice(
                    self._facts(held), held.decided_by or "a reviewer", refused, self.signature
                )
                await self._tell_sender(conn, held, "released", text)
            self.mailer.kick()
        log.info("held message %s released and delivered", held.id)

    async def _defer(
        self, held: HeldMessage, attempt: ReleaseAttempt, error: str, *, known: bool
    ) -> Result:
        """Retry later. `known`: nothing was delivered; otherwise the next hop may have the
        message, and the attempt is left without an end so the retry records it."""
        now = datetime.now(UTC)
        started = held.decided_at or now
        if now - started > timedelta(hours=self.config.hold.release_give_up_hours):
            return await self._failed(
                held,
                attempt,
                f"gave up after {held.release_attempts} attempts: {error}",
                known=known,
            )
        retry = now + timedelta(minutes=self.config.hold.release_retry_minutes)
        ended = replace(attempt, ended=f"not delivered: {error[:300]}") if known else attempt
        async with self.store.begin() as conn:
            await self.holds.transition(
                conn,
                held.id,
                [HoldStatus.RELEASING],
                next_attempt_at=retry,
                delivery=delivery_record(ended, held.uncertain_attempts, error=error[:500]),
            )
            why = "" if known else "; the next hop may have accepted it before the line dropped"
            await audit.record(
                conn,
                SYSTEM_ACTOR,
                "delivery-deferred",
                hold_id=held.id,
                detail=(error[:500] + why),
            )
        log.warning("release of %s deferred: %s", held.id, error)
        return Result(
            True,
            HoldStatus.RELEASING,
            "Released; the next mail server is not answering, so "
            "schoolgate will keep trying to deliver it.",
        )

    async def _failed(
        self, held: HeldMessage, attempt: ReleaseAttempt, error: str, *, known: bool = True
    ) -> Result:
        uncertain = (*held.uncertain_attempts, *([] if known else [attempt]))
        if uncertain:
            error += f" (but {len(uncertain)} earlier attempt(s) may have delivered it)"
        async with self.store.begin() as conn:
            await self.holds.transition(
                conn,
                held.id,
                [HoldStatus.RELEASING],
                status=HoldStatus.FAILED,
                next_attempt_at=None,
                delivery=delivery_record(
                    replace(attempt, ended=f"refused: {error[:300]}"), uncertain, error=error
                ),
            )
            await audit.record(conn, SYSTEM_ACTOR, "delivery-failed", hold_id=held.id, detail=error)
            text = notices.delivery_failed_notice(self._facts(held), error, self.signature)
            await self._tell_sender(conn, held, "delivery-failed", text)
        self.mailer.kick()
        return Result(False, HoldStatus.FAILED, f"The next mail server refused it: {error}")

    # --- housekeeping -------------------------------------------------------------------

    async def retry_due(self) -> int:
        now = datetime.now(UTC)
        due = await self.holds.find(
            statuses=[HoldStatus.RELEASING],
            where=[
                sa.or_(
                    held_messages.c.next_attempt_at.is_(None),
                    held_messages.c.next_attempt_at <= now,
                )
            ],
        )
        for held in due:
            await self.attempt(held.id)
        return len(due)

    async def expire_due(self) -> int:
        """Confirm holds past their deadline, and holds nobody reviewed within retention."""
        now = datetime.now(UTC)
        due = await self.holds.find(
            statuses=[HoldStatus.HELD],
            where=[
                sa.or_(
                    sa.and_(
                        held_messages.c.confirm_by.is_not(None),
                        held_messages.c.confirm_by <= now,
                    ),
                    held_messages.c.expires_at <= now,
                )
            ],
        )
        expired = 0
        for held in due:
            if held.action == str(Action.CONFIRM) and held.confirm_by and held.confirm_by <= now:
                why = 'nobody chose "Send anyway" before the deadline, so it was not sent.'
            else:
                why = f"it was not reviewed within {self.config.hold.retention_days} days."
            async with self.store.begin() as conn:
                if await self.holds.transition(
                    conn,
                    held.id,
                    [HoldStatus.HELD],
                    status=HoldStatus.EXPIRED,
                    decided_at=now,
                    decided_by=audit.SYSTEM,
                ):
                    expired += 1
                    await audit.record(conn, SYSTEM_ACTOR, "expired", hold_id=held.id, detail=why)
                    text = notices.expired_notice(self._facts(held), why, self.signature)
                    await self._tell_sender(conn, held, "expired", text)
        if expired:
            self.mailer.kick()
        return expired

    async def purge_due(self) -> int:
        """Erase the content of holds older than the retention period (metadata stays)."""
        now = datetime.now(UTC)
        due = await self.holds.find(
            statuses=[s for s in HoldStatus.FINAL if s != HoldStatus.DELETED],
            where=[held_messages.c.expires_at <= now, held_messages.c.purged_at.is_(None)],
        )
        purged = 0
        for held in due:
            async with self.store.begin() as conn:
                result = await conn.execute(
                    held_messages.update()
                    .where(held_messages.c.id == held.id)
                    .where(held_messages.c.purged_at.is_(None))
                    .values(ciphertext=b"", purged_at=now)
                )
                if result.rowcount == 1:
                    purged += 1
                    await audit.record(
                        conn,
                        SYSTEM_ACTOR,
                        "purged",
                        hold_id=held.id,
                        detail=f"content erased after {self.config.hold.retention_days} days",
                    )
        return purged


def _uncertain_detail(cut_off: ReleaseAttempt, retry: ReleaseAttempt) -> str:
    return (
        f"release attempt {cut_off.number} (id {cut_off.id}, started "
        f"{cut_off.started_at:%Y-%m-%d %H:%M:%S} UTC, to {cut_off.next_hop}) ended without "
        "a recorded outcome: the next hop may have accepted it. Attempt "
        f"{retry.number} delivers it again, so the recipients may get two copies (the same "
        f"Message-ID; the second marked X-Schoolgate-Release-Attempt: {retry.number})."
    )


def _already(held: HeldMessage) -> str:
    if held.status == HoldStatus.RELEASED and held.released_at:
        return f"It was already sent ({held.released_at:%d %b %Y %H:%M} UTC)."
    if held.status == HoldStatus.RELEASING:
        return "It has been released and is being delivered."
    return f"It is {held.status}."
