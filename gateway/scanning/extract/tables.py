"""Table rows -> a TextBlock whose text is the rows and whose rows keep the cells apart.

Detectors read the text like any other text, and the rows to reason per row and per
cell (a forename in one cell and a surname in the next is a full name). Rows keep the
number the user sees (the spreadsheet row), so a finding can say "row 12".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gateway.scanning.extract.context import Collector
from models import Row

_CELL_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def cell_text(value: object) -> str:
    """A cell value as the user sees it (UK dates, whole numbers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).strip()


class TableText:
    """Collects the rows of one table (a sheet, a CSV file, a document table).

    `add` returns False once the message's text budget is spent, so readers stop early
    instead of reading a million-row sheet they cannot keep.
    """

    def __init__(self, collector: Collector, location: str) -> None:
        self.collector = collector
        self.location = location
        self.rows: list[Row] = []
        self._lines: list[str] = []
        self._chars = 0
        self.full = False

    def add(self, number: int, cells: Iterable[object]) -> bool:
        if self.full:
            return False
        return self.add_texts(number, [cell_text(cell) for cell in cells])

    def add_texts(self, number: int, texts: list[str]) -> bool:
        """`add` for cells already given as `cell_text` gives them (the list is used)."""
        if self.full:
            return False
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            return True
        line = "\t".join(texts)
        if line.count("\t") != len(texts) - 1 or "\n" in line or "\r" in line:
            line = "\t".join(text.translate(_CELL_BREAKS) for text in texts)
        if self._chars + len(line) + 1 > self.collector.text_room():
            self.full = True
            self.collector.not_scanned(
                f"{self.location}: rows from {number} on not read (text limit reached)"
            )
            return False
        self._chars += len(line) + 1
        self._lines.append(line)
        self.rows.append(Row(number=number, cells=tuple(texts)))
        return True

    def finish(self) -> None:
        """Add the table to the collector (nothing when it had no non-empty row)."""
        if self.rows:
            self.collector.add_text(self.location, "\n".join(self._lines), tuple(self.rows))
