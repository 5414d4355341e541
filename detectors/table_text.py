"""Table rows as strings the text scanners can read, and back to the block's text.

A row is scanned as one string, each cell after its column header ("DOB: 01/02/2015"),
so a header labels its column the way "DOB:" labels a date in prose. Cells are joined
by CELL_SEPARATOR, which context windows and phrases never cross. To highlight a match
for the console, its place in the row string is mapped back to the cell it came from,
and from there to the table block's own text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import add, sub

from detectors.textmatch import CELL_SEPARATOR
from models import Row


@dataclass(frozen=True, slots=True)
class RowText:
    """One row as a string, and where each cell's value starts in it."""

    row: Row
    text: str
    value_starts: tuple[int, ...]


def row_text(row: Row, labels: Sequence[str] = ()) -> RowText:
    """ "␟Surname: Test␟DOB: 01/02/2015" (labels are the header's cells, when known)."""
    return _row_text(row, _prefixes(labels))


def rows_text(rows: Sequence[Row], labels: Sequence[str] = ()) -> list[RowText]:
    """`row_text` of each row, the labels' prefixes written once for the whole table."""
    prefixes = _prefixes(labels)
    return [_row_text(row, prefixes) for row in rows]


def _prefixes(labels: Sequence[str]) -> tuple[str, ...]:
    return tuple(
        CELL_SEPARATOR + (f"{label}: " if label else "") for label in map(str.strip, labels)
    )


def _row_text(row: Row, prefixes: tuple[str, ...]) -> RowText:
    cells = row.cells
    if len(prefixes) < len(cells):
        prefixes += (CELL_SEPARATOR,) * (len(cells) - len(prefixes))
    pieces = list(map(add, prefixes, cells))  # as many as there are cells
    ends = accumulate(map(len, pieces))
    starts = tuple(map(sub, ends, map(len, cells)))
    text = "".join(pieces)
    if "\n" in text:  # line breaks in cells read as spaces (a label keeps its own)
        pairs = zip(prefixes, cells, strict=False)
        text = "".join(prefix + cell.replace("\n", " ") for prefix, cell in pairs)
    return RowText(row=row, text=text, value_starts=starts)


def cell_starts(block_text: str, rows: Sequence[Row]) -> list[list[int]]:
    """Where each cell's value starts in the block's text (-1 where it cannot be found).

    Extractors write a table's text from its cells in order, so each cell is searched
    from the end of the one before.
    """
    found: list[list[int]] = []
    cursor = 0
    for row in rows:
        offsets: list[int] = []
        for cell in row.cells:
            where = block_text.find(cell, cursor) if cell else -1
            if where >= 0:
                cursor = where + len(cell)
            offsets.append(where)
        found.append(offsets)
    return found


def has_text_outside_cells(block_text: str, rows: Sequence[Row]) -> bool:
    """True when the block's text holds more than its cells and separators.

    A spreadsheet's text is just its cells; an HTML page's text is the whole page, its
    data tables being only part of it.
    """
    cells = sum(len(cell) + 1 for row in rows for cell in row.cells)
    return len(block_text) - cells > len(rows) + _SLACK


_SLACK = 16
"""Characters of text beyond the cells that are not worth a separate scan."""


def outside_cells(block_text: str, rows: Sequence[Row], starts: Sequence[Sequence[int]]) -> str:
    """The block's text with every located cell blanked out (offsets unchanged).

    Scanning this as prose finds what is written around the tables without reporting
    each cell a second time.
    """
    pieces: list[str] = []
    cursor = 0
    for row, row_starts in zip(rows, starts, strict=True):
        for cell, start in zip(row.cells, row_starts, strict=True):
            if start < cursor or not cell:
                continue
            pieces.append(block_text[cursor:start])
            pieces.append(" " * len(cell))
            cursor = start + len(cell)
    pieces.append(block_text[cursor:])
    return "".join(pieces)


def block_span(
    line: RowText, block_cells: Sequence[int], start: int, end: int
) -> tuple[int, int] | None:
    """The span in the block's text of row-string characters start..end, if locatable."""
    first = _cell_offset(line, block_cells, start)
    last = _cell_offset(line, block_cells, max(start, end - 1))
    if first is None or last is None or last < first:
        return None
    return first, last + 1


def _cell_offset(line: RowText, block_cells: Sequence[int], position: int) -> int | None:
    cell = bisect_right(line.value_starts, position) - 1
    if cell < 0 or cell >= len(block_cells) or block_cells[cell] < 0:
        return None
    return block_cells[cell] + max(0, position - line.value_starts[cell])
