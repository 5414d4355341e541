"""Does a mailbox name belong to a given person? "janesmith82", "j.smith", "smithj",
"jane.smith.home", "beth.smith" (a short form), "jane.s" are Jane (Elizabeth) Smith's;
"mark.smith1975", "the.smiths", "jane.smithson" and "jo.smith" are not, although they
hold her surname or forename (a parent with the same surname is ordinary school
business)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from detectors.name_text import (
    PARTICLES,
    TITLES,
    display_words,
    mailbox_words,
    name_words,
)

SELF_WORDS = frozenset(
    {"me", "myself", "personal", "home", "private", "own", "work", "school", "teacher"}
)
PREFIX_WORDS = (
    "its", "iam", "im", "me", "my", "hi", "hello", "contact", "mail", "email", "teacher",
    "official", "real", *sorted(TITLES),
)  # fmt: skip
"""Words written before a name in a mailbox ("its.jane.smith", "mrs.jane.smith")."""
SUFFIX_WORDS = (
    "home", "work", "teacher", "teaching", "teach", "tchr", "school", "sch", "staff", "edu",
    "education", "classroom", "class", "private", "personal", "pers", "priv", "pvt", "docs",
    "documents", "files", "stuff", "resources", "planning", "marking", "reports", "mail",
    "email", "inbox", "mailbox", "account", "me", "mine", "uk", "backup", "archive", "copy",
    "spare", "office", "online", "notes", "admin", "official", "maths", "science", "english",
    "music", "drama", "senco", "laptop", "cloud", "drive", "jobs", "contact",
)  # fmt: skip
"""Words written after a name in a mailbox ("jane.smith.home", "jsmith.teacher"). After a
surname, any other word set apart by a separator is taken too ("jane.smith.art",
"j.smith.london"), and so is one between forename and surname ("jane.ann.smith"),
except the family words below."""
FAMILY_WORDS = (
    "family", "fam", "and", "the", "house", "household", "kids", "children",
    "parents", "mum", "mam", "mom", "dad", "mummy", "daddy", "wife", "husband", "hubby",
    "son", "daughter", "baby", "nan", "gran", "grandma", "grandad", "twins", "clan",
)  # fmt: skip
"""Words that make a mailbox a family's or a relative's ("jane.smith.family")."""
MIN_PARTIAL_LETTERS = 4
"""An initial-and-surname or forename-and-initial mailbox shorter than this ("ali" for
Amy Li, "jos") is too common to be anyone's in particular."""
MIN_SURNAME_FOR_INITIALS = 3


class NameMatch(StrEnum):
    """How a mailbox names a person, most certain first."""

    FULL = "full"
    """The forename and surname are both spelt out ("jane.smith", "smithjane")."""
    SHORT_FORM = "short_form"
    """A short form of the forename and the surname ("beth.smith" for Elizabeth)."""
    INITIAL = "initial"
    """An initial (or a title) and the surname ("jsmith", "smithj", "mrssmith")."""
    FORENAME_INITIAL = "forename_initial"
    """The forename and the first letters of the surname ("jane.s", "janesm")."""


ShortFormsOf = Callable[[str], Iterable[str]]


def _name_variants(name: str) -> list[str]:
    """ "Smith-Jones" -> smithjones, smith, jones; "Mary Ann" -> maryann, mary, ann."""
    parts = [p for p in name_words(name) if p not in TITLES]
    joined = "".join(parts)
    return list(dict.fromkeys([joined, *parts])) if joined else []


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(ordered) if ordered else "(?!)"


@lru_cache(maxsize=512)
def _pattern(
    forenames: tuple[str, ...], shorts: tuple[str, ...], surnames: tuple[str, ...]
) -> re.Pattern[str]:
    """One regex for every way the person's mailbox may be written; a named group per
    NameMatch, tried in order (a full name wins over a short form over an initial)."""
    f = _alternation(w for w in forenames if len(w) > 1)
    n, s = _alternation(shorts), _alternation(surnames)
    initials = _alternation({w[0] for w in forenames + shorts})
    long_s = _alternation(w for w in surnames if len(w) >= MIN_SURNAME_FOR_INITIALS)
    heads = _alternation({w[:k] for w in surnames for k in (1, 2, 3) if len(w) > k})
    long_f = _alternation(w for w in forenames + shorts if len(w) >= 3)
    titles = _alternation(TITLES)
    family = _alternation(FAMILY_WORDS)
    word = rf"\.(?!(?:{family})(?:\.|$))[a-z]{{2,}}"
    """Any other word, set apart by a separator, that is not a family word."""
    middle = rf"(?:\.[a-z]\.|{word}\.|\.)?"  # "jane.a.smith", "jane.ann.smith"; not "paula.smith"
    prefix = rf"(?:(?:{_alternation(PREFIX_WORDS)})\.?)?"
    listed = rf"\.?(?:{_alternation(SUFFIX_WORDS)})"
    suffix = rf"(?:{listed})*"
    any_suffix = rf"(?:{listed}|{word}|\.[a-z])*"
    kinds = (
        rf"(?P<full>(?:{f}){middle}(?:{s})|(?:{s})\.?(?:{f})){any_suffix}",
        rf"(?P<short_form>(?:{n}){middle}(?:{s})|(?:{s})\.?(?:{n})){any_suffix}",
        rf"(?P<initial>(?:{initials})(?:\.[a-z])?\.?(?:{long_s})|(?:{long_s})(?:\.(?:{initials})|"
        rf"(?!s(?:\.|$))(?:{initials}))"
        rf"|(?:{titles})\.?(?:(?:{initials})\.?)?(?:{s})){any_suffix}",
        rf"(?P<forename_initial>(?:{long_f})\.?(?:{heads})){suffix}",
    )
    return re.compile(rf"{prefix}(?:{'|'.join(kinds)})")


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name as folded variants: the forenames (with middle names and the
    parts of a double-barrelled name), their short forms, and the surnames."""

    forenames: tuple[str, ...]
    shorts: tuple[str, ...]
    surnames: tuple[str, ...]

    @classmethod
    def of(cls, forename: str, surname: str, short_forms: ShortFormsOf | None = None) -> PersonName:
        """The variants of a name; cached, as the same staff send most of the mail."""
        return _person_name(forename, surname, short_forms)

    @classmethod
    def _build(cls, forename: str, surname: str, short_forms: ShortFormsOf | None) -> PersonName:
        forenames = tuple(f for f in _name_variants(forename) if len(f) > 1)
        initial_only = tuple(f for f in _name_variants(forename) if len(f) == 1)
        related = {s for f in forenames for s in (short_forms(f) if short_forms else ())}
        shorts = tuple(sorted(related - set(forenames)))
        surnames = [s for s in _name_variants(surname) if len(s) >= 2 and s not in PARTICLES]
        parts = surnames[1:]
        if len(parts) == 2:  # "Okafor-Hughes" is written "hughesokafor" too
            surnames.append(parts[1] + parts[0])
        return cls(forenames or initial_only, shorts, tuple(surnames))

    def either_way(self, other: PersonName) -> PersonName:
        """Both readings of a name whose order is unclear ("Wang Li" <li.wang@>)."""
        return PersonName(
            tuple(dict.fromkeys(self.forenames + other.forenames)),
            tuple(dict.fromkeys(self.shorts + other.shorts)),
            tuple(dict.fromkeys(self.surnames + other.surnames)),
        )

    @property
    def usable(self) -> bool:
        return bool(self.forenames and self.surnames)

    def match_local_part(self, local: str) -> NameMatch | None:
        """How a mailbox's local part names the person, if it does."""
        return _match_local_part(self, local)

    def _match(self, local: str) -> NameMatch | None:
        mailbox = mailbox_words(local)
        if not mailbox or not self.usable:
            return None
        found = _pattern(self.forenames, self.shorts, self.surnames).fullmatch(mailbox)
        if found is None:
            return None
        for kind in NameMatch:
            core = found.group(kind.value)
            if core is None:
                continue
            partial = kind in (NameMatch.INITIAL, NameMatch.FORENAME_INITIAL)
            if partial and len(core.replace(".", "")) < MIN_PARTIAL_LETTERS:
                return None
            return kind
        return None

    def _given_names(self) -> set[str]:
        return {*self.forenames, *self.shorts}

    def display_is_someone_else(self, display: str) -> bool:
        """True when a recipient's display name names another person ("Mark Smith" for
        Jane Smith); False when it is empty, hers (a short form too), or "me"/"home"."""
        words = [w for w in display_words(display) if w not in TITLES and w not in SELF_WORDS]
        if not words:
            return False
        surname_initials = {s[0] for s in self.surnames}
        if len(words) >= 2 and not any(
            w in self.surnames or (len(w) == 1 and w in surname_initials) for w in words
        ):
            return True  # a full name with another surname ("Sarah Owen" for Sarah Okafor)
        given = [w for w in words if w not in self.surnames]
        if not given:
            return False
        names = self._given_names()
        initials = {f[0] for f in names}
        return not any(w in names or (len(w) == 1 and w in initials) for w in given)

    def display_is_self(self, display: str) -> bool:
        """True when a recipient's display name is the person's own name, in full or with
        a short form, with nothing else but titles and words like "home" ("Jane Smith
        (personal)", "Smith, Beth")."""
        words = [w for w in display_words(display) if w not in TITLES and w not in SELF_WORDS]
        if len(words) < 2 or not self.usable:
            return False
        names = self._given_names()
        has_surname = any(w in self.surnames for w in words)
        rest = [w for w in words if w not in self.surnames]
        return has_surname and bool(rest) and all(w in names for w in rest)


@lru_cache(maxsize=1024)
def _person_name(forename: str, surname: str, short_forms: ShortFormsOf | None) -> PersonName:
    return PersonName._build(forename, surname, short_forms)


@lru_cache(maxsize=8192)
def _match_local_part(name: PersonName, local: str) -> NameMatch | None:
    return name._match(local)


def match_local_part(
    local: str, forename: str, surname: str, short_forms: ShortFormsOf | None = None
) -> NameMatch | None:
    """How a mailbox's local part names the person, if it does."""
    return PersonName.of(forename, surname, short_forms).match_local_part(local)


def display_name_is_someone_else(
    display: str, forename: str, surname: str, short_forms: ShortFormsOf | None = None
) -> bool:
    """True when a recipient's display name names another person ("Mark Smith" for
    Jane Smith); False when it is empty, hers, or words like "me" / "personal"."""
    return PersonName.of(forename, surname, short_forms).display_is_someone_else(display)
