"""Names as the mailbox matcher compares them: folded to lower-case ASCII letters, the
words of a display name, the runs of a mailbox's local part."""

from __future__ import annotations

import re

from detectors.names.folding import fold

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "rev"})
NOT_A_NAME = re.compile(r"\(.*?\)|\[.*?\]|<.*?>|\s[|/\u2013\u2014-]\s.*|\|.*|\S*/\S*")
"""Bracketed notes, pronouns and anything after " - " or "|" in a display name ("Jane
Smith (Year 4) | Westbrook", "Jane Smith she/her")."""
PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "del", "della", "dos",
     "das", "bin", "bint", "al", "el", "ben", "ap", "ter", "ten", "ni", "nic", "mac", "st"}
)  # fmt: skip
"""Words that belong to the surname after them ("van der Berg", "Al Hassan") and are no
surname on their own."""


def letters(text: str) -> str:
    """Lower-case ASCII letters only: accents dropped, digits and separators removed."""
    return "".join(ch for ch in fold(text) if "a" <= ch <= "z")


def name_words(text: str) -> list[str]:
    """The words of a display name, forename first ("Smith, Jane" -> jane, smith)."""
    if "," in text:
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    words = [letters(w) for w in re.split(r"[\s.\-_'()\"]+", text)]
    return [w for w in words if w]


def mailbox_words(local: str) -> str:
    """A local part as folded letters with "." between runs ("Jane_Smith82+x" -> jane.smith)."""
    base = fold(local.split("+", 1)[0])
    return ".".join(w for w in re.split(r"[^a-z]+", base) if w)


def display_words(display: str) -> list[str]:
    """Folded whole words of a display name, notes dropped ("O'Connor, Sam (home)" ->
    oconnor, sam)."""
    text = NOT_A_NAME.sub(" ", display)
    return [w for w in (letters(token) for token in re.split(r"[\s,.;_\"]+", text)) if w]
