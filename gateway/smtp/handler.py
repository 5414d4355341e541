"""The SMTP side: an aiosmtpd handler that relays before-queue.

Each client session gets its own connection to the next hop. MAIL and every RCPT are
passed on as they arrive, so the next hop's answers (including a refusal of one
recipient out of three) reach the client unchanged. At the end of DATA the message is
scanned in the process pool and the policy decides; only then is DATA sent on, or the
message held, or refused. The client's 250 always comes after the next hop's 250 or
after the held copy is committed, and anything uncertain is answered 451 so the
sender retries: the gateway keeps no queue and never loses a message.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope

from gateway import __version__
from gateway.config.settings import Config
from gateway.delivery.ascii import ascii_text
from gateway.delivery.relay import NextHop, NextHopUnavailable, Reply, Upstream
from gateway.faults import crash_point
from gateway.hold.flow import HoldFlow
from gateway.hold.notices import where
from gateway.policy.decide import decide
from gateway.policy.rules import Rule
from gateway.scanning.pool import ScanFailed, ScanPool, ScanResult
from gateway.smtp import replies
from gateway.smtp.auth import AuthOutcome, SmtpAuthenticator
from gateway.storage.ids import new_id
from gateway.storage.journal import JournalEntry, JournalWriter, Outcome
from models import Action, Envelope, Finding, Verdict

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What the handler needs; built once by the server."""

    config: Config
    pool: ScanPool
    rules: tuple[Rule, ...]
    journal: JournalWriter
    flow: HoldFlow
    next_hop: NextHop
    hostname: str


def rejection_text(verdict: Verdict, findings: tuple[Finding, ...]) -> str:
    """What, why and how to fix, for the 550 reply (the sender's client shows it)."""
    deciding = verdict.deciding
    reasons = " ".join(dict.fromkeys(m.reason for m in deciding))
    indexes = dict.fromkeys(i for m in deciding for i in m.findings)
    found = [findings[i] for i in list(indexes)[:3]]
    where_text = "; ".join(
        f'"{f.evidence}" in {where(f.to_json())}' if f.evidence else where(f.to_json())
        for f in found
    )
    fixes = " ".join(dict.fromkeys(m.notice for m in deciding if m.notice))
    text = f"Not sent: {reasons}"
    if where_text:
        text += f" Found: {where_text}."
    if fixes:
        text += f" {fixes}"
    return text


class GatewaySMTP(SMTP):
    """aiosmtpd's protocol with per-session relay state and shutdown tracking."""

    # Real mail sometimes has lines over RFC 5321's 1000 octets; refusing them would
    # bounce legitimate mail. The next hop (e.g. Postfix) deals with long lines itself.
    line_length_limit = 64 * 1024

    def __init__(self, handler: RelayHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.relay_handler = handler
        self.upstream: Upstream | None = None
        self.in_transaction = False
        self.processing = False
        self.commands_before_auth = 0
        self.idle_commands = 0
        """NOOP/RSET/VRFY/HELO/EHLO since the last MAIL."""
        self.in_client_networks = False
        """The peer may relay without AUTH (decided once, when the connection is made)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.in_client_networks = self.relay_handler.in_client_networks(self.peer_ip)
        self.relay_handler.sessions.add(self)

    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd reads message lines up to CRLF, so a message with bare-LF line ends
        is one long "line" to it and was refused with a permanent 500. During DATA a
        line may be as long as the message may be; commands keep the short limit. The
        bare LFs are normalised in the handler (`normalise_bare_lf`)."""
        limit = int(self.data_size_limit or 0) or self.line_length_limit
        command_limit = self.line_length_limit
        self.line_length_limit = max(limit, command_limit)
        self._reader._limit = self.line_length_limit  # type: ignore[attr-defined]
        try:
            await super().smtp_DATA(arg)
        finally:
            self.line_length_limit = command_limit
            self._reader._limit = command_limit  # type: ignore[attr-defined]

    async def _handle_client(self) -> None:
        """A connection over the per-address or outside-client limit is refused before the
        greeting, so idle connections from one host cannot lock the school's clients out."""
        refusal = self.relay_handler.connection_refusal(self)
        if refusal is not None:
            log.warning("refused a connection from %s: %s", self.peer_ip, refusal)
            await self.push(refusal)
            if self.transport is not None:
                self.transport.close()
            return
        await super()._handle_client()

    async def _call_handler_hook(self, command: str, *args: Any) -> Any:
        closing = self.relay_handler.command_refusal(self, command)
        if closing is not None:
            log.warning("closing the connection from %s: %s", self.peer_ip, closing)
            self.loop.call_soon(self._close_after_reply)
            return closing
        return await super()._call_handler_hook(command, *args)

    def _timeout_cb(self) -> None:
        """The idle timeout is the client's: while the gateway itself is scanning or
        delivering the message the client waits for us, so the timer starts again."""
        if self.processing:
            self._reset_timeout()
            return
        log.info("closing the idle connection from %s", self.peer_ip)
        super()._timeout_cb()  # type: ignore[no-untyped-call]

    def _close_after_reply(self) -> None:
        if self.transport is not None:
            self.transport.close()

    @property
    def peer_ip(self) -> str:
        return _peer_ip(self.session) if self.session is not None else ""

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's MAIL/RCPT address parsing, without its cost for a plain path.

        aiosmtpd builds a class on every call and runs the email package's full header
        parser (a tenth of a millisecond, twice a message). A plain `<local@domain>`
        (dot-atoms of ASCII atext, an LDH domain) parses to exactly its own text, so it
        is taken as it is; anything else (quotes, comments, routes, literals, encoded
        words, non-ASCII) goes to aiosmtpd's parser as before."""
        match = _PLAIN_PATH.match(arg)
        if match is None or "=?" in match[1]:
            return super()._getaddr(arg)
        address, rest = match[1], arg[match.end() :]
        if rest[:1] in _CFWS_LEADER:
            if "(" in rest:  # a comment after the path: the parser knows what it ends
                return super()._getaddr(arg)
            rest = rest.lstrip()  # as the parser's folding-whitespace step does
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, rest

    def connection_lost(self, error: Exception | None) -> None:
        super().connection_lost(error)
        self.relay_handler.sessions.discard(self)
        if self.upstream is not None:
            upstream, self.upstream = self.upstream, None
            task = asyncio.ensure_future(upstream.close())
            self.relay_handler.background.add(task)
            task.add_done_callback(self.relay_handler.background.discard)

    @property
    def idle(self) -> bool:
        return not (self.in_transaction or self.processing)

    # --- AUTH: aiosmtpd decodes PLAIN and LOGIN; the check runs off the event loop ------

    def _authenticate(self, mechanism: str, auth_data: Any) -> AuthResult:
        """aiosmtpd calls this synchronously with the decoded credentials; they are
        handed back to the auth_* overrides below, which check them in a thread."""
        return _Credentials(success=False, handled=False, auth_data=auth_data)

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._check(await super().auth_PLAIN(server, args))

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._check(await super().auth_LOGIN(server, args))

    async def _check(self, result: AuthResult) -> AuthResult:
        if not isinstance(result, _Credentials) or not isinstance(result.auth_data, LoginPassword):
            return result
        assert self.session is not None
        username = result.auth_data.login.decode("utf-8", "replace")
        outcome = await self.relay_handler.auth.verify(
            username, result.auth_data.password, _peer_ip(self.session)
        )
        if outcome is AuthOutcome.ACCEPTED:
            return AuthResult(success=True, auth_data=username)
        if outcome is AuthOutcome.THROTTLED:
            return AuthResult(success=False, handled=False, message=replies.AUTH_THROTTLED)
        return AuthResult(success=False, handled=False)  # 535 credentials invalid


class _Credentials(AuthResult):
    """Decoded AUTH credentials not yet checked (never reaches aiosmtpd's reply code)."""


_IDLE_COMMANDS = frozenset({"NOOP", "RSET", "VRFY", "HELO", "EHLO"})
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9-]+"
_PLAIN_PATH = re.compile(rf"<({_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*)>")
_CFWS_LEADER = frozenset(" \t(")
_BARE_LF = re.compile(rb"(?<!\r)\n(\.?)")


def normalise_bare_lf(raw: bytes) -> bytes:
    """Bare LF line ends read as CRLF, as Postfix's `smtpd_forbid_bare_newline =
    normalize` does: a line they start is de-dot-stuffed like any other line. The end
    of DATA was only ever CRLF.CRLF, so "<LF>.<LF>" stays content (an empty line here),
    and the next hop gets CRLF lines, dot-stuffed by aiosmtplib: nothing is smuggled."""
    if raw.count(b"\n") == raw.count(b"\r\n"):  # two C scans; the usual case
        return raw
    return _BARE_LF.sub(b"\r\n", raw)


def _peer_ip(session: Session) -> str:
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""


@dataclass
class RelayHandler:
    services: Services
    sessions: set[GatewaySMTP] = field(default_factory=set)
    background: set[asyncio.Future[Any]] = field(default_factory=set)
    auth: SmtpAuthenticator = field(init=False)

    def __post_init__(self) -> None:
        smtp = self.services.config.smtp
        self.auth = SmtpAuthenticator.build(
            ((user.username, user.password_hash) for user in smtp.auth_users),
            max_failures_per_client=smtp.auth_max_failures,
            max_failures_per_user=smtp.auth_max_failures_per_user,
            window=smtp.auth_failure_window,
        )

    # --- access control ---------------------------------------------------------------

    @staticmethod
    def client_allowed(server: GatewaySMTP) -> bool:
        assert server.session is not None
        return bool(server.session.authenticated) or server.in_client_networks

    def in_client_networks(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in net for net in self.services.config.smtp.client_networks)

    def connection_refusal(self, new: GatewaySMTP) -> str | None:
        """Why a new connection is refused (421), or None to let it in."""
        smtp = self.services.config.smtp
        others = [s for s in self.sessions if s is not new]
        if sum(s.peer_ip == new.peer_ip for s in others) >= smtp.max_connections_per_client:
            return replies.BUSY_FROM_ADDRESS
        if not new.in_client_networks:
            outside = sum(not s.in_client_networks for s in others)
            if outside >= smtp.max_outside_connections:
                return replies.BUSY
        return None

    def command_refusal(self, server: GatewaySMTP, command: str) -> str | None:
        """A 421 that ends a session going nowhere, or None to carry on with `command`."""
        smtp = self.services.config.smtp
        if not self.client_allowed(server):
            server.commands_before_auth += 1
            if server.commands_before_auth > smtp.max_commands_before_auth:
                return replies.UNAUTHENTICATED_FLOOD
        if command == "MAIL":
            server.idle_commands = 0
        elif command in _IDLE_COMMANDS:
            server.idle_commands += 1
            if server.idle_commands > smtp.max_idle_commands:
                return replies.command_flood(command)
        return None

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if not self.services.config.smtp.auth_users:
            responses = [r for r in responses if not r.startswith("250-AUTH")]
        return responses

    # --- the transaction ----------------------------------------------------------------

    async def handle_MAIL(
        self,
        server: GatewaySMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if not self.client_allowed(server):
            if self.services.config.smtp.auth_users:
                return replies.AUTH_REQUIRED
            return replies.relay_denied(_peer_ip(session))
        if server.upstream is None:
            server.upstream = self.services.next_hop.open()
        try:
            reply = await server.upstream.mail(address, mail_options)
        except NextHopUnavailable as exc:
            log.warning("MAIL from %s: %s", _peer_ip(session), exc)
            return replies.NEXT_HOP_UNREACHABLE
        if reply.ok:
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            server.in_transaction = True
        return str(reply)

    async def handle_RCPT(
        self,
        server: GatewaySMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self.services.config.smtp.max_recipients:
            return replies.TOO_MANY_RECIPIENTS
        assert server.upstream is not None
        try:
            reply = await server.upstream.rcpt(address)
        except NextHopUnavailable as exc:
            log.warning("RCPT from %s: %s", _peer_ip(session), exc)
            return replies.NEXT_HOP_UNREACHABLE
        if reply.ok:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
        return str(reply)

    async def handle_RSET(self, server: GatewaySMTP, session: Session, envelope: Any) -> str:
        await self._end_transaction(server)
        return replies.OK

    async def _end_transaction(self, server: GatewaySMTP) -> None:
        if server.in_transaction and server.upstream is not None:
            await server.upstream.reset()
        server.in_transaction = False

    async def handle_DATA(
        self, server: GatewaySMTP, session: Session, envelope: SmtpEnvelope
    ) -> str:
        server.processing = True
        try:
            return await self._process(server, session, envelope)
        except Exception:
            log.exception("unexpected error handling a message; answering 451")
            await self._end_transaction(server)
            return replies.GATEWAY_PROBLEM
        finally:
            server.in_transaction = False
            server.processing = False
            server._reset_timeout()  # the client's idle time starts at our reply

    async def _process(self, server: GatewaySMTP, session: Session, envelope: SmtpEnvelope) -> str:
        started = time.perf_counter()
        raw = normalise_bare_lf(envelope.original_content or b"")
        entry = JournalEntry(
            id=new_id(),
            outcome=Outcome.TEMPFAILED,
            smtp_reply="",
            mail_from=envelope.mail_from or "",
            recipients=list(envelope.rcpt_tos),
            client_address=_peer_ip(session),
            client_helo=(session.host_name or "")[:255],
            auth_user=session.auth_data if session.authenticated else None,
            size=len(raw),
        )
        smtp_envelope = Envelope(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            smtputf8=bool(envelope.smtp_utf8),
        )
        try:
            result = await self.services.pool.scan(raw, smtp_envelope)
        except ScanFailed as exc:
            log.warning("message %s not scanned: %s", entry.id, exc)
            await self._end_transaction(server)
            entry.failed(exc)
            return await self._finish(
                entry,
                Outcome.TEMPFAILED,
                replies.NOT_CHECKED,
                started,
            )
        verdict = decide(
            result.facts,
            result.findings,
            self.services.rules,
            audit_only=self.services.config.policy.audit_only,
        )
        entry.scanned(result.facts, result.findings, verdict, result.scan_ms)
        action = verdict.enforced
        if action in (Action.DELIVER, Action.NOTIFY):
            return await self._deliver(
                server, session, envelope, raw, result, verdict, entry, started
            )
        await self._end_transaction(server)
        if action.holds:
            # The held copy carries the same trace as a delivered one, so a released
            # message still shows where it came from (Received) and what was decided.
            traced = self.trace_headers(session, envelope, entry.id, verdict) + raw
            return await self._hold(envelope, traced, result, verdict, entry, started)
        reply = replies.format_reply(550, "5.7.1", rejection_text(verdict, result.findings))
        return await self._finish(entry, Outcome.REJECTED, reply, started)

    async def _deliver(
        self,
        server: GatewaySMTP,
        session: Session,
        envelope: SmtpEnvelope,
        raw: bytes,
        result: ScanResult,
        verdict: Verdict,
        entry: JournalEntry,
        started: float,
    ) -> str:
        assert server.upstream is not None
        content = self.trace_headers(session, envelope, entry.id, verdict) + raw
        try:
            reply: Reply = await server.upstream.data(content)
        except NextHopUnavailable as exc:
            log.warning("message %s: %s", entry.id, exc)
            entry.failed(exc)
            return await self._finish(
                entry,
                Outcome.TEMPFAILED,
                replies.NEXT_HOP_DEFERRED,
                started,
            )
        if reply.ok:
            outcome = Outcome.DELIVERED
            text = f"{reply} (schoolgate id {entry.id})"
        else:
            outcome = Outcome.TEMPFAILED if reply.transient else Outcome.REFUSED
            text = str(reply)
        answer = await self._finish(entry, outcome, text, started)
        if reply.ok and verdict.enforced == Action.NOTIFY:
            task = asyncio.ensure_future(self._notify(entry, verdict))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        return answer

    async def _notify(self, entry: JournalEntry, verdict: Verdict) -> None:
        try:
            await self.services.flow.notify_delivered(entry, verdict)
        except Exception:  # the message is delivered; a lost reminder is only logged
            log.exception("could not queue the reminder for %s", entry.id)

    async def _hold(
        self,
        envelope: SmtpEnvelope,
        raw: bytes,
        result: ScanResult,
        verdict: Verdict,
        entry: JournalEntry,
        started: float,
    ) -> str:
        what = "until you confirm it" if verdict.action == Action.CONFIRM else "for review"
        entry.finished(Outcome.HELD, replies.held_pending(what, entry.id), started)
        try:
            hold_id = await asyncio.shield(
                self.services.flow.hold(
                    raw,
                    verdict=verdict,
                    findings=result.findings,
                    mail_from=envelope.mail_from or "",
                    recipients=list(envelope.rcpt_tos),
                    mail_options=list(envelope.mail_options),
                    entry=entry,
                )
            )
        except Exception as exc:
            log.exception("message %s could not be stored for holding", entry.id)
            entry.held_as(None)
            entry.failed(f"hold store failed: {exc}")
            return await self._finish(
                entry,
                Outcome.TEMPFAILED,
                replies.NOT_STORED,
                started,
            )
        crash_point("after-hold-commit")
        log.info("message %s held (%s) as %s", entry.id, verdict.action, hold_id)
        return replies.held(what, hold_id)

    async def _finish(
        self, entry: JournalEntry, outcome: Outcome, reply: str, started: float
    ) -> str:
        entry.finished(outcome, reply, started)
        log.info(
            "message %s from=%s rcpts=%d size=%d action=%s outcome=%s scan_ms=%.1f total_ms=%.1f",
            entry.id,
            entry.mail_from,
            len(entry.recipients),
            entry.size,
            entry.action,
            outcome,
            entry.scan_ms or 0.0,
            entry.total_ms,
        )
        try:
            # Shielded: once the next hop has the message, the journal row must be written
            # even if the client hangs up now (the row is queued before this await).
            await asyncio.shield(self.services.journal.submit(entry))
        except Exception:
            if outcome != Outcome.DELIVERED:
                log.exception("journal write failed for %s", entry.id)
            else:
                log.exception("journal write failed for delivered message %s", entry.id)
        return reply

    # --- headers --------------------------------------------------------------------------

    def trace_headers(
        self, session: Session, envelope: SmtpEnvelope, queue_id: str, verdict: Verdict
    ) -> bytes:
        """The standard Received header and schoolgate's verdict header."""
        protocol = "UTF8SMTP" if envelope.smtp_utf8 else "ESMTP"
        if session.ssl is not None:
            protocol += "S"
        if session.authenticated:
            protocol += "A"
        helo = ascii_text(session.host_name or "unknown")[:100]
        recipient = f"\r\n\tfor <{envelope.rcpt_tos[0]}>" if len(envelope.rcpt_tos) == 1 else ""
        received = (
            f"Received: from {helo} ([{_peer_ip(session)}])\r\n"
            f"\tby {self.services.hostname} (schoolgate {__version__}) with {protocol} "
            f"id {queue_id}{recipient};\r\n"
            f"\t{email.utils.formatdate(localtime=True)}\r\n"
        )
        rules = ",".join(verdict.rules) or "none"
        audit = "; audit-only" if verdict.audit_only else ""
        trace = f"X-Schoolgate-Verdict: {verdict.action}; id={queue_id}; rules={rules}{audit}\r\n"
        return (received + trace).encode("utf-8")
