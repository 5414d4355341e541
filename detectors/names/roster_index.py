"""What the matchers need to know about the roster and the staff directory, built once.

A pupil's full name is any of their forenames (legal or preferred) with any of their
surnames; the index keeps those pairs (with the pupil's middle names, which may stand
between them) and nothing else: no year, no group, no other pupil detail.

The roster's part lives in a `NameTable`, bytes that the scan workers map from one file
and so share (a worker's own memory does not grow with the roster); the answers it
gives most often are remembered in small caches of a fixed size. The staff directory
is small and kept as sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from detectors.names.family_first import shipped_family_first_surnames
from detectors.names.folding import name_words
from detectors.names.name_table import (
    FAMILY_FIRST_PAIR,
    FAMILY_FIRST_SURNAME,
    FORENAME,
    PAIRED_SURNAME,
    SURNAME,
    NameKey,
    NameTable,
    PairEntry,
    name_variants,
    table_for,
)
from detectors.names.phrases import Phrase, PhraseFinder
from models import Directory, MessageFacts

__all__ = ["HONORIFICS", "NameKey", "RosterIndex", "name_variants"]

HONORIFICS = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"))

CACHE_SIZE = 4096
"""Phrases and pairs whose answers a worker remembers (a fixed size, whatever the roster)."""


class _Membership:
    """`x in ...` answered by a function: a set-like view of the name table."""

    __slots__ = ("_test",)

    def __init__(self, test: Callable[[Any], bool]) -> None:
        self._test = test

    def __contains__(self, item: object) -> bool:
        return self._test(item)


class RosterIndex:
    """Forename and surname phrases, the pupils' (forename, surname) pairs, staff names."""

    def __init__(self, directory: Directory, common_words: Iterable[str]) -> None:
        self.common_words = frozenset(word.lower() for word in common_words)
        self.table: NameTable = table_for(directory)
        table = self.table
        phrase_flags: Callable[[Phrase], int] = lru_cache(maxsize=CACHE_SIZE)(table.phrase_flags)
        pair: Callable[[NameKey], PairEntry | None] = lru_cache(maxsize=CACHE_SIZE)(table.pair)
        is_middle_word: Callable[[str], bool] = lru_cache(maxsize=CACHE_SIZE)(table.is_middle_word)
        self.phrase_flags = phrase_flags
        """FORENAME, SURNAME, ... (name_table) of a phrase; 0 when it is in no name."""
        self._phrase_flags = phrase_flags
        self._pair = pair
        self.finder = PhraseFinder(table.words(), phrase_flags)
        self.staff_forenames: set[Phrase] = set()
        self.staff_names: set[NameKey] = set()
        self.staff_by_email: dict[str, frozenset[str]] = {}
        for member in directory.staff:
            self.staff_forenames |= name_variants(member.forename)
            for forename in name_variants(member.forename):
                for surname in name_variants(member.surname):
                    self.staff_names.add((forename, surname))
            words = frozenset(name_words(member.full_name))
            for address in (member.email, *member.personal_emails):
                self.staff_by_email[address.lower()] = words
        self._listed = shipped_family_first_surnames()

        def flagged(flag: int) -> _Membership:
            return _Membership(lambda phrase: bool(phrase_flags(phrase) & flag))

        self.forenames = flagged(FORENAME)
        self.surnames = flagged(SURNAME)
        self.forename_like = _Membership(self._forename_like)
        """Phrases some pupil or member of staff has as a forename: "Thomas" may be either."""
        self.pairs = _Membership(lambda key: pair(key) is not None)
        """(forename, surname) of some pupil."""
        self.family_first = _Membership(self._family_first)
        """Pupils whose family name may be written first ("Wang Xiaoming"): marked so in
        the roster, or with a surname of a family-first culture (see family_first)."""
        self.family_first_surnames = _Membership(self._family_first_surname)
        self.middle_words = _Membership(is_middle_word)
        """Every pupil's middle names: the only words (besides initials) between names."""

    @property
    def empty(self) -> bool:
        return not self.table.pairs

    def is_common(self, phrase: Phrase) -> bool:
        """True when every word of the name is also an everyday English word."""
        return all(word in self.common_words for word in phrase)

    def _forename_like(self, phrase: Phrase) -> bool:
        return bool(self._phrase_flags(phrase) & FORENAME) or phrase in self.staff_forenames

    def _listed_family_first(self, surname: Phrase) -> bool:
        """A one-word surname on the shipped list that is no one's forename nor a word."""
        return (
            len(surname) == 1
            and surname[0] in self._listed
            and not self._forename_like(surname)
            and not self.is_common(surname)
        )

    def _family_first(self, key: NameKey) -> bool:
        entry = self._pair(key)
        if entry is None:
            return False
        return bool(entry.flags & FAMILY_FIRST_PAIR) or self._listed_family_first(key[1])

    def _family_first_surname(self, phrase: Phrase) -> bool:
        flags = self._phrase_flags(phrase)
        if flags & FAMILY_FIRST_SURNAME:
            return True
        return bool(flags & PAIRED_SURNAME) and self._listed_family_first(phrase)

    def middle_fits(self, key: NameKey, words: Iterable[str]) -> bool:
        """Words between forename and surname: that pupil's middle names, or initials (a
        letter: "Amelia 4 Okafor" is a table's cells, forename, year and surname)."""
        entry = self._pair(key)
        allowed = entry.middle_names if entry is not None else frozenset()
        return all((len(word) == 1 and word.isalpha()) or word in allowed for word in words)

    def sender_words(self, facts: MessageFacts) -> frozenset[str]:
        """The sender's own name as folded words: from the From header and the directory."""
        words = set(name_words(facts.sender_name)) - HONORIFICS
        for address in (facts.sender, facts.envelope.mail_from):
            words |= self.staff_by_email.get(address.lower(), frozenset())
        return frozenset(words)
