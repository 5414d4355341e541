"""Start-up: how soon `schoolgate serve` answers and scans, and what short commands cost.

    .venv/bin/python bench/bench_startup.py [--rounds 3] [--pupils 2000]
        [--compare OTHER_CHECKOUT]

`serve`: each round execs `schoolgate serve` (every built-in detector on, the next hop
a capture server on 127.0.0.1) and times, from the exec, the SMTP port answering EHLO
and the first message scanned and delivered (the client's 250, which follows the
capture server's). It adds up the CPU time of the process tree (gateway, forkserver,
scan workers) at that moment, and once the tree has settled (workers still warming in
the background count there). The first round is a fresh install (empty data dir: the
database is created); the others are restarts on the same data, with a roster of
`--pupils` pupils (from the ONS name tables, when the corpus is present).

CLI: the CPU time (user + system, least of 5 runs) of `scan` of one message on a new
data dir (its whole process tree: main process, forkserver and scan worker), of
`--version`, `--help` and `held list` on a fresh SQLite data dir, on an existing one
(both read the database: no gateway runs there), and beside a running gateway (asked on
its control socket).

With --compare, the same runs go against another checkout too (`python -m gateway`
with that tree first on PYTHONPATH), interleaved A, B, B, A... so that drift in the
machine's load falls on both alike. Wall times are only as quiet as the machine; the
CPU figures much less so.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from aiosmtpd.controller import Controller
from relay import free_port, roster_csv

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RAW = (
    b"From: Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
    b"Subject: Trip on Friday\r\nMessage-ID: <startup-bench@school.example>\r\n\r\n"
    b"The coach leaves at nine; please bring a packed lunch.\r\n"
)


@dataclass(frozen=True)
class Tree:
    """A checkout to run `schoolgate` from."""

    label: str
    path: Path

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "gateway", *args]

    def env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SCHOOLGATE_")}
        return {**clean, "PYTHONPATH": str(self.path)}

    def run(self, *args: str) -> None:
        subprocess.run(
            self.command(*args),
            cwd=self.path,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )


class Capture:
    """The next hop: notes that a message arrived."""

    def __init__(self) -> None:
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrived.set()
        return "250 OK"


def _tree_cpu(process: psutil.Process) -> float:
    """CPU seconds of a process, its live descendants and their reaped children."""
    total = 0.0
    for proc in [process, *process.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _settled_cpu(process: psutil.Process, timeout: float = 60.0) -> float:
    """The tree's CPU once it has used less than 20 ms in half a second."""
    last = _tree_cpu(process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _tree_cpu(process)
        if now - last < 0.02:
            return now
        last = now
    return last


def _ehlo(port: int, process: subprocess.Popen[bytes], timeout: float) -> smtplib.SMTP:
    """Connect and EHLO as soon as the port opens (polled every 10 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"schoolgate serve exited with status {process.returncode}")
        try:
            client = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
        except OSError:
            time.sleep(0.01)
            continue
        code, _ = client.ehlo("bench.test")
        if code != 250:
            raise RuntimeError(f"EHLO answered {code}")
        return client
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} after {timeout} s")


def serve_round(
    tree: Tree,
    config: Path,
    port: int,
    capture: Capture,
    while_up: Callable[[], dict[str, float]] | None = None,
) -> dict[str, float]:
    """Start, time, deliver one message; then run `while_up` (CLI figures that need the
    gateway running) before stopping it."""
    capture.arrived.clear()
    started = time.perf_counter()
    gateway = subprocess.Popen(
        tree.command("serve", "--config", str(config)),
        cwd=tree.path,
        env=tree.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = _ehlo(port, gateway, timeout=300)
        ehlo_s = time.perf_counter() - started
        with client:
            refused = client.sendmail("teacher@school.example", ["parent@example.org"], RAW)
        first_s = time.perf_counter() - started
        if refused or not capture.arrived.is_set():
            raise RuntimeError("the first message was not delivered")
        process = psutil.Process(gateway.pid)
        cpu_first = _tree_cpu(process)
        cpu_settled = _settled_cpu(process)
        extra = while_up() if while_up is not None else {}
    finally:
        gateway.send_signal(signal.SIGTERM)
        try:
            gateway.wait(60)
        except subprocess.TimeoutExpired:
            gateway.kill()
            gateway.wait()
    return {
        "ehlo_s": ehlo_s,
        "first_s": first_s,
        "cpu_s": cpu_first,
        "settled_s": cpu_settled,
        **extra,
    }


def cli_cpu(tree: Tree, args: list[str], rounds: int = 5) -> float:
    """Least user + system CPU of `schoolgate ARGS` over `rounds` runs."""
    best = float("inf")
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        tree.run(*args)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best


def scan_cpu(tree: Tree, folder: Path, rounds: int = 5) -> float:
    """Least CPU of `schoolgate scan` of one message on a new data dir, over its whole
    process tree: its forkserver and worker are not children it reaps, so the tree is
    sampled until it exits (each process's last reading counts)."""
    message = folder / "scan-me.eml"
    message.write_bytes(RAW)
    best = float("inf")
    for index in range(rounds):
        command = tree.command("scan", "--data-dir", str(folder / f"scan-{index}"), str(message))
        process = psutil.Popen(
            command,
            cwd=folder,
            env=tree.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seen: dict[int, float] = {}
        while process.poll() is None:
            try:
                members = [process, *process.children(recursive=True)]
            except psutil.Error:
                break
            for member in members:
                try:
                    t = member.cpu_times()
                except psutil.Error:
                    continue
                seen[member.pid] = t.user + t.system + t.children_user + t.children_system
            time.sleep(0.005)
        if process.returncode != 0:
            raise RuntimeError(f"schoolgate scan exited with {process.returncode}")
        best = min(best, sum(seen.values()))
    return best


def cli_figures(tree: Tree, folder: Path) -> dict[str, float]:
    fresh = [str(folder / f"held-{i}") for i in range(5)]
    return {
        "scan one message (tree)": scan_cpu(tree, folder),
        "--version": cli_cpu(tree, ["--version"]),
        "--help": cli_cpu(tree, ["--help"]),
        "held list, fresh data dir": min(
            cli_cpu(tree, ["held", "list", "--data-dir", d], rounds=1) for d in fresh
        ),
        "held list, existing db": cli_cpu(tree, ["held", "list", "--data-dir", fresh[0]]),
    }


RUNNING = "held list, gateway running"


def held_list_running(tree: Tree, config: Path) -> dict[str, float]:
    """`held list` as a technician runs it beside the gateway: answered on the control
    socket, without the database layer."""
    return {RUNNING: cli_cpu(tree, ["held", "list", "--config", str(config)])}


def _config(folder: Path, port: int, next_hop: int) -> Path:
    config = folder / "schoolgate.toml"
    config.write_text(
        f'data_dir = "{folder / "var"}"\nlog_level = "warning"\n'
        f'[smtp]\nlisten = "127.0.0.1:{port}"\nhostname = "bench.test"\n'
        f'[relay]\nnext_hop = "127.0.0.1:{next_hop}"\ntls = "off"\n'
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n'
    )
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="restarts after the fresh start")
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--compare", type=Path, help="another checkout to measure alongside")
    args = parser.parse_args()
    trees = [Tree("this tree", REPO)]
    if args.compare:
        trees.append(Tree(str(args.compare), args.compare.resolve()))

    capture = Capture()
    controller = Controller(capture, hostname="127.0.0.1", port=free_port())
    controller.start()
    scratch = Path(tempfile.mkdtemp(prefix="schoolgate-startup-"))
    fresh: dict[str, dict[str, float]] = {}
    restarts: dict[str, list[dict[str, float]]] = {tree.label: [] for tree in trees}
    cli: dict[str, dict[str, float]] = {}
    roster = "no roster"
    try:
        setups = {}
        for index, tree in enumerate(trees):
            folder = scratch / str(index)
            folder.mkdir()
            port = free_port()
            config = _config(folder, port, controller.port)
            fresh[tree.label] = serve_round(tree, config, port, capture)
            csv = roster_csv(folder, args.pupils)
            if csv is not None:
                tree.run("roster", "import", str(csv), "--config", str(config))
                roster = f"{args.pupils:,}-pupil roster"
            setups[tree.label] = (config, port)
        for round_ in range(args.rounds):
            for tree in trees if round_ % 2 == 0 else trees[::-1]:
                config, port = setups[tree.label]
                restarts[tree.label].append(serve_round(tree, config, port, capture))
        for index, tree in enumerate(trees):
            config, port = setups[tree.label]
            running = serve_round(
                tree,
                config,
                port,
                capture,
                while_up=functools.partial(held_list_running, tree, config),
            )
            cli[tree.label] = {
                **cli_figures(tree, scratch / str(index)),
                RUNNING: running[RUNNING],
            }
    finally:
        controller.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"schoolgate serve start-up, every built-in detector on, {os.cpu_count()} CPUs")
    print("  s from exec to: EHLO answered, first message delivered; CPU s of the tree then,")
    print("  and once settled. Restarts: median (max) of", args.rounds, "with a", roster)
    print(f"{'':26} {'EHLO':>12} {'1st message':>12} {'CPU':>12} {'CPU settled':>12}")
    for tree in trees:
        label = tree.label[-18:]
        row = fresh[tree.label]
        print(
            f"{label + ', fresh':26} {row['ehlo_s']:12.2f} {row['first_s']:12.2f} "
            f"{row['cpu_s']:12.2f} {row['settled_s']:12.2f}"
        )
        runs = restarts[tree.label]
        if runs:
            cells = []
            for key in ("ehlo_s", "first_s", "cpu_s", "settled_s"):
                values = [r[key] for r in runs]
                cells.append(f"{statistics.median(values):5.2f} ({max(values):4.1f})")
            print(f"{label + ', restart':26} " + " ".join(f"{c:>12}" for c in cells))
    print("\nschoolgate CLI, CPU s (user + system, least of 5)")
    print(f"{'':28}" + "".join(f"{tree.label[-18:]:>20}" for tree in trees))
    for name in cli[trees[0].label]:
        print(f"  {name:26}" + "".join(f"{cli[tree.label][name]:20.2f}" for tree in trees))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
