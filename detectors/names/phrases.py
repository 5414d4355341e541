"""Where roster name phrases occur in a text: every run of words that is a forename or
a surname of the roster, overlapping ones included.

Every word of the text is first looked up in one set, the words of all names (the only
per-word step, so it is a set, a worker's own: a lookup in the mapped name table costs
a few microseconds, a hundred times as much; the set grows with the distinct name words,
some 19,000 for 200,000 pupils, about 2 MB, not with the pupils). A 10 KB message of
two thousand words usually has a few dozen name words; only from those are phrases
read, one word more while the table says a longer name starts with the words so far
("smith" of "Smith Jones").

(This was spaCy's PhraseMatcher over a Doc of the name words: its vocabulary and
matcher held every name in each worker's memory, and the Doc cost more than the
lookups here.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from detectors.names.name_table import FORENAME, STARTS_LONGER, SURNAME

Phrase = tuple[str, ...]
"""A name as folded words: ("amelia",), ("smith", "jones"), ("o", "neill")."""

_NAME = FORENAME | SURNAME


class PhraseFinder:
    """Every occurrence of every name phrase, overlapping ones included."""

    def __init__(self, words: Iterable[str], phrase_flags: Callable[[Phrase], int]) -> None:
        self.lexicon: frozenset[str] = frozenset(words)
        """Every word of every name."""
        self._flags = phrase_flags

    def find(self, words: list[str]) -> list[tuple[int, int]]:
        """(start, end) word ranges of every phrase found in `words`, by start then end."""
        lexicon = self.lexicon
        positions = [i for i, word in enumerate(words) if word in lexicon]
        if len(positions) < 2:
            return []
        flags_of = self._flags
        found: list[tuple[int, int]] = []
        last = len(positions) - 1
        for at, start in enumerate(positions):
            flags = flags_of((words[start],))
            if flags & _NAME:
                found.append((start, start + 1))
            end, following = start + 1, at + 1
            while flags & STARTS_LONGER and following <= last and positions[following] == end:
                end += 1
                following += 1
                flags = flags_of(tuple(words[start:end]))
                if flags & _NAME:
                    found.append((start, end))
        return found
