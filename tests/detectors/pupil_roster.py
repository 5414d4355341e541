"""A realistic roster for the pupil_name tests: names drawn by their real UK frequencies.

Forenames come from the ONS baby-name tables and surnames from the ONS surname list
(read from ../shared/corpus/names, never copied into the repository), drawn with a fixed
seed so every run sees the same school. The tricky pupils the tests are about are added
by name: common-word names, apostrophes, hyphens, accents, preferred names.
"""

from __future__ import annotations

import csv
import random
import re
from functools import lru_cache
from pathlib import Path

from models import Directory, Pupil, StaffMember
from tests.support import corpus

SEED = 20250601
_FORENAME = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")
_SURNAME = re.compile(r"[A-Z][a-z]+")

TRICKY_PUPILS: tuple[Pupil, ...] = (
    Pupil(("Amelia", "Millie"), ("Jones",), ("Rose",), year="5", reg_group="5B"),
    Pupil(("Siobhan",), ("O'Neill",), year="6"),
    Pupil(("Priya",), ("D'Souza",), year="6"),
    Pupil(("Zoë",), ("Smith-Jones",), year="4"),
    Pupil(("Chloe",), ("Martin",), year="3"),
    Pupil(("Chloé",), ("Dubois",), year="3"),
    Pupil(("Mary-Jane",), ("Watson",), year="2"),
    Pupil(("Oliver",), ("Lloyd Webber",), year="2"),
    Pupil(("Jack",), ("Taylor", "Taylor-Reid"), year="1"),
    Pupil(("Harry",), ("Thomas",), year="1"),
    # Names that are also everyday words: found only when written as a name.
    Pupil(("Will",), ("Brown",), year="5"),
    Pupil(("Bill",), ("Green",), year="5"),
    Pupil(("Hope",), ("Church",), year="4"),
    Pupil(("Summer",), ("Long",), year="4"),
    Pupil(("Grace",), ("May",), year="3"),
    Pupil(("Rose",), ("Bell",), year="3"),
    Pupil(("Mark",), ("Long",), year="6"),
    Pupil(("Frank",), ("Green",), year="6"),
    # Issue 10: surname-first lists, a family-name-first pupil, word-names that are places.
    Pupil(("Aisha",), ("Rahman",), year="9"),
    Pupil(("Summer",), ("Field",), year="4"),
    Pupil(("Autumn",), ("Hill",), year="7"),
    Pupil(("Daisy",), ("Field",), year="5"),  # "daisy" is not on the common-word list
    Pupil(("Xiaoming",), ("Wang",), year="8", family_name_first=True),
    Pupil(("Minh",), ("Nguyen",), ("Anh",), year="10", family_name_first=True),
    # Share a full name with a member of staff.
    Pupil(("Sarah",), ("Collins",), year="2"),
    Pupil(("Daniel",), ("Hughes",), year="2"),
)

STAFF: tuple[StaffMember, ...] = (
    StaffMember("Sarah", "Collins", "s.collins@school.example"),
    StaffMember("Daniel", "Hughes", "d.hughes@school.example", ("dan.hughes@gmail.com",)),
)


def _weighted(
    path: Path, name_column: str, weight_column: str, pattern: re.Pattern[str]
) -> tuple[list[str], list[float]]:
    """Each distinct name matching `pattern` with its summed frequency."""
    names: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if pattern.fullmatch(row[name_column]):
                names[row[name_column]] = names.get(row[name_column], 0.0) + float(
                    row[weight_column]
                )
    return list(names), list(names.values())


def generated_pupils(count: int, forenames_csv: Path, surnames_csv: Path) -> list[Pupil]:
    """`count` pupils with forenames, middle names and surnames drawn by frequency."""
    rng = random.Random(SEED)
    forenames, forename_weights = _weighted(
        forenames_csv, "name", "total_count_2006_2021", _FORENAME
    )
    surnames, surname_weights = _weighted(surnames_csv, "surname", "freq", _SURNAME)
    firsts = rng.choices(forenames, forename_weights, k=count)
    middles = rng.choices(forenames, forename_weights, k=count)
    lasts = rng.choices(surnames, surname_weights, k=count)
    pupils = []
    for position, (first, middle, last) in enumerate(zip(firsts, middles, lasts, strict=True)):
        year = str(7 + position % 5)
        pupils.append(
            Pupil(
                forenames=(first,),
                surnames=(last,),
                middle_names=(middle,) if position % 3 else (),
                year=year,
                reg_group=f"{year}{'ABCD'[position % 4]}",
            )
        )
    return pupils


@lru_cache(maxsize=4)
def _school(count: int) -> Directory:
    pupils = generated_pupils(
        count,
        corpus("names", "ons_ew_babynames_2006_2021_aggregate.csv"),
        corpus("names", "uk_surnames_ons_via_sdglinkage.csv"),
    )
    return Directory(pupils=(*pupils, *TRICKY_PUPILS), staff=STAFF, version=f"test-{count}")


def school_directory(count: int = 2000) -> Directory:
    """The generated roster plus the tricky pupils, and the staff list (skips without corpus)."""
    return _school(count)
