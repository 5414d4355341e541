"""Two gateway nodes on one PostgreSQL database (issue 13, point 3).

A ledgered client sends round-robin to both nodes, as an MTA with two MX hosts does;
one node is SIGKILLed under load and the other carries on. Both nodes' housekeeping runs
throughout. Then every held message is released from both nodes' command lines at once,
the confirm holds expire, released holds are purged, and the daily digest falls due.
Each of these must happen exactly once, whichever node does it:

- every acknowledged message is delivered or held (lost = 0);
- every queued notice, alert and digest reaches the next hop once, and each hold has
  one of each kind it should have;
- each release is delivered once; each expiry and each purge is done (and audited) once.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway.delivery.mailer import LEASE
from gateway.security.keyfiles import new_secret
from tests.conftest import PG_DSN
from tests.harness import CaptureServer, free_port
from tests.ledger import Database, Ledger, client, delivered_ids, wait_done
from tests.processes import Serve, clean_env, serve_config, wait_for_port
from tests.support import REPO

MESSAGES = 60
CLIENTS = 4
DEADLINE = 240.0 + LEASE.total_seconds()
"""A notice the killed node had claimed waits out its lease before the other node sends
it: the run may need that long on top of its own work."""
KINDS = {0: "KEYWORD-QUARANTINE", 1: "KEYWORD-CONFIRM"}
"""Message n carries KINDS[n % 5] (held for review, or until the sender confirms)."""


def _message_id(n: int) -> str:
    return f"<multi-{n}@school.example>"


def _raw(n: int) -> bytes:
    body = KINDS.get(n % 5, "Ordinary notes")
    return (
        "From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
        f"Subject: Multi {n}\r\nMessage-ID: {_message_id(n)}\r\n\r\n{body} {n}\r\n"
    ).encode()


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    db = Database(PG_DSN, postgres_url.rsplit("/", 1)[1])
    try:
        yield db
    finally:
        db.restore()


def _next_minute(seconds_ahead: int) -> str:
    """HH:MM (UTC) of the first minute boundary at least `seconds_ahead` from now."""
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_ahead + 60)
    return at.strftime("%H:%M")


def _wait(check: object, what: str, stop_at: float) -> None:
    while not check():  # type: ignore[operator]
        assert time.monotonic() < stop_at, f"timed out waiting for {what}"
        time.sleep(0.25)


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args, "--config", str(config)],
        cwd=REPO,
        env={**clean_env(), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.timeout(DEADLINE + 60)
def test_two_nodes_on_one_database_do_everything_once(
    tmp_path: Path, database: Database, postgres_url: str
):
    stop_at = time.monotonic() + DEADLINE
    capture = CaptureServer().start()
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    for name in ("hold.key", "web.key"):  # one set of keys, as a deployment shares them
        (keys / name).write_text(new_secret() + "\n")
        (keys / name).chmod(0o600)
    digest_time = _next_minute(45)
    ports, configs = [], []
    for node in ("a", "b"):
        port = free_port()
        folder = tmp_path / node
        folder.mkdir()
        configs.append(
            serve_config(
                folder,
                port,
                capture.port,
                database_url=postgres_url,
                hold={"key_file": str(keys / "hold.key"), "confirm_hours": 0.006},
                web={"secret_key_file": str(keys / "web.key")},
                notices={
                    "admin_addresses": ["it@school.example"],
                    "dsl_addresses": ["dsl@school.example"],
                    "alert_severity": "medium",
                    "digest_time": digest_time,
                    "timezone": "UTC",
                },
            )
        )
        ports.append(port)
    env = {"PYTHONPATH": str(REPO)}
    logs = [tmp_path / f"{node}.log" for node in ("a", "b")]
    nodes = [
        Serve(["--config", str(c)], cwd=tmp_path, log=log, env=env)
        for c, log in zip(configs, logs, strict=True)
    ]
    ledger = Ledger()
    try:
        for port, node in zip(ports, nodes, strict=True):
            wait_for_port(port, node.process)
        numbers = list(range(1, MESSAGES + 1))
        threads = [
            threading.Thread(
                target=client,
                args=(ports, numbers[i::CLIENTS], ledger, stop_at, _raw),
                daemon=True,
            )
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        wait_done(ledger, 20, stop_at)
        nodes[0].process.kill()  # node a dies under load; b carries on alone
        nodes[0].process.wait(30)
        before_kill = len(capture.messages)  # all that node a ever handed to the next hop
        nodes[0].stop()
        wait_done(ledger, 40, stop_at)
        nodes[0] = Serve(["--config", str(configs[0])], cwd=tmp_path, log=logs[0], env=env)
        wait_for_port(ports[0], nodes[0].process)
        for thread in threads:
            thread.join(max(0.0, stop_at - time.monotonic()))
        assert ledger.done() == MESSAGES, f"only {ledger.done()} of {MESSAGES} done"

        # Release every quarantined message from both nodes' command lines at once.
        quarantined = [
            r["id"]
            for r in database.rows("SELECT id FROM held_messages WHERE action = 'quarantine'")
        ]
        assert quarantined
        for hold_id in quarantined:
            with ThreadPoolExecutor(len(configs)) as pool:
                results = list(
                    pool.map(
                        lambda c, h=hold_id: _cli(c, "held", "release", h, "--by", "Mr IT"), configs
                    )
                )
            assert all(r.returncode in (0, 1) for r in results), [r.stderr for r in results]
        _wait(
            lambda: (
                {
                    r["status"]
                    for r in database.rows(
                        "SELECT status FROM held_messages WHERE action = 'quarantine'"
                    )
                }
                == {"released"}
            ),
            "every release",
            stop_at,
        )
        # The confirm holds expire unanswered (0.006 h); both housekeepers look.
        _wait(
            lambda: (
                {
                    r["status"]
                    for r in database.rows(
                        "SELECT status FROM held_messages WHERE action = 'confirm'"
                    )
                }
                == {"expired"}
            ),
            "every expiry",
            stop_at,
        )
        # Released holds past their retention are purged by whichever node comes first.
        database.rows(
            "UPDATE held_messages SET expires_at = now() - interval '1 hour' "
            "WHERE status = 'released' RETURNING id"
        )
        _wait(
            lambda: (
                not database.rows(
                    "SELECT id FROM held_messages WHERE status = 'released' AND purged_at IS NULL"
                )
            ),
            "every purge",
            stop_at,
        )
        _wait(lambda: capture.notices("digest"), "the daily digest", stop_at)
        _wait(
            lambda: not database.rows("SELECT id FROM notice_outbox WHERE sent_at IS NULL"),
            "the outbox to empty",
            stop_at,
        )
        time_to_settle = time.monotonic() + 3  # a second digest or notice would come now
        while time.monotonic() < time_to_settle:
            time.sleep(0.25)
    finally:
        statuses = [node.stop() for node in nodes]
        capture.close()

    delivered = delivered_ids(capture)
    holds = database.rows("SELECT id, subject, action FROM held_messages")
    held_ids = Counter(f"<multi-{int(r['subject'].split()[1])}@school.example>" for r in holds)
    acknowledged = {_message_id(n) for n in ledger.acknowledged}
    lost = acknowledged - (set(delivered) | set(held_ids))
    released = Counter(
        line.split(b"hold=", 1)[1].split(b";", 1)[0].decode()
        for m in capture.originals()
        for line in m.content.split(b"\r\n")
        if line.startswith(b"X-Schoolgate-Released:")
    )
    outbox = database.rows("SELECT kind, hold_id FROM notice_outbox")
    per_hold = Counter((r["hold_id"], r["kind"]) for r in outbox if r["hold_id"])
    audits = Counter(
        (r["hold_id"], r["action"])
        for r in database.rows("SELECT hold_id, action FROM audit_log WHERE hold_id IS NOT NULL")
    )
    report = {
        "acknowledged": len(ledger.acknowledged),
        "attempts": sum(ledger.attempts.values()),
        "delivered": sum(delivered.values()),
        "holds": len(holds),
        "lost": len(lost),
        "duplicate holds (a node killed between commit and 250)": sum(
            c - 1 for c in held_ids.values()
        ),
        "notices by kind": Counter(m.notice_kind for m in capture.notices()),
    }
    print("multi-node report:", report)
    assert ledger.refused == {}, report
    assert lost == set(), (report, sorted(lost))
    assert all(released[r["id"]] == 1 for r in holds if r["action"] == "quarantine"), released
    assert sum(released.values()) == len(quarantined)
    notice_ids = Counter(m.message_id for m in capture.notices())
    resent = {i for i, copies in notice_ids.items() if copies > 1}
    for kind in ("quarantine", "confirm", "alert", "released", "expired", "digest"):
        queued = sum(1 for r in outbox if r["kind"] == kind)
        sent = {m.message_id for m in capture.notices(kind)}
        assert len(sent) == queued, (kind, report)
    # A node sends one notice at a time, so SIGKILL can strand at most one that the next
    # hop accepted but the node never marked sent: the other node sends it again when
    # the lease runs out. Any other second copy is a fault.
    first_copies = {m.message_id for m in capture.messages[:before_kill]}
    assert len(resent) <= 1 and resent <= first_copies, (resent, report)
    assert all(notice_ids[i] == 2 for i in resent), notice_ids
    assert len(capture.notices("digest")) == 1, report
    for hold in holds:
        expected = (
            ("quarantine", "alert", "released")
            if hold["action"] == "quarantine"
            else ("confirm", "expired")
        )
        for kind in expected:
            assert per_hold[(hold["id"], kind)] == 1, (hold["id"], kind, per_hold)
    for hold in holds:
        done = ("release", "purged") if hold["action"] == "quarantine" else ("expired",)
        for action in done:
            assert audits[(hold["id"], action)] == 1, (hold["id"], action, audits)
    assert statuses == [0, 0], [log.read_text()[-3000:] for log in logs]
