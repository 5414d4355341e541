"""`schoolgate serve` as a real process: embedded defaults, and SIGTERM while busy."""

from __future__ import annotations

import json
import signal
import smtplib
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness import CaptureServer, free_port
from tests.processes import SCHOOLGATE, Serve, clean_env, wait_for_port

RAW = b"From: t@school.example\r\nTo: p@example.org\r\nSubject: Hi\r\n\r\nHello there.\r\n"


def test_embedded_defaults_deliver_to_the_outbox(tmp_path: Path):
    """No config file and no next hop: the whole flow works and lands in ./var/outbox."""
    port = free_port()
    args = ["--listen", f"127.0.0.1:{port}", "--web", f"127.0.0.1:{free_port()}"]
    serve = Serve(args, cwd=tmp_path, log=tmp_path / "serve.log")
    try:
        wait_for_port(port, serve.process)
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("t@school.example", ["p@example.org"], RAW) == {}
    finally:
        assert serve.stop() == 0, serve.output()
    [eml] = (tmp_path / "var" / "outbox").glob("*.eml")
    assert eml.read_bytes().endswith(RAW)
    envelope = json.loads(eml.with_suffix(".json").read_text())
    assert envelope == {"mail_from": "t@school.example", "rcpt_tos": ["p@example.org"]}
    assert (tmp_path / "var" / "schoolgate.db").exists()
    assert "relaying to built-in outbox" in serve.output()


@pytest.mark.parametrize(
    ("flag", "purpose", "setting"),
    [("--listen", "SMTP", "[smtp] listen or --listen"), ("--web", "the web pages", "[web] listen")],
)
def test_a_port_already_in_use_is_a_clear_error(
    tmp_path: Path, flag: str, purpose: str, setting: str
):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = f"127.0.0.1:{taken.getsockname()[1]}"
        ports = {"--listen": f"127.0.0.1:{free_port()}", "--web": f"127.0.0.1:{free_port()}"}
        ports[flag] = busy
        result = subprocess.run(
            [SCHOOLGATE, "serve", *(a for pair in ports.items() for a in pair)],
            cwd=tmp_path,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: cannot listen on {busy} for {purpose}: ")
    assert "in use" in error and setting in error


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\r\n") or data.split(b"\r\n")[-2][3:4] == b"-":
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode()


def test_sigterm_stops_accepting_and_lets_the_message_in_flight_finish(tmp_path: Path):
    capture = CaptureServer().start()
    port = free_port()
    config = tmp_path / "schoolgate.toml"
    config.write_text(
        f'data_dir = "var"\n[smtp]\nlisten = "127.0.0.1:{port}"\nshutdown_grace = 20\n'
        '[web]\nlisten = "127.0.0.1:0"\n'
        f'[relay]\nnext_hop = "127.0.0.1:{capture.port}"\ntls = "off"\n'
        "[scan]\nworkers = 1\n[detectors]\nenabled = []\n"
    )
    serve = Serve(["--config", str(config)], cwd=tmp_path, log=tmp_path / "serve.log")
    try:
        wait_for_port(port, serve.process)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            assert _read_reply(sock).startswith("220 ")
            for command, expected in (
                (b"EHLO client.test\r\n", "250"),
                (b"MAIL FROM:<t@school.example>\r\n", "250"),
                (b"RCPT TO:<p@example.org>\r\n", "250"),
                (b"DATA\r\n", "354"),
            ):
                sock.sendall(command)
                assert _read_reply(sock).startswith(expected)
            head, tail = RAW[:30], RAW[30:]
            sock.sendall(head)
            serve.terminate()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the listener closes promptly
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    time.sleep(0.1)
                except OSError:
                    break
            else:
                raise AssertionError("still accepting connections 10 s after SIGTERM")
            sock.sendall(tail + b".\r\n")
            reply = _read_reply(sock)
            assert reply.startswith("250 "), reply
        assert serve.process.wait(30) == 0
        [got] = capture.wait_for(1)
        assert got.content.endswith(RAW)
    finally:
        serve.stop()
        capture.close()


def test_sighup_loads_a_reimported_roster_at_once(tmp_path: Path):
    """The gateway polls for roster changes slowly here; SIGHUP makes it look now."""
    capture = CaptureServer().start()
    port = free_port()
    config = tmp_path / "schoolgate.toml"
    config.write_text(
        f'data_dir = "var"\n[school]\ndomains = ["school.example"]\n'
        f'[smtp]\nlisten = "127.0.0.1:{port}"\n[web]\nlisten = "127.0.0.1:0"\n'
        f'[relay]\nnext_hop = "127.0.0.1:{capture.port}"\ntls = "off"\n'
        "[scan]\nworkers = 1\n[directory]\nrefresh_interval = 3600\n"
    )
    serve = Serve(["--config", str(config)], cwd=tmp_path, log=tmp_path / "serve.log")
    message = (
        b"From: Ms T <t@school.example>\r\nTo: p@example.org\r\n"
        b"Subject: Report for Amelia Fairweather\r\n\r\nSee attached.\r\n"
    )
    try:
        wait_for_port(port, serve.process)
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:  # no roster yet
            assert client.sendmail("t@school.example", ["p@example.org"], message) == {}
        roster = tmp_path / "pupils.csv"
        roster.write_text("Forename,Surname,Year\nAmelia,Fairweather,5\n")
        imported = subprocess.run(
            [SCHOOLGATE, "roster", "import", str(roster), "--config", str(config)],
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=120,
        )
        assert imported.returncode == 0, imported.stderr
        serve.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while "directory r1-s0 loaded" not in serve.output():
            assert time.monotonic() < deadline, serve.output()
            time.sleep(0.1)
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.ehlo()
            client.mail("t@school.example")
            client.rcpt("p@example.org")
            code, reply = client.data(message)
        assert code == 250
        assert b"held for review" in reply  # full name in the subject, going outside school
        assert len(capture.originals()) == 1  # only the message sent before the import
    finally:
        assert serve.stop() == 0, serve.output()
        capture.close()
