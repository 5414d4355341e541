"""Short forms of forenames ("Dan" for Daniel, "Kasia" for Katarzyna), both ways.

Staff name personal mailboxes with the form of their name they use every day, so
"dan.hughes@gmail.com" is Daniel Hughes's as surely as "daniel.hughes" is. Two sources:

- the `nicknames` package (carltonnorthern/nicknames, Apache-2.0): a hand-curated list
  of English names and their nicknames. It is broad and partly American, and it links
  names that are different people here (Louise/Louis, John/Ian, Aaron/Erin), so only
  pairs that look like a short form are kept: the nickname is shorter, starts with the
  same two letters, and is not itself a full name in the list (Louis, Jack) unless it
  is a clear clipping of the full name (Alex of Alexander, Sam of Samuel);
- detectors/data/uk_school_nicknames.txt: short forms common in UK schools that the
  package lacks (Polish, Yoruba, Igbo, Welsh, ... and British forms like Beth or Fi).

Load once per detector build (about 10 ms and well under 1 MB); lookups are dict reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from detectors.name_text import letters

DATA_FILE = Path(__file__).parent / "data" / "uk_school_nicknames.txt"
MIN_CLIPPING = 3
"""A nickname that is itself a full name is kept only when at least this many letters
shorter than the name it is clipped from (Alex/Alexander, not Louis/Louise)."""


def _package_pairs() -> Iterator[tuple[str, str]]:
    """(full name, short form) pairs of the `nicknames` package that are short forms."""
    from nicknames import NickNamer

    lookup = NickNamer.default_lookup()
    for full, shorts in lookup.items():
        for short in shorts:
            if not (2 <= len(short) < len(full) and short[:2] == full[:2]):
                continue
            clipped = full.startswith(short) and len(full) - len(short) >= MIN_CLIPPING
            if short in lookup and not clipped:
                continue
            yield full, short


def read_pairs(lines: Iterable[str], *, dropped: bool = False) -> Iterator[tuple[str, str]]:
    """(full name, short form) pairs from "full: short, short" lines (# comments); with
    `dropped`, those of "!full: short" lines instead (package pairs to leave out)."""
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("!") is not dropped:
            continue
        full, colon, shorts = text.removeprefix("!").partition(":")
        if not colon or not letters(full):
            raise ValueError(f"line {number}: expected 'full name: short form, ...'")
        for short in shorts.split(","):
            if letters(short):
                yield full.strip(), short.strip()


class ShortForms:
    """Forename -> the short forms of it and the full names it is a short form of.

    `pairs` work both ways ("Kasia" finds "katarzyna.nowak" too); `one_way` pairs only
    from full name to short form: a short name stands for many full ones ("Lee" for
    Leroy, Levi...), so the package's pairs are followed back only when the short form
    is the start of the full name ("dan" -> daniel)."""

    def __init__(
        self, pairs: Iterable[tuple[str, str]], one_way: Iterable[tuple[str, str]] = ()
    ) -> None:
        related: defaultdict[str, set[str]] = defaultdict(set)
        for (full, short), both in [*((p, True) for p in pairs), *((p, False) for p in one_way)]:
            full_key, short_key = letters(full), letters(short)
            if not full_key or not short_key or full_key == short_key:
                continue
            related[full_key].add(short_key)
            if both or full_key.startswith(short_key):
                related[short_key].add(full_key)
        self._related = {name: frozenset(forms) for name, forms in related.items()}

    @classmethod
    def load(cls, data_file: Path = DATA_FILE) -> ShortForms:
        """The package's short forms (less the list's "!" lines) and the shipped UK list."""
        with data_file.open(encoding="utf-8") as file:
            lines = file.readlines()
        dropped = {(letters(f), letters(s)) for f, s in read_pairs(lines, dropped=True)}
        package = [p for p in _package_pairs() if (letters(p[0]), letters(p[1])) not in dropped]
        return cls(read_pairs(lines), one_way=package)

    def __call__(self, forename: str) -> frozenset[str]:
        """Folded forms related to `forename` ("daniel" -> dan, danny; "dan" -> daniel)."""
        return self._related.get(letters(forename), frozenset())

    def __len__(self) -> int:
        return len(self._related)


def known_forenames() -> frozenset[str]:
    """Every forename the short-form data names, full or short, lower-case: the whole
    package (its pairs unfiltered) and the UK list, for telling a name from a word."""
    from nicknames import NickNamer

    lookup = NickNamer.default_lookup()
    names = set(lookup).union(*lookup.values())
    for full, short in read_pairs(DATA_FILE.read_text(encoding="utf-8").splitlines()):
        names.update((full.lower(), short.lower()))
    return frozenset(n for n in names if len(n) > 1 and n.isalpha())
