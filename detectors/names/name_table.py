"""The roster's names as one flat table of bytes, which every scan worker can map.

A roster of 200,000 pupils held as Python sets and dicts cost every scan worker 190 to
380 MB of its own (tuples of tuples of strings, frozensets, the Pupil objects they came
from, the JSON they were read from). As bytes in a file that each worker maps
read-only, the pages are the kernel's page cache, shared by all the workers, and the
Python heap holds no per-pupil object.

The table holds only what the matchers ask of the roster (see `roster_index`): which
phrases are forenames and surnames, which (forename, surname) pairs are some pupil's
full name with which middle names, and which pupils write their family name first. No
year, no group, nothing else. Three hash tables of UTF-8 keys: phrases (words joined by
a space), pairs (forename phrase, tab, surname phrase) and middle-name words, each with
its flags; a list of the words of every phrase, which the worker reads once into the
one set it keeps (`NameTable.words`: the filter every word of a text goes through must
be a set lookup, see `phrases`).

Layout: MAGIC, a uint32 header length, a JSON header (counts, where each array is, and
whatever the caller adds, such as the staff list), then the arrays, 8-byte aligned.
"""

from __future__ import annotations

import json
import mmap
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Literal

from detectors.names.folding import fold, name_words
from models import Directory, Pupil

Phrase = tuple[str, ...]
NameKey = tuple[Phrase, Phrase]

MAGIC = b"SGNAMES1"
_LENGTH = struct.Struct("<I")

FORENAME = 1
"""A phrase some pupil has as a forename (legal or preferred)."""
SURNAME = 2
"""A phrase some pupil has as a surname."""
FAMILY_FIRST_SURNAME = 4
"""The surname of a pupil the roster marks as writing the family name first."""
PAIRED_SURNAME = 8
"""A surname that is in some pair (its pupil has a forename)."""
STARTS_LONGER = 16
"""The first words of a longer phrase ("smith" of "smith jones"): keep reading."""
FAMILY_FIRST_PAIR = 1
"""Pair flag: the roster marks that pupil as writing the family name first."""


def name_variants(name: str) -> set[Phrase]:
    """The folded forms of a roster name: "O'Neill" is also written "ONeill"."""
    variants = {name_words(name)}
    folded = fold(name)
    if "'" in folded:
        variants.add(name_words(folded.replace("'", "")))
    variants.discard(())
    return variants


def phrase_key(phrase: Phrase) -> str:
    return " ".join(phrase)


def pair_key(key: NameKey) -> str:
    return f"{' '.join(key[0])}\t{' '.join(key[1])}"


def build_name_table(pupils: Iterable[Pupil], meta: Mapping[str, Any] | None = None) -> bytes:
    """The table for these pupils; `meta` (JSON-able) is kept in the header as it is."""
    forename_phrases: set[Phrase] = set()
    surname_phrases: set[Phrase] = set()
    paired_surnames: set[Phrase] = set()
    family_first_surnames: set[Phrase] = set()
    middles: dict[NameKey, tuple[str, ...]] = {}
    family_first: set[NameKey] = set()
    known: dict[str, frozenset[Phrase]] = {}
    known_middle: dict[str, Phrase] = {}

    def variants(names: tuple[str, ...]) -> frozenset[Phrase]:
        """Folded once per distinct name: thousands of pupils share a forename."""
        found: frozenset[Phrase] = frozenset()
        for name in names:
            these = known.get(name)
            if these is None:
                these = known[name] = frozenset(name_variants(name))
            found = these if not found else found | these
        return found

    for pupil in pupils:
        forenames = variants(pupil.forenames)
        surnames = variants(pupil.surnames)
        forename_phrases |= forenames
        surname_phrases |= surnames
        if not (forenames and surnames):
            continue
        paired_surnames |= surnames
        middle: tuple[str, ...] = ()
        for name in pupil.middle_names:
            folded = known_middle.get(name)
            if folded is None:
                folded = known_middle[name] = name_words(name)
            middle += folded
        marked = pupil.family_name_first
        if marked:
            family_first_surnames |= surnames
        for forename in forenames:
            for surname in surnames:
                key = (forename, surname)
                # Tuples, not sets: the collector stops following a tuple of strings,
                # and following 200,000 sets doubled the build time.
                found = middles.get(key)
                if found is None:
                    middles[key] = middle
                elif middle:
                    middles[key] = found + middle
                if marked:
                    family_first.add(key)
    phrase_flags: dict[Phrase, int] = dict.fromkeys(forename_phrases, FORENAME)
    for flag, phrases in (
        (SURNAME, surname_phrases),
        (PAIRED_SURNAME, paired_surnames),
        (FAMILY_FIRST_SURNAME, family_first_surnames),
    ):
        for phrase in phrases:
            phrase_flags[phrase] = phrase_flags.get(phrase, 0) | flag
    for phrase in [p for p in phrase_flags if len(p) > 1]:
        for cut in range(1, len(phrase)):
            head = phrase[:cut]
            phrase_flags[head] = phrase_flags.get(head, 0) | STARTS_LONGER
    words = {word for phrase in phrase_flags for word in phrase}
    middle_words = {word for words in middles.values() for word in words}

    arrays: dict[str, bytes] = {}
    header: dict[str, Any] = {
        "meta": dict(meta or {}),
        "byteorder": sys.byteorder,
        "pairs": len(middles),
    }
    _hash_table(arrays, "phrase", [" ".join(p).encode() for p in phrase_flags])
    arrays["phrase_flags"] = bytes(phrase_flags.values())
    _hash_table(arrays, "pair", [pair_key(k).encode() for k in middles])
    arrays["pair_flags"] = bytes(FAMILY_FIRST_PAIR if k in family_first else 0 for k in middles)
    _strings(arrays, "pair_middle", [" ".join(dict.fromkeys(m)).encode() for m in middles.values()])
    _hash_table(arrays, "middle", [w.encode() for w in middle_words])
    _strings(arrays, "word", [w.encode() for w in words])
    return _pack(header, arrays)


def _strings(arrays: dict[str, bytes], name: str, encoded: list[bytes]) -> None:
    arrays[f"{name}_blob"] = b"".join(encoded)
    arrays[f"{name}_offsets"] = array("I", [0, *accumulate(map(len, encoded))]).tobytes()


def _hash_table(arrays: dict[str, bytes], name: str, keys: list[bytes]) -> None:
    """Open addressing, linear probing, at most half full; a slot holds index + 1."""
    _strings(arrays, name, keys)
    size = 8
    while size < 2 * len(keys):
        size *= 2
    mask = size - 1
    slots = array("I", bytes(4 * size))
    for index, slot in enumerate(map(zlib.crc32, keys), start=1):
        slot &= mask
        while slots[slot]:
            slot = (slot + 1) & mask
        slots[slot] = index
    arrays[f"{name}_slots"] = slots.tobytes()


def _pack(header: dict[str, Any], arrays: dict[str, bytes]) -> bytes:
    places: dict[str, tuple[int, int]] = {}
    offset = 0
    for name, data in arrays.items():
        places[name] = (offset, len(data))
        offset += (len(data) + 7) // 8 * 8
    header["arrays"] = places
    encoded = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    start = (len(MAGIC) + _LENGTH.size + len(encoded) + 7) // 8 * 8
    header_bytes = MAGIC + _LENGTH.pack(len(encoded)) + encoded
    parts = [header_bytes, bytes(start - len(header_bytes))]
    for data in arrays.values():
        parts.append(data)
        parts.append(bytes(-len(data) % 8))
    return b"".join(parts)


class NameTableError(ValueError):
    """The bytes are not a name table this code can read."""


class _Strings:
    """One array of strings: a blob and the offsets of each string's end."""

    __slots__ = ("_blob", "_offsets")

    def __init__(self, blob: memoryview[int], offsets: memoryview[int]) -> None:
        self._blob = blob
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def raw(self, index: int) -> bytes:
        return bytes(self._blob[self._offsets[index] : self._offsets[index + 1]])

    def __iter__(self) -> Iterator[str]:
        blob = bytes(self._blob)
        offsets = self._offsets
        return (blob[offsets[i] : offsets[i + 1]].decode() for i in range(len(self)))


class _HashTable:
    __slots__ = ("_keys", "_mask", "_slots")

    def __init__(self, keys: _Strings, slots: memoryview[int]) -> None:
        self._keys = keys
        self._slots = slots
        self._mask = len(slots) - 1

    def find(self, key: str) -> int:
        """The key's index, or -1."""
        raw = key.encode()
        slots, mask, keys = self._slots, self._mask, self._keys
        slot = zlib.crc32(raw) & mask
        while entry := slots[slot]:
            if keys.raw(entry - 1) == raw:
                return entry - 1
            slot = (slot + 1) & mask
        return -1


class NameTable:
    """A name table over bytes: a `bytes` built here, or a read-only map of its file."""

    def __init__(self, buffer: bytes | mmap.mmap) -> None:
        view = memoryview(buffer)
        if bytes(view[: len(MAGIC)]) != MAGIC:
            raise NameTableError("not a name table")
        (length,) = _LENGTH.unpack_from(view, len(MAGIC))
        begin = len(MAGIC) + _LENGTH.size
        header = json.loads(bytes(view[begin : begin + length]))
        if header.get("byteorder") != sys.byteorder:
            raise NameTableError("name table written on a machine of the other byte order")
        start = (begin + length + 7) // 8 * 8
        self.meta: dict[str, Any] = header["meta"]
        self.pairs: int = header["pairs"]
        """How many (forename, surname) pairs: 0 for an empty roster."""

        def part(name: str, kind: Literal["B", "I"] = "B") -> memoryview[int]:
            offset, size = header["arrays"][name]
            return view[start + offset : start + offset + size].cast(kind)

        def strings(name: str) -> _Strings:
            return _Strings(part(f"{name}_blob"), part(f"{name}_offsets", "I"))

        self._phrases = _HashTable(strings("phrase"), part("phrase_slots", "I"))
        self._phrase_flags = part("phrase_flags")
        self._pairs = _HashTable(strings("pair"), part("pair_slots", "I"))
        self._pair_flags = part("pair_flags")
        self._pair_middles = strings("pair_middle")
        self._middle = _HashTable(strings("middle"), part("middle_slots", "I"))
        self._words = strings("word")

    def words(self) -> Iterable[str]:
        """Every word of every forename and surname phrase."""
        return iter(self._words)

    def phrase_flags(self, phrase: Phrase) -> int:
        """FORENAME, SURNAME, ... for a phrase; 0 when it is in no name."""
        index = self._phrases.find(phrase_key(phrase))
        return self._phrase_flags[index] if index >= 0 else 0

    def pair(self, key: NameKey) -> PairEntry | None:
        """The pair's flags and middle names, or None when no pupil has that name."""
        index = self._pairs.find(pair_key(key))
        if index < 0:
            return None
        middles = self._pair_middles.raw(index).decode()
        return PairEntry(self._pair_flags[index], frozenset(middles.split()))

    def is_middle_word(self, word: str) -> bool:
        return self._middle.find(word) >= 0


@dataclass(frozen=True, slots=True)
class PairEntry:
    flags: int
    middle_names: frozenset[str]
    """The folded middle names of the pupils with that full name."""


@dataclass(frozen=True, slots=True)
class IndexedDirectory(Directory):
    """A directory whose roster comes as a name table (the pupils themselves may be
    left out, as the scan workers leave them: the table is all pupil_name reads)."""

    names: NameTable | None = None


def table_for(directory: Directory) -> NameTable:
    """The directory's name table: the one it carries, else built from its pupils."""
    if isinstance(directory, IndexedDirectory) and directory.names is not None:
        return directory.names
    return NameTable(build_name_table(directory.pupils))
