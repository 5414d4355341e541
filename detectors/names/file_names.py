"""Pupils' full names in attachment file names, in any order, case and separator.

A file name is a full name in the most visible place after the subject: it is listed
in every mail client and kept by every server. Staff write them every way a file
system allows: "Aisha_Rahman_EHCP.docx", "rahman-aisha-iep.pdf", "AishaRahman.pdf",
"RAHMAN Aisha report.pdf", "Reports/Rahman Aisha/plan.docx" inside a zip. So here
forename and surname may come in either order, joined by any separator or none
(CamelCase), in any case; only a name that is also two everyday words must be written
as a name ("Will_Brown_IEP.pdf", never "will-brown-onions.txt") and not be a place
("Hope_Church_Hall_hire.pdf").

Words are cut at separators and, as a second reading, at CamelCase humps; both readings
are matched, so "AishaRahman" and "McDonald" (which must stay one word) are both found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from detectors.names import hits as score
from detectors.names.folding import fold
from detectors.names.hits import NameHit, without_overlaps
from detectors.names.phrases import Phrase
from detectors.names.roster_index import NameKey, RosterIndex
from detectors.names.word_context import CAPITALISED_PLACE_NOUNS, PLACE_NOUNS

_SEGMENT = re.compile(r"[^\W_]+")
_HUMP = re.compile(r"[^\W\d_](?:[^\W\d_A-Z]|(?<=[A-Z])[A-Z](?![a-z]))*|\d+")
"""One CamelCase word: "Aisha", "RAHMAN" (before "Aisha" in "RAHMANAisha"), "2024"."""

_CAMEL_CASE = re.compile(r"[^\W\d_A-Z][A-Z]|[A-Z]{2}[^\W\d_A-Z]")
"""A hump ("aR" in "AishaRahman", "NA" before "i" in "RAHMANAisha"): worth a second reading."""

Word = tuple[str, int, int]
"""A folded word and its offsets in the file name."""


def words_of(name: str, *, humps: bool) -> list[Word]:
    """The words of a file name, cut at separators (and at CamelCase humps if asked)."""
    folded = fold(name)
    found: list[Word] = []
    for segment in _SEGMENT.finditer(name):
        pieces = _HUMP.finditer(segment.group()) if humps else (segment,)
        base = segment.start() if humps else 0
        for piece in pieces:
            start, end = base + piece.start(), base + piece.end()
            found.append((folded[start:end], start, end))
    return found


class FileNameMatcher:
    """Finds pupils' full names in one file name or path; built once per roster."""

    def __init__(self, index: RosterIndex, max_middle_names: int = 3) -> None:
        self.index = index
        self.max_middle_names = max_middle_names

    def find(self, name: str) -> list[NameHit]:
        found: list[NameHit] = []
        for humps in (False, True) if _CAMEL_CASE.search(name) else (False,):
            words = words_of(name, humps=humps)
            found.extend(self._find(name, words))
        unique = {(h.key, h.span): h for h in found}
        return without_overlaps(list(unique.values()))

    def _find(self, name: str, words: list[Word]) -> Iterator[NameHit]:
        folded = [word for word, _, _ in words]
        matches = self.index.finder.find(folded)
        if len(matches) < 2:
            return
        phrases: dict[int, list[tuple[int, Phrase]]] = {}
        for start, end in matches:
            phrases.setdefault(start, []).append((end, tuple(folded[start:end])))
        for start, ends in phrases.items():
            for end, first in ends:
                for after, second, last in self._following(folded, phrases, end):
                    readings = [((first, second), folded[end:after])]
                    if after == end:
                        readings.append(((second, first), []))  # "rahman-aisha"
                    for key, middle in readings:
                        if key in self.index.pairs and self.index.middle_fits(key, middle):
                            hit = self._hit(name, words, key, start, last)
                            if hit is not None:
                                yield hit

    def _following(
        self, folded: list[str], phrases: dict[int, list[tuple[int, Phrase]]], end: int
    ) -> Iterator[tuple[int, Phrase, int]]:
        """Phrases starting at `end` or after up to max_middle_names middle names/initials."""
        middle_words = self.index.middle_words
        for after in range(end, min(end + self.max_middle_names, len(folded)) + 1):
            for phrase_end, phrase in phrases.get(after, ()):
                yield after, phrase, phrase_end
            if after < len(folded) and len(folded[after]) > 1 and folded[after] not in middle_words:
                return

    def _hit(
        self, name: str, words: list[Word], key: NameKey, start: int, end: int
    ) -> NameHit | None:
        first, last = words[start][1], words[end - 1][2]
        written = [name[a:b] for _, a, b in words[start:end]]
        lower = all(w == w.lower() for w in written)
        if self.index.is_common(key[0]) or self.index.is_common(key[1]):
            if lower or self._followed_by_place(name, words, end):
                return None
            value = score.COMMON_WORD
        elif lower:
            value = score.LOWER_CASE
        else:
            value = score.FULL_NAME
        return NameHit(
            key=key,
            span=(first, last),
            text=" ".join(written),
            score=value,
            form=f"in a file name, {score.FORMS[value]}",
        )

    @staticmethod
    def _followed_by_place(name: str, words: list[Word], end: int) -> bool:
        if end >= len(words):
            return False
        word, start, _ = words[end]
        return word in PLACE_NOUNS or (
            word in CAPITALISED_PLACE_NOUNS and name[start : start + 1].isupper()
        )
