"""Pupils' full names in tables: the forename in one cell of a row, the surname in another.

A register or mark book has "Jones | Amelia | 5B": no running text puts the two words
side by side, but the row is a full name all the same. A whole cell must be the name
(a Forenames cell may add middle names: "Amelia Rose"), which is itself the sign that
the words are used as a name, so "Grace" and "Brown" in two cells count, unless both are
written in lower case as ordinary words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import chain

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

_DIGITS = frozenset("0123456789")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
r"""A word of an ASCII cell, as `folding` cuts it ([^\W_]+ is exactly this in ASCII)."""

CellNames = tuple[Phrase | None, tuple[Phrase, Phrase] | None]
"""What a cell can be: its words when they are a surname; (forename, middle names) when
its first words are a forename."""


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
        self._digit_led = any(word[:1] in _DIGITS for word in index.finder.lexicon)
        """Whether some name word starts with a digit: else a cell that does is no name."""

    def find(self, text: str, rows: Sequence[Row], spans: Callable[[], CellSpans]) -> list[NameHit]:
        """Names across the cells of each row; `spans` (locate_cells, which reads the
        whole block) is asked only once a row holds a name."""
        named = self._named_cells(rows)
        if not named:
            return []
        found: list[NameHit] = []
        for index, row in enumerate(rows):
            if named.keys().isdisjoint(row.cells):
                continue
            forenames, surnames = self._name_cells(row, named)
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
                    row_spans = spans()[index]
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

    def _named_cells(self, rows: Sequence[Row]) -> dict[str, CellNames]:
        """Each distinct cell of the block that is a forename or a surname, and how.

        A sheet repeats its cells (departments, year groups, items), so each is read once,
        and a row with none of these cells is passed over whole."""
        distinct = set(chain.from_iterable(row.cells for row in rows))
        named: dict[str, CellNames] = {}
        for cell in distinct:
            if cell and len(cell) <= MAX_CELL_CHARS:
                names = self._cell_names(cell)
                if names is not None:
                    named[cell] = names
        return named

    @staticmethod
    def _name_cells(
        row: Row, named: dict[str, CellNames]
    ) -> tuple[list[tuple[int, Phrase, Phrase]], list[tuple[int, Phrase]]]:
        """The row's cells that are a forename (with any middle names) or a surname."""
        forenames: list[tuple[int, Phrase, Phrase]] = []
        surnames: list[tuple[int, Phrase]] = []
        for position, cell in enumerate(row.cells):
            names = named.get(cell)
            if names is None:
                continue
            surname, forename = names
            if surname is not None:
                surnames.append((position, surname))
            if forename is not None:
                forenames.append((position, *forename))
        return forenames, surnames

    def _cell_names(self, cell: str) -> CellNames | None:
        lexicon = self.index.finder.lexicon
        if cell[0] in _DIGITS and not self._digit_led:  # a date, a sum, a quantity
            return None
        if cell.isascii():  # folding is lower(): the first word needs no folding of the rest
            first = _ASCII_WORD.search(cell)
            if first is None or first.group().lower() not in lexicon:
                return None
        words = name_words(cell)
        if not words or words[0] not in lexicon:
            return None
        surname = words if words in self.index.surnames else None
        forename = None
        for cut in range(len(words), 0, -1):
            if words[:cut] in self.index.forenames:
                forename = (words[:cut], words[cut:])
                break
        if surname is None and forename is None:
            return None
        return surname, forename

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
