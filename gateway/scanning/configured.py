"""The scan pool as the config describes it, for `serve` and `schoolgate scan` alike.

Apart from the server module so that `schoolgate scan` starts without importing the
web console, the SMTP server and the hold workflow it never uses.
"""

from __future__ import annotations

import os

from gateway.config.settings import Config
from gateway.scanning.detector_settings import resolved_settings
from gateway.scanning.extract import Limits
from gateway.scanning.pool import ScanPool, ScanSpec
from gateway.scanning.settings import ParseSettings


def scan_spec(config: Config) -> ScanSpec:
    """The scan workers' fixed inputs, from the config."""
    scan = config.scan
    return ScanSpec(
        parse=ParseSettings(
            limits=Limits(
                max_depth=scan.max_depth,
                max_parts=scan.max_parts,
                max_file_size=int(scan.max_attachment_size),
                max_expanded_size=int(scan.max_expanded_size),
                max_text_chars=scan.max_text_chars,
            ),
            school=config.school.facts(),
        ),
        detectors=tuple(resolved_settings(config).items()),
    )


def make_pool(config: Config, *, at_most: int | None = None) -> ScanPool:
    """The pool; `at_most` caps its workers (one file needs one, not a worker per CPU)."""
    workers = config.scan.workers or os.cpu_count() or 1
    return ScanPool(
        scan_spec(config),
        workers=min(workers, at_most) if at_most else workers,
        timeout=config.scan.timeout,
        max_tasks=config.scan.max_tasks_per_worker,
    )
