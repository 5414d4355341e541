"""Benchmark: sensitive_data detector time per 10 KB message, 1 MB PDF text and
5,000-row spreadsheet.

    .venv/bin/python bench/bench_sensitive_data.py [--rounds 50]

Prints the one-off construction time (per scan worker) and the median and 95th-percentile
`detect()` time for:
- a ~10 KB school e-mail: an ordinary letter (dates, an order number, a postcode), and
  one with personal data every few paragraphs (UPNs, NHS numbers, dates of birth, a
  phone number, special-category phrases);
- ~1 MB of text as a PDF extractor would give it (a long report, one TextBlock);
- a 5,000-row spreadsheet as TextBlocks with rows: an MIS export with headers (the bulk
  fast path), the same rows with no header row (every row scanned), and a 5,000-row
  price list with nothing personal in it (every row scanned, nothing found).
Parsing and extraction are not included: they are shared by all detectors. All data is
generated; nobody's details are in it.

`--corpus N` instead measures CPU time (time.process_time) over N realistic ~10 KB
messages: bodies of ../shared/corpus/benign_more, each padded to 10 KB with the text of
the messages after it, so no two messages are the same template.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum.gb import upn

from detectors.sensitive_data import (
    SensitiveDataDetector,
    SensitiveDataSettings,
)
from models import Directory, Envelope, Message, MessageFacts, Row, TextBlock

PROSE = (
    "Thank you for coming to parents' evening on 14/10/2025. Year 4 have settled well "
    "into the new term and are enjoying the topic on the Romans. Please remember PE kits "
    "on Tuesdays and that reading records should be signed each week; order 1000000043 "
    "for the museum trip was confirmed and the coach leaves from LS1 4AB at 8.30. "
)
PERSONAL = (
    "Her NHS number is 943 476 5870 and her date of birth is 12/03/2015. She has an "
    "EHCP and her asthma inhaler is in the office. Please call 07400 123456. "
)
REPORT = (
    "Section {n}. The governors reviewed the curriculum plan, attendance figures of "
    "95.{n}% and the budget line 4{n:03d} for 2025-26. Staff training on 0{d}/11/2025 "
    "covered safeguarding policy updates and the new behaviour framework. "
)


def make_upn(serial: int) -> str:
    body = f"801200015{serial % 1000:03d}"
    return upn.calc_check_digit(body) + body


def message(*blocks: TextBlock) -> Message:
    facts = MessageFacts(envelope=Envelope("staff@school.example", ()), recipients=())
    return Message(facts=facts, texts=blocks)


def email_10kb(personal: bool) -> Message:
    """An ordinary letter home, or one with personal data every few paragraphs."""
    body = ""
    while len(body) < 10 * 1024:
        body += PROSE * 6
        if personal:
            body += PERSONAL + f"UPN {make_upn(len(body))}.\n\n"
    return message(TextBlock("subject", "Year 4 update"), TextBlock("body", body[: 10 * 1024]))


def pdf_1mb() -> Message:
    parts: list[str] = []
    size = 0
    n = 0
    while size < 1024 * 1024:
        part = REPORT.format(n=n % 100, d=1 + n % 9) + ("\n" if n % 5 == 0 else "")
        parts.append(part)
        size += len(part)
        n += 1
    return message(TextBlock("attachment:governors-report.pdf", "".join(parts)[: 1024 * 1024]))


def spreadsheet(rows: list[tuple[str, ...]]) -> Message:
    numbered = tuple(Row(i, cells) for i, cells in enumerate(rows, 1))
    text = "\n".join("\t".join(cells) for cells in rows)
    return message(TextBlock("attachment:export.xlsx#Sheet1", text, rows=numbered))


def mis_export(header: bool) -> Message:
    rows = [
        (
            f"Surname{i}",
            f"Forename{i}",
            f"{1 + i % 28:02d}/0{1 + i % 9}/2015",
            make_upn(i),
            f"{i} Acacia Avenue",
            "LS1 4AB",
            "N" if i % 3 else "K",
        )
        for i in range(5000)
    ]
    head = [("Surname", "Forename", "DOB", "UPN", "Address", "Postcode", "SEN status")]
    return spreadsheet(head + rows if header else rows)


def price_list() -> Message:
    rows = [("Item", "Code", "Price", "Stock")]
    rows += [
        (f"Exercise book {i}", f"EB-{i:05d}", f"£{i % 20}.{i % 100:02d}", str(i % 300))
        for i in range(5000)
    ]
    return spreadsheet(rows)


def timed(detect: Callable[[Message], object], msg: Message, rounds: int) -> tuple[float, float]:
    detect(msg)  # warm caches
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        detect(msg)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def corpus_messages(count: int) -> list[Message]:
    """`count` ~10 KB messages from the real ordinary mail in ../shared/corpus/benign_more."""
    from gateway.scanning.parse import parse_message
    from gateway.scanning.settings import ParseSettings

    root = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "benign_more"
    envelope = Envelope("staff@school.example", ("someone@example.com",))
    bodies: list[str] = []
    for path in sorted(root.glob("*/*.eml")):
        parsed = parse_message(path.read_bytes(), envelope, ParseSettings())
        text = "\n".join(b.text for b in parsed.texts if b.location == "body").strip()
        if text:
            bodies.append(text)
    messages: list[Message] = []
    for i in range(min(count, len(bodies))):
        body, j = bodies[i], i + 1
        while len(body) < 10 * 1024:
            body += "\n\n" + bodies[j % len(bodies)]
            j += 1
        messages.append(message(TextBlock("body", body[: 10 * 1024])))
    return messages


def corpus_cpu(count: int) -> None:
    """Mean CPU ms per realistic 10 KB message, best of three passes (after one pass that
    compiles the phrase groups the mail uses), and the CPU of building the detector."""
    t0 = time.process_time()
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    print(f"construction: {(time.process_time() - t0) * 1000:.0f} ms CPU")
    messages = corpus_messages(count)
    for msg in messages:
        detector.detect(msg)  # warm caches
    passes = []
    for _ in range(3):
        t0 = time.process_time()
        for msg in messages:
            detector.detect(msg)
        passes.append((time.process_time() - t0) * 1000 / len(messages))
    print(f"{len(messages)} benign_more messages padded to 10 KB: {min(passes):.3f} ms CPU each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--corpus", type=int, default=0, help="realistic messages to time")
    args = parser.parse_args()
    if args.corpus:
        corpus_cpu(args.corpus)
        return

    t0 = time.perf_counter()
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    print(f"construction (once per scan worker): {(time.perf_counter() - t0) * 1000:.1f} ms")

    cases = [
        ("10 KB e-mail, ordinary letter", email_10kb(personal=False), args.rounds * 10),
        ("10 KB e-mail, personal data throughout", email_10kb(personal=True), args.rounds * 10),
        ("1 MB PDF text", pdf_1mb(), max(3, args.rounds // 5)),
        ("5,000-row XLSX, MIS export with header", mis_export(header=True), args.rounds),
        (
            "5,000-row XLSX, same rows, no header",
            mis_export(header=False),
            max(3, args.rounds // 5),
        ),
        ("5,000-row XLSX, price list (nothing personal)", price_list(), max(3, args.rounds // 5)),
    ]
    for label, msg, rounds in cases:
        findings = detector.detect(msg)
        median, p95 = timed(detector.detect, msg, rounds)
        kinds = sorted({f.type for f in findings})
        print(
            f"{label:48s} median {median:8.2f} ms  p95 {p95:8.2f} ms  "
            f"({len(findings)} findings: {', '.join(kinds) or 'none'})"
        )


if __name__ == "__main__":
    main()
