"""Does a mailbox name belong to a given person? "janesmith82", "j.smith", "smithj" are
Jane Smith's; "mark.smith1975" is not, although it holds her surname (a parent with
the same surname is ordinary school business)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "rev"})
SELF_WORDS = frozenset({"me", "myself", "personal", "home", "private", "own"})


class NameMatch(StrEnum):
    FULL = "full"
    """The forename and surname are both spelt out ("jane.smith", "smithjane")."""
    INITIAL = "initial"
    """An initial and the surname ("jsmith", "smithj", "mrssmith")."""


def letters(text: str) -> str:
    """Lower-case ASCII letters only: accents dropped, digits and separators removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def name_words(text: str) -> list[str]:
    """The words of a display name, forename first ("Smith, Jane" -> jane, smith)."""
    if "," in text:
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    words = [letters(w) for w in re.split(r"[\s.\-_'()\"]+", text)]
    return [w for w in words if w]


def _name_variants(name: str) -> list[str]:
    """ "Smith-Jones" -> smithjones, smith, jones; "Mary Ann" -> maryann, mary, ann."""
    parts = [p for p in name_words(name) if p not in TITLES]
    joined = "".join(parts)
    return list(dict.fromkeys([joined, *parts])) if joined else []


def match_local_part(local: str, forename: str, surname: str) -> NameMatch | None:
    """How a mailbox's local part names the person, if it does."""
    mailbox = letters(local.split("+", 1)[0])
    forenames = _name_variants(forename)
    surnames = [s for s in _name_variants(surname) if len(s) >= 2]
    if not mailbox or not forenames or not surnames:
        return None
    for s in surnames:
        for f in forenames:
            if re.fullmatch(rf"{f}[a-z]?{s}|{s}{f}", mailbox):
                return NameMatch.FULL
        initials = {f[0] for f in forenames}
        for i in initials:
            if mailbox in (i + s, s + i):
                return NameMatch.INITIAL
        titles = "|".join(sorted(TITLES))
        if re.fullmatch(rf"(?:{titles})(?:[{''.join(initials)}])?{s}", mailbox):
            return NameMatch.INITIAL
    return None


def display_name_is_someone_else(display: str, forename: str, surname: str) -> bool:
    """True when a recipient's display name names another person ("Mark Smith" for
    Jane Smith); False when it is empty, hers, or words like "me" / "personal"."""
    words = [w for w in name_words(display) if w not in TITLES]
    if not words or set(words) <= SELF_WORDS:
        return False
    forenames = set(_name_variants(forename))
    initials = {f[0] for f in forenames}
    surnames = set(_name_variants(surname))
    given = [w for w in words if w not in surnames]
    if not given:
        return False
    return not any(w in forenames or (len(w) == 1 and w in initials) for w in given)
