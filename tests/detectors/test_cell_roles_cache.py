"""TableValueRoles (the per-table, cached `row_value_roles`) answers as the plain
function does, for every subset of the roles asked about."""

from __future__ import annotations

import random
from datetime import date
from itertools import combinations

from detectors.bulk import Role
from detectors.cell_roles import VALUE_ROLES, TableValueRoles, _has_digit, row_value_roles

REFERENCE = date(2026, 12, 4)
CELLS = (
    "Oliver",
    "Smith",
    "Amelia Jones",
    "Brown, Isla",
    "Mrs Brown",
    "Surname12",
    "03/04/2015",
    "3 Apr 2015",
    "2015-04-03",
    "14/10/2025",
    "12 Acacia Avenue",
    "LS1 4AB",
    "801200015123",
    "Maths",
    "Room 4",
    "",
    "  ",
    "Y",
    "N²",
    "x" * 90,
)
LABELS = ((), ("Name", "Trip date", "", "Notes"), ("Event", "Date", "Venue"))


def test_table_value_roles_match_row_value_roles_for_every_wanted_subset() -> None:
    rng = random.Random(3)
    subsets = [frozenset(c) for n in range(4) for c in combinations(sorted(VALUE_ROLES), n)]
    for labels in LABELS:
        table = TableValueRoles(labels, REFERENCE)
        for _ in range(400):
            cells = [rng.choice(CELLS) for _ in range(rng.randint(0, 6))]
            full = row_value_roles(cells, labels, REFERENCE)
            for wanted in subsets:
                assert table.roles(cells, wanted) == full & wanted, (cells, labels, wanted)
            assert table.roles(cells) == full


def test_one_word_names_in_neighbouring_cells_are_a_name_even_when_only_names_are_wanted() -> None:
    table = TableValueRoles((), REFERENCE)
    assert table.roles(["Oliver", "Smith", "12/03/2015"], frozenset((Role.NAME,))) == {Role.NAME}


def test_has_digit_is_any_isdigit() -> None:
    for value in ("", "abc", "a1", "N²", "①", "٣", "é", "Zoë 5"):
        assert _has_digit(value) == any(ch.isdigit() for ch in value)
