"""The next hop: an SMTP server (aiosmtplib) or the built-in outbox folder.

An `Upstream` is one connection that follows a client session step by step (MAIL,
each RCPT, DATA), so the next hop's answers, including per-recipient refusals, reach
the client unchanged: that is what before-queue relaying means.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import aiosmtplib

from gateway.config.hostport import HostPort
from gateway.config.settings import RelaySettings
from gateway.storage.ids import new_id

log = logging.getLogger(__name__)

_UNAVAILABLE_ERRORS = (
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPConnectTimeoutError,
    aiosmtplib.SMTPConnectResponseError,
    aiosmtplib.SMTPHeloError,
    aiosmtplib.SMTPAuthenticationError,
    aiosmtplib.SMTPException,
    ssl.SSLError,
    OSError,
    asyncio.TimeoutError,
)


@dataclass(frozen=True, slots=True)
class Reply:
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def transient(self) -> bool:
        return 400 <= self.code < 500


def reply_from(code: int, message: str) -> Reply:
    """One-line reply text (multi-line upstream replies are joined)."""
    return Reply(code, " ".join(message.split("\n")).strip())


class NextHopUnavailable(Exception):
    """The next hop could not be reached or dropped the connection; the client must retry."""


class DeliveryUncertain(NextHopUnavailable):
    """The connection failed during DATA: the next hop may have accepted the message before
    its answer was lost (RFC 1047), so a retry may deliver a second copy."""


class Upstream(Protocol):
    async def mail(self, sender: str, options: list[str]) -> Reply: ...
    async def rcpt(self, recipient: str) -> Reply: ...
    async def data(self, content: bytes) -> Reply: ...
    async def reset(self) -> None: ...
    async def close(self) -> None: ...


class NextHop(Protocol):
    def open(self) -> Upstream: ...

    def describe(self) -> str: ...


def _option(options: list[str], name: str) -> str | None:
    for option in options:
        key, _, value = option.partition("=")
        if key.upper() == name:
            return value or key.upper()
    return None


class SmtpUpstream:
    """One connection to the next hop, reused across a client session's transactions."""

    def __init__(self, target: HostPort, settings: RelaySettings, helo_name: str) -> None:
        self.target = target
        self.settings = settings
        self.helo_name = helo_name
        self._smtp: aiosmtplib.SMTP | None = None
        self._smtputf8 = False

    async def _connect(self) -> aiosmtplib.SMTP:
        start_tls = {"opportunistic": None, "required": True, "off": False}[self.settings.tls]
        smtp = aiosmtplib.SMTP(
            hostname=self.target.host,
            port=self.target.port,
            timeout=self.settings.timeout,
            start_tls=start_tls,
            validate_certs=self.settings.tls_verify,
            local_hostname=self.helo_name or None,
        )
        await smtp.connect(timeout=self.settings.connect_timeout)
        if smtp.is_ehlo_or_helo_needed:
            await smtp.ehlo()  # learn the next hop's extensions (SMTPUTF8, SIZE, 8BITMIME)
        if self.settings.username:
            password = os.environ.get(self.settings.password_env, "")
            await smtp.login(self.settings.username, password)
        return smtp

    async def _ready(self) -> aiosmtplib.SMTP:
        if self._smtp is None or not self._smtp.is_connected:
            try:
                self._smtp = await self._connect()
            except _UNAVAILABLE_ERRORS as exc:
                self._smtp = None
                raise NextHopUnavailable(f"cannot reach next hop {self.target}: {exc}") from exc
        return self._smtp

    async def mail(self, sender: str, options: list[str]) -> Reply:
        reused = self._smtp is not None and self._smtp.is_connected
        try:
            return await self._mail(sender, options)
        except NextHopUnavailable:
            if not reused:
                raise
            # An idle reused connection may have been closed by the next hop: retry once.
            await self.close()
            return await self._mail(sender, options)

    async def _mail(self, sender: str, options: list[str]) -> Reply:
        smtp = await self._ready()
        self._smtputf8 = _option(options, "SMTPUTF8") is not None
        upstream_options: list[str] = []
        if self._smtputf8:
            if not smtp.supports_extension("smtputf8"):
                return Reply(553, "5.6.7 The next hop does not accept internationalised mail")
            upstream_options.append("SMTPUTF8")
        body = _option(options, "BODY")
        if body and body.upper() == "8BITMIME" and smtp.supports_extension("8bitmime"):
            upstream_options.append("BODY=8BITMIME")
        size = _option(options, "SIZE")
        if size and size.isdigit() and smtp.supports_extension("size"):
            upstream_options.append(f"SIZE={size}")
        try:
            response = await smtp.mail(
                sender, options=upstream_options, encoding="utf-8" if self._smtputf8 else "ascii"
            )
        except aiosmtplib.SMTPSenderRefused as exc:
            return reply_from(exc.code, exc.message)
        except _UNAVAILABLE_ERRORS as exc:
            await self._drop()
            raise NextHopUnavailable(f"next hop {self.target} failed at MAIL: {exc}") from exc
        return reply_from(response.code, response.message)

    async def rcpt(self, recipient: str) -> Reply:
        smtp = await self._ready()
        try:
            response = await smtp.rcpt(recipient, encoding="utf-8" if self._smtputf8 else "ascii")
        except aiosmtplib.SMTPRecipientRefused as exc:
            return reply_from(exc.code, exc.message)
        except _UNAVAILABLE_ERRORS as exc:
            await self._drop()
            raise NextHopUnavailable(f"next hop {self.target} failed at RCPT: {exc}") from exc
        return reply_from(response.code, response.message)

    async def data(self, content: bytes) -> Reply:
        smtp = await self._ready()
        try:
            response = await smtp.data(content)
        except aiosmtplib.SMTPDataError as exc:
            return reply_from(exc.code, exc.message)
        except _UNAVAILABLE_ERRORS as exc:
            await self._drop()
            raise DeliveryUncertain(f"next hop {self.target} failed at DATA: {exc}") from exc
        return reply_from(response.code, response.message)

    async def reset(self) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.rset()
            except _UNAVAILABLE_ERRORS:
                await self._drop()

    async def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    async def close(self) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await asyncio.wait_for(self._smtp.quit(), 5)
            except (*_UNAVAILABLE_ERRORS, aiosmtplib.SMTPResponseException):
                pass
        await self._drop()


@dataclass
class SmtpNextHop:
    target: HostPort
    settings: RelaySettings
    helo_name: str = ""

    def open(self) -> SmtpUpstream:
        return SmtpUpstream(self.target, self.settings, self.helo_name)

    def describe(self) -> str:
        return f"SMTP next hop {self.target} (TLS {self.settings.tls})"


def _write_outbox(folder: Path, name: str, content: bytes, envelope: dict[str, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, payload in ((".json", json.dumps(envelope, indent=1).encode()), (".eml", content)):
        tmp = folder / f".{name}{suffix}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / f"{name}{suffix}")


@dataclass
class OutboxUpstream:
    """Stores delivered mail as .eml files (with a .json envelope) for a first run."""

    folder: Path
    _sender: str = ""
    _recipients: list[str] = field(default_factory=list)

    async def mail(self, sender: str, options: list[str]) -> Reply:
        self._sender, self._recipients = sender, []
        return Reply(250, "2.1.0 Ok")

    async def rcpt(self, recipient: str) -> Reply:
        self._recipients.append(recipient)
        return Reply(250, "2.1.5 Ok")

    async def data(self, content: bytes) -> Reply:
        name = new_id()
        envelope: dict[str, object] = {"mail_from": self._sender, "rcpt_tos": self._recipients}
        await asyncio.to_thread(_write_outbox, self.folder, name, content, envelope)
        return Reply(250, f"2.0.0 Ok: saved to outbox as {name}.eml")

    async def reset(self) -> None:
        self._sender, self._recipients = "", []

    async def close(self) -> None:
        return None


@dataclass
class OutboxNextHop:
    folder: Path

    def open(self) -> OutboxUpstream:
        return OutboxUpstream(self.folder)

    def describe(self) -> str:
        return f"built-in outbox {self.folder} (no next hop configured)"


@dataclass
class SendResult:
    """Outcome of a one-shot send (releases, notices): who got it and who refused."""

    accepted: list[str]
    refused: dict[str, Reply]
    reply: Reply

    @property
    def delivered(self) -> bool:
        return self.reply.ok and bool(self.accepted)


AcceptedHook = Callable[[SendResult], Awaitable[None]]


async def send(
    next_hop: NextHop,
    mail_from: str,
    recipients: list[str],
    content: bytes,
    options: list[str] | None = None,
    *,
    on_accepted: AcceptedHook | None = None,
) -> SendResult:
    """Send one message outside a client session. Raises NextHopUnavailable to retry later.

    `on_accepted` runs the moment the next hop has accepted the message, before QUIT: a
    release records its delivery there, so that a crash can only cause a duplicate in the
    time one database commit takes, not a QUIT round trip as well.
    """
    upstream = next_hop.open()
    try:
        reply = await upstream.mail(mail_from, options or [])
        if not reply.ok:
            return SendResult([], {r: reply for r in recipients}, reply)
        accepted: list[str] = []
        refused: dict[str, Reply] = {}
        for recipient in recipients:
            answer = await upstream.rcpt(recipient)
            if answer.ok:
                accepted.append(recipient)
            else:
                refused[recipient] = answer
        if not accepted:
            await upstream.reset()
            first = next(iter(refused.values()))
            return SendResult([], refused, first)
        reply = await upstream.data(content)
        result = SendResult(accepted if reply.ok else [], refused, reply)
        if result.delivered and on_accepted is not None:
            await on_accepted(result)
        return result
    finally:
        await upstream.close()


def make_next_hop(
    next_hop: HostPort | None, settings: RelaySettings, outbox: Path, helo_name: str = ""
) -> NextHop:
    if next_hop is None:
        return OutboxNextHop(outbox)
    return SmtpNextHop(next_hop, settings, helo_name)
