"""`make bench`: every benchmark, one after the other, figures printed (never pass/fail).

    .venv/bin/python -m bench [--quick]

Relay throughput, latency, process-tree CPU and peak PSS (bench/relay.py: straight to
the upstream, a bare aiosmtpd + aiosmtplib pass-through, schoolgate with detectors off
and on, interleaved, on realistic varied 10 KB mail, plus the old repeated message as
the warm-cache case), then the detectors, the attachment extraction, the whole scan per
message on realistic mail and on the attachment mix (10 % carrying a 50 KB-1 MB PDF,
DOCX or XLSX), a scan worker's memory by roster size, and start-up (`serve` until it
answers and scans; `scan` of one message; short CLI commands).
Each runs in its own process so one's memory and caches do not colour the next. Run on
an otherwise idle machine: the figures are only as quiet as the machine. `--quick`
(one round of each, fewer messages) takes 2-5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    # (title, command, extra arguments for --quick)
    (
        "Relay: direct, bare relay, detectors off / on, warm-cache case",
        ["-m", "bench.relay"],
        ["--messages", "600", "--rounds", "1"],
    ),
    ("pupil_name detector", [str(HERE / "bench_pupil_name.py")], ["--rounds", "50"]),
    ("sensitive_data detector", [str(HERE / "bench_sensitive_data.py")], ["--rounds", "10"]),
    (
        "chain_letter and personal_address",
        [str(HERE / "bench_chain_personal.py")],
        ["--rounds", "50"],
    ),
    ("Attachment extraction", [str(HERE / "bench_extract.py")], []),
    (
        "Whole scan on realistic mail, per detector",
        [str(HERE / "bench_scan_realistic.py")],
        ["--messages", "100", "--rounds", "1"],
    ),
    (
        "Whole scan on the attachment mix (10 % PDF/DOCX/XLSX of 50 KB-1 MB)",
        [str(HERE / "bench_scan_realistic.py"), "--mix", "attachments"],
        ["--messages", "200", "--rounds", "1"],
    ),
    (
        "Scan worker memory by roster size",
        [str(HERE / "bench_roster_memory.py")],
        ["--messages", "30"],
    ),
    ("Start-up: serve and the CLI", [str(HERE / "bench_startup.py")], ["--rounds", "1"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, rougher figures")
    args = parser.parse_args()
    failed = []
    for title, command, quick in BENCHMARKS:
        print(f"\n=== {title} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, *command, *(quick if args.quick else [])], cwd=HERE.parent
        )
        print(f"({time.monotonic() - started:.0f} s)", flush=True)
        if result.returncode != 0:
            failed.append(title)
    if failed:
        print(f"\nbenchmarks that did not run to completion: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
