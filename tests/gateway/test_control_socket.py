"""The control socket: `held list` asked of the running gateway (issue 11, point 18).

Real gateways, real Unix sockets, a real SQLite database; the command runs in a fresh
interpreter where it matters which modules it imported.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import tomli_w

from gateway.control.protocol import (
    ANOTHER_DATABASE,
    HELD_LIST,
    ControlRefused,
    ControlUnavailable,
    ask,
    database_fingerprint,
    encode,
)
from gateway.control.server import ControlServer
from gateway.hold.crypto import HoldCipher
from gateway.hold.store import HoldStore
from gateway.storage.engine import Store
from tests.gateway.test_workflow import held_row, send, workflow_gateway
from tests.harness import CaptureServer, GatewayRunner
from tests.processes import run_importing
from tests.support import require

DB = "sqlite+aiosqlite:///unused"


def held_list(config: Path, *extra: str) -> tuple[list[str], set[str]]:
    """`schoolgate held list --json` in a fresh interpreter: its lines and its imports."""
    args = ("held", "list", "--json", "--status", "all", "--config", str(config), *extra)
    result, modules = run_importing(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines(), modules


def test_held_list_is_answered_by_the_running_gateway_without_the_database_layer(
    tmp_path: Path, capture: CaptureServer, start_gateway: Callable[..., GatewayRunner]
):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-QUARANTINE", subject="Report for the DSL")
    hold_id = held_row(gateway).id
    config = tmp_path / "schoolgate.toml"

    asked, imported = held_list(config)
    assert not any(m == "sqlalchemy" or m.startswith("sqlalchemy.") for m in imported)
    assert "gateway.hold.store" not in imported
    [row] = [json.loads(line) for line in asked]
    assert row["id"] == hold_id
    assert row["subject"] == "Report for the DSL"
    assert row["status"] == "held" and row["action"] == "quarantine"

    read, imported_direct = held_list(config, "--from-database")
    assert "sqlalchemy" in imported_direct  # the other path really is the database's
    assert [json.loads(line) for line in read] == [row]


def test_a_command_naming_another_database_reads_that_database(
    tmp_path: Path, capture: CaptureServer, start_gateway: Callable[..., GatewayRunner]
):
    """Same data folder, another database: the gateway's answer would be about mail the
    command was not asked about, so the gateway refuses and the command reads its own."""
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-QUARANTINE")
    assert held_row(gateway).id
    other = tmp_path / "other.toml"
    other.write_text(
        tomli_w.dumps(
            {
                "data_dir": str(tmp_path / "var"),
                "database_url": f"sqlite+aiosqlite:///{tmp_path / 'other.db'}",
            }
        )
    )
    lines, imported = held_list(other)
    assert lines == []
    assert "sqlalchemy" in imported


@pytest.fixture
async def holds(tmp_path: Path) -> AsyncIterator[HoldStore]:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'holds.db'}")
    try:
        yield HoldStore(store, HoldCipher(os.urandom(32)))
    finally:
        await store.close()


@pytest.fixture
def short_path() -> Iterator[Callable[[str], Path]]:
    """Socket paths that fit in sun_path wherever pytest puts tmp_path."""
    folder = Path(tempfile.mkdtemp(prefix="sg-control-", dir="/tmp"))
    try:
        yield lambda name: folder / name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def asked(path: Path, question: dict[str, object]) -> list[object]:
    return await asyncio.to_thread(ask, path, HELD_LIST, question)


def question(**extra: object) -> dict[str, object]:
    return {"statuses": ["held"], "limit": 10, "database": database_fingerprint(DB), **extra}


async def test_the_socket_is_private_answers_and_is_removed_at_shutdown(
    holds: HoldStore, short_path: Callable[[str], Path]
):
    path = short_path("a.sock")
    server = ControlServer(path, holds, database_fingerprint(DB))
    assert await server.start()
    try:
        assert path.stat().st_mode & 0o777 == 0o600
        assert await asked(path, question()) == []
    finally:
        await server.close()
    assert not path.exists()
    with pytest.raises(ControlUnavailable):
        ask(path, HELD_LIST, question())


async def test_a_socket_left_by_a_killed_gateway_is_replaced(
    holds: HoldStore, short_path: Callable[[str], Path]
):
    path = short_path("stale.sock")
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # what SIGKILL leaves: the file, with nobody listening
    with pytest.raises(ControlUnavailable):
        ask(path, HELD_LIST, question())
    server = ControlServer(path, holds, database_fingerprint(DB))
    assert await server.start()
    try:
        assert await asked(path, question()) == []
    finally:
        await server.close()


async def test_a_live_socket_and_a_file_in_the_way_are_left_alone(
    holds: HoldStore, short_path: Callable[[str], Path], caplog: pytest.LogCaptureFixture
):
    path = short_path("live.sock")
    first = ControlServer(path, holds, database_fingerprint(DB))
    assert await first.start()
    try:
        second = ControlServer(path, holds, database_fingerprint(DB))
        assert not await second.start()
        assert "another gateway answers" in caplog.text
        await second.close()
        assert await asked(path, question()) == []  # the first still answers
    finally:
        await first.close()
    in_the_way = short_path("file.sock")
    in_the_way.write_text("not a socket")
    assert not await ControlServer(in_the_way, holds, "x").start()
    assert in_the_way.read_text() == "not a socket"
    assert "is not a socket" in caplog.text


async def test_a_path_too_long_for_a_unix_socket_means_no_socket(
    holds: HoldStore, short_path: Callable[[str], Path], caplog: pytest.LogCaptureFixture
):
    path = short_path("x" * 120)
    assert not await ControlServer(path, holds, "x").start()
    assert "too long for a Unix socket" in caplog.text
    with pytest.raises(ControlUnavailable):
        ask(path, HELD_LIST, question())


def raw_answer(path: Path, data: bytes) -> list[dict[str, object]]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        with sock.makefile("rb") as answer:
            return [json.loads(line) for line in answer.read().splitlines()]


def asking(arguments: dict[str, object]) -> bytes:
    return encode({"command": HELD_LIST, **arguments})


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"not json\n", "bad question"),  # not JSON at all
        (b"[1, 2]\n", "a question is a JSON object"),  # JSON, but not an object
        (encode({"command": "drop-everything"}), "unknown command"),  # no such command
        (asking(question(limit=0)), "limit must be"),  # out of range
        (asking(question(limit=True)), "limit must be"),  # a bool is not a count
        (asking(question(statuses=["held", "x"])), "statuses must be"),  # no such status
        (asking(question(database="another")), ANOTHER_DATABASE),  # another database
        (b'{"command": "' + b"a" * 70_000 + b'"}\n', "bad question"),  # too long
    ],
)
async def test_a_bad_question_gets_an_error_and_the_server_keeps_answering(
    holds: HoldStore, short_path: Callable[[str], Path], data: bytes, error: str
):
    path = short_path("bad.sock")
    server = ControlServer(path, holds, database_fingerprint(DB))
    assert await server.start()
    try:
        [answer] = await asyncio.to_thread(raw_answer, path, data)
        assert error in str(answer["error"])
        assert await asked(path, question()) == []
    finally:
        await server.close()


def ask_as_user(uid: int, path: Path, data: bytes) -> bytes:
    """Connect from a forked child running as `uid` (the interpreter itself may not be
    executable by that user, so no new program is started) and return what it read."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.setuid(uid)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(10)
                sock.connect(str(path))
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
                os.write(write_end, sock.makefile("rb").read())
        except BaseException as exc:
            os.write(write_end, repr(exc).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(child, 0)
    return answer


async def test_another_user_is_refused_even_when_the_socket_lets_them_connect(
    holds: HoldStore, short_path: Callable[[str], Path]
):
    """Defence in depth: the mode keeps other users out, and the caller's user id is
    checked too (a loosened mode or a shared group must not open held mail's metadata)."""
    require(os.geteuid() == 0, "switching to another user needs root")
    path = short_path("peer.sock")
    path.parent.chmod(0o755)
    server = ControlServer(path, holds, database_fingerprint(DB))
    assert await server.start()
    try:
        path.chmod(0o666)
        answer = await asyncio.to_thread(ask_as_user, 65534, path, asking(question()))
        assert json.loads(answer) == {"error": "not allowed"}
    finally:
        await server.close()


def serve_once(path: Path, reply: bytes) -> threading.Thread:
    """A stand-in gateway that answers one question with `reply` (for answers a real
    gateway cannot be made to cut short)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def answer() -> None:
        with listener, listener.accept()[0] as conn:
            conn.recv(65536)
            conn.sendall(reply)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "reply",
    [
        encode({"id": "A"}),  # one row, then the connection closed: no end line
        encode({"id": "A"}) + encode({"end": 2}),  # the end line counts more rows
        b"{garbled\n",
    ],
)
def test_an_answer_cut_short_is_no_answer(reply: bytes, short_path: Callable[[str], Path]):
    path = short_path("cut.sock")
    thread = serve_once(path, reply)
    with pytest.raises(ControlUnavailable):
        ask(path, HELD_LIST, question())
    thread.join(10)


def test_a_refusal_is_reported_as_such(short_path: Callable[[str], Path]):
    path = short_path("refuse.sock")
    thread = serve_once(path, encode({"error": "not allowed"}))
    with pytest.raises(ControlRefused, match="not allowed"):
        ask(path, HELD_LIST, question())
    thread.join(10)
