"""Benchmark: what a roster costs each scan worker in memory, by roster size.

    .venv/bin/python bench/bench_roster_memory.py [--pupils 2000,20000,200000]
        [--workers 2] [--messages 60] [--compare OTHER_CHECKOUT]

For each roster size, in a fresh process (and so a fresh forkserver): a roster drawn
from the ONS name frequencies (../shared/corpus/names; with middle names, preferred
forenames and double-barrelled surnames as an MIS export has them) is written as the
directory snapshot exactly as the gateway writes it (`write_snapshot`, timed: that is
the main process's cost of a roster import), a scan pool of `--workers` workers is
started on it and warmed (timed: each worker's cost of picking up a roster), and
`--messages` realistic ~10 KB messages (bench/realistic_mail.py, one in five naming a
pupil of this roster) are scanned through it. Then each worker's memory is read with
psutil: PSS (its share of the pages it maps, shared pages split between the processes
that map them), USS (the pages only it maps) and RSS. The same is done with no roster,
and the table shows each figure and its growth over the empty roster, the median over
the workers. With --compare the other checkout runs too, interleaved.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from child_run import child_json

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NAMES = REPO.parent / "shared" / "corpus" / "names"
SEED = 20261204


def _weighted(path: Path, name_column: str, weight_column: str) -> tuple[list[str], list[float]]:
    with path.open(encoding="utf-8", newline="") as handle:
        weights: dict[str, float] = {}
        for row in csv.DictReader(handle):
            name = str(row[name_column]).strip().title()
            if name and 1 < len(name) < 20:
                weights[name] = weights.get(name, 0.0) + float(row[weight_column] or 0)
    names = sorted(weights)
    return names, [weights[n] for n in names]


def roster_rows(size: int, seed: int = SEED) -> list[dict[str, str]]:
    """`size` pupils as roster fields, names drawn by their frequency in England."""
    rng = random.Random(seed)
    babies = NAMES / "ons_ew_babynames_2006_2021_aggregate.csv"
    surnames = NAMES / "uk_surnames_ons_via_sdglinkage.csv"
    if babies.exists() and surnames.exists():
        forenames, forename_weights = _weighted(babies, "name", "total_count_2006_2021")
        family, family_weights = _weighted(surnames, "surname", "freq")
    else:
        forenames = [f"Pupil{chr(65 + i % 26)}{i}" for i in range(3000)]
        family = [f"Family{chr(65 + i % 26)}{i}" for i in range(8000)]
        forename_weights = [1.0] * len(forenames)
        family_weights = [1.0] * len(family)
    rows = []
    chunk = 4096
    for start in range(0, size, chunk):
        n = min(chunk, size - start)
        first = rng.choices(forenames, forename_weights, k=n)
        middle = rng.choices(forenames, forename_weights, k=n)
        preferred = rng.choices(forenames, forename_weights, k=n)
        last = rng.choices(family, family_weights, k=n)
        second = rng.choices(family, family_weights, k=n)
        for i in range(n):
            roll = rng.random()
            rows.append(
                {
                    "forename": first[i],
                    "preferred": preferred[i] if roll < 0.05 else "",
                    "middle": middle[i] if rng.random() < 0.6 else "",
                    "surname": f"{last[i]}-{second[i]}" if roll > 0.95 else last[i],
                    "year": str(rng.randint(1, 11)),
                }
            )
    return rows


def _directory(size: int) -> object:
    from models import Directory, Pupil, StaffMember

    pupils = tuple(
        Pupil(
            forenames=tuple(n for n in (r["forename"], r["preferred"]) if n),
            surnames=(r["surname"],),
            middle_names=tuple(r["middle"].split()),
            year=r["year"],
        )
        for r in roster_rows(size)
    )
    staff = tuple(
        StaffMember(f"Teacher{i}", "Staffname", f"teacher{i}@westbrook.sch.uk") for i in range(40)
    )
    return Directory(pupils=pupils, staff=staff, version=f"bench-{size}")


def _memory(pids: list[int]) -> dict[str, float]:
    import psutil

    figures: dict[str, list[float]] = {"pss_mb": [], "uss_mb": [], "rss_mb": []}
    for pid in pids:
        info = psutil.Process(pid).memory_full_info()
        figures["pss_mb"].append(info.pss / 2**20)
        figures["uss_mb"].append(info.uss / 2**20)
        figures["rss_mb"].append(info.rss / 2**20)
    return {key: statistics.median(values) for key, values in figures.items()}


def _worker_pids() -> list[int]:
    """The scan workers: the forkserver's children (the forkserver is ours)."""
    import psutil

    workers = []
    for process in psutil.Process().children(recursive=False):
        if any("forkserver" in part for part in process.cmdline()):
            workers.extend(p.pid for p in process.children())
    return workers


async def _measure(size: int, workers: int, count: int) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    from realistic_mail import SCHOOL, messages

    from gateway.config.settings import validate
    from gateway.directory.snapshot import EMPTY, write_snapshot
    from gateway.scanning.pool import ScanPool

    try:
        from gateway.scanning.configured import scan_spec
    except ImportError:  # a checkout from before it moved (--compare)
        from gateway.server import scan_spec  # type: ignore[attr-defined,no-redef]
    from models import Directory

    school = {"domains": [SCHOOL], "phone_numbers": ["0161 496 0000"]}
    config = validate({"school": school}, "benchmark configuration")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        ref = EMPTY
        if size:
            directory = _directory(size)
            assert isinstance(directory, Directory)
            started, cpu = time.perf_counter(), time.process_time()
            ref = write_snapshot(directory, Path(folder) / "cache")
            figures["snapshot_wall_s"] = time.perf_counter() - started
            figures["snapshot_cpu_s"] = time.process_time() - cpu
            mail_directory = directory
            del directory
        else:
            from realistic_mail import roster

            mail_directory = roster()
        mails = list(messages(count, directory=mail_directory))
        del mail_directory
        pool = ScanPool(scan_spec(config), workers=workers, directory=ref)
        try:
            started = time.perf_counter()
            await pool.warm_up()
            figures["first_worker_ready_s"] = time.perf_counter() - started
            for mail in mails:
                await pool.scan(mail.raw, mail.envelope)
            await asyncio.gather(*(pool.scan(m.raw, m.envelope) for m in mails))
            pids = _worker_pids()
            figures["workers"] = len(pids)
            figures.update(_memory(pids))
        finally:
            pool.close()
    return figures


def child(size: int, workers: int, count: int) -> dict[str, float]:
    return asyncio.run(_measure(size, workers, count))


def _run(tree: Path, size: int, workers: int, count: int) -> dict[str, float]:
    script = HERE / "bench_roster_memory.py"
    return child_json(script, tree, str(size), "--workers", str(workers), "--messages", str(count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", default="2000,20000,200000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--compare", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.workers, args.messages)))
        return
    trees = [("this tree", REPO)]
    if args.compare:
        trees.append((str(args.compare), args.compare.resolve()))
    sizes = [0, *(int(s) for s in args.pupils.split(","))]
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    for round_ in range(args.rounds):
        for size in sizes:
            order = trees if round_ % 2 == 0 else trees[::-1]
            for label, tree in order:
                runs.setdefault((label, size), []).append(
                    _run(tree, size, args.workers, args.messages)
                )
    print(f"{args.workers} workers, {args.messages} messages scanned twice, medians per worker")
    for label, _ in trees:
        print(f"\n{label}")
        empty = {k: statistics.median(r[k] for r in runs[(label, 0)]) for k in runs[(label, 0)][0]}
        header = ["pupils", "PSS MB", "+PSS", "USS MB", "+USS", "RSS MB", "snapshot s", "warm s"]
        print("".join(f"{h:>12}" for h in header))
        for size in sizes:
            got = runs[(label, size)]

            def median(key: str, got: list[dict[str, float]] = got) -> float:
                values = [r[key] for r in got if key in r]
                return statistics.median(values) if values else float("nan")

            cells = [
                f"{size:>12}",
                f"{median('pss_mb'):>12.1f}",
                f"{median('pss_mb') - empty['pss_mb']:>12.1f}",
                f"{median('uss_mb'):>12.1f}",
                f"{median('uss_mb') - empty['uss_mb']:>12.1f}",
                f"{median('rss_mb'):>12.1f}",
                f"{median('snapshot_wall_s'):>12.2f}",
                f"{median('first_worker_ready_s'):>12.2f}",
            ]
            print("".join(cells))


if __name__ == "__main__":
    main()
