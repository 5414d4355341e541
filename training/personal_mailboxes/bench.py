"""CPU cost of PersonalAddressDetector.detect() per ~10 KB message (time.process_time).

    .venv/bin/python training/personal_mailboxes/bench.py [--messages 400] [--rounds 5]

Bodies are real ordinary mail (../shared/corpus/benign_more), each padded to ~10 KB with
text from other corpus messages (never one repeated template); senders and recipients
vary (parents' free-mail, colleagues, the sender's own mailbox in many shapes, Bcc), so
both the cheap path and the name-matching path are exercised. Parsing is not timed.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from detectors.personal_address import PersonalAddressDetector, PersonalAddressSettings  # noqa: E402
from models import Directory, Message, School  # noqa: E402
from tests.mail import build  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "benign_more" / "spamassassin_easy_ham_1"
TARGET = 10 * 1024
STAFF = [
    ("Sarah", "Okafor"),
    ("Daniel", "Hughes"),
    ("Elizabeth", "Price"),
    ("Thomas", "Reid"),
    ("Katarzyna", "Nowak"),
    ("Oluwatoyin", "Adeyemi"),
    ("Fiona", "Campbell"),
    ("Louise", "Bennett"),
    ("Mohammed", "Rahman"),
    ("Siobhan", "Kelly"),
    ("Priya", "Shah"),
    ("Gareth", "Evans"),
    ("Rebecca", "Hall"),
    ("Wojciech", "Kowalski"),
    ("Amy", "Li"),
]
SHAPES = [
    "{f}.{s}",
    "{f}{s}{n}",
    "{i}.{s}",
    "{s}{i}",
    "{f}.{s}.home",
    "{f}{s}.teacher",
    "{f}.{si}",
    "mrs.{s}",
    "{f}.{s}.school",
    "{n}{f}",
]


def bodies() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        part = mail.get_body(preferencelist=("plain",))
        if part is not None:
            try:
                text = part.get_content()
            except (LookupError, ValueError):
                continue
            if text.strip():
                texts.append(text)
    return texts


def messages(count: int, seed: int = 20261202) -> list[Message]:
    rng = random.Random(seed)
    texts = bodies()
    built = []
    for n in range(count):
        body = texts[n % len(texts)]
        while len(body.encode()) < TARGET:
            body += "\n\n" + rng.choice(texts)
        body = body.encode()[:TARGET].decode(errors="ignore")
        forename, surname = rng.choice(STAFF)
        sender = f"{forename} {surname} <{forename[0].lower()}.{surname.lower()}@westbrook.sch.uk>"
        own = rng.choice(SHAPES).format(
            f=forename.lower(),
            s=surname.lower(),
            i=forename[0].lower(),
            si=surname[0].lower(),
            n=rng.randint(1, 99),
        )
        own += rng.choice(["@gmail.com", "@hotmail.co.uk", "@outlook.com", "@yahoo.co.uk"])
        other = rng.choice(["mark", "jo", "ann", "lee"])
        parent = f"{other}.{rng.choice(['jones', surname.lower()])}@gmail.com"
        shape = n % 4
        fields: dict[str, object] = {"sender": sender, "to": parent}
        if shape == 1:
            fields["cc"] = own
        elif shape == 2:
            fields["bcc"] = (own,)
        elif shape == 3:
            fields["to"] = f"colleague{n}@westbrook.sch.uk"
        built.append(build(body, subject=f"Message {n}", **fields))  # type: ignore[arg-type]
    return built


def clear_caches() -> None:
    """Forget cached name matches, so every round pays for them as a cold worker does."""
    import detectors.person_names
    import detectors.sender_names

    for module in (detectors.person_names, detectors.sender_names):
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if clear is not None:
                clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sample = messages(args.messages)
    tracemalloc.start()
    start = time.process_time()
    detector = PersonalAddressDetector(
        PersonalAddressSettings(),
        Directory(staff=(), version="bench"),
        School(domains=("westbrook.sch.uk",)),
    )
    built = time.process_time() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"detector build: {built * 1000:.1f} ms CPU, peak allocation {peak / 1e6:.2f} MB")
    for message in sample[:20]:  # warm caches
        detector.detect(message)
    best = float("inf")
    for _ in range(args.rounds):
        clear_caches()
        start = time.process_time()
        for message in sample:
            detector.detect(message)
        best = min(best, (time.process_time() - start) / len(sample))
    print(
        f"detect(): {best * 1e6:.0f} us CPU per ~10 KB message "
        f"(best of {args.rounds} rounds of {len(sample)} messages, name caches cleared)"
    )


if __name__ == "__main__":
    main()
