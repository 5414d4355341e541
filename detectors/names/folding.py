"""Text as the name matcher compares it: lower case, no accents, words apart from the rest.

Folding maps each character to exactly one character, so a match found in the folded
text sits at the same offsets in the original text, where the console highlights it and
where its capitalisation is judged. "Zoë" and "Zoe", "O’Neill" and "O'Neill" fold alike.

Words are runs of letters and digits; everything else (spaces, punctuation, apostrophes,
hyphens) lies in the gaps between them, which the matchers read to tell "Smith-Jones"
from "Smith. Jones" and "Jones, Amelia" from "Jones and Amelia".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import accumulate

_WORD = re.compile(r"([^\W_]+)")
_WORD_WITH_MARKS = re.compile(r"((?:[^\W_]|[\u0300-\u036f])+)")
"""Used only for text holding decomposed accents (e + U+0301), which \\w does not join."""
_MARKS = re.compile(r"[\u0300-\u036f]")
BLOCK_PARTS = 64
"""Parts (words and gaps) per block of Tokens' offsets (see `Tokens._end_of`)."""

_NOT_DECOMPOSABLE = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "İ": "i"}
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"
_HYPHENS = "\u2010\u2011"


def _fold_table() -> dict[int, str]:
    """Accented Latin letters to their base letter; curly apostrophes and hyphens to ASCII."""
    table: dict[int, str] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        char = chr(code).lower()
        base = _MARKS.sub("", unicodedata.normalize("NFD", char))
        if len(char) == 1 and len(base) == 1 and base != char:
            table[ord(char)] = base
    for char, base in _NOT_DECOMPOSABLE.items():
        table[ord(char)] = base
    for char in _APOSTROPHES:
        table[ord(char)] = "'"
    for char in _HYPHENS:
        table[ord(char)] = "-"
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower case without accents, one character for one character."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters: keep such letters as they are
        lowered = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    if lowered.isascii():
        return lowered
    # Only the runs of non-ASCII characters go through the table: str.translate with a
    # dict looks every character up, so one curly apostrophe in a 1 MB text made folding
    # all of it cost ~100 ms.
    return _NON_ASCII.sub(_fold_run, lowered)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FOLD)


@dataclass(slots=True)
class Tokens:
    """A text cut into folded words, with the gaps between them and their offsets.

    `parts` alternates gap, word, gap, word, ..., gap (as `re.split` with a group returns
    it), so word i is `parts[2 * i + 1]`, the gap before it `parts[2 * i]`.
    """

    text: str
    parts: list[str]
    words: list[str]
    _ends: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Tokens:
        folded = fold(text)
        if folded.isascii() or not _MARKS.search(folded):
            parts = _WORD.split(folded)
            return cls(text, parts, parts[1::2])
        parts = _WORD_WITH_MARKS.split(folded)
        return cls(text, parts, [_MARKS.sub("", word) for word in parts[1::2]])

    def __len__(self) -> int:
        return len(self.words)

    def gap_before(self, index: int) -> str:
        """The characters between word index-1 and word index ("" before the first)."""
        return self.parts[2 * index]

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets in the original text of words start..end-1."""
        return self._end_of(2 * start), self._end_of(2 * end - 1)

    def _end_of(self, part: int) -> int:
        """Where parts[part] ends in the text: the characters of the parts up to it.

        Summed from the end of the block of BLOCK_PARTS parts before it, so that a long
        text (a sheet's cells) with a name or two costs one sum per block, not a list of
        offsets of every word."""
        if not self._ends:
            self._ends = [0]
            self._ends.extend(
                accumulate(
                    sum(map(len, self.parts[at : at + BLOCK_PARTS]))
                    for at in range(0, len(self.parts), BLOCK_PARTS)
                )
            )
        block, _ = divmod(part, BLOCK_PARTS)
        first = block * BLOCK_PARTS
        return self._ends[block] + sum(map(len, self.parts[first : part + 1]))

    def original(self, start: int, end: int = -1) -> str:
        """The original text of words start..end-1 (of word `start` alone by default)."""
        first, last = self.char_span(start, start + 1 if end < 0 else end)
        return self.text[first:last]


def name_words(name: str) -> tuple[str, ...]:
    """A roster name as the folded words the matchers compare: "O'Neill" -> ("o", "neill").

    The words `Tokens.of(name)` has, without the gaps and offsets (a table matcher reads
    this for every cell of a sheet)."""
    folded = fold(name)
    if folded.isascii() or not _MARKS.search(folded):
        return tuple(_WORD.findall(folded))
    return tuple(_MARKS.sub("", word) for word in _WORD_WITH_MARKS.findall(folded))
