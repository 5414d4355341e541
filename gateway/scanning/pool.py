"""Parse and detect, off the event loop: one path for the server and `schoolgate scan`.

`ScanPool` runs the scan (gateway/scanning/worker.py) in worker processes with a
per-message timeout; a worker that hangs is killed and replaced, and the caller gets
ScanFailed so the sender is told to retry. This module is the main process's side: it
names the worker's functions (`in_worker`) instead of importing them, so the process
that takes the mail never loads the parser, its file-format libraries or a detector's
matching code.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pebble

from detectors.base import DetectorSettings
from detectors.registry import BUILTIN
from gateway.directory.snapshot import EMPTY, DirectoryRef
from gateway.scanning.settings import ParseSettings
from models import Envelope, Finding, MessageFacts

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScanSpec:
    """Everything a worker needs to build its scanner (picklable, fixed for the pool)."""

    parse: ParseSettings
    detectors: tuple[tuple[str, DetectorSettings], ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    facts: MessageFacts
    findings: tuple[Finding, ...]
    scan_ms: float
    detector_ms: dict[str, float] = field(default_factory=dict)


class ScanFailed(Exception):
    """The message could not be scanned (timeout, detector error, worker crash)."""


WORKER = "gateway.scanning.worker"
"""The worker's side, imported in the forkserver and the workers only."""


def in_worker(target: str, *args: Any) -> Any:
    """Run `module:function` (in a scan worker): the main process sends the name, so it
    need not import the function's module to pickle a reference to it."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


# What the forkserver imports once, so that every worker (at start, or replacing a
# killed one) is forked with it loaded instead of importing it itself: the scan code
# and each detector's module.
_PRELOAD = (WORKER,)


def forkserver_preload(detectors: Iterable[str]) -> list[str]:
    """The modules the forkserver imports for workers that run `detectors` (names or
    "module:Class" plug-in paths)."""
    modules = [BUILTIN.get(name, name).partition(":")[0] for name in detectors]
    return list(dict.fromkeys((*_PRELOAD, *modules)))


def _mp_context(detectors: Iterable[str]) -> multiprocessing.context.BaseContext:
    """forkserver: workers fork from a clean process that has the scan code imported,
    so replacing a killed worker is fast and never forks the event loop's threads.
    (The preload takes effect when the forkserver starts: the first pool's wins.)"""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(forkserver_preload(detectors))
    return context


def start_forkserver(detectors: Iterable[str]) -> None:
    """Start the forkserver now rather than with the first worker: it imports the scan
    code and detectors while the caller goes on (`serve` imports the rest of the
    gateway meanwhile), on another CPU."""
    _mp_context(detectors)
    multiprocessing.forkserver.ensure_running()


def _report_warm_failure(future: asyncio.Future[int]) -> None:
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.error("a scan worker could not build its scanner: %s", exc, exc_info=exc)


class ScanPool:
    """Scan processes with a per-message timeout, shared by all SMTP sessions."""

    def __init__(
        self,
        spec: ScanSpec,
        *,
        workers: int = 0,
        timeout: float = 30.0,
        max_tasks: int = 0,
        directory: DirectoryRef = EMPTY,
    ) -> None:
        self.spec = spec
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.directory = directory
        self._pool = pebble.ProcessPool(
            max_workers=self.workers,
            max_tasks=max_tasks,
            initializer=in_worker,
            initargs=(f"{WORKER}:init", spec),
            context=_mp_context(name for name, _ in spec.detectors),
        )

    def set_directory(self, ref: DirectoryRef) -> None:
        """Later scans use this roster/staff snapshot; workers reload it on first use."""
        self.directory = ref

    async def scan(self, raw: bytes, envelope: Envelope) -> ScanResult:
        return await self.run(in_worker, f"{WORKER}:scan", raw, envelope, self.directory)

    async def run(self, task: Callable[..., T], *args: Any) -> T:
        """`task(*args)` in a worker, with the scan timeout, and a hung worker killed:
        whatever parses message content runs here, never in the gateway's process.
        `task` must be a module-level function (it is sent to the worker by name)."""
        future = self._pool.schedule(task, args=args, timeout=self.timeout)
        try:
            # The pool's timeout runs from when a worker starts the task; this one also
            # bounds the wait for a free worker.
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout * 4)
        except (TimeoutError, concurrent.futures.TimeoutError):
            future.cancel()
            raise ScanFailed(f"scan took longer than {self.timeout:g} s") from None
        except pebble.ProcessExpired as exc:
            raise ScanFailed(f"scan worker died (exit code {exc.exitcode})") from exc
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            log.error("scan failed: %s", exc, exc_info=exc)
            raise ScanFailed(f"a detector failed: {type(exc).__name__}: {exc}") from exc

    async def warm_up(self) -> None:
        """Start the workers and build their scanners. Returns as soon as one worker is
        ready, which shows the detectors build and spares the first message a cold
        worker; the others finish warming while the gateway already takes mail."""
        warming = [
            asyncio.wrap_future(
                self._pool.schedule(in_worker, args=(f"{WORKER}:warm", self.directory))
            )
            for _ in range(self.workers)
        ]
        done, rest = await asyncio.wait(warming, return_when=asyncio.FIRST_COMPLETED)
        first = done.pop()
        for future in (*done, *rest):
            future.add_done_callback(_report_warm_failure)
        first.result()

    def close(self) -> None:
        self._pool.close()
        self._pool.join(timeout=10)
        self._pool.stop()
