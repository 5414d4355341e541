"""Relay throughput and added latency: the load straight to the upstream vs through schoolgate.

Upstream: Postfix's smtp-sink (C, so the sink is never the bottleneck).
Load: a separate process with 20 concurrent SMTP sessions sending realistic 10 KB messages.
Gateway: `schoolgate serve` as a real process, detectors off and then on (with a
2,000-pupil roster when the roster importer is available). Peak RSS is sampled for the
gateway and its scan workers together.

Run with `make bench` (or `python -m bench.relay`). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

SCHOOLGATE = str(Path(sys.executable).parent / "schoolgate")
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
CORPUS_NAMES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "names"

WORDS = " ".join(
    (
        "the class will meet in the hall after lunch please remember reading books",
        "homework is due on friday parents evening tickets trip to the museum",
        "permission slip science fair year group assembly uniform swimming kit the",
        "timetable changes next week thanks for your help with the display maths",
        "results are in the shared folder",
    )
).split()


def message_10k(n: int) -> bytes:
    rng = random.Random(n)
    lines = []
    size = 0
    while size < 10_000:
        line = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        lines.append(line)
        size += len(line) + 2
    body = "\r\n".join(lines)
    return (
        f"From: Teacher {n} <teacher{n}@school.example>\r\nTo: parent{n}@example.org\r\n"
        f"Subject: Class update {n}\r\nMessage-ID: <bench-{n}@school.example>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open")


# --- load generator (runs in its own process) ----------------------------------------


async def _reply(reader: asyncio.StreamReader) -> bytes:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("server closed the connection")
        if line[3:4] != b"-":
            return line


async def _session(port: int, count: int, offset: int, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _reply(reader)
    writer.write(b"EHLO bench.test\r\n")
    await _reply(reader)
    sent = 0
    for i in range(count):
        raw = message_10k(offset + i)
        started = time.perf_counter()
        writer.write(b"MAIL FROM:<teacher@school.example>\r\n")
        if not (await _reply(reader)).startswith(b"250"):
            continue
        writer.write(b"RCPT TO:<parent@example.org>\r\n")
        await _reply(reader)
        writer.write(b"DATA\r\n")
        await _reply(reader)
        writer.write(raw + b".\r\n")
        if (await _reply(reader)).startswith(b"250"):
            sent += 1
            latencies.append(time.perf_counter() - started)
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()
    return sent


async def _load(port: int, clients: int, per_client: int) -> dict[str, float]:
    latencies: list[float] = []
    started = time.perf_counter()
    sent = await asyncio.gather(
        *(_session(port, per_client, c * per_client, latencies) for c in range(clients))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "messages": sum(sent),
        "seconds": elapsed,
        "msg_per_s": sum(sent) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def _load_process(port: int, clients: int, per_client: int, out: multiprocessing.Queue) -> None:
    out.put(asyncio.run(_load(port, clients, per_client)))


def run_load(port: int, clients: int, per_client: int) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_load_process, args=(port, clients, per_client, queue))
    process.start()
    result = queue.get(timeout=900)
    process.join(60)
    return result


# --- servers ---------------------------------------------------------------------------


class PeakRss:
    """Samples the memory of a process and its children until stopped.

    PSS (proportional set size) where the kernel offers it: the scan workers are forked
    and share most of their pages, which plain RSS would count once per process."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                total = sum(_pss(p) for p in procs if p.is_running())
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        return self.peak


def _pss(process: psutil.Process) -> int:
    try:
        return int(process.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(process.memory_info().rss)


def start_sink(port: int) -> subprocess.Popen[bytes]:
    sink = subprocess.Popen(
        [SMTP_SINK, "-c", "-u", "nobody", f"127.0.0.1:{port}", "256"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port)
    return sink


def roster_csv(folder: Path, pupils: int) -> Path | None:
    """A synthetic roster from the ONS name frequency tables (when the corpus is present)."""
    forenames_file = CORPUS_NAMES / "ons_ew_babynames_2006_2021_aggregate.csv"
    surnames_file = CORPUS_NAMES / "uk_surnames_ons_via_sdglinkage.csv"
    if not (forenames_file.exists() and surnames_file.exists()):
        return None
    rng = random.Random(7)
    forenames = [line.split(",")[0] for line in forenames_file.read_text().splitlines()[1:3000]]
    surnames = [line.split(",")[0] for line in surnames_file.read_text().splitlines()[1:3000]]
    path = folder / "roster.csv"
    rows = ["Forename,Surname,Year"]
    rows += [
        f"{rng.choice(forenames)},{rng.choice(surnames)},{rng.randint(1, 11)}"
        for _ in range(pupils)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def start_gateway(
    folder: Path, port: int, sink_port: int, detectors_on: bool, pupils: int
) -> tuple[subprocess.Popen[bytes], str]:
    config = folder / "schoolgate.toml"
    detectors = "" if detectors_on else "enabled = []\n"
    config.write_text(
        f'data_dir = "var"\nlog_level = "warning"\n[smtp]\nlisten = "127.0.0.1:{port}"\n'
        f'hostname = "bench.test"\n[relay]\nnext_hop = "127.0.0.1:{sink_port}"\ntls = "off"\n'
        f"[detectors]\n{detectors}"
    )
    roster_note = "no roster"
    if detectors_on:
        csv = roster_csv(folder, pupils)
        if csv is not None:
            done = subprocess.run(
                [SCHOOLGATE, "roster", "import", str(csv), "--config", str(config)],
                capture_output=True,
                text=True,
            )
            roster_note = f"{pupils} pupils" if done.returncode == 0 else "roster import failed"
    gateway = subprocess.Popen(
        [SCHOOLGATE, "serve", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port)
    return gateway, roster_note


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--messages", type=int, default=2000, help="total per run")
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    per_client = max(1, args.messages // args.clients)
    results: dict[str, dict[str, float | str]] = {}

    sink_port = free_port()
    sink = start_sink(sink_port)
    try:
        run_load(sink_port, args.clients, 10)  # warm-up
        results["direct to upstream"] = run_load(sink_port, args.clients, per_client)
        for label, detectors_on in (
            ("gateway, detectors off", False),
            ("gateway, detectors on", True),
        ):
            with tempfile.TemporaryDirectory() as tmp:
                port = free_port()
                gateway, roster = start_gateway(
                    Path(tmp), port, sink_port, detectors_on, args.pupils
                )
                try:
                    run_load(port, args.clients, 10)  # warm-up
                    rss = PeakRss(gateway.pid)
                    result: dict[str, float | str] = dict(run_load(port, args.clients, per_client))
                    result["peak_rss_mb"] = rss.stop() / 1e6
                    result["roster"] = roster
                    results[label] = result
                finally:
                    stop(gateway)
    finally:
        sink.terminate()
        sink.wait(10)

    direct = results["direct to upstream"]
    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(
        f"Relay benchmark: 10 KB messages, {args.clients} concurrent clients, "
        f"{per_client * args.clients} messages per run, {os.cpu_count()} CPUs"
    )
    columns = ("msg/s", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms")
    print(f"{'run':28} " + " ".join(f"{c:>8}" for c in columns) + f" {'peak PSS MB':>12}")
    for label, r in results.items():
        added50 = float(r["p50_ms"]) - float(direct["p50_ms"])
        added99 = float(r["p99_ms"]) - float(direct["p99_ms"])
        rss = f"{float(r['peak_rss_mb']):.0f}" if "peak_rss_mb" in r else "-"
        extra = f"  ({r['roster']})" if "roster" in r else ""
        print(
            f"{label:28} {float(r['msg_per_s']):8.0f} {float(r['p50_ms']):8.1f} "
            f"{float(r['p99_ms']):8.1f} {added50:8.1f} {added99:8.1f} {rss:>12}{extra}"
        )


if __name__ == "__main__":
    main()
