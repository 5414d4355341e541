"""What the matchers need to know about the roster and the staff directory, built once.

A pupil's full name is any of their forenames (legal or preferred) with any of their
surnames; the index keeps those pairs (with the pupil's middle names, which may stand
between them) and nothing else: no year, no group, no other pupil detail.
"""

from __future__ import annotations

from collections.abc import Iterable

from detectors.names.family_first import shipped_family_first_surnames
from detectors.names.folding import fold, name_words
from detectors.names.phrases import Phrase, PhraseFinder
from models import Directory, MessageFacts

NameKey = tuple[Phrase, Phrase]
"""(forename, surname) as folded words: the identity of one way to write a full name."""

HONORIFICS = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"))


def name_variants(name: str) -> set[Phrase]:
    """The folded forms of a roster name: "O'Neill" is also written "ONeill"."""
    variants = {name_words(name)}
    folded = fold(name)
    if "'" in folded:
        variants.add(name_words(folded.replace("'", "")))
    variants.discard(())
    return variants


class RosterIndex:
    """Forename and surname phrases, the pupils' (forename, surname) pairs, staff names."""

    def __init__(self, directory: Directory, common_words: Iterable[str]) -> None:
        self.common_words = frozenset(word.lower() for word in common_words)
        self.forenames: set[Phrase] = set()
        self.surnames: set[Phrase] = set()
        middles: dict[NameKey, set[str]] = {}
        self.family_first: set[NameKey] = set()
        """Pupils whose family name may be written first ("Wang Xiaoming"): marked so in
        the roster, or with a surname of a family-name-first culture (see family_first)."""
        known: dict[str, frozenset[Phrase]] = {}

        def variants(name: str) -> frozenset[Phrase]:
            """Folded once per distinct name: thousands of pupils share a forename."""
            if name not in known:
                known[name] = frozenset(name_variants(name))
            return known[name]

        for pupil in directory.pupils:
            forenames = frozenset().union(*map(variants, pupil.forenames))
            surnames = frozenset().union(*map(variants, pupil.surnames))
            middle = {word for name in pupil.middle_names for word in name_words(name)}
            self.forenames |= forenames
            self.surnames |= surnames
            for forename in forenames:
                for surname in surnames:
                    middles.setdefault((forename, surname), set()).update(middle)
                    if pupil.family_name_first:
                        self.family_first.add((forename, surname))
        self.pairs: dict[NameKey, frozenset[str]] = {
            key: frozenset(words) for key, words in middles.items()
        }
        """(forename, surname) -> the folded middle names of the pupils with that name."""
        self.middle_words = frozenset().union(*self.pairs.values())
        """Every pupil's middle names: the only words (besides initials) between names."""
        self.forename_like = set(self.forenames)
        """Phrases some pupil or member of staff has as a forename: "Thomas" may be either."""
        self.staff_names: set[NameKey] = set()
        self.staff_by_email: dict[str, frozenset[str]] = {}
        for member in directory.staff:
            self.forename_like |= name_variants(member.forename)
            for forename in name_variants(member.forename):
                for surname in name_variants(member.surname):
                    self.staff_names.add((forename, surname))
            words = frozenset(name_words(member.full_name))
            for address in (member.email, *member.personal_emails):
                self.staff_by_email[address.lower()] = words
        self.finder = PhraseFinder(self.forenames | self.surnames)
        listed = shipped_family_first_surnames()
        self.family_first |= {
            key
            for key in self.pairs
            if len(key[1]) == 1
            and key[1][0] in listed
            and key[1] not in self.forename_like
            and not self.is_common(key[1])
        }
        self.family_first_surnames = frozenset(surname for _, surname in self.family_first)

    @property
    def empty(self) -> bool:
        return not self.pairs

    def is_common(self, phrase: Phrase) -> bool:
        """True when every word of the name is also an everyday English word."""
        return all(word in self.common_words for word in phrase)

    def middle_fits(self, key: NameKey, words: Iterable[str]) -> bool:
        """Words between forename and surname: that pupil's middle names, or initials (a
        letter: "Amelia 4 Okafor" is a table's cells, forename, year and surname)."""
        allowed = self.pairs.get(key, frozenset())
        return all((len(word) == 1 and word.isalpha()) or word in allowed for word in words)

    def sender_words(self, facts: MessageFacts) -> frozenset[str]:
        """The sender's own name as folded words: from the From header and the directory."""
        words = set(name_words(facts.sender_name)) - HONORIFICS
        for address in (facts.sender, facts.envelope.mail_from):
            words |= self.staff_by_email.get(address.lower(), frozenset())
        return frozenset(words)
