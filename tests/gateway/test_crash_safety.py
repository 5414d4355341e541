"""SIGKILL at the worst moments loses nothing: a held message is either stored, or the
client never got its 250 and sends it again; an interrupted release is delivered once."""

from __future__ import annotations

import smtplib
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import tomli_w

from tests.harness import KEYWORD_RULES, CaptureServer, free_port
from tests.processes import SCHOOLGATE, Serve, clean_env, wait_for_port
from tests.support import REPO

MESSAGE_ID = "<crash-test-1@school.example>"
RAW = (
    "From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
    f"Subject: Report\r\nMessage-ID: {MESSAGE_ID}\r\n\r\nNotes KEYWORD-QUARANTINE\r\n"
).encode()


def write_config(tmp_path: Path, smtp_port: int, capture_port: int) -> Path:
    config = {
        "data_dir": str(tmp_path / "var"),
        "school": {"domains": ["school.example"]},
        "smtp": {"listen": f"127.0.0.1:{smtp_port}", "shutdown_grace": 2},
        "web": {"listen": f"127.0.0.1:{free_port()}"},
        "relay": {
            "next_hop": f"127.0.0.1:{capture_port}",
            "tls": "off",
            "connect_timeout": 1,
            "timeout": 2,
        },
        "scan": {"workers": 1},
        "hold": {"housekeeping_interval": 0.5, "release_retry_minutes": 0.01},
        "detectors": {"enabled": [], "plugins": ["tests.plugins:KeywordDetector"]},
        "rules": KEYWORD_RULES,
    }
    path = tmp_path / "schoolgate.toml"
    path.write_text(tomli_w.dumps(config))
    return path


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
    config = write_config(tmp_path, port, capture_server.port)
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
    config = write_config(tmp_path, port, capture_server.port)
    gateway = Serve(["--config", str(config)], cwd=tmp_path, log=tmp_path / "serve.log", env=env())
    try:
        wait_for_port(port, gateway.process)
        sendmail(port)
        [(hold_id,)] = db_rows(tmp_path, "SELECT id FROM held_messages")
        # `schoolgate held release` dies after claiming the delivery, before sending it
        killed = subprocess.run(
            [SCHOOLGATE, "held", "release", hold_id, "--config", str(config)],
            env={**clean_env(), **env("release-after-claim")},
            capture_output=True,
            timeout=60,
        )
        assert killed.returncode == -9
        [(status, attempts)] = db_rows(
            tmp_path, "SELECT status, release_attempts FROM held_messages"
        )
        assert (status, attempts) == ("releasing", 1)
        # the running gateway picks the release up once the dead process's lease runs out
        deadline = time.monotonic() + 60
        while db_rows(tmp_path, "SELECT status FROM held_messages") != [("released",)]:
            assert time.monotonic() < deadline, gateway.output()
            time.sleep(0.2)
        time.sleep(1)
        [delivered] = capture_server.originals()
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
    config = write_config(tmp_path, port, capture_server.port)
    gateway = Serve(["--config", str(config)], cwd=tmp_path, log=tmp_path / "serve.log", env=env())
    try:
        wait_for_port(port, gateway.process)
        sendmail(port)
        [(hold_id,)] = db_rows(tmp_path, "SELECT id FROM held_messages")
        killed = subprocess.run(
            [SCHOOLGATE, "held", "release", hold_id, "--config", str(config)],
            env={**clean_env(), **env("release-before-delivered-commit")},
            capture_output=True,
            timeout=60,
        )
        assert killed.returncode == -9
        [first] = capture_server.originals()  # the next hop accepted it before the kill
        assert db_rows(tmp_path, "SELECT status FROM held_messages") == [("releasing",)]
        deadline = time.monotonic() + 60
        while db_rows(tmp_path, "SELECT status FROM held_messages") != [("released",)]:
            assert time.monotonic() < deadline, gateway.output()
            time.sleep(0.2)
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
