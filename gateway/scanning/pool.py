"""Parse and detect, off the event loop: one path for the server and `schoolgate scan`.

`Scanner` is the pure, synchronous scan of one message (parse, then every detector).
`ScanPool` runs it in worker processes with a per-message timeout; a worker that hangs
is killed and replaced, and the caller gets ScanFailed so the sender is told to retry.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pebble

from detectors.base import Detector, DetectorSettings
from detectors.registry import BUILTIN, resolve
from gateway.directory.snapshot import EMPTY, DirectoryRef, read_scan_directory
from gateway.scanning.parse import ParseSettings, parse_message
from models import Directory, Envelope, Finding, MessageFacts

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


class Scanner:
    """Parse + detectors for one directory version. Built once per worker per version."""

    def __init__(self, spec: ScanSpec, directory: Directory) -> None:
        self.spec = spec
        self.directory = directory
        self.detectors: list[Detector] = [
            resolve(name)(settings, directory, spec.parse.school)
            for name, settings in spec.detectors
        ]

    def scan(self, raw: bytes, envelope: Envelope) -> ScanResult:
        started = time.perf_counter()
        message = parse_message(raw, envelope, self.spec.parse)
        findings: list[Finding] = []
        timings: dict[str, float] = {}
        for detector in self.detectors:
            t0 = time.perf_counter()
            findings.extend(detector.detect(message))
            timings[detector.name] = (time.perf_counter() - t0) * 1000
        return ScanResult(
            facts=message.facts,
            findings=tuple(_dedupe(findings)),
            scan_ms=(time.perf_counter() - started) * 1000,
            detector_ms=timings,
        )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same match reported twice (e.g. text/plain and text/html alternatives) counts once."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for f in findings:
        key = (f.detector, f.type, f.location, f.evidence, f.row, f.kind)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


# --- worker side -------------------------------------------------------------------

_worker_spec: ScanSpec | None = None
_worker_scanner: Scanner | None = None


def _init_worker(spec: ScanSpec) -> None:
    global _worker_spec, _worker_scanner
    _worker_spec = spec
    _worker_scanner = None


def _scanner_for(ref: DirectoryRef) -> Scanner:
    global _worker_scanner
    assert _worker_spec is not None, "scan worker not initialised"
    if _worker_scanner is None or _worker_scanner.directory.version != ref.version:
        # The scanner (models, word lists) lives as long as the worker: frozen, the
        # garbage collector stops walking its objects on every full collection, which
        # made a 1 MB message's name scan cost 1.7 times its linear share. Unfrozen
        # first, so a replaced scanner can still be collected. The roster comes as the
        # snapshot's mapped name table, the same pages in every worker and no object
        # per pupil; the pupils themselves are read only for a plug-in detector, which
        # may want them (the built-in ones read the table).
        gc.unfreeze()
        _worker_scanner = None
        gc.collect()
        plugins = any(name not in BUILTIN for name, _ in _worker_spec.detectors)
        directory = read_scan_directory(ref, with_pupils=plugins)
        _worker_scanner = Scanner(_worker_spec, directory)
        gc.freeze()
    return _worker_scanner


def worker_parse_settings() -> ParseSettings:
    """How this pool parses mail, for a task running in a worker (`ScanPool.run`)."""
    assert _worker_spec is not None, "not in a scan worker"
    return _worker_spec.parse


def _scan_task(raw: bytes, envelope: Envelope, ref: DirectoryRef) -> ScanResult:
    return _scanner_for(ref).scan(raw, envelope)


def _warm_task(ref: DirectoryRef) -> int:
    _scanner_for(ref)
    return os.getpid()


# --- main-process side -------------------------------------------------------------


# What the forkserver imports once, so that every worker (at start, or replacing a
# killed one) is forked with it loaded instead of importing it itself: the scan code
# and each detector's module.
_PRELOAD = ("gateway.scanning.pool",)


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
            initializer=_init_worker,
            initargs=(spec,),
            context=_mp_context(name for name, _ in spec.detectors),
        )

    def set_directory(self, ref: DirectoryRef) -> None:
        """Later scans use this roster/staff snapshot; workers reload it on first use."""
        self.directory = ref

    async def scan(self, raw: bytes, envelope: Envelope) -> ScanResult:
        return await self.run(_scan_task, raw, envelope, self.directory)

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
            asyncio.wrap_future(self._pool.schedule(_warm_task, args=(self.directory,)))
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
