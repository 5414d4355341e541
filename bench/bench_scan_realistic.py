"""Benchmark: CPU per realistic 10 KB message for the whole scan and for each detector.

    .venv/bin/python bench/bench_scan_realistic.py [--messages 300] [--rounds 3]
        [--mix plain|attachments] [--compare OTHER_CHECKOUT]

Each round builds a scanner (parse + every built-in detector, a 2,000-pupil roster) in a
fresh process, as a scan worker does, and prints: the detectors' build time (what a
worker pays at start and on each roster change), the worker's resident memory after
the build, and the CPU time (time.process_time) per message of parsing and of each
detector over `--messages` different ~10 KB messages (bench/realistic_mail.py: real
sentences from ordinary mail mixed with staff sentences, one in five naming a pupil).
`--mix attachments` is the attachment mix: the same messages, one in ten also carrying
a PDF, DOCX or XLSX of 50 KB to 1 MB (bench/attachments.py; parse includes reading the
attachment), with the mean scan of the messages that carry one printed apart, and by
kind (how many in brackets).
With --compare, the same runs go against another checkout too (e.g. a `git worktree`
of the previous commit), interleaved A, B, B, A... so that drift in the machine's speed
falls on both alike, and the medians of both are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from child_run import child_json

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(count: int, mix: str = "plain") -> dict[str, float]:
    """One round in this process: the tree on sys.path decides which code is measured."""
    sys.path.insert(0, str(HERE))
    from realistic_mail import SCHOOL, messages, roster

    from gateway.config.settings import validate
    from gateway.scanning.parse import parse_message

    try:
        from gateway.scanning.configured import scan_spec
        from gateway.scanning.worker import Scanner
    except ImportError:  # --compare with a checkout from before 4 December 2026
        from gateway.scanning.pool import Scanner  # type: ignore[attr-defined,no-redef]
        from gateway.server import scan_spec  # type: ignore[attr-defined,no-redef]

    school = {"domains": [SCHOOL], "phone_numbers": ["0161 496 0000"]}
    config = validate({"school": school}, "benchmark configuration")
    spec = scan_spec(config)
    directory = roster()
    share = 0.1 if mix == "attachments" else 0.0
    mails = list(messages(count + 20, directory=directory, attachment_share=share))
    before = _rss_mb()
    started, wall = time.process_time(), time.perf_counter()
    scanner = Scanner(spec, directory)
    figures: dict[str, float] = {
        "build_cpu_s": time.process_time() - started,
        "build_wall_s": time.perf_counter() - wall,
        "rss_before_mb": before,
        "rss_after_build_mb": _rss_mb(),
    }
    totals: dict[str, float] = {"parse": 0.0}
    flagged = 0
    attached, attached_seconds = 0, 0.0
    by_kind: dict[str, list[float]] = {}
    for index, mail in enumerate(mails):
        t0 = time.process_time()
        message = parse_message(mail.raw, mail.envelope, spec.parse)
        parsed = time.process_time()
        found = 0
        lap = parsed
        for detector in scanner.detectors:
            found += len(detector.detect(message))
            now = time.process_time()
            if index >= 20:  # the first 20 warm the caches every worker has warm
                totals[detector.name] = totals.get(detector.name, 0.0) + now - lap
            lap = now
        if index >= 20:
            totals["parse"] += parsed - t0
            flagged += found > 0
            if mail.attachment:
                attached += 1
                attached_seconds += lap - t0
                by_kind.setdefault(mail.attachment, []).append(lap - t0)
    for name, seconds in totals.items():
        figures[f"{name}_ms"] = seconds * 1000 / count
    figures["scan_ms"] = sum(totals.values()) * 1000 / count
    figures["messages_with_findings"] = flagged
    if mix == "attachments":
        figures["messages_with_attachment"] = attached
        figures["scan_ms_those_messages"] = attached_seconds * 1000 / max(1, attached)
        for kind, laps in sorted(by_kind.items()):
            figures[f"scan_ms_with_{kind}_({len(laps)})"] = sum(laps) * 1000 / len(laps)
    figures["rss_after_scans_mb"] = _rss_mb()
    return figures


def _run(tree: Path, count: int, mix: str) -> dict[str, float]:
    return child_json(HERE / "bench_scan_realistic.py", tree, str(count), "--mix", mix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mix", choices=("plain", "attachments"), default="plain")
    parser.add_argument("--compare", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.mix)))
        return
    trees = [("this tree", REPO)]
    if args.compare:
        trees.append((f"{args.compare}", args.compare.resolve()))
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
    for round_ in range(args.rounds):
        order = trees if round_ % 2 == 0 else trees[::-1]
        for label, tree in order:
            runs[label].append(_run(tree, args.messages, args.mix))
    keys = list(runs[trees[0][0]][0])
    mix = ", 10 % with a 50 KB-1 MB PDF/DOCX/XLSX" if args.mix == "attachments" else ""
    print(f"{args.messages} realistic ~10 KB messages{mix}, {args.rounds} rounds, medians")
    print(f"{'':28}" + "".join(f"{label[-24:]:>26}" for label, _ in trees))
    for key in keys:
        cells = []
        for label, _ in trees:
            values = [run[key] for run in runs[label] if key in run]
            cells.append(f"{statistics.median(values):>26.3f}" if values else f"{'-':>26}")
        print(f"{key:28}" + "".join(cells))


if __name__ == "__main__":
    main()
