"""The roster's name table: the bytes every scan worker maps instead of holding the roster.

The detector must find exactly the same names whether it builds its table from the
pupils or is handed one (as a worker is, mapped from the snapshot), and the table must
answer what the roster says: forenames and surnames, pairs with their middle names, who
writes the family name first. A worker that is handed a table keeps no per-pupil object.
"""

from __future__ import annotations

import tracemalloc

import pytest

from detectors.names.name_table import (
    FAMILY_FIRST_PAIR,
    FAMILY_FIRST_SURNAME,
    FORENAME,
    PAIRED_SURNAME,
    STARTS_LONGER,
    SURNAME,
    IndexedDirectory,
    NameTable,
    NameTableError,
    build_name_table,
)
from detectors.names.phrases import PhraseFinder
from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from models import (
    Address,
    Directory,
    Envelope,
    Message,
    MessageFacts,
    PartInfo,
    Pupil,
    Recipient,
    Row,
    StaffMember,
    TextBlock,
)
from tests.detectors.pupil_roster import school_directory

PUPILS = (
    Pupil(("Amelia", "Millie"), ("Jones",), ("Rose", "Anne Marie"), year="5"),
    Pupil(("Siobhan",), ("O'Neill",)),
    Pupil(("Zoë",), ("Smith-Jones",)),
    Pupil(("Xiaoming",), ("Wang",), family_name_first=True),
    Pupil(("Amelia",), ("Jones",), ("Grace",)),
    Pupil((), ("Nobody",)),
)


@pytest.fixture(scope="module")
def table() -> NameTable:
    return NameTable(build_name_table(PUPILS, {"version": "v1", "staff": []}))


def test_phrases_say_whether_they_are_forenames_or_surnames(table: NameTable):
    assert table.phrase_flags(("amelia",)) == FORENAME
    assert table.phrase_flags(("millie",)) == FORENAME
    assert table.phrase_flags(("jones",)) == SURNAME | PAIRED_SURNAME
    assert table.phrase_flags(("o", "neill")) == SURNAME | PAIRED_SURNAME
    assert table.phrase_flags(("oneill",)) == SURNAME | PAIRED_SURNAME
    assert table.phrase_flags(("o",)) == STARTS_LONGER
    assert table.phrase_flags(("smith",)) == STARTS_LONGER
    assert table.phrase_flags(("wang",)) == SURNAME | PAIRED_SURNAME | FAMILY_FIRST_SURNAME
    assert table.phrase_flags(("nobody",)) == SURNAME  # no forename: in no pair
    assert table.phrase_flags(("rose",)) == 0  # a middle name only
    assert table.phrase_flags(("smith", "jones", "x")) == 0
    assert {"amelia", "jones", "o", "neill", "oneill", "smith", "zoe"} <= set(table.words())


def test_pairs_carry_every_middle_name_of_the_pupils_with_that_name(table: NameTable):
    entry = table.pair((("amelia",), ("jones",)))
    assert entry is not None
    assert entry.middle_names == {"rose", "anne", "marie", "grace"}
    assert entry.flags == 0
    millie = table.pair((("millie",), ("jones",)))
    assert millie is not None and millie.middle_names == {"rose", "anne", "marie"}
    wang = table.pair((("xiaoming",), ("wang",)))
    assert wang is not None and wang.flags == FAMILY_FIRST_PAIR
    assert table.pair((("jones",), ("amelia",))) is None
    assert table.pair((("siobhan",), ("smith", "jones"))) is None
    assert table.is_middle_word("anne")
    assert not table.is_middle_word("amelia")
    assert table.pairs == 6


def test_the_header_keeps_what_the_caller_put_in_it(table: NameTable):
    assert table.meta == {"version": "v1", "staff": []}


def test_an_empty_roster_is_an_empty_table():
    empty = NameTable(build_name_table(()))
    assert empty.pairs == 0
    assert empty.phrase_flags(("amelia",)) == 0
    assert empty.pair((("amelia",), ("jones",))) is None
    assert list(empty.words()) == []


def test_other_bytes_are_not_a_table():
    with pytest.raises(NameTableError):
        NameTable(b"SGNAMES0" + bytes(16))


def test_phrases_are_found_overlapping_by_start_then_end(table: NameTable):
    finder = PhraseFinder(table.words(), table.phrase_flags)
    words = ["dear", "zoe", "smith", "jones", "and", "o", "neill", "x", "amelia"]
    assert finder.find(words) == [(1, 2), (2, 4), (3, 4), (5, 7), (8, 9)]
    assert finder.find(["amelia", "said"]) == []  # one name word: nothing to pair


def _message(text: str, *, rows: tuple[Row, ...] = (), file_name: str = "") -> Message:
    facts = MessageFacts(
        envelope=Envelope("teacher@school.example", ("parent@example.org",)),
        recipients=(Recipient("parent@example.org", internal=False),),
        header_from=(Address("Ms Teacher", "teacher@school.example"),),
        subject="Notes",
        parts=(PartInfo(file_name, "text/plain", 10, file_name, is_attachment=True),)
        if file_name
        else (),
    )
    return Message(facts=facts, texts=(TextBlock("body", text, rows=rows),))


MESSAGES = [
    "Amelia Rose Jones and JONES Amelia were in. Wang Xiaoming too; Siobhan O'Neill no.",
    "Register:\nJones Amelia\nO'Neill Siobhan\n",
    "zoë smith-jones in lower case, Smith, Zoe, and Millie A. Jones.",
]


def test_a_handed_table_finds_exactly_what_the_pupils_find():
    directory = school_directory(2000)
    staff = (StaffMember("Thomas", "Harry", "t.harry@school.example"),)
    plain = Directory(pupils=directory.pupils, staff=staff, version="v")
    handed = IndexedDirectory(
        staff=staff, version="v", names=NameTable(build_name_table(directory.pupils))
    )
    settings = PupilNameSettings()
    pupils = [p for p in directory.pupils if p.middle_names][:40]
    texts = [*MESSAGES, " ".join(f"{p.forenames[0]} {p.surnames[0]}." for p in pupils)]
    texts.append("\n".join(f"{p.surnames[0].upper()} {p.forenames[0]}" for p in pupils))
    messages = [_message(t) for t in texts]
    rows = tuple(Row(i + 1, (p.surnames[0], p.forenames[0], "5B")) for i, p in enumerate(pupils))
    messages.append(_message("\n".join("\t".join(r.cells) for r in rows), rows=rows))
    messages.append(_message("See attached", file_name="Jones_Amelia_plan.docx"))
    expected = [PupilNameDetector(settings, plain).detect(m) for m in messages]
    assert sum(map(len, expected)) > 40
    assert [PupilNameDetector(settings, handed).detect(m) for m in messages] == expected


def test_a_worker_handed_a_table_holds_no_per_pupil_object():
    """What building the detector allocates grows with the distinct name words (one set,
    for the per-word filter), not with the pupils: ten times the pupils, well under
    twice the memory."""
    small = build_name_table(school_directory(2000).pupils)
    large_directory = school_directory(2000)
    pupils = [
        Pupil((p.forenames[0],), (f"{p.surnames[0]}-{q.surnames[0]}",))
        for p in large_directory.pupils[:200]
        for q in large_directory.pupils[:100]
    ]
    large = build_name_table(pupils)

    def allocated(data: bytes) -> int:
        table = NameTable(data)
        tracemalloc.start()
        detector = PupilNameDetector(PupilNameSettings(), IndexedDirectory(names=table))
        detector.detect(_message("Amelia Jones"))
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return size

    assert len(pupils) == 20000
    assert allocated(large) < 2 * allocated(small)
