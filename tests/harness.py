"""Real servers for tests: a capture SMTP server standing in for the next hop, and the
gateway itself running in a background thread with its own event loop.

Both bind to 127.0.0.1 on ports the OS picks, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w
from aiosmtpd.smtp import SMTP, Envelope, Session

from gateway.config.settings import Config, validate
from gateway.server import Gateway

WAIT = 30.0


def _notice_kind(content: bytes) -> str | None:
    head = content.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"x-schoolgate-notice:"):
            return line.split(b":", 1)[1].strip().decode()
    return None


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str]

    @property
    def notice_kind(self) -> str | None:
        """The X-Schoolgate-Notice kind when this is one of schoolgate's own notices."""
        return _notice_kind(self.content)

    @property
    def text(self) -> str:
        """The decoded text body (for notices)."""
        message = email.message_from_bytes(self.content, policy=email.policy.default)
        part = message.get_body(("plain",))
        text = part.get_content() if part is not None else ""  # type: ignore[union-attr]
        return str(text).replace("\r\n", "\n")

    @property
    def message_id(self) -> str:
        message = email.message_from_bytes(self.content, policy=email.policy.default)
        return str(message["Message-ID"])


@dataclass
class CaptureHandler:
    """Records every message; can refuse chosen recipients or fail DATA."""

    messages: list[Captured] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    drop_data: int = 0
    """Hang up on this many relayed messages' DATA before answering (a failure
    mid-delivery); schoolgate's own notices, alerts and digests are not dropped."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.drop_data > 0 and _notice_kind(envelope.original_content or b"") is None:
            self.drop_data -= 1
            assert server.transport is not None
            server.transport.abort()
            return "421 connection dropped by test"
        if self.data_reply:
            return self.data_reply
        self.messages.append(
            Captured(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                content=envelope.original_content or b"",
                mail_options=list(envelope.mail_options),
            )
        )
        return "250 2.0.0 Ok: queued as CAPTURED"


class LoopThread:
    """An asyncio loop in a daemon thread, for servers the (synchronous) tests talk to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = WAIT) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)
        self.loop.close()


class CaptureServer:
    """A real SMTP server on 127.0.0.1 that records what the gateway delivers."""

    def __init__(self, smtputf8: bool = True, port: int = 0) -> None:
        self.handler = CaptureHandler()
        self.smtputf8 = smtputf8
        self.port = port
        self._loop = LoopThread()
        self._server: asyncio.base_events.Server | None = None

    @property
    def messages(self) -> list[Captured]:
        return self.handler.messages

    def start(self) -> CaptureServer:
        async def _start() -> asyncio.base_events.Server:
            loop = asyncio.get_running_loop()
            return await loop.create_server(
                lambda: SMTP(
                    self.handler,
                    enable_SMTPUTF8=self.smtputf8,
                    data_size_limit=None,
                    hostname="capture.test",
                    loop=loop,
                ),
                host="127.0.0.1",
                port=self.port,
                reuse_address=True,
            )

        self._server = self._loop.run(_start())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Stop listening (the port is kept, so `start()` brings the same address back)."""
        if self._server is not None:
            server = self._server
            self._server = None

            async def _stop() -> None:
                server.close()
                await server.wait_closed()

            self._loop.run(_stop())

    def close(self) -> None:
        self.stop()
        self._loop.close()

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Captured]:
        """Wait for `count` relayed messages (schoolgate's own notices not counted)."""
        deadline = time.monotonic() + timeout
        while len(self.originals()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.originals()

    def originals(self) -> list[Captured]:
        return [m for m in self.messages if m.notice_kind is None]

    def notices(self, kind: str | None = None) -> list[Captured]:
        return [
            m for m in self.messages if m.notice_kind and (kind is None or m.notice_kind == kind)
        ]

    def wait_for_notice(self, kind: str, count: int = 1, timeout: float = WAIT) -> list[Captured]:
        deadline = time.monotonic() + timeout
        while len(self.notices(kind)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.notices(kind)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_config(tmp_path: Path, next_hop_port: int | None, **overrides: Any) -> Config:
    """A test configuration: loopback everything, data under tmp_path, short timeouts.

    It is also written to tmp_path/schoolgate.toml, so CLI commands in the same test act
    on the same database and next hop (`--config tmp_path/schoolgate.toml`).
    """
    data: dict[str, Any] = {
        "data_dir": str(tmp_path / "var"),
        "smtp": {"listen": "127.0.0.1:0", "hostname": "gateway.test", "shutdown_grace": 5},
        "web": {"listen": "127.0.0.1:0"},
        "scan": {"workers": 1, "timeout": 10},
        "directory": {"refresh_interval": 1},
        "detectors": {"enabled": [], "plugins": ["tests.plugins:KeywordDetector"]},
        "rules": KEYWORD_RULES,
    }
    if next_hop_port is not None:
        data["relay"] = {"next_hop": f"127.0.0.1:{next_hop_port}", "tls": "off"}
    for key, value in overrides.items():
        *sections, last = key.split(".")
        table = data
        for section in sections:
            table = table.setdefault(section, {})
        table[last] = value
    (tmp_path / "schoolgate.toml").write_text(tomli_w.dumps(data))
    return validate(data, "test configuration")


KEYWORD_RULES = [
    {
        "name": f"keyword-{action}",
        "types": ["TEST_KEYWORD"],
        "kinds": [action],
        "action": action,
        "reason": f"The message contains the test keyword for {action}. Remove it and send again.",
    }
    for action in ("notify", "confirm", "quarantine", "reject")
]
"""Rules for tests.plugins.KeywordDetector: a body word like KEYWORD-QUARANTINE quarantines."""


class GatewayRunner:
    """The real gateway (SMTP, scan pool, database) on its own loop in a thread."""

    def __init__(self, config: Config, clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.gateway = Gateway(config) if clock is None else Gateway(config, clock=clock)
        self._loop = LoopThread()

    def start(self) -> GatewayRunner:
        self._loop.run(self.gateway.start(), timeout=120)
        return self

    @property
    def port(self) -> int:
        return self.gateway.smtp_port

    def run(self, coro: Any, timeout: float = WAIT) -> Any:
        """Run a coroutine on the gateway's loop (e.g. a database query)."""
        return self._loop.run(coro, timeout)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._loop.run(self.gateway.shutdown(), timeout=60)
        self._loop.close()


@contextlib.contextmanager
def running(*servers: Any) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            closer: Callable[[], None] = getattr(server, "close", None) or server.stop
            closer()
