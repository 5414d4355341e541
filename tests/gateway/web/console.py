"""A running console for web tests: the real gateway (SMTP, scan workers, database, web
app) on 127.0.0.1 ports the OS picks, a capture server as the next hop, and helpers to
send mail, add accounts through the real CLI and sign in over HTTP."""

from __future__ import annotations

import contextlib
import re
import smtplib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from click.testing import CliRunner

from detectors.registry import BUILTIN
from gateway.cli import main as cli
from models.schema import audit_log, held_messages, journal
from tests.harness import CaptureServer, GatewayRunner, free_port, gateway_config

PASSWORD = "correct horse battery staple"
SENDER = "teacher@school.example"
PARENT = "parent@example.org"
ROLES = ("admin", "dsl", "auditor")
REAL_DETECTORS: dict[str, Any] = {
    "detectors.enabled": list(BUILTIN),
    "detectors.plugins": [],
    "rules": [],
}
"""Overrides for running_console: the built-in detectors and default rules, as a school
runs them, instead of the test keyword plugin."""


def email_for(role: str) -> str:
    return f"{role}@school.example"


@dataclass
class Console:
    runner: GatewayRunner
    capture: CaptureServer
    base: str
    config_path: Path

    def cli(self, *args: str, input: str | None = None) -> Any:
        """Run a `schoolgate` command, in a thread of its own: it starts an event loop,
        which it could not do in a thread that already runs one (Playwright's)."""
        command = [*args, "--config", str(self.config_path)]
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(CliRunner().invoke, cli, command, input=input).result()

    def add_user(self, email: str, role: str, password: str = PASSWORD) -> None:
        result = self.cli(
            "users", "add", email, "--role", role, "--password-stdin", input=password + "\n"
        )
        assert result.exit_code == 0, result.output

    def add_role_users(self) -> None:
        for role in ROLES:
            self.add_user(email_for(role), role)

    def send(
        self,
        body: str,
        subject: str = "Class news",
        sender: str = SENDER,
        to: str = PARENT,
        content_type: str = "text/plain",
        name: str = "Staff",
    ) -> tuple[int, str]:
        raw = (
            f"From: {name} <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{time.time_ns()}@school.example>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}; charset=utf-8\r\n\r\n{body}\r\n"
        ).encode()
        with smtplib.SMTP("127.0.0.1", self.runner.port, timeout=60) as client:
            client.ehlo()
            code, _ = client.mail(sender)
            client.rcpt(to)
            try:
                code, reply = client.data(raw)
            except smtplib.SMTPDataError as exc:  # a reject verdict
                return exc.smtp_code, exc.smtp_error.decode()
        return code, reply.decode()

    def import_roster(self, csv_text: str) -> None:
        """Import a roster CSV with `schoolgate roster import`, as a school does, and have
        the gateway load it now rather than at its next poll."""
        roster = self.config_path.parent / "roster.csv"
        roster.write_text(csv_text, encoding="utf-8")
        result = self.cli("roster", "import", str(roster))
        assert result.exit_code == 0, result.output
        watcher = self.runner.gateway.watcher
        assert watcher is not None
        self.runner.run(watcher.refresh())

    def query(self, statement: Any) -> list[Any]:
        async def run() -> list[Any]:
            store = self.runner.gateway.store
            assert store is not None
            async with store.connect() as conn:
                return list(await conn.execute(statement))

        return self.runner.run(run())

    def holds(self) -> list[Any]:
        return self.query(sa.select(held_messages).order_by(held_messages.c.created_at))

    def hold_with(self, subject_part: str) -> Any:
        [row] = [r for r in self.holds() if subject_part in r.subject]
        return row

    def journal(self) -> list[Any]:
        return self.query(sa.select(journal).order_by(journal.c.received_at))

    def audit(self) -> list[Any]:
        return self.query(sa.select(audit_log).order_by(audit_log.c.id))

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, follow_redirects=False)

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Client:
        client = self.client()
        response = post_form(client, "/signin", "/signin", email=email, password=password)
        assert response.status_code == 303, response.text
        return client

    @property
    def app(self) -> Any:
        web = self.runner.gateway.web
        assert web is not None
        return web.config.app


def token_in(page: str) -> str | None:
    """The CSRF token of the page's (first) form, as a browser would post it."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return token.group(1) if token else None


def csrf_from(client: httpx.Client, page: str) -> str:
    """Load a page and take its form's CSRF token (the cookie alone is no token)."""
    response = client.get(page)
    token = token_in(response.text)
    assert token, f"no form on {page}: {response.status_code}"
    return token


def post_form(client: httpx.Client, page: str, action: str, **fields: Any) -> httpx.Response:
    """Post a form the way a browser does: load its page first, echo the CSRF token."""
    return client.post(action, data={"csrf_token": csrf_from(client, page), **fields})


@contextlib.contextmanager
def running_console(tmp_path: Path, **overrides: Any) -> Iterator[Console]:
    capture = CaptureServer().start()
    port = free_port()
    settings: dict[str, Any] = {
        "school.name": "Test Primary",
        "school.domains": ["school.example"],
        "web.listen": f"127.0.0.1:{port}",
        "hold.housekeeping_interval": 0.3,
        "web.sign_in_rate": 100,  # many sign-ins from 127.0.0.1; the limit has its own test
        **overrides,
    }
    runner = GatewayRunner(gateway_config(tmp_path, capture.port, **settings)).start()
    try:
        yield Console(runner, capture, f"http://127.0.0.1:{port}", tmp_path / "schoolgate.toml")
    finally:
        runner.stop()
        capture.close()
