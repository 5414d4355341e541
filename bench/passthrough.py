"""The bare relay the benchmark measures the gateway against: aiosmtpd in, aiosmtplib out.

    .venv/bin/python -m bench.passthrough --listen 127.0.0.1:2525 --upstream 127.0.0.1:2526

The least any Python relay built on these two libraries can do: receive a message with
aiosmtpd and send it on with aiosmtplib before answering the client, nothing else (no
parsing, no storage, no journal, no scan). Like the gateway it keeps one upstream
connection per client session, opened at the first message and reused for the
session's later ones, and passes the upstream's answer to DATA back to the client.
Runs as a process of its own (one event loop, as the gateway's main process), so
bench/relay.py can count its CPU and memory the same way as the gateway's.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class PassThrough:
    """aiosmtpd handler: each message goes upstream on the session's connection."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.connections: dict[int, aiosmtplib.SMTP] = {}

    async def _connection(self, session: Session) -> aiosmtplib.SMTP:
        smtp = self.connections.get(id(session))
        if smtp is None or not smtp.is_connected:
            smtp = aiosmtplib.SMTP(
                hostname=self.upstream[0],
                port=self.upstream[1],
                start_tls=False,
                local_hostname="passthrough.bench",
            )
            await smtp.connect()
            self.connections[id(session)] = smtp
        return smtp

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes) and envelope.mail_from is not None
        try:
            smtp = await self._connection(session)
            _, response = await smtp.sendmail(envelope.mail_from, envelope.rcpt_tos, content)
        except aiosmtplib.SMTPResponseException as exc:
            return f"{exc.code} {exc.message}"
        except aiosmtplib.SMTPException as exc:
            self.close(session)
            return f"451 4.4.1 upstream: {exc}"
        return f"250 {response}"

    def close(self, session: Session) -> None:
        smtp = self.connections.pop(id(session), None)
        if smtp is not None:
            smtp.close()


class _Server(SMTP):
    """An aiosmtpd session that closes its upstream connection when the client goes."""

    def connection_lost(self, error: Exception | None) -> None:
        handler = self.event_handler
        if isinstance(handler, PassThrough) and self.session is not None:
            handler.close(self.session)
        super().connection_lost(error)


async def serve(listen: tuple[str, int], upstream: tuple[str, int]) -> None:
    handler = PassThrough(upstream)

    def factory() -> _Server:
        settings: dict[str, Any] = {"hostname": "passthrough.bench", "auth_require_tls": False}
        return _Server(handler, **settings)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, listen[0], listen[1])
    stopped = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    async with server:
        await stopped.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="host:port to receive on")
    parser.add_argument("--upstream", required=True, help="host:port to send to")
    args = parser.parse_args()
    asyncio.run(serve(_hostport(args.listen), _hostport(args.upstream)))


if __name__ == "__main__":
    main()
