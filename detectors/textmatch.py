"""A match found in a block of text, and the context tests the sensitive-data scanners share.

Identifiers are mostly digits, and digits are everywhere in mail (order numbers, phone
numbers, timestamps), so whether a number counts often depends on the words just before
it ("NHS no:", "sort code"). These helpers keep that look-back consistent: a short
window of characters before the match that never reaches into a neighbouring table cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from models.finding import Basis

CELL_SEPARATOR = "\u241f"
"""Joins the cells of a table row ("␟", not a space or a word character); context windows
and phrases stop at it."""

LABEL_WINDOW = 40
"""How many characters before a value a label such as "NHS number:" may be."""


@dataclass(frozen=True, slots=True)
class Match:
    """One thing found in a string: what, where, how sure, and its redacted evidence."""

    type: str
    start: int
    end: int
    evidence: str
    """Already redacted: safe to journal and show."""
    score: float
    kind: str | None = None
    basis: Basis | None = None


_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


@lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """`text` in lower case with every character at the same offset.

    Searching lower-cased text for lower-case literals is much faster than a (?i)
    pattern; a few non-ASCII letters change length when lowered ("İ"), and then only
    A-Z are lowered. Each scanner of a text lowers it: the last few are remembered, so
    a text is lowered once (a string caches its own hash: a repeat is one look-up).
    """
    lower = text.lower()
    return lower if len(lower) == len(text) else text.translate(_ASCII_LOWER)


_IGNORECASE_ONLY = ("\u0131", "\u017f", "\u0130")
"""ı, ſ and İ: a (?i) pattern matches them to "i", "s" and "i", and `lowered` does not
make them those letters (every other character it lowers to an ASCII letter, "K" the
Kelvin sign too, is one a (?i) pattern matches to the same letter)."""


def lowered_as_ignorecase(text: str) -> str | None:
    """`lowered(text)` when a pattern of lower-case ASCII letters (with \\s, \\b, \\w and
    classes of other characters) finds in it exactly what the same pattern with (?i)
    finds in `text`; None when `text` holds one of the characters only (?i) matches."""
    if not text.isascii() and any(ch in text for ch in _IGNORECASE_ONLY):
        return None
    return lowered(text)


def window_before(text: str, start: int, size: int = LABEL_WINDOW) -> str:
    """The `size` characters before `start`, within its table cell; when the value starts
    its cell, the cell before it instead (a form's "Date of birth:" | "12/03/2015")."""
    chunk = text[max(0, start - size) : start]
    cut = chunk.rfind(CELL_SEPARATOR)
    if cut < 0 or chunk[cut + 1 :].strip():
        return chunk[cut + 1 :]
    previous = chunk[:cut]
    return previous[previous.rfind(CELL_SEPARATOR) + 1 :]


def label_reaches(between: str) -> bool:
    """Whether a label followed by `between` labels what comes next: in the same cell, or
    a label cell with the value starting the next one (see window_before)."""
    if len(between) > LABEL_WINDOW:
        return False
    cells = between.split(CELL_SEPARATOR)
    return len(cells) == 1 or (len(cells) == 2 and not cells[1].strip())


def labelled(text: str, start: int, label: re.Pattern[str], size: int = LABEL_WINDOW) -> bool:
    """True when `label` (written in lower case) occurs in the window just before `start`."""
    return label.search(window_before(text, start, size).lower()) is not None


def keep_best(matches: Iterable[Match], priority: dict[str, int]) -> list[Match]:
    """Drop matches that overlap a more important one (e.g. digits inside an IBAN).

    `priority` maps a type to its rank, lower first; ties keep the longer match.
    """
    ordered = sorted(matches, key=lambda m: (m.start, m.end))
    kept: list[Match] = []
    for match in ordered:
        if kept and match.start < kept[-1].end:
            last = kept[-1]
            if _outranks(match, last, priority):
                kept[-1] = match
            continue
        kept.append(match)
    return kept


def _outranks(new: Match, old: Match, priority: dict[str, int]) -> bool:
    new_rank = priority.get(new.type, len(priority))
    old_rank = priority.get(old.type, len(priority))
    if new_rank != old_rank:
        return new_rank < old_rank
    return (new.end - new.start) > (old.end - old.start)
