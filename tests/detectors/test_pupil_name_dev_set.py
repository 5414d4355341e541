"""Issue 10 development set for pupil names: precision and recall per kind of case.

The cases are sentences, lists and file names written for this project (the
independent evaluation sets live in tests/detectors/eval/ and are only measured), each
filled with pupils drawn at random from the 2,000-pupil roster of real UK name
frequencies, so no rule can lean on one name. Word-name pupils (forename and surname
both everyday words) are added here, not taken from the detector's own test roster.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from detectors.names.common_words import shipped_common_words
from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from models import Address, Directory, Envelope, Message, MessageFacts, PartInfo, Pupil, TextBlock
from tests.detectors.pupil_roster import school_directory

WORD_NAME_PUPILS = (
    Pupil(("Hazel",), ("Wood",)),
    Pupil(("Faith",), ("Green",)),
    Pupil(("Joy",), ("Park",)),
    Pupil(("Hope",), ("Brook",)),
    Pupil(("Rose",), ("Hill",)),
    Pupil(("Autumn",), ("Lane",)),
)
FAMILY_FIRST_PUPILS = (
    Pupil(("Jiahui",), ("Chen",)),  # a family-first surname: no mark needed
    Pupil(("Haruto",), ("Sato",)),
    Pupil(("Minjun",), ("Kim",), family_name_first=True),  # "Kim" is also a forename
    Pupil(("Lan",), ("Tran",), ("Thi",), family_name_first=True),
    Pupil(("Wei",), ("Zhang",)),
    Pupil(("Aylin",), ("Demir",), family_name_first=True),  # marked by the school only
)
MIN_PRECISION = MIN_RECALL = 0.95


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    expected: frozenset[str]
    """The initials of each pupil that must be found ("A.R.")."""
    file: str = ""


def _name(pupil: Pupil) -> str:
    """The initials a finding for this pupil suggests: "Thi Lan Tran" -> "T.T."."""
    return f"{pupil.forenames[0][0].upper()}.{pupil.surnames[0][0].upper()}."


def _plain_pupils(directory: Directory) -> list[Pupil]:
    """Generated pupils whose names are not everyday words (so any case must be found)."""
    common = shipped_common_words()
    return [
        p
        for p in directory.pupils[:2000]
        if not {*p.forenames[0].lower().split(), *p.surnames[0].lower().split()} & common
        and p.forenames[0].isalpha()
        and p.surnames[0].isalpha()
    ]


LIST_HEADS = ("Detentions Friday:", "Late this week", "Missing homework -", "Trip list", "")
LIST_LINE = ("{s} {f}", "- {s} {f}", "{n}. {s} {f} ({g})", "{s} {f}\t{g}", "* {s} {f} - {g}")
PROSE = (
    "Could {f} {s} bring the form back? Thanks.",
    "I met {s} {f}'s mum today.",
    "Rahman and {s} {f} were late.",
)
CLAUSES = (
    "Just logging that {name} was late again.",
    "Please note that {name} has a dentist appointment at 2.",
    "I noticed that {name} seemed upset at lunch.",
    "Can you check that {name} brought the kit?",
    "I am worried that {name} is not eating.",
    "Sorry, but {name} will miss the match.",
    "We kept them in because {name} and another pupil were fighting.",
    "Let me know when {name} arrives.",
    "Ring home if {name} is ill again.",
    "It rained, so {name} stayed in.",
)
CLAUSE_NEGATIVES = (
    "Did you enjoy that {name} fete last week?",
    "that {name} trip was a success",
    "Hire of the {name} hall on Saturday",
)
PLACES = (
    "Sports day is on the {name} playing fields.",
    "Coffee morning in St {name} hall.",
    "Walk up {name} Road to the gate.",
    "Meet at the gate of {name} Park.",
    "Parking is on {name} Close.",
    "The {name} Centre is closed.",
    "Drop off on {name} Lane.",
    "Choir practice at {name} Church.",
    "Pupils from {name} School visited.",
    "Books are due back at {name} Library.",
)
PLACE_PUPILS = (
    "{name} was late today.",
    "Please ask {name} to see me.",
    "{name}'s reading is improving.",
    "Well done to {name} for the poem.",
)
FILES = (
    "{sl}-{fl}-iep.pdf",
    "{f}_{s}_EHCP.docx",
    "{f}{s}.pdf",
    "{su} {f} report.pdf",
    "reports.zip/{sl}_{fl}.docx",
    "2025-03-01 {f} {s} referral.pdf",
    "Behaviour/{s} {f}/plan.docx",
    "{fl}.{sl}.notes.txt",
)
FILE_NEGATIVES = ("{f}_notes.pdf", "{s}_family_letter.pdf", "{fi}_{s}_report.pdf", "Y7 {f}.docx")


def dev_cases(directory: Directory) -> list[Case]:
    rng = random.Random(10)
    plain = _plain_pupils(directory)
    cases: list[Case] = []
    for number in range(40):  # surname-first lists of 2-5 lines, and prose that is not one
        chosen = list({_name(p): p for p in rng.sample(plain, 5)}.values())
        chosen = chosen[: rng.randint(2, 5)]
        lines = [rng.choice(LIST_HEADS)]
        for position, p in enumerate(chosen, start=1):
            line = LIST_LINE[(number + position) % len(LIST_LINE)]
            lines.append(
                line.format(s=p.surnames[0], f=p.forenames[0], n=position, g=p.reg_group or "7A")
            )
        text = "\n".join(lines)
        cases.append(Case("surname_first_list", text, frozenset(map(_name, chosen))))
        p = rng.choice(plain)
        text = rng.choice(PROSE).format(s=p.surnames[0], f=p.forenames[0])
        expected = frozenset((_name(p),)) if text.startswith("Could") else frozenset()
        cases.append(Case("surname_first_list", text, expected))
        single = f"{p.surnames[0]} {p.forenames[0]}\n\nThanks for your help today."
        cases.append(Case("surname_first_list", single, frozenset()))
    for pupil in FAMILY_FIRST_PUPILS:
        given, family = pupil.forenames[0], pupil.surnames[0]
        for template, found in (
            ("{fam} {giv} came top in the maths test.", True),
            ("Well done to {fam} {giv} and the team.", True),
            ("I spoke with {FAM} {giv}'s father.", True),
            ("{giv} {fam} has settled in well.", True),
            ("{fam} {mid} {giv} was absent.", True),
            ("Mr {fam} phoned about {giv}.", False),
        ):
            middle = " ".join(pupil.middle_names) or given
            text = template.format(fam=family, giv=given, FAM=family.upper(), mid=middle)
            text = text.replace(f"{given} {given}", given)
            cases.append(Case("family_first", text, frozenset((_name(pupil),) if found else ())))
    for p in rng.sample(plain, 20):  # family-first order is not read for other pupils
        text = f"I told {p.surnames[0]} {p.forenames[0]} was on the list."
        cases.append(Case("family_first", text, frozenset()))
    word_names = [*WORD_NAME_PUPILS]
    for template in CLAUSES:
        for pupil in rng.sample(word_names, 3):
            text = template.format(name=f"{pupil.forenames[0]} {pupil.surnames[0]}")
            cases.append(Case("conjunction", text, frozenset((_name(pupil),))))
    for template in CLAUSE_NEGATIVES:
        for pupil in word_names:
            text = template.format(name=f"{pupil.forenames[0]} {pupil.surnames[0]}")
            cases.append(Case("conjunction", text, frozenset()))
    for template in PLACES:
        for pupil in rng.sample(word_names, 3):
            text = template.format(name=f"{pupil.forenames[0]} {pupil.surnames[0]}")
            cases.append(Case("place", text, frozenset()))
    for template in PLACE_PUPILS:
        for pupil in word_names:
            text = template.format(name=f"{pupil.forenames[0]} {pupil.surnames[0]}")
            cases.append(Case("place", text, frozenset((_name(pupil),))))
    for template in FILES:
        for p in rng.sample(plain, 5):
            f, s = p.forenames[0], p.surnames[0]
            path = template.format(f=f, s=s, fl=f.lower(), sl=s.lower(), su=s.upper())
            cases.append(Case("file_name", "", frozenset((_name(p),)), file=path))
    for template in FILE_NEGATIVES:
        for p in rng.sample(plain, 5):
            f, s = p.forenames[0], p.surnames[0]
            path = template.format(f=f, s=s, fi=f[0])
            cases.append(Case("file_name", "", frozenset(), file=path))
    return cases


def _message(case: Case) -> Message:
    part = PartInfo(case.file, "application/pdf", 10, case.file.rpartition("/")[2], True)
    facts = MessageFacts(
        envelope=Envelope("teacher@school.example", ("parent@example.org",)),
        recipients=(),
        header_from=(Address("Ms Teacher", "teacher@school.example"),),
        parts=(part,) if case.file else (),
    )
    return Message(facts=facts, texts=(TextBlock("body", case.text),) if case.text else ())


def _found(detector: PupilNameDetector, case: Case) -> set[str]:
    """The initials the findings suggest ("A.R."): each case's pupils have distinct ones."""
    return {
        finding.explanation.rsplit(" ", 1)[1]
        for finding in detector.detect(_message(case))
        if finding.score >= 0.5
    }


def score_cases(detector: PupilNameDetector, cases: list[Case]) -> dict[str, tuple[float, float]]:
    """kind -> (precision, recall), counting pupils by their initials within a case."""
    counts: dict[str, list[int]] = {}
    for case in cases:
        found = _found(detector, case)
        expected = set(case.expected)
        tp_fp_fn = counts.setdefault(case.kind, [0, 0, 0])
        tp_fp_fn[0] += len(found & expected)
        tp_fp_fn[1] += len(found - expected)
        tp_fp_fn[2] += len(expected - found)
    return {
        kind: (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
        for kind, (tp, fp, fn) in counts.items()
    }


@pytest.fixture(scope="module")
def dev_directory() -> Directory:
    base = school_directory(2000)
    return Directory(
        pupils=(*base.pupils, *WORD_NAME_PUPILS, *FAMILY_FIRST_PUPILS), staff=base.staff
    )


def test_precision_and_recall_per_kind_on_the_dev_set(dev_directory: Directory):
    cases = dev_cases(dev_directory)
    assert len(cases) >= 300
    detector = PupilNameDetector(PupilNameSettings(), dev_directory)
    figures = score_cases(detector, cases)
    print({kind: (round(p, 3), round(r, 3)) for kind, (p, r) in figures.items()})
    assert set(figures) == {
        "surname_first_list",
        "family_first",
        "conjunction",
        "place",
        "file_name",
    }
    for kind, (precision, recall) in figures.items():
        assert precision >= MIN_PRECISION, (kind, precision)
        assert recall >= MIN_RECALL, (kind, recall)
