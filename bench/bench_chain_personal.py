"""Benchmark: chain_letter and personal_address detector time per 10 KB message.

    .venv/bin/python bench/bench_chain_personal.py [--rounds 200]

Prints the one-off construction time of each detector (per scan worker) and the median
and 95th-percentile `detect()` time on ~10 KB messages of three shapes (an ordinary
school letter, a chain letter padded with prose, a reply thread with a signature,
quoted text and a long recipient list) and on 100 KB of ">" (a hostile text).
Parsing is not included: it is shared by all detectors and measured elsewhere.

Then the chain_letter budget (at most 1 ms of CPU per realistic 10 KB message): CPU
time (time.process_time) over many different 10 KB bodies built from real ordinary mail
in ../shared/corpus/benign_more (never one repeated template), on the first pass (the
per-word cache cold) and once warm, plus the model's load time and memory per worker.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detectors.chain_letter import ChainLetterDetector, ChainLetterSettings
from detectors.personal_address import (
    PersonalAddressDetector,
    PersonalAddressSettings,
)
from gateway.scanning.parse import envelope_from_headers, parse_message
from gateway.scanning.settings import ParseSettings
from models import Directory, Message, School, StaffMember

SCHOOL = "westbrook.sch.uk"
TARGET = 10 * 1024
PROSE = (
    "Thank you for coming to parents' evening. Year 4 have settled well into the new "
    "term and are enjoying the topic on the Romans. Please remember PE kits on Tuesdays "
    "and that reading records should be signed each week. The trip to the museum is on "
    "the 14th; consent forms are attached and should come back by Friday. "
)
CHAIN = (
    "Good luck will come to you in four days if you forward this to 7 friends. A woman "
    "deleted it and had bad luck for 7 years. Do not break the chain! "
)
THREAD = (
    "Many thanks, see you then.\n\nKind regards\nJane Smith\nMob: 07400 123456\n\n"
    "On Mon, 3 Mar 2025 at 09:12, Mark Jones <mark.jones@gmail.com> wrote:\n"
)


def padded(head: str, filler: str) -> str:
    text = head
    while len(text.encode()) < TARGET:
        text += filler
    return text[:TARGET]


def message(body: str, subject: str, cc: int = 0) -> Message:
    mail = EmailMessage()
    mail["From"] = f"Jane Smith <jane.smith@{SCHOOL}>"
    mail["To"] = "parent.jones@gmail.com"
    if cc:
        mail["Cc"] = ", ".join(f"parent{n}@example.net" for n in range(cc))
    mail["Subject"] = subject
    mail.set_content(body)
    raw = mail.as_bytes()
    return parse_message(
        raw, envelope_from_headers(raw), ParseSettings(school=School(domains=(SCHOOL,)))
    )


def timed(func, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds

    directory = Directory(staff=(StaffMember("Jane", "Smith", f"jane.smith@{SCHOOL}"),))
    start = time.perf_counter()
    chain = ChainLetterDetector(ChainLetterSettings(), directory)
    chain_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    personal = PersonalAddressDetector(
        PersonalAddressSettings(), directory, School(domains=(SCHOOL,))
    )
    personal_ms = (time.perf_counter() - start) * 1000
    print(f"construction: chain_letter {chain_ms:.0f} ms, personal_address {personal_ms:.0f} ms")

    messages = {
        "ordinary letter": message(padded("Dear parents,\n\n", PROSE), "Year 4 news"),
        "chain letter": message(padded(CHAIN, PROSE), "Fwd: Fwd: luck"),
        "hostile (100 KB '>')": message(">" * 100_000, "x"),
        "reply thread": message(padded(THREAD, "> " + PROSE + "\n"), "Re: trip", cc=40),
    }
    print(f"{'message':<22} {'detector':<17} {'median ms':>10} {'p95 ms':>8}")
    for label, parsed in messages.items():
        size = sum(len(t.text.encode()) for t in parsed.texts)
        for detector in (chain, personal):
            detector.detect(parsed)  # warm up
            samples = timed(lambda d=detector, m=parsed: d.detect(m), rounds)
            p95 = statistics.quantiles(samples, n=20)[-1]
            print(
                f"{label:<22} {detector.name:<17} {statistics.median(samples):>10.2f} "
                f"{p95:>8.2f}   ({size} bytes of text)"
            )


def corpus_bodies(limit: int = 800) -> list[str]:
    """Bodies of real ordinary mail from ../shared/corpus/benign_more ([] if absent)."""
    root = next(
        (
            p / "shared" / "corpus" / "benign_more"
            for p in Path(__file__).resolve().parents
            if (p / "shared" / "corpus" / "benign_more").is_dir()
        ),
        None,
    )
    if root is None:
        return []
    bodies = []
    for path in sorted(root.rglob("*.eml"))[:limit]:
        raw = path.read_bytes()
        if raw.startswith(b"From "):
            raw = raw.split(b"\n", 1)[1]
        parsed = parse_message(raw, envelope_from_headers(raw), ParseSettings())
        text = "\n".join(t.text for t in parsed.texts if t.location == "body")
        if text.strip():
            bodies.append(text)
    return bodies


def chain_letter_budget(count: int) -> None:
    bodies = corpus_bodies()
    if not bodies:
        print("chain_letter budget: ../shared/corpus/benign_more not found, skipped")
        return
    rng = random.Random(1)
    messages = []
    for n in range(count):
        text = ""
        while len(text.encode()) < TARGET:
            text += rng.choice(bodies) + "\n\n"
        text = text.encode()[:TARGET].decode("utf-8", "ignore")
        messages.append(message(text, f"Re: message {n}"))
    # CPU from one build, memory from another under tracemalloc (tracing every
    # allocation makes a build several times slower)
    start = time.process_time()
    detector = ChainLetterDetector(ChainLetterSettings(), Directory())
    load_ms = (time.process_time() - start) * 1000
    tracemalloc.start()
    traced = ChainLetterDetector(ChainLetterSettings(), Directory())
    memory_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del traced
    passes = []
    for _ in range(2):
        start = time.process_time()
        for parsed in messages:
            detector.detect(parsed)
        passes.append((time.process_time() - start) * 1000 / len(messages))
    print(
        f"chain_letter on {count} varied 10 KB messages from benign_more: "
        f"{passes[0]:.2f} ms CPU each on the first pass, {passes[1]:.2f} ms warm; "
        f"model load {load_ms:.0f} ms CPU, {memory_mb:.1f} MB per worker"
    )


if __name__ == "__main__":
    main()
    chain_letter_budget(300)
