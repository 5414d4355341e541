"""Relay throughput, added latency, CPU and memory: straight to the upstream, through a
bare relay, and through schoolgate with detectors off and on.

    .venv/bin/python -m bench.relay [--messages 2000] [--rounds 2] [--clients 20] [--json]

Upstream: Postfix's smtp-sink (C, so the sink is never the bottleneck). Servers, all
started once and left running, each measured in turn:

- A "direct to upstream": the load straight to the sink;
- B "bare relay": bench/passthrough.py, aiosmtpd in and aiosmtplib out and nothing
  else, the floor for any relay built on the libraries the gateway uses;
- C "detectors off": `schoolgate serve` with `enabled = []`;
- D "detectors on": `schoolgate serve` with every built-in detector and a 2,000-pupil
  roster (`--pupils`), the one the messages draw their pupils from;
- E "warm-cache case": D again, fed the old benchmark message (one small vocabulary
  repeated, bench's WORDS), which keeps the detectors' caches warm and so costs
  about half of realistic text; kept to compare with earlier figures only.

Load: a separate process with `--clients` concurrent SMTP sessions. Each round sends
`--messages` different ~10 KB messages from bench/realistic_mail.py (seeded; real
sentences from ordinary mail mixed with staff sentences, one in five naming a pupil of
the roster D loads), the same set to A-D, a new set each round so that no round finds
the previous one's words in the caches. The configurations are interleaved, A B C D E
then E D C B A and so on for `--rounds`, so drift in the machine's speed falls on all
alike, and the medians over rounds are printed, with each row's throughput, added
latency and CPU as a ratio to the bare relay's in the same round.

CPU per message is the server's whole process tree (the gateway's main process, its
forkserver and scan workers): user + system time of every live descendant, sampled
before and after the measured load, plus the time of children they reaped (a worker
that exited and was waited for during the load counts; one that is not yet reaped is
still in the tree). For A it is smtp-sink's, for B the pass-through's; the sink's own
CPU is not in B-E. Peak memory is PSS (proportional set size: forked workers share most
pages, which RSS would count once per process), sampled through the load.

Run with `make bench`. Figures, not pass/fail; on a shared machine only as quiet as it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import pickle
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

try:
    from bench import realistic_mail
except ImportError:  # run from bench/ as a script (bench_startup.py imports `relay`)
    import realistic_mail  # type: ignore[import-not-found,no-redef]

HERE = Path(__file__).resolve().parent
SCHOOLGATE = str(Path(sys.executable).parent / "schoolgate")
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
WARM_UP_SEED = 1
SCHOOL = realistic_mail.SCHOOL

WORDS = " ".join(
    (
        "the class will meet in the hall after lunch please remember reading books",
        "homework is due on friday parents evening tickets trip to the museum",
        "permission slip science fair year group assembly uniform swimming kit the",
        "timetable changes next week thanks for your help with the display maths",
        "results are in the shared folder",
    )
).split()

Wire = tuple[str, tuple[str, ...], bytes]
"""(MAIL FROM, RCPT TOs, DATA as sent: CRLF lines, dot-stuffed, ending in CRLF)."""


def message_10k(n: int) -> bytes:
    """The old benchmark message: the warm-cache case (one small vocabulary, repeated).

    From the school's domain since the gateway is told its domains (it refused the old
    school.example sender as a personal address)."""
    rng = random.Random(n)
    lines = []
    size = 0
    while size < 10_000:
        line = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        lines.append(line)
        size += len(line) + 2
    body = "\r\n".join(lines)
    return (
        f"From: Teacher {n} <teacher{n}@{SCHOOL}>\r\nTo: parent{n}@example.org\r\n"
        f"Subject: Class update {n}\r\nMessage-ID: <bench-{n}@{SCHOOL}>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def wire(raw: bytes) -> bytes:
    """A message as DATA carries it: CRLF line ends, leading dots doubled, final CRLF."""
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


def realistic_set(count: int, seed: int, directory: Any) -> list[Wire]:
    return [
        (mail.envelope.mail_from, tuple(mail.envelope.rcpt_tos), wire(mail.raw))
        for mail in realistic_mail.messages(count, seed=seed, directory=directory)
    ]


def template_set(count: int) -> list[Wire]:
    return [
        (f"teacher{n}@{SCHOOL}", (f"parent{n}@example.org",), wire(message_10k(n)))
        for n in range(count)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(
    port: int, timeout: float = 180, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TimeoutError(f"the server for port {port} exited ({process.returncode})")
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


_UNEXPECTED: list[bytes] = []
"""The first reply other than 250 to DATA in a load process (printed once)."""


async def _session(port: int, mails: list[Wire], latencies: list[float]) -> dict[str, int]:
    counts = {"delivered": 0, "held": 0, "refused": 0, "deferred": 0}
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _reply(reader)
    writer.write(b"EHLO bench.test\r\n")
    await _reply(reader)
    for sender, recipients, data in mails:
        started = time.perf_counter()
        writer.write(f"MAIL FROM:<{sender}>\r\n".encode())
        reply = await _reply(reader)
        accepted = 0
        if reply.startswith(b"250"):
            for recipient in recipients:
                writer.write(f"RCPT TO:<{recipient}>\r\n".encode())
                accepted += (await _reply(reader)).startswith(b"250")
        if not accepted:
            counts["refused" if reply.startswith(b"5") else "deferred"] += 1
            writer.write(b"RSET\r\n")
            await _reply(reader)
            continue
        writer.write(b"DATA\r\n")
        await _reply(reader)
        writer.write(data + b".\r\n")
        reply = await _reply(reader)
        latencies.append(time.perf_counter() - started)
        if reply.startswith(b"250"):
            counts["held" if b"held" in reply else "delivered"] += 1
        else:
            counts["refused" if reply.startswith(b"5") else "deferred"] += 1
            if not _UNEXPECTED:
                _UNEXPECTED.append(reply)
                print(f"port {port}: {reply.decode(errors='replace').strip()}", file=sys.stderr)
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()
    return counts


async def _load(port: int, clients: int, mails: list[Wire]) -> dict[str, float]:
    latencies: list[float] = []
    started = time.perf_counter()
    sessions = await asyncio.gather(
        *(_session(port, mails[c::clients], latencies) for c in range(clients))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    totals = {key: sum(s[key] for s in sessions) for key in sessions[0]}
    answered = totals["delivered"] + totals["held"] + totals["refused"]
    return {
        **{key: float(value) for key, value in totals.items()},
        "messages": float(answered),
        "seconds": elapsed,
        "msg_per_s": answered / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
    }


def _load_process(port: int, clients: int, path: str, out: multiprocessing.Queue[Any]) -> None:
    mails = pickle.loads(Path(path).read_bytes())
    out.put(asyncio.run(_load(port, clients, mails)))


def run_load(port: int, clients: int, mails_file: Path) -> dict[str, float]:
    queue: multiprocessing.Queue[Any] = multiprocessing.Queue()
    process = multiprocessing.Process(
        target=_load_process, args=(port, clients, str(mails_file), queue)
    )
    process.start()
    result: dict[str, float] = queue.get(timeout=1800)
    process.join(60)
    return result


# --- measuring a server's process tree -------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process, its descendants and the children they reaped."""
    total = 0.0
    for process in _tree(pid):
        try:
            t = process.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return float(total)


class PeakRss:
    """Samples the memory of a process and its children until stopped.

    PSS (proportional set size) where the kernel offers it: the scan workers are forked
    and share most of their pages, which plain RSS would count once per process."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.interval = interval
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
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        return self.peak


def _pss(process: psutil.Process) -> int:
    try:
        return int(process.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(process.memory_info().rss)


# --- servers ---------------------------------------------------------------------------


def start_sink(port: int) -> subprocess.Popen[bytes]:
    sink = subprocess.Popen(
        [SMTP_SINK, "-c", "-u", "nobody", f"127.0.0.1:{port}", "256"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port)
    return sink


def start_passthrough(port: int, sink_port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "passthrough.py"),
            "--listen",
            f"127.0.0.1:{port}",
            "--upstream",
            f"127.0.0.1:{sink_port}",
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_port(port)
    return process


def roster_csv(folder: Path, pupils: int) -> Path | None:
    """The benchmark roster (bench/realistic_mail.py: ONS names, seeded) as an MIS export."""
    directory = realistic_mail.roster(pupils)
    path = folder / "roster.csv"
    rows = ["Forename,Surname,Year"]
    rows += [f"{p.forenames[0]},{p.surnames[0]},{p.year}" for p in directory.pupils]
    path.write_text("\n".join(rows) + "\n")
    return path


def start_gateway(
    folder: Path, port: int, sink_port: int, detectors_on: bool, pupils: int
) -> tuple[subprocess.Popen[bytes], str]:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "schoolgate.toml"
    detectors = "" if detectors_on else "enabled = []\n"
    config.write_text(
        f'data_dir = "var"\nlog_level = "warning"\n'
        f'[school]\ndomains = ["{realistic_mail.SCHOOL}"]\nphone_numbers = ["0161 496 0000"]\n'
        f'[smtp]\nlisten = "127.0.0.1:{port}"\nhostname = "bench.test"\n'
        f'[relay]\nnext_hop = "127.0.0.1:{sink_port}"\ntls = "off"\n'
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n'
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
                cwd=folder,
            )
            roster_note = f"{pupils} pupils" if done.returncode == 0 else "roster import failed"
    log = folder / "serve.log"
    with log.open("wb") as output:
        gateway = subprocess.Popen(
            [SCHOOLGATE, "serve", "--config", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    try:
        wait_port(port, process=gateway)
    except TimeoutError:
        stop(gateway)
        raise SystemExit(f"schoolgate serve did not start:\n{log.read_text()[-3000:]}") from None
    return gateway, roster_note


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()


# --- the benchmark ---------------------------------------------------------------------


@dataclass
class Config:
    label: str
    port: int
    pid: int
    load: str  # "realistic" or "template"
    note: str = ""
    runs: list[dict[str, float]] = field(default_factory=list)


def measure(config: Config, clients: int, mails_file: Path) -> dict[str, float]:
    peak = PeakRss(config.pid)
    before = tree_cpu(config.pid)
    result = run_load(config.port, clients, mails_file)
    after = tree_cpu(config.pid)
    result["peak_pss_mb"] = peak.stop() / 1e6
    result["cpu_ms_per_msg"] = (after - before) * 1000 / max(1.0, result["messages"])
    return result


def interleaved(configs: list[Config], rounds: int) -> Iterable[tuple[int, Config]]:
    """A B C D, D C B A, A B C D..."""
    for round_ in range(rounds):
        for config in configs if round_ % 2 == 0 else configs[::-1]:
            yield round_, config


def _ratios(configs: list[Config], bare: Config, direct: Config) -> None:
    """Per round: each row against the bare relay's run in the same round."""
    for config in configs:
        for index, run in enumerate(config.runs):
            base, floor = bare.runs[index], direct.runs[index]
            run["added_p50_ms"] = run["p50_ms"] - floor["p50_ms"]
            run["added_p99_ms"] = run["p99_ms"] - floor["p99_ms"]
            base_added99 = base["p99_ms"] - floor["p99_ms"]
            run["x_bare_msg_per_s"] = run["msg_per_s"] / base["msg_per_s"]
            run["x_bare_added_p99"] = (
                run["added_p99_ms"] / base_added99 if base_added99 > 0 else float("nan")
            )
            run["x_bare_cpu"] = run["cpu_ms_per_msg"] / base["cpu_ms_per_msg"]


def _median(config: Config, key: str) -> float:
    values = [run[key] for run in config.runs if key in run]
    return float(statistics.median(values)) if values else float("nan")


def report(configs: list[Config], clients: int, messages: int, rounds: int) -> None:
    print(
        f"Relay benchmark: {clients} concurrent clients, {messages} different realistic "
        f"~10 KB messages per run (20 % naming a pupil), {rounds} round(s) interleaved "
        f"A B C D E / E D C B A, medians; {os.cpu_count()} CPUs"
    )
    columns: list[tuple[str, str, Callable[[float], str]]] = [
        ("msg/s", "msg_per_s", lambda v: f"{v:.0f}"),
        ("x bare", "x_bare_msg_per_s", lambda v: f"{v:.2f}"),
        ("p50", "p50_ms", lambda v: f"{v:.1f}"),
        ("p99", "p99_ms", lambda v: f"{v:.1f}"),
        ("+p50", "added_p50_ms", lambda v: f"{v:.1f}"),
        ("+p99", "added_p99_ms", lambda v: f"{v:.1f}"),
        ("x bare", "x_bare_added_p99", lambda v: f"{v:.1f}"),
        ("CPU ms", "cpu_ms_per_msg", lambda v: f"{v:.2f}"),
        ("x bare", "x_bare_cpu", lambda v: f"{v:.1f}"),
        ("PSS MB", "peak_pss_mb", lambda v: f"{v:.0f}"),
        ("held", "held", lambda v: f"{v:.0f}"),
        ("refused", "refused", lambda v: f"{v:.0f}"),
    ]
    width = max(len(c.label) for c in configs) + 1
    print(f"{'':{width}}" + "".join(f"{title:>8}" for title, _, _ in columns))
    for config in configs:
        cells = []
        for _, key, fmt in columns:
            value = _median(config, key)
            cells.append(f"{fmt(value) if value == value else '-':>8}")
        note = f"  ({config.note})" if config.note else ""
        print(f"{config.label:{width}}" + "".join(cells) + note)
    print(
        "msg/s: messages answered per second; p50/p99: latency in ms from MAIL to the "
        "answer to DATA;\n+p50/+p99: added to the direct run's in the same round; x bare: "
        "the row's figure over the bare relay's\nin the same round (for +p99, over the bare "
        "relay's own +p99); CPU ms: per message, the server's whole\nprocess tree "
        "(A: smtp-sink; E: D's tree, the old message); PSS: peak over the run; held, "
        "refused: messages."
    )
    deferred = [c.label for c in configs if _median(c, "deferred") > 0]
    if deferred:
        print(f"4xx answers (not counted as sent) in: {', '.join(deferred)}")
    by_key = {c.label.split(" ")[0]: c for c in configs}
    on, off = by_key["D"], by_key["C"]
    print(
        "issue 13 goals: detectors on >= 0.5 x bare msg/s "
        f"(now {_median(on, 'x_bare_msg_per_s'):.2f}), +p99 < 150 ms "
        f"(now {_median(on, 'added_p99_ms'):.0f}); detectors off >= 0.9 x bare "
        f"(now {_median(off, 'x_bare_msg_per_s'):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--messages", type=int, default=2000, help="messages per run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--no-template", action="store_true", help="skip the warm-cache row")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    directory = realistic_mail.roster(args.pupils)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files: dict[str, Path] = {}

        def save(name: str, mails: list[Wire]) -> None:
            files[name] = folder / f"{name}.pickle"
            files[name].write_bytes(pickle.dumps(mails))

        save("warm-up", realistic_set(10 * args.clients, WARM_UP_SEED, directory))
        for round_ in range(args.rounds):
            seed = realistic_mail.SEED + round_
            save(f"realistic-{round_}", realistic_set(args.messages, seed, directory))
        save("template", template_set(args.messages))

        servers: list[subprocess.Popen[bytes]] = []
        try:
            sink_port = free_port()
            servers.append(start_sink(sink_port))
            bare_port = free_port()
            servers.append(start_passthrough(bare_port, sink_port))
            configs = [
                Config("A direct to upstream", sink_port, servers[0].pid, "realistic"),
                Config("B bare relay", bare_port, servers[1].pid, "realistic"),
            ]
            for letter, label, on in (("C", "detectors off", False), ("D", "detectors on", True)):
                port = free_port()
                gateway, note = start_gateway(folder / letter, port, sink_port, on, args.pupils)
                servers.append(gateway)
                configs.append(Config(f"{letter} {label}", port, gateway.pid, "realistic", note))
            if not args.no_template:
                d = configs[3]
                configs.append(
                    Config("E warm-cache case", d.port, d.pid, "template", "D, old message")
                )
            for config in configs:
                if config.load == "realistic":
                    run_load(config.port, args.clients, files["warm-up"])
            for round_, config in interleaved(configs, args.rounds):
                load = (
                    files["template"] if config.load == "template" else files[f"realistic-{round_}"]
                )
                config.runs.append(measure(config, args.clients, load))
        finally:
            for server in reversed(servers):
                stop(server)

    _ratios(configs, configs[1], configs[0])
    if args.json:
        print(json.dumps({c.label: c.runs for c in configs}, indent=1))
        return
    report(configs, args.clients, args.messages, args.rounds)


if __name__ == "__main__":
    main()
