"""Key files made on first run: complete before anyone reads them, private, made once."""

from __future__ import annotations

import multiprocessing
import stat
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from gateway.security.keyfiles import read_secret_file

PROCESSES = 12
ROUNDS = 25


def _read(path: str, barrier: Barrier, results: Queue[tuple[str, str]]) -> None:
    barrier.wait(30)
    try:
        results.put(("ok", read_secret_file(Path(path), create=True).hex()))
    except Exception as exc:  # reported to the test, which shows it
        results.put(("error", str(exc)))


def test_processes_starting_together_all_read_one_complete_key(tmp_path: Path) -> None:
    """The gateway and a CLI command (or several nodes' first runs) start at once: each
    reads the same whole key; none reads an empty file made but not yet written."""
    ctx = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = tmp_path / f"round{round_}" / "hold.key"
        barrier = ctx.Barrier(PROCESSES)
        results: Queue[tuple[str, str]] = ctx.Queue()
        workers = [
            ctx.Process(target=_read, args=(str(path), barrier, results)) for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(30)
        assert [detail for kind, detail in outcomes if kind == "error"] == []
        assert len({detail for _, detail in outcomes}) == 1
        assert [p.name for p in path.parent.iterdir()] == ["hold.key"]  # no temporary left


def test_a_new_key_file_is_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "web.key"
    first = read_secret_file(path, create=True)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_secret_file(path, create=True) == first
