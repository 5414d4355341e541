"""Builds train2.jsonl from train2_cores.tsv: each hand-written sentence in two settings.

Every core sentence (topic, label, text) becomes two cases in different settings drawn
from: a short note, a long email with the sentence buried among ordinary school business,
and a forwarded or quoted chain. Cores starting "S:" disclose in the subject line only.
Both cases of a core fall in the same split ("t" tune, "h" held back, ~30%, chosen by a
hash of the text) so the held-back part never shares a sentence with the tuning part.

    .venv/bin/python training/special_category/build_train2.py
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

FILLER = [
    "The minibus is booked for the Year 5 trip on Thursday, leaving at 9.15.",
    "Can everyone make sure their reports are uploaded by Friday lunchtime?",
    "The photocopier on the first floor is jammed again, so please use the one in the library.",
    "Parents' evening slots are filling up quickly, only a few left on Wednesday.",
    "I've put the new seating plans in the shared folder.",
    "Thanks for covering my duty yesterday, I owe you a coffee.",
    "The car park will be closed on Monday for resurfacing.",
    "Mrs Okafor is running the spelling bee heats at lunch this week.",
    "Please return any borrowed laptops to the trolley in room 14.",
    "The staff quiz raised a decent amount for the PTA, thanks to everyone who came.",
    "Sports day has moved to the 19th because of the forecast.",
    "We still need two volunteers to help with the book fair after school.",
    "The fire drill went well, everyone was out in under three minutes.",
    "Mark books should be in the department office for the work scrutiny.",
    "Just a reminder that the hall is out of use on Tuesday for exams.",
    "I'll send round the agenda for the department meeting tomorrow.",
    "The new reading scheme books have arrived and are in the KS1 store cupboard.",
    "Could someone check whether the projector in the science lab has been fixed?",
    "Mr Evans says the football kit has come back from the wash.",
    "The Christmas lunch order has to be in by the end of the month.",
    "Lunchtime clubs restart next week once the timetable settles.",
    "There's cake in the staff room for Priya's birthday.",
    "The Year 3 class assembly is on Friday at 2.45, parents are welcome.",
    "I've attached the updated duty rota; let me know if there are clashes.",
    "The coach company needs final numbers by Wednesday.",
]
GREETINGS = ["Hi all,", "Hi,", "Morning,", "Dear Sarah,", "Hello team,", "Hi Tom,", ""]
SIGNOFFS = ["Thanks,\nJo", "Best wishes\nMr Ahmed", "Cheers, K", "Many thanks\nLouise", "Ta\nDan"]
SUBJECTS = ["Update", "Quick one", "Re: this week", "Friday", "FW: catch up", "Notes", "Hello"]


def _cores() -> list[tuple[str, bool, str]]:
    cores = []
    for line in (HERE / "train2_cores.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        topic, label, text = line.split("\t")
        cores.append((topic, label == "+", text))
    return cores


def _split(core: tuple[str, bool, str]) -> tuple[str, list[str]]:
    """Subject and body lines of a core (a subject-only core keeps its own subject)."""
    text = core[2]
    if text.startswith("S:"):
        subject, _, body = text[2:].partition(" || ")
        return subject, [body]
    return "", [text]


def _short(rng: random.Random, subject: str, core: list[str]) -> tuple[str, str]:
    body = "\n\n".join(
        p for p in [rng.choice(GREETINGS), " ".join(core), rng.choice(SIGNOFFS)] if p
    )
    return subject or rng.choice(SUBJECTS), body


def _long(rng: random.Random, subject: str, core: list[str]) -> tuple[str, str]:
    before = rng.sample(FILLER, rng.randint(2, 5))
    after = rng.sample([f for f in FILLER if f not in before], rng.randint(2, 5))
    middle = " ".join(before[-1:] + core + after[:1])
    paragraphs = [rng.choice(GREETINGS), " ".join(before[:-1]), middle, " ".join(after[1:])]
    paragraphs.append(rng.choice(SIGNOFFS))
    return subject or rng.choice(SUBJECTS), "\n\n".join(p for p in paragraphs if p)


def _forward(rng: random.Random, subject: str, core: list[str]) -> tuple[str, str]:
    inner = subject or rng.choice(SUBJECTS)
    quoted = "\n".join("> " + line for line in [rng.choice(FILLER), " ".join(core)])
    body = (
        f"{rng.choice(['See below.', 'FYI', 'Forwarding as discussed.', 'Can you pick this up?'])}"
        f"\n\n---------- Forwarded message ----------\nFrom: Office <office@school.example>\n"
        f"Date: Tue, 4 Mar 2025 at 09:12\nSubject: {inner}\n\n{quoted}\n"
    )
    return "FW: " + inner, body


SETTINGS = [_short, _long, _forward]


def build() -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []
    for number, core in enumerate(_cores(), 1):
        digest = hashlib.sha256(core[2].encode()).digest()
        part = "h" if digest[0] % 10 < 3 else "t"
        rng = random.Random(digest)
        subject, body = _split(core)
        for setting in rng.sample(SETTINGS, 2):
            subj, text = setting(rng, subject, body)
            cases.append(
                {
                    "id": f"{part}{number:03d}{setting.__name__[1]}",
                    "label": core[1],
                    "topic": core[0],
                    "subject": subj,
                    "body": text,
                }
            )
    return cases


if __name__ == "__main__":
    lines = [json.dumps(case, ensure_ascii=False) for case in build()]
    (HERE / "train2.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} cases")
