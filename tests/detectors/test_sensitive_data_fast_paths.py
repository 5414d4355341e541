"""The sensitive_data fast paths find exactly what the plain forms they replace find.

Each fast path (a date pattern searched without its look-behind, a window's start found
with one regular expression, a table's row strings built with shared prefixes) is
compared with the straightforward form on generated text full of edge cases.
"""

from __future__ import annotations

import random
import re

import pytest

from detectors import personal_details, search_windows
from detectors.bulk import column_role
from detectors.personal_details import find_dates_of_birth
from detectors.search_windows import digit_clusters
from detectors.table_text import RowText, row_text, rows_text
from detectors.textmatch import CELL_SEPARATOR
from models import Row

_PIECES = (
    "born", "Born", "DOB:", "d.o.b", "date of birth", "birthdate", "reborn", "adob",
    "14/05/2012", "1/5/12", "31/02/2012", "12/31/2011", "2012-05-14", "14.05.2012",
    "14-05-2012", "14/05-2012", "123/05/2012", "3rd", "of", "May", "SEPT.", "june", "2012",
    "5,", "\u017f", "\u0130", "\u0663", " ", " ", "  ", "\n", "\t", "\r", CELL_SEPARATOR,
    "\x0b", "\u2003", "/", ".", "-", "000123", "123 456 789", "07700 900123", "Zo\u00eb",
    "x" * 70, "1" * 30,
)  # fmt: skip


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_PIECES) + rng.choice(("", " ")) for _ in range(rng.randint(1, 50)))
        for _ in range(count)
    ]


@pytest.mark.parametrize("pattern", [personal_details._NUMERIC_DATE, personal_details._ISO_DATE])
def test_digit_dates_searched_without_look_behind_match_finditer(
    pattern: re.Pattern[str],
) -> None:
    for text in _texts(1, 3000):
        for lo in range(0, len(text), 7):
            hi = min(len(text), lo + 70)
            expected = [(m.span(), m.groups()) for m in pattern.finditer(text, lo, hi)]
            found = [(m.span(), m.groups()) for m in personal_details._dates(pattern, text, lo, hi)]
            assert found == expected, (text, lo, hi)


def _plain_dates_of_birth(text: str) -> list[tuple[int, int, str]]:
    """find_dates_of_birth as first written: every pattern tried after every label."""
    lower = personal_details.lowered(text)
    seen: set[int] = set()
    found = []
    for label in personal_details._DOB_LABEL.finditer(lower):
        if label.start() and lower[label.start() - 1].isalnum():
            continue
        hi = min(len(text), label.end() + 40 + personal_details._LONGEST_DATE)
        for pattern in (
            personal_details._NUMERIC_DATE,
            personal_details._ISO_DATE,
            personal_details._DAY_MONTH_YEAR,
            personal_details._MONTH_DAY_YEAR,
        ):
            for m in pattern.finditer(text, label.end(), hi):
                between = text[label.end() : m.start()]
                if m.start() in seen or not personal_details.label_reaches(between):
                    continue
                if personal_details._date_from(pattern, m) is not None:
                    seen.add(m.start())
                    found.append((m.start(), m.end(), m.group()))
    return found


def test_dates_of_birth_as_every_pattern_after_every_label_finds() -> None:
    for text in _texts(2, 4000):
        found = [(m.start, m.end, m.evidence) for m in find_dates_of_birth(text)]
        expected = [(s, e, personal_details.redact_digits(raw.strip())) for s, e, raw in
                    _plain_dates_of_birth(text)]  # fmt: skip
        assert found == expected, text


def _plain_word_start(text: str, position: int) -> int:
    position = max(0, position)
    lo = max(0, position - 64)
    found = max(text.rfind(ch, lo, position) for ch in (" ", "\n", "\t", "\r", CELL_SEPARATOR))
    return found + 1 if found >= 0 else lo


def test_window_start_is_after_the_last_break() -> None:
    for text in _texts(3, 2000):
        for position in range(-3, len(text) + 3):
            assert search_windows._word_start(text, position) == _plain_word_start(text, position)


def test_cluster_digit_counts() -> None:
    for text in _texts(4, 2000):
        for cluster, m in zip(
            digit_clusters(text), search_windows._CLUSTER.finditer(text), strict=True
        ):
            assert cluster.digits == sum(ch.isdigit() for ch in m.group())


def test_rows_text_is_row_text_of_each_row() -> None:
    rng = random.Random(5)
    labels_seen = ("", " DOB ", "Name\n", "Date\nof birth", "UPN", " ")
    for number in range(3000):
        cells = tuple(
            rng.choice(_PIECES) + rng.choice(("", "\n", " x")) for _ in range(rng.randint(0, 6))
        )
        labels = [rng.choice(labels_seen) for _ in range(rng.randint(0, 8))]
        row = Row(number=number, cells=cells)
        expected = _plain_row_text(row, labels)
        assert rows_text([row], labels) == [expected]
        assert row_text(row, labels) == expected


def _plain_row_text(row: Row, labels: list[str]) -> RowText:
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for index, cell in enumerate(row.cells):
        label = labels[index].strip() if index < len(labels) else ""
        prefix = CELL_SEPARATOR + (f"{label}: " if label else "")
        starts.append(length + len(prefix))
        piece = prefix + cell.replace("\n", " ")
        parts.append(piece)
        length += len(piece)
    return RowText(row=row, text="".join(parts), value_starts=tuple(starts))


def test_column_role_remembered_is_the_same() -> None:
    for header in ("Date of Birth", "date_of_birth", "FormerUPN", "groupname", "Trip date", ""):
        assert column_role(header) is column_role.__wrapped__(header)
