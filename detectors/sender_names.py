"""Who a message is from, by name: the forename and surname in a From display name or
a school mailbox ("Mrs Jane Smith (Y4)", "SMITH Jane", "Jane" <jsmith@...>)."""

from __future__ import annotations

import re
from functools import lru_cache

from detectors.name_text import NOT_A_NAME, PARTICLES, TITLES, display_words, letters, mailbox_words


@lru_cache(maxsize=4096)
def display_name_parts(display: str, local: str = "") -> tuple[str, str] | None:
    """(forename, surname) from a From display name, without titles or notes:
    "Mrs Jane Smith (Y4)" -> (Jane, Smith); "Smith, Jane" and "SMITH Jane" -> (Jane,
    Smith); "Mary Ann Lee" -> (Mary Ann, Lee); "Office" -> None. With the school
    mailbox's `local` part, words after the surname it holds are dropped ("Jane Smith
    Westbrook Primary" <jsmith@> -> (Jane, Smith))."""
    text = NOT_A_NAME.sub(" ", display)
    if "," in text:
        before, _, after = text.partition(",")
        text = f"{after} {before}" if len(after.split()) == 1 else before
    # whole words, so "Price-Evans" and "O'Connor" stay one surname
    words = [w for w in re.split(r"[\s._\"]+", text) if letters(w) and letters(w) not in TITLES]
    if len(words) < 2:
        return None
    if len(words) == 2 and _is_shouted(words[0]) and not _is_shouted(words[1]):
        words.reverse()  # "OKAFOR Sarah": the surname in capitals comes first
    mailbox = letters(local)
    if len(words) >= 3 and mailbox and letters(words[-1]) not in mailbox:
        held = [i for i in range(1, len(words)) if len(letters(words[i])) > 1]
        held = [i for i in held if letters(words[i]) in mailbox]
        if held:
            words = words[: held[-1] + 1]
    if len(letters(words[-1])) < 2:
        return None
    start = len(words) - 1
    while start > 1 and letters(words[start - 1]) in PARTICLES:
        start -= 1  # "Pieter van der Berg": the surname is "van der Berg"
    return " ".join(words[:start]), " ".join(words[start:])


def _is_shouted(word: str) -> bool:
    return len(word) > 1 and word.isupper()


def mailbox_name_parts(local: str, display: str = "") -> tuple[str, str] | None:
    """(forename, surname) from a school mailbox, helped by a one-word display name:
    "jane.smith" -> (jane, smith); "jsmith" from "Jane" -> (jane, smith); "jsmith" from
    "Mrs Smith" -> (j, smith); "office" -> None."""
    words = mailbox_words(local).split(".")
    shown = [w for w in display_words(display) if w not in TITLES]
    if len(words) == 2 and len(words[1]) > 1:
        forename = shown[0] if len(shown) == 1 and shown[0][0] == words[0] else words[0]
        return forename, words[1]
    if len(words) != 1 or len(shown) != 1:
        return None
    [word], [given] = words, shown
    if len(word) > len(given) >= 2 and word.endswith(given):
        return word[: -len(given)], given  # "Mrs Smith" <jsmith@>
    if len(word) >= 3 and word[0] == given[0] and len(given) > 1 and given not in word:
        return given, word[1:]  # "Jane" <jsmith@>
    return None
