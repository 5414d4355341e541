"""`schoolgate serve`: wires the parts together and runs them until SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from aiosmtpd.smtp import AuthResult

from gateway.config.hostport import cannot_listen
from gateway.config.settings import Config
from gateway.control.protocol import database_fingerprint, socket_path
from gateway.control.server import ControlServer
from gateway.delivery import next_hop_record
from gateway.delivery.mailer import Mailer
from gateway.delivery.relay import NextHop, make_next_hop
from gateway.directory.store import DirectoryWatcher
from gateway.hold.flow import HoldFlow
from gateway.hold.housekeeping import Housekeeper, utc_now
from gateway.hold.links import LinkSigner
from gateway.hold.store import HoldStore
from gateway.scanning.configured import make_pool
from gateway.scanning.pool import ScanPool
from gateway.security.keyfiles import load_secret
from gateway.smtp import replies
from gateway.smtp.handler import GatewaySMTP, RelayHandler, Services
from gateway.storage.engine import Store
from gateway.storage.journal import JournalWriter
from gateway.web.app import create_app
from gateway.web.context import WebContext

log = logging.getLogger(__name__)


def _tls_context(config: Config) -> ssl.SSLContext | None:
    if config.smtp.tls_cert is None or config.smtp.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(config.smtp.tls_cert), str(config.smtp.tls_key))
    return context


def next_hop_for(config: Config) -> NextHop:
    return make_next_hop(
        config.relay.next_hop, config.relay, config.outbox_dir, config.relay.helo_name
    )


def build_flow(config: Config, store: Store) -> tuple[HoldFlow, bytes]:
    """The held-mail workflow (shared by serve, the CLI and the web app)."""
    holds = HoldStore.for_config(store, config)
    secret = load_secret(config.web.secret_key_env, config.web_key_file)
    next_hop = next_hop_for(config)
    flow = HoldFlow(
        config=config,
        store=store,
        holds=holds,
        mailer=Mailer(store, next_hop),
        next_hop=next_hop,
        signer=LinkSigner(secret, config.hold.confirm_hours * 3600),
    )
    return flow, secret


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn inside our loop: the gateway owns the signal handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


def _checked_by_gateway_smtp(*_: Any) -> AuthResult:
    """Never called: GatewaySMTP checks AUTH itself, off the event loop. Passing an
    authenticator keeps aiosmtpd from installing its always-fail legacy callback."""
    return AuthResult(success=False, handled=False)


class _Busy(asyncio.Protocol):
    """Answers 421 to a connection over the limit, then closes it."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(replies.BUSY.encode() + b"\r\n")
        transport.close()


@dataclass
class Gateway:
    """The running service. `start()` then `wait()`; `stop()` from a signal or a test."""

    config: Config
    hostname: str = ""
    store: Store | None = None
    pool: ScanPool | None = None
    journal: JournalWriter | None = None
    handler: RelayHandler | None = None
    watcher: DirectoryWatcher | None = None
    flow: HoldFlow | None = None
    server: asyncio.base_events.Server | None = None
    web: _EmbeddedUvicorn | None = None
    web_port: int = 0
    control: ControlServer | None = None
    extra_tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _signalled: set[asyncio.Task[None]] = field(default_factory=set)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    clock: Callable[[], datetime] = utc_now
    """Now, for the daily digest's schedule (tests pin the time of day)."""

    @property
    def smtp_port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        config = self.config
        self.hostname = config.smtp.hostname or socket.getfqdn()
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = await Store.open(config.db_url)
        self.flow, secret = build_flow(config, self.store)
        await next_hop_record.record(self.store, self.flow.next_hop.describe())
        self.pool = make_pool(config)
        self.watcher = DirectoryWatcher(self.store, config.data_dir / "cache", self.pool)
        await self.watcher.refresh()
        await self.pool.warm_up()
        self.journal = JournalWriter(self.store, data_dir=config.data_dir)
        self.journal.start()
        next_hop = self.flow.next_hop
        services = Services(
            config=config,
            pool=self.pool,
            rules=config.effective_rules(),
            journal=self.journal,
            flow=self.flow,
            next_hop=next_hop,
            hostname=self.hostname,
        )
        self.handler = RelayHandler(services)
        interval = config.hold.housekeeping_interval
        self.flow.mailer.start(interval)
        housekeeper = Housekeeper(config, self.flow, self.flow.mailer, clock=self.clock)
        self.extra_tasks += [
            asyncio.create_task(self.watcher.poll(config.directory.refresh_interval)),
            asyncio.create_task(housekeeper.loop(interval)),
        ]
        await self._start_web(WebContext.build(config, self.store, self.flow, secret, self.pool))
        await self._listen()
        self.control = ControlServer(
            socket_path(config.data_dir), self.flow.holds, database_fingerprint(config.db_url)
        )
        await self.control.start()
        log.info(
            "schoolgate listening on %s, relaying to %s; %d rules, detectors: %s",
            config.smtp.listen,
            next_hop.describe(),
            len(services.rules),
            ", ".join(config.active_detectors) or "none",
        )

    async def _listen(self) -> None:
        config = self.config
        handler = self.handler
        assert handler is not None
        tls = _tls_context(config)
        loop = asyncio.get_running_loop()

        def factory() -> asyncio.Protocol:
            if len(handler.sessions) >= config.smtp.max_connections:
                return _Busy()
            return GatewaySMTP(
                handler,
                data_size_limit=int(config.smtp.max_message_size),
                enable_SMTPUTF8=True,
                decode_data=False,
                hostname=self.hostname,
                ident="schoolgate ESMTP",
                tls_context=tls,
                require_starttls=config.smtp.require_tls,
                timeout=config.smtp.idle_timeout,
                auth_require_tls=True,
                authenticator=_checked_by_gateway_smtp,
                loop=loop,
            )

        listen = config.smtp.listen
        try:
            self.server = await loop.create_server(factory, host=listen.host, port=listen.port)
        except OSError as exc:
            raise cannot_listen(listen, "SMTP", "[smtp] listen or --listen", exc) from None

    async def _start_web(self, ctx: WebContext) -> None:
        listen = self.config.web.listen
        family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((listen.host, listen.port))
        except OSError as exc:
            sock.close()
            raise cannot_listen(listen, "the web pages", "[web] listen or --web", exc) from None
        self.web_port = sock.getsockname()[1]
        if not self.config.web.public_url and self.flow is not None:
            host = f"[{listen.host}]" if ":" in listen.host else listen.host
            self.flow.base_url = f"http://{host}:{self.web_port}"
        config = uvicorn.Config(
            create_app(ctx),
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            proxy_headers=bool(self.config.web.trusted_proxies),
            forwarded_allow_ips=[str(net) for net in self.config.web.trusted_proxies] or None,
        )
        self.web = _EmbeddedUvicorn(config)
        self.extra_tasks.append(asyncio.create_task(self.web.serve(sockets=[sock])))
        public = self.flow.public_url if self.flow else self.config.public_url
        log.info("web pages on %s (public address %s)", listen, public)

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop)
        loop.add_signal_handler(signal.SIGINT, self.stop)
        if self.watcher is not None:
            loop.add_signal_handler(signal.SIGHUP, self._reload_directory)

    def _reload_directory(self) -> None:
        """SIGHUP: look for a re-imported roster or staff list now."""
        assert self.watcher is not None
        task = asyncio.create_task(self.watcher.check())
        self._signalled.add(task)
        task.add_done_callback(self._signalled.discard)

    def stop(self) -> None:
        self._stopping.set()

    async def wait(self) -> None:
        await self._stopping.wait()
        await self.shutdown()

    async def shutdown(self) -> None:
        """Stop accepting; let in-flight transactions finish within the grace period."""
        log.info("shutting down: no new connections; waiting for messages in flight")
        if self.server is not None:
            self.server.close()
        if self.control is not None:
            await self.control.close()
        if self.handler is not None:
            deadline = asyncio.get_running_loop().time() + self.config.smtp.shutdown_grace
            while any(not s.idle for s in self.handler.sessions):
                if asyncio.get_running_loop().time() > deadline:
                    log.warning("grace period over; closing sessions still in a transaction")
                    break
                await asyncio.sleep(0.05)
            for session in list(self.handler.sessions):
                with contextlib.suppress(Exception):
                    await session.push(replies.SHUTTING_DOWN)
                if session.transport is not None:
                    session.transport.close()
            await asyncio.sleep(0)
            if self.handler.background:
                await asyncio.gather(*self.handler.background, return_exceptions=True)
        if self.web is not None:
            self.web.should_exit = True
            await asyncio.sleep(0.2)
        for task in self.extra_tasks:
            task.cancel()
        await asyncio.gather(*self.extra_tasks, return_exceptions=True)
        if self.flow is not None:
            await self.flow.mailer.close()
        if self.journal is not None:
            await self.journal.close()
        if self.pool is not None:
            await asyncio.to_thread(self.pool.close)
        if self.store is not None:
            await self.store.close()
        log.info("stopped")


async def serve(config: Config) -> None:
    gateway = Gateway(config)
    try:
        await gateway.start()
    except BaseException:
        await gateway.shutdown()  # what did start (workers, database) is stopped cleanly
        raise
    gateway.install_signal_handlers()
    await gateway.wait()
