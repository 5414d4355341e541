"""The control socket's protocol: how the command line asks the running gateway.

`schoolgate held list` is what a technician types while the gateway runs; reading the
database itself would mean importing SQLAlchemy, which alone costs more CPU than the
whole command may (issue 11: under half a second). So the gateway answers read-only
questions on a Unix socket in its data folder (gateway/control/server.py), and the
command line imports only this module, which uses the standard library alone. When no
gateway answers, the command reads the database as before.

One question per connection: a JSON object on one line, `{"command": ..., ...}`. The
answer is one JSON object per line, then `{"end": N}` (N rows sent); or one line
`{"error": "..."}`. An answer cut short (no end line) is no answer.

Who may ask: the socket is created mode 0600 in the data folder, and the gateway also
checks the caller's user id (SO_PEERCRED): the same user that can read the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path
from typing import Any

SOCKET_NAME = "control.sock"
MAX_SOCKET_PATH = 107
"""Bytes a Unix socket path may have on Linux (sun_path is 108 with its NUL)."""
MAX_QUESTION = 64 * 1024
TIMEOUT = 10.0
"""Seconds the command line waits for the gateway before reading the database itself."""

HELD_LIST = "held-list"
ANOTHER_DATABASE = "this gateway uses another database"
"""The refusal when the command's configuration names another database than the
gateway's: the command then reads its own."""


class ControlUnavailable(Exception):
    """No gateway answered in full: not running, another data folder, or too busy."""


class ControlRefused(Exception):
    """The gateway answered, with an error (a bad question)."""


def socket_path(data_dir: Path) -> Path:
    return data_dir / SOCKET_NAME


def database_fingerprint(db_url: str) -> str:
    """Names a database without revealing its URL (which may hold a password)."""
    return hashlib.sha256(db_url.encode()).hexdigest()[:32]


def fits(path: Path) -> bool:
    """Whether `path` is short enough to bind or connect a Unix socket to."""
    return len(os.fsencode(path)) <= MAX_SOCKET_PATH


def encode(item: dict[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def ask(path: Path, command: str, arguments: dict[str, Any], timeout: float = TIMEOUT) -> list[Any]:
    """Send one question and return the rows of the answer.

    Raises ControlUnavailable when nothing (or only part of an answer) came back, and
    ControlRefused with the gateway's message when it refused the question."""
    if not fits(path) or not path.exists():
        raise ControlUnavailable(f"no control socket at {path}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(os.fspath(path))
            sock.sendall(encode({"command": command, **arguments}))
            sock.shutdown(socket.SHUT_WR)
            with sock.makefile("rb") as answer:
                lines = answer.read().splitlines()
        except OSError as exc:  # refused (stale socket), timed out, reset
            raise ControlUnavailable(f"{path}: {exc}") from None
    rows: list[Any] = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            raise ControlUnavailable(f"{path}: an answer that is not JSON") from None
        if isinstance(item, dict) and "error" in item:
            raise ControlRefused(str(item["error"]))
        if isinstance(item, dict) and "end" in item:
            if item["end"] != len(rows):
                raise ControlUnavailable(f"{path}: {len(rows)} rows of {item['end']}")
            return rows
        rows.append(item)
    raise ControlUnavailable(f"{path}: the answer was cut short")
