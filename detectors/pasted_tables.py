"""Tables pasted into the text of a message: rows of cells found in prose.

Copying a range from Excel into an e-mail gives one line per row with the cells
separated by tabs; a plain-text client, or the text alternative of an HTML table,
lines them up with runs of spaces instead. Such a block is a spreadsheet in all but
name, so it is cut into rows here and read by the same table logic an attached
spreadsheet gets (header roles, per-row personal data, one bulk finding).

A table is a run of lines that each split into two or more short cells, allowing
any blank lines, up to two stray lines and rows with missing cells in between (Outlook
double-spaces pasted rows; some rows lack a value). Greeting and sign-off lines
around it are not part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models import Row

_SEPARATOR = re.compile(r"[ \u00a0]*\t[ \u00a0]*|[ \u00a0]{2,}")
"""One tab (consecutive tabs are empty cells, as Excel writes them) or a run of spaces."""
_EDGES = " \t\r\u00a0>"
"""Indentation, quoting and line-end characters around a row."""
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
"""Reply quoting ("> "): a table quoted in a reply is still in the message."""
_MAX_CELL = 80
"""A longer "cell" is a sentence: prose with double spaces after full stops is no table."""
_MAX_GAP = 2
"""Stray lines (not blank, not rows) that may sit between two rows of one table."""


@dataclass(frozen=True, slots=True)
class PastedTable:
    """A table found in text: its rows and where they are."""

    rows: tuple[Row, ...]
    cell_starts: tuple[tuple[int, ...], ...]
    """Offset in the text of each cell of each row."""
    start: int
    end: int
    """The text from the first row's start to the last row's end."""


def find_tables(text: str, min_rows: int) -> list[PastedTable]:
    """Every table of at least `min_rows` rows in `text`."""
    if text.count("\t") + text.count("  ") < min_rows:
        return []  # most mail: cheap to rule out
    tables: list[PastedTable] = []
    for start, end in _candidate_regions(text, min_rows):
        tables.extend(_tables_in(text, start, end, min_rows))
    return tables


def _candidate_regions(text: str, min_rows: int) -> list[tuple[int, int]]:
    """Stretches of text with enough lines that have a separator between two words.

    Cheap string tests pick these out, so ordinary prose costs little; only these
    stretches are split into cells line by line.
    """
    regions: list[tuple[int, int]] = []
    first = last = -1
    count = stray = 0
    position = 0
    for line in text.split("\n"):
        start, position = position, position + len(line) + 1
        if "\u00a0" in line:
            line = line.replace("\u00a0", " ")  # same length: offsets unchanged
        inner = line.strip(_EDGES) if count or "\t" in line or "  " in line else ""
        if "\t" not in inner and "  " not in inner:
            stray += bool(inner)  # indentation alone is no separator; blank lines are free
            if count and stray > _MAX_GAP:
                if count >= min_rows:
                    regions.append((first, last))
                count = 0
            continue
        if not count:
            first = start
        last, stray = start + len(line), 0
        count += 1
    if count >= min_rows:
        regions.append((first, last))
    return regions


def _tables_in(text: str, lo: int, hi: int, min_rows: int) -> list[PastedTable]:
    tables: list[PastedTable] = []
    rows: list[tuple[tuple[str, ...], tuple[int, ...], int, int]] = []
    stray = 0
    position = lo
    while position <= hi:
        newline = text.find("\n", position, hi)
        end = hi if newline < 0 else newline
        cells = split_row(text, position, end)
        if cells is not None:
            rows.append((*cells, position, end))
            stray = 0
        elif rows and text[position:end].strip(_EDGES):
            stray += 1
            if stray > _MAX_GAP:
                _close(rows, min_rows, tables)
                rows = []
        position = end + 1
    _close(rows, min_rows, tables)
    return tables


def split_row(text: str, start: int, end: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The cells of the line text[start:end] and their offsets, if it reads as a row."""
    line_end = end - 1 if end > start and text[end - 1] == "\r" else end
    quote = _QUOTE.match(text, start, line_end)
    cursor = quote.end() if quote else start
    while cursor < line_end and text[cursor] in " \u00a0":
        cursor += 1
    cells: list[str] = []
    starts: list[int] = []
    for separator in _SEPARATOR.finditer(text, cursor, line_end):
        cells.append(text[cursor : separator.start()])
        starts.append(cursor)
        cursor = separator.end()
    cells.append(text[cursor:line_end].rstrip())
    starts.append(cursor)
    while cells and not cells[-1]:
        cells.pop()
        starts.pop()
    filled = [cell for cell in cells if cell]
    if len(filled) < 2 or any(len(cell) > _MAX_CELL for cell in filled):
        return None
    return tuple(cells), tuple(starts)


def _close(
    rows: list[tuple[tuple[str, ...], tuple[int, ...], int, int]],
    min_rows: int,
    tables: list[PastedTable],
) -> None:
    if len(rows) < min_rows:
        return
    tables.append(
        PastedTable(
            rows=tuple(Row(number=i, cells=cells) for i, (cells, *_) in enumerate(rows, 1)),
            cell_starts=tuple(starts for _, starts, _, _ in rows),
            start=rows[0][2],
            end=rows[-1][3],
        )
    )


def blank_tables(text: str, tables: list[PastedTable]) -> str:
    """The text with every table's lines turned to spaces (offsets unchanged), so the
    prose around them is scanned without reading the rows a second time."""
    pieces: list[str] = []
    cursor = 0
    for table in tables:
        pieces.append(text[cursor : table.start])
        pieces.append(re.sub(r"[^\n]", " ", text[table.start : table.end]))
        cursor = table.end
    pieces.append(text[cursor:])
    return "".join(pieces)
