"""Realistic, varied staff mail for benchmarks: never one repeated template.

A detector's cost depends on the text it reads: a benchmark message that repeats a small
vocabulary keeps every cache warm (spaCy's tokenizer cache, when the detectors still
used spaCy, made a 19 ms scan look like 7.6 ms). So each message here is ~10 KB of
different text: real sentences from ordinary mail (../shared/corpus/benign_more, read at
run time and never copied into the repository) mixed with sentences staff write (trips,
reports, cover, meetings), with a signature, and one in five naming a pupil from a
2,000-pupil roster drawn from the ONS name lists (../shared/corpus/names). A fixed seed
makes every run read the same mail."""

from __future__ import annotations

import csv
import email
import email.policy
import functools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from models import Directory, Envelope, Pupil

try:
    from bench.attachments import KINDS as ATTACHMENT_KINDS
    from bench.attachments import MIME as ATTACHMENT_MIME
    from bench.attachments import make as make_attachment
    from bench.attachments import size_at as attachment_size
except ImportError:  # run from bench/ as a script
    from attachments import KINDS as ATTACHMENT_KINDS  # type: ignore[import-not-found,no-redef]
    from attachments import MIME as ATTACHMENT_MIME  # type: ignore[no-redef]
    from attachments import make as make_attachment  # type: ignore[no-redef]
    from attachments import size_at as attachment_size  # type: ignore[no-redef]

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCHOOL = "westbrook.sch.uk"
SEED = 20261202
TARGET_BYTES = 10 * 1024
PUPIL_SHARE = 0.2

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LETTERS = re.compile(r"[A-Za-z]")

SCHOOL_SENTENCES = (
    "Thank you for coming to parents' evening on {day}; it was lovely to see so many of you.",
    "{cls} have settled well into the new term and are enjoying the topic on {topic}.",
    "Please remember PE kits on {day}s and that reading records should be signed weekly.",
    "The trip to the {place} is on the {n}th; consent forms need to come back by {day}.",
    "Could you cover my {cls} lesson period {p} on {day}? The work is on the shared drive.",
    "Minutes of the {topic} working group are attached; actions are highlighted in yellow.",
    "Reports are due on the system by the end of next week, please proof-read each other's.",
    "The fire drill will be at {p} o'clock on {day}, so please take the register outside.",
    "I have booked the hall for the {topic} assembly; {cls} will lead it this time.",
    "Spellings will be tested on {day}s and the homework grid is in the front of the book.",
    "The photocopier on the first floor is out of toner again; the office has ordered more.",
    "Year {y} mock results are in the markbook; moderation is in the staffroom on {day}.",
    "Please could all staff check the new behaviour policy before the INSET day.",
    "The coach leaves at 8.15 sharp, so children should be in school by 8 o'clock.",
    "Lunch will be provided for everyone on the course; let me know any dietary needs.",
    "The {topic} display in the corridor looks wonderful, thank you {cls} for your work.",
    "Governors will visit on {day} morning to look at {topic} across the school.",
    "We still need volunteers for the summer fair tombola and the cake stall.",
    "The library will be closed on {day} while the new shelves are put up.",
    "I have attached the risk assessment for the {place} visit for your signature.",
)
TOPICS = (
    "the Romans", "rivers", "phonics", "fractions", "the Victorians", "e-safety",
    "climate", "reading", "healthy eating", "the Tudors", "electricity", "poetry",
)  # fmt: skip
PLACES = ("museum", "farm", "theatre", "science centre", "castle", "nature reserve")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
CLASSES = ("Year 3", "Year 4", "5B", "6R", "Oak class", "Willow class", "10X2", "the Year 9s")
PUPIL_SENTENCES = (
    "I spoke to {name} today about the missing homework and we agreed a new deadline.",
    "{name} did really well in the swimming gala and deserves a certificate.",
    "Please could you pass on to {name}'s mum that the trip money is still outstanding.",
    "{name} was a little upset at lunchtime but was fine by the end of the afternoon.",
)
SIGNATURE = (
    "\n\nKind regards\n\n{name}\n{role}\nWestbrook Primary School\n"
    "Tel: 0161 496 0000\nwww.westbrook.sch.uk\n"
    "This email and any attachments are confidential and intended solely for the addressee."
)
ROLES = ("Class Teacher", "Head of Year 9", "School Business Manager", "SENCo", "Office")


@dataclass(frozen=True, slots=True)
class Mail:
    raw: bytes
    envelope: Envelope
    names_pupil: bool
    attachment: str | None = None
    """The attached document's kind ("pdf", "docx", "xlsx") in the attachment mix."""


def _plain_body(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(("plain",))
    try:
        return str(part.get_content()) if part is not None else ""
    except (LookupError, ValueError):
        return ""


@functools.cache
def real_sentences(limit_files: int = 2350) -> list[str]:
    """Sentences of ordinary prose from the benign corpus (quotes and signatures out).

    Read once per process (a few seconds); callers must not change the list."""
    folder = CORPUS / "benign_more" / "spamassassin_easy_ham_1"
    sentences: list[str] = []
    for path in sorted(folder.glob("*.eml"))[:limit_files]:
        lines = [
            line
            for line in _plain_body(path).splitlines()
            if line.strip() and not line.lstrip().startswith((">", "--", "http"))
        ]
        for sentence in _SENTENCE_END.split(" ".join(" ".join(lines).split())):
            if 30 <= len(sentence) <= 300 and len(_LETTERS.findall(sentence)) > len(sentence) / 2:
                sentences.append(sentence)
    if not sentences:
        raise SystemExit(f"no benign mail found under {folder}: the benchmark needs the corpus")
    return sentences


def _names(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        names = {str(row[column]).strip().title() for row in reader if row.get(column)}
    return sorted(n for n in names if n.isalpha() and 2 < len(n) < 14)


def roster(size: int = 2000, seed: int = SEED) -> Directory:
    """`size` pupils with names drawn from the ONS lists (made-up names without them)."""
    rng = random.Random(seed)
    names = CORPUS / "names"
    babies = names / "ons_ew_babynames_2006_2021_aggregate.csv"
    surnames = names / "uk_surnames_ons_via_sdglinkage.csv"
    if babies.exists() and surnames.exists():
        with babies.open(encoding="utf-8") as handle:
            forename_column = next(csv.reader(handle))[0]
        with surnames.open(encoding="utf-8") as handle:
            surname_column = next(csv.reader(handle))[0]
        forenames = _names(babies, forename_column)
        family = _names(surnames, surname_column)
    else:
        forenames = [f"Pupil{chr(65 + i % 26)}{i}" for i in range(500)]
        family = [f"Family{chr(65 + i % 26)}{i}" for i in range(2000)]
    pupils = tuple(
        Pupil((rng.choice(forenames),), (rng.choice(family),), year=str(rng.randint(1, 11)))
        for _ in range(size)
    )
    return Directory(pupils=pupils, version=f"bench-{size}")


def _school_sentence(rng: random.Random) -> str:
    return rng.choice(SCHOOL_SENTENCES).format(
        day=rng.choice(DAYS),
        cls=rng.choice(CLASSES),
        topic=rng.choice(TOPICS),
        place=rng.choice(PLACES),
        n=rng.randint(4, 28),
        p=rng.randint(1, 6),
        y=rng.randint(7, 11),
    )


def messages(
    count: int = 300,
    seed: int = SEED,
    directory: Directory | None = None,
    attachment_share: float = 0.0,
) -> Iterator[Mail]:
    """`count` different ~10 KB messages from staff to parents and colleagues.

    With `attachment_share` (the attachment mix: 0.1), that share of them also carries a
    PDF, DOCX or XLSX of 50 KB to 1 MB (bench/attachments.py): every tenth message, the
    three kinds in turn, each kind's sizes spread evenly over the log scale (a golden-ratio
    sequence) rather than drawn at random, since a few large spreadsheets more or less
    would otherwise move the mean by half. Their content comes from a random generator
    of its own, so the bodies are the same with or without attachments."""
    rng = random.Random(seed)
    attach_rng = random.Random(seed + 1)
    every = round(1 / attachment_share) if attachment_share else 0
    prose = real_sentences()
    pupils = (directory or roster()).pupils

    def sentence(r: random.Random) -> str:
        return _school_sentence(r) if r.random() < 0.3 else r.choice(prose)

    for index in range(count):
        sender = f"teacher{index % 40}@{SCHOOL}"
        recipient = rng.choice((f"parent{index}@example.org", f"colleague{index}@{SCHOOL}"))
        paragraphs: list[str] = [
            rng.choice(("Dear all,", "Hi,", "Good morning,", "Dear Mrs Hall,"))
        ]
        names_pupil = rng.random() < PUPIL_SHARE
        if names_pupil:
            pupil = rng.choice(pupils)
            name = f"{pupil.forenames[0]} {pupil.surnames[0]}"
            paragraphs.append(rng.choice(PUPIL_SENTENCES).format(name=name))
        size = 0
        while size < TARGET_BYTES - 600:
            sentences = [
                _school_sentence(rng) if rng.random() < 0.3 else rng.choice(prose)
                for _ in range(rng.randint(2, 6))
            ]
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            size += len(paragraph.encode()) + 2
        body = "\n\n".join(paragraphs) + SIGNATURE.format(
            name=f"Teacher {index % 40}", role=rng.choice(ROLES)
        )
        mail = EmailMessage()
        mail["From"] = f"Teacher {index % 40} <{sender}>"
        mail["To"] = recipient
        mail["Subject"] = rng.choice(prose)[:60]
        mail["Message-ID"] = f"<bench-{seed}-{index}@{SCHOOL}>"
        mail.set_content(body)
        kind = None
        if every and index % every == every - 1:
            turn = index // every
            kind = ATTACHMENT_KINDS[turn % len(ATTACHMENT_KINDS)]
            spread = (0.5 + (turn // len(ATTACHMENT_KINDS)) * 0.6180339887) % 1.0
            kind, data = make_attachment(attach_rng, sentence, kind, attachment_size(spread))
            maintype, subtype = ATTACHMENT_MIME[kind]
            title = rng.choice(prose)[:30].strip(" .,;:!?'\"/\\")
            mail.add_attachment(data, maintype, subtype, filename=f"{title or 'document'}.{kind}")
        yield Mail(mail.as_bytes(), Envelope(sender, (recipient,)), names_pupil, kind)
