"""Pupils' full names in tables: the forename in one cell of a row, the surname in another.

A register or mark book has "Jones | Amelia | 5B": no running text puts the two words
side by side, but the row is a full name all the same. A whole cell must be the name
(a Forenames cell may add middle names: "Amelia Rose"), which is itself the sign that
the words are used as a name, so "Grace" and "Brown" in two cells count, unless both are
written in lower case as ordinary words.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from detectors.names import hits as score
from detectors.names.folding import name_words
from detectors.names.hits import NameHit
from detectors.names.phrases import Phrase
from detectors.names.roster_index import RosterIndex
from models import Row

MAX_CELL_CHARS = 200
"""A longer cell is prose, not a name; its names are found by the text matcher."""
SEARCH_WINDOW = 4096
"""How far past the previous cell to look for the next one in the block's text."""

CellSpans = list[list[tuple[int, int] | None]]


def locate_cells(text: str, rows: Sequence[Row]) -> CellSpans:
    """Where each cell is in the block's text, in order, whatever joins the cells."""
    cursor = 0
    spans: CellSpans = []
    for row in rows:
        row_spans: list[tuple[int, int] | None] = []
        for cell in row.cells:
            found = text.find(cell, cursor, cursor + len(cell) + SEARCH_WINDOW) if cell else -1
            if found < 0:
                row_spans.append(None)
                continue
            row_spans.append((found, found + len(cell)))
            cursor = found + len(cell)
        spans.append(row_spans)
    return spans


class RowFinder:
    """The row number a character offset of the block's text falls in."""

    def __init__(self, rows: Sequence[Row], spans: CellSpans) -> None:
        self._starts: list[int] = []
        self._rows: list[tuple[int, int]] = []
        for row, row_spans in zip(rows, spans, strict=True):
            placed = [s for s in row_spans if s is not None]
            if placed:
                self._starts.append(placed[0][0])
                self._rows.append((placed[-1][1], row.number))

    def row_at(self, offset: int) -> int | None:
        position = bisect_right(self._starts, offset) - 1
        if position < 0:
            return None
        end, number = self._rows[position]
        return number if offset < end else None


class TableMatcher:
    def __init__(self, index: RosterIndex) -> None:
        self.index = index

    def find(self, text: str, rows: Sequence[Row], spans: CellSpans) -> list[NameHit]:
        found: list[NameHit] = []
        for row, row_spans in zip(rows, spans, strict=True):
            forenames, surnames = self._name_cells(row)
            for forename_cell, forename, middle in forenames:
                for surname_cell, surname in surnames:
                    key = (forename, surname)
                    if forename_cell == surname_cell or key not in self.index.pairs:
                        continue
                    if not self.index.middle_fits(key, middle):
                        continue
                    cells = (row.cells[forename_cell], row.cells[surname_cell])
                    if self._ordinary_words(key, cells):
                        continue
                    found.append(
                        NameHit(
                            key=key,
                            span=_union(row_spans[forename_cell], row_spans[surname_cell]),
                            text=" ".join(c.strip() for c in cells),
                            score=score.TABLE_ROW,
                            row=row.number,
                            form=score.TABLE_ROW_FORM,
                        )
                    )
        return found

    def _name_cells(
        self, row: Row
    ) -> tuple[list[tuple[int, Phrase, Phrase]], list[tuple[int, Phrase]]]:
        forenames: list[tuple[int, Phrase, Phrase]] = []
        surnames: list[tuple[int, Phrase]] = []
        lexicon = self.index.finder.lexicon
        for position, cell in enumerate(row.cells):
            if not cell or len(cell) > MAX_CELL_CHARS:
                continue
            words = name_words(cell)
            if not words or words[0] not in lexicon:
                continue
            if words in self.index.surnames:
                surnames.append((position, words))
            for cut in range(len(words), 0, -1):
                if words[:cut] in self.index.forenames:
                    forenames.append((position, words[:cut], words[cut:]))
                    break
        return forenames, surnames

    def _ordinary_words(self, key: tuple[Phrase, Phrase], cells: tuple[str, str]) -> bool:
        """Lower-case cells holding a name that is also a word ("will", "brown")."""
        return any(
            cell == cell.lower() and self.index.is_common(phrase)
            for cell, phrase in zip(cells, key, strict=True)
        )


def _union(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])
