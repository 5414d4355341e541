"""Chaos: a ledgered client against a real gateway that is SIGKILLed, whose next hop flaps
and whose database is lost for a while. After recovery nothing is lost and every message
that was delivered or held has its journal row.

The client behaves as a sending MTA does: a message is done when it gets a 250; on a 4xx,
a dropped connection or a refused connection it tries again. The ledger compares what
the client was told with what reached the next hop, the hold queue and the journal:

- lost: acknowledged, but neither delivered nor held;
- duplicated: delivered (or held) more than once (allowed: a gateway killed after the
  next hop took the message and before its 250 reached the client is retried, RFC 5321
  section 6.1, and the report says how often it happened);
- unjournalled: delivered or held, with no journal row for it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_DSN
from tests.harness import CaptureServer, free_port
from tests.ledger import Database, Ledger, client, delivered_ids, wait_done
from tests.processes import Serve, serve_config, wait_for_port
from tests.support import REPO

MESSAGES = 120
CLIENTS = 4
HELD_EVERY = 5
"""Every fifth message carries the test keyword that holds it for review."""
DEADLINE = 240.0
"""The whole run, chaos and recovery, must end within this many seconds."""


def _message_id(n: int) -> str:
    return f"<chaos-{n}@school.example>"


def _subject(n: int) -> str:
    return f"Chaos {n}"


def _raw(n: int) -> bytes:
    body = "Notes KEYWORD-QUARANTINE" if n % HELD_EVERY == 0 else "Ordinary notes"
    return (
        f"From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
        f"Subject: {_subject(n)}\r\nMessage-ID: {_message_id(n)}\r\n\r\n{body} {n}\r\n"
    ).encode()


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    name = postgres_url.rsplit("/", 1)[1]
    db = Database(PG_DSN, name)
    try:
        yield db
    finally:
        db.restore()


def test_chaos_loses_nothing_and_journals_everything(
    tmp_path: Path, database: Database, postgres_url: str
):
    stop_at = time.monotonic() + DEADLINE
    capture = CaptureServer().start()
    port = free_port()
    config = serve_config(
        tmp_path,
        port,
        capture.port,
        database_url=postgres_url,
        relay={"timeout": 5},
        notices={"digest_time": ""},
    )
    log = tmp_path / "serve.log"
    env = {"PYTHONPATH": str(REPO)}
    gateway = Serve(["--config", str(config)], cwd=tmp_path, log=log, env=env)
    ledger = Ledger()
    events: list[str] = []
    try:
        wait_for_port(port, gateway.process)
        numbers = list(range(1, MESSAGES + 1))
        clients = [
            threading.Thread(
                target=client,
                args=([port], numbers[i::CLIENTS], ledger, stop_at, _raw),
                daemon=True,
            )
            for i in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()

        wait_done(ledger, 15, stop_at)
        capture.stop()  # the next hop goes away for a while
        events.append("upstream down 2 s")
        time.sleep(2)
        capture.start()

        wait_done(ledger, 35, stop_at)
        gateway.process.kill()  # SIGKILL in the middle of the traffic
        gateway.process.wait(30)
        events.append("gateway SIGKILLed")
        gateway.stop()
        gateway = Serve(["--config", str(config)], cwd=tmp_path, log=log, env=env)
        wait_for_port(port, gateway.process)

        wait_done(ledger, 55, stop_at)
        database.lose()
        events.append("database lost 4 s")
        time.sleep(4)
        database.restore()

        wait_done(ledger, 75, stop_at)
        for _ in range(3):  # flapping
            capture.stop()
            time.sleep(0.5)
            capture.start()
            time.sleep(0.5)
        events.append("upstream flapped 3 times")

        wait_done(ledger, 90, stop_at)
        database.lose()
        gateway.process.kill()  # killed while the database is away
        gateway.process.wait(30)
        gateway.stop()
        database.restore()
        events.append("database lost and gateway SIGKILLed together")
        gateway = Serve(["--config", str(config)], cwd=tmp_path, log=log, env=env)
        wait_for_port(port, gateway.process)

        for thread in clients:
            thread.join(max(0.0, stop_at - time.monotonic()))
        assert ledger.done() == MESSAGES, f"clients unfinished: {ledger.done()} of {MESSAGES}"

        # recovery: spooled journal rows are written once the database is reachable
        wanted = {_message_id(n) for n in ledger.acknowledged}
        recovered_by = min(stop_at, time.monotonic() + 60)
        while True:
            journalled = {
                r["message_id"]
                for r in database.rows(
                    "SELECT message_id FROM journal WHERE outcome IN ('delivered', 'held')"
                )
            }
            delivered = delivered_ids(capture)
            held = Counter(r["subject"] for r in database.rows("SELECT subject FROM held_messages"))
            reached = set(delivered) | {_message_id(int(s.split()[1])) for s in held}
            unjournalled = reached - journalled
            if not unjournalled or time.monotonic() > recovered_by:
                break
            time.sleep(0.5)
    finally:
        gateway_status = gateway.stop()
        capture.close()

    lost = wanted - reached
    duplicated = sum(c - 1 for c in delivered.values()) + sum(c - 1 for c in held.values())
    report = {
        "events": events,
        "sent": MESSAGES,
        "attempts": sum(ledger.attempts.values()),
        "acknowledged": len(ledger.acknowledged),
        "refused": len(ledger.refused),
        "delivered": len(delivered),
        "held": len(held),
        "lost": len(lost),
        "duplicated": duplicated,
        "unjournalled": len(unjournalled),
    }
    print("chaos report:", report)
    assert ledger.refused == {}, report
    assert len(ledger.acknowledged) == MESSAGES, report
    assert lost == set(), (report, sorted(lost))
    assert unjournalled == set(), (report, sorted(unjournalled), log.read_text()[-4000:])
    assert len(held) == MESSAGES // HELD_EVERY, report
    assert len(delivered) == MESSAGES - MESSAGES // HELD_EVERY, report
    assert gateway_status == 0, log.read_text()[-4000:]
