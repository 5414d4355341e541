"""Connection slots under abuse (issue 11, point 3): one host holding idle connections
must not lock the school's own clients out."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from tests.harness import CaptureServer, GatewayRunner

RAW = b"From: office@school.example\r\nTo: a@example.org\r\nSubject: t\r\n\r\nhello\r\n"


def _greeting(port: int, source: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
    return sock, sock.recv(512)


@contextmanager
def idle_connections(port: int, source: str, count: int) -> Iterator[list[bytes]]:
    """`count` connections from `source` that say nothing; their greetings."""
    with ExitStack() as stack:
        greetings = []
        for _ in range(count):
            sock, greeting = _greeting(port, source)
            stack.callback(sock.close)
            greetings.append(greeting)
        yield greetings


def _limited(capture: CaptureServer, start_gateway, **limits: int) -> GatewayRunner:
    settings = {f"smtp.{name}": value for name, value in limits.items()}
    return start_gateway(capture.port, **{"smtp.client_networks": ["127.0.0.1/32"], **settings})


def test_outside_hosts_cannot_take_the_slots_kept_for_the_school(
    capture: CaptureServer, start_gateway
):
    gateway = _limited(capture, start_gateway, max_connections=12, max_outside_connections=4)
    with (
        idle_connections(gateway.port, "127.0.0.2", 3) as first,
        idle_connections(gateway.port, "127.0.0.3", 3) as second,
    ):
        greetings = first + second
        assert [g[:3] for g in greetings] == [b"220"] * 4 + [b"421"] * 2
        assert b"Too many connections" in greetings[-1]
        # the school's own client still gets in and relays
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
            assert client.sendmail("office@school.example", ["a@example.org"], RAW) == {}
    assert len(capture.wait_for(1)) == 1


def test_one_address_may_hold_only_so_many_connections(capture: CaptureServer, start_gateway):
    gateway = _limited(capture, start_gateway, max_connections_per_client=2)
    with idle_connections(gateway.port, "127.0.0.1", 3) as greetings:
        assert [g[:3] for g in greetings] == [b"220", b"220", b"421"]
        assert b"from your address" in greetings[2]


def test_a_client_that_may_not_relay_is_closed_after_a_few_commands(
    capture: CaptureServer, start_gateway
):
    gateway = _limited(capture, start_gateway, max_commands_before_auth=3)
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30, source_address=("127.0.0.2", 0)) as c:
        assert c.ehlo()[0] == 250
        assert c.noop()[0] == 250
        assert c.noop()[0] == 250
        code, text = c.noop()
        assert code == 421 and b"without authenticating" in text
        try:
            reply = c.noop()[0]
        except smtplib.SMTPServerDisconnected:
            reply = None
        assert reply in (None, -1)  # the gateway hung up


def test_a_noop_flood_is_ended_but_real_mail_resets_the_count(
    capture: CaptureServer, start_gateway
):
    gateway = _limited(capture, start_gateway, max_idle_commands=5)
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.ehlo()
        for _ in range(4):
            assert client.noop()[0] == 250
        assert client.sendmail("office@school.example", ["a@example.org"], RAW) == {}
        for _ in range(5):  # sendmail's RSET-free path: the count started again at MAIL
            assert client.noop()[0] == 250
        code, text = client.noop()
        assert code == 421 and b"Too many NOOP" in text
