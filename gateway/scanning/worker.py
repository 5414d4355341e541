"""A scan worker's side: the scanner it builds once per roster version, and its tasks.

`Scanner` is the pure, synchronous scan of one message (parse, then every detector);
`init`, `scan` and `warm` are what ScanPool (gateway/scanning/pool.py) runs here by
name. Only the forkserver and the workers import this module.
"""

from __future__ import annotations

import gc
import os
import time

from detectors.base import Detector
from detectors.registry import BUILTIN, resolve
from gateway.directory.snapshot import DirectoryRef, read_scan_directory
from gateway.scanning.parse import parse_message
from gateway.scanning.pool import ScanResult, ScanSpec
from gateway.scanning.settings import ParseSettings
from models import Directory, Envelope, Finding


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


_worker_spec: ScanSpec | None = None
_worker_scanner: Scanner | None = None


def init(spec: ScanSpec) -> None:
    """The pool's initializer: what this worker scans with, until the pool ends."""
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


def scan(raw: bytes, envelope: Envelope, ref: DirectoryRef) -> ScanResult:
    return _scanner_for(ref).scan(raw, envelope)


def warm(ref: DirectoryRef) -> int:
    _scanner_for(ref)
    return os.getpid()
