"""The gateway's side of the control socket (protocol: gateway/control/protocol.py).

Read-only questions from the command line on the same host, so `held list` answers
without loading the database layer in the command. Nothing here changes state: every
action on held mail still goes through the command line's own HoldFlow, audited.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import stat
import struct
from pathlib import Path
from typing import Any

from gateway.control.protocol import ANOTHER_DATABASE, HELD_LIST, MAX_QUESTION, encode, fits
from gateway.hold.status import HoldStatus
from gateway.hold.store import HoldStore

log = logging.getLogger(__name__)

STATUSES = frozenset(HoldStatus.ORDER)
MAX_ROWS = 10_000
QUESTION_TIMEOUT = 5.0
"""Seconds a caller has to send its question; the answer itself is not limited."""
_PEERCRED = struct.Struct("3i")


class BadQuestion(ValueError):
    pass


def _caller_uid(writer: asyncio.StreamWriter) -> int | None:
    sock = writer.get_extra_info("socket")
    if sock is None or not hasattr(socket, "SO_PEERCRED"):
        return None
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size)
    return int(_PEERCRED.unpack(raw)[1])


def _held_list_arguments(question: dict[str, Any]) -> tuple[list[str] | None, int]:
    statuses = question.get("statuses")
    limit = question.get("limit", 100)
    if statuses is not None and (
        not isinstance(statuses, list) or not all(s in STATUSES for s in statuses)
    ):
        raise BadQuestion(f"statuses must be a list of {sorted(STATUSES)}")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_ROWS:
        raise BadQuestion(f"limit must be a whole number from 1 to {MAX_ROWS}")
    return statuses, limit


class ControlServer:
    def __init__(self, path: Path, holds: HoldStore, database: str) -> None:
        self.path = path
        self.holds = holds
        self.database = database
        """database_fingerprint of the gateway's database: a question names its own."""
        self._server: asyncio.base_events.Server | None = None
        self._inode: int | None = None

    async def start(self) -> bool:
        """Listen, unless the path is unusable or another live gateway answers on it
        (both logged: the command line then reads the database itself)."""
        if not fits(self.path):
            log.warning("no control socket: %s is too long for a Unix socket", self.path)
            return False
        if not await self._path_is_free():
            return False
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(os.fspath(self.path))
            os.chmod(self.path, 0o600)  # before listen(): nobody can connect until then
            self._inode = self.path.stat().st_ino
            self._server = await asyncio.start_unix_server(
                self._answer, sock=sock, limit=MAX_QUESTION
            )
        except OSError as exc:
            sock.close()
            log.warning("no control socket at %s: %s", self.path, exc)
            return False
        return True

    async def _path_is_free(self) -> bool:
        """Remove a socket a killed gateway left behind; never a live one or a file."""
        try:
            mode = self.path.lstat().st_mode
        except FileNotFoundError:
            return True
        if not stat.S_ISSOCK(mode):
            log.warning("no control socket: %s exists and is not a socket", self.path)
            return False
        try:
            _, writer = await asyncio.wait_for(asyncio.open_unix_connection(self.path), 2.0)
        except (OSError, TimeoutError):
            self.path.unlink(missing_ok=True)
            return True
        writer.close()
        log.warning("no control socket: another gateway answers on %s", self.path)
        return False

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self._inode:
                self.path.unlink()
        await self._server.wait_closed()
        self._server = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                # Read the question before any refusal: closing on unread data would
                # reset the connection, and the caller would see no answer at all.
                line = await asyncio.wait_for(reader.readline(), QUESTION_TIMEOUT)
                uid = _caller_uid(writer)
                if uid is not None and uid not in (os.geteuid(), 0):
                    log.warning("control socket: refused a question from user id %d", uid)
                    writer.write(encode({"error": "not allowed"}))
                    return
                rows = await self._rows(json.loads(line))
            except BadQuestion as exc:
                writer.write(encode({"error": str(exc)[:300]}))
                return
            except (ValueError, TimeoutError) as exc:  # not JSON, too long, too slow
                writer.write(encode({"error": f"bad question: {exc}"[:300]}))
                return
            for row in rows:
                writer.write(encode(row))
                await writer.drain()
            writer.write(encode({"end": len(rows)}))
        except Exception:
            log.exception("control socket: the answer failed")
        finally:
            with contextlib.suppress(Exception):
                await writer.drain()
                writer.close()
                await writer.wait_closed()

    async def _rows(self, question: Any) -> list[dict[str, Any]]:
        if not isinstance(question, dict):
            raise BadQuestion("a question is a JSON object")
        if question.get("command") != HELD_LIST:
            raise BadQuestion(f"unknown command {str(question.get('command'))[:40]!r}")
        if question.get("database") != self.database:
            raise BadQuestion(ANOTHER_DATABASE)
        statuses, limit = _held_list_arguments(question)
        return [held.summary() for held in await self.holds.find(statuses=statuses, limit=limit)]
