"""SIGKILL at the worst moments loses nothing: a held message is either stored, or the
client never got its 250 and sends it again; an interrupted release is delivered once."""

from __future__ import annotations

import smtplib
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness import CaptureServer, free_port
from tests.processes import SCHOOLGATE, Serve, clean_env, serve_config, wait_for_port
from tests.support import REPO

MESSAGE_ID = "<crash-test-1@school.example>"
RAW = (
    "From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
    f"Subject: Report\r\nMessage-ID: {MESSAGE_ID}\r\n\r\nNotes KEYWORD-QUARANTINE\r\n"
).encode()


def env(crash_at: str | None = None) -> dict[str, str]:
    values = {"PYTHONPATH": str(REPO)}
    if crash_at:
        values["SCHOOLGATE_CRASH_AT"] = crash_at
    return values


def db_rows(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "var" / "schoolgate.db") as conn:
        return conn.execute(sql).fetchall()


def sendmail(port: int) -> str:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.mail("teacher@school.example")
        client.rcpt("parent@example.org")
        code, reply = client.data(RAW)
    assert code == 250
    return reply.decode()


def release_killed_at(tmp_path: Path, port: int, config: Path, crash_at: str) -> str:
    """Hold a message, then run `schoolgate held release` so that it SIGKILLs itself at
    `crash_at`; the hold's id."""
    sendmail(port)
    [(hold_id,)] = db_rows(tmp_path, "SELECT id FROM held_messages")
    killed = subprocess.run(
        [SCHOOLGATE, "held", "release", hold_id, "--config", str(config)],
        env={**clean_env(), **env(crash_at)},
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode == -9
    return str(hold_id)


def wait_released(tmp_path: Path, gateway: Serve) -> None:
    """The running gateway picks the release up once the dead process's lease runs out."""
    deadline = time.monotonic() + 60
    while db_rows(tmp_path, "SELECT status FROM held_messages") != [("released",)]:
        assert time.monotonic() < deadline, gateway.output()
        time.sleep(0.2)


@pytest.fixture
def capture_server():
    server = CaptureServer().start()
    yield server
    server.close()


@pytest.mark.parametrize(
    ("crash_at", "held_after_crash"),
    [
        ("before-hold-commit", 0),  # killed inside the transaction: nothing stored
        ("after-hold-commit", 1),  # killed after the commit, before the 250: stored
    ],
)
def test_sigkill_around_the_hold_commit_never_loses_the_message(
    crash_at: str, held_after_crash: int, tmp_path: Path, capture_server: CaptureServer
):
    port = free_port()
    config = serve_config(tmp_path, port, capture_server.port)
    log = tmp_path / "serve.log"
    crashing = Serve(["--config", str(config)], cwd=tmp_path, log=log, env=env(crash_at))
    wait_for_port(port, crashing.process)
    with pytest.raises((smtplib.SMTPServerDisconnected, ConnectionError)):
        sendmail(port)  # the client never gets a 250
    assert crashing.process.wait(30) == -9, log.read_text()
    crashing.stop()
    held = db_rows(tmp_path, "SELECT status FROM held_messages")
    assert [s for (s,) in held] == ["held"] * held_after_crash
    journalled = db_rows(tmp_path, f"SELECT outcome FROM journal WHERE message_id = '{MESSAGE_ID}'")
    assert [o for (o,) in journalled] == ["held"] * held_after_crash

    # the sending server retries once the gateway is back: the message is held
    restarted = Serve(["--config", str(config)], cwd=tmp_path, log=log, env=env())
    try:
        wait_for_port(port, restarted.process)
        assert "held for review" in sendmail(port)
    finally:
        assert restarted.stop() == 0
    held = db_rows(tmp_path, "SELECT status FROM held_messages")
    assert len(held) == held_after_crash + 1  # at worst a duplicate to review, never a loss
    assert capture_server.originals() == []


def test_release_killed_mid_delivery_is_retried_and_delivered_once(
    tmp_path: Path, capture_server: CaptureServer
):
    port = free_port()
    config = serve_config(tmp_path, port, capture_server.port)
    gateway = Serve(["--config", str(config)], cwd=tmp_path, log=tmp_path / "serve.log", env=env())
    try:
        wait_for_port(port, gateway.process)
        # `schoolgate held release` dies after claiming the delivery, before sending it
        release_killed_at(tmp_path, port, config, "release-after-claim")
        [(status, attempts)] = db_rows(
            tmp_path, "SELECT status, release_attempts FROM held_messages"
        )
        assert (status, attempts) == ("releasing", 1)
        wait_released(tmp_path, gateway)  # committed after the next hop's 250: final
        [delivered] = capture_server.wait_for(1)
        assert delivered.content.endswith(RAW)
        assert db_rows(tmp_path, "SELECT release_attempts FROM held_messages") == [(2,)]
    finally:
        assert gateway.stop() == 0


def test_release_killed_after_the_next_hop_accepted_is_delivered_again_and_marked(
    tmp_path: Path, capture_server: CaptureServer
):
    """The one window left: the next hop has the message, the "released" commit has not
    happened. The retry delivers again (never a loss), and the possible duplicate is in the
    journal, the audit log and the second copy's trace header for an admin to see."""
    port = free_port()
    config = serve_config(tmp_path, port, capture_server.port)
    gateway = Serve(["--config", str(config)], cwd=tmp_path, log=tmp_path / "serve.log", env=env())
    try:
        wait_for_port(port, gateway.process)
        hold_id = release_killed_at(tmp_path, port, config, "release-before-delivered-commit")
        [first] = capture_server.originals()  # the next hop accepted it before the kill
        assert db_rows(tmp_path, "SELECT status FROM held_messages") == [("releasing",)]
        wait_released(tmp_path, gateway)
        first_copy, second_copy = capture_server.wait_for(2)
        assert first_copy is first
        assert first.content.endswith(RAW) and second_copy.content.endswith(RAW)
        assert b"possible-duplicate-of=" not in first.content
        assert b"X-Schoolgate-Release-Attempt: 2; id=" in second_copy.content
        assert b"possible-duplicate-of=" in second_copy.content
        audit = [a for (a,) in db_rows(tmp_path, "SELECT action FROM audit_log")]
        assert audit.count("delivery-uncertain") == 1 and audit.count("delivered") == 1
        [(error,)] = db_rows(
            tmp_path,
            f"SELECT error FROM journal WHERE hold_id = '{hold_id}' AND error IS NOT NULL",
        )
        assert error.startswith("possible duplicate: release attempt 1")
    finally:
        assert gateway.stop() == 0
