"""A full name found in a text block, and how sure the match is.

Scores say how plainly the words are a pupil's name, not how bad it is to send it
(rules decide that): a capitalised "Amelia Jones" is plainer than a lower-case
"amelia jones", and "Will Brown" at the start of a sentence could be a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors.names.roster_index import NameKey

FULL_NAME = 0.95
"""Forename then surname, written as a name ("Amelia Jones", "AMELIA JONES")."""
SURNAME_FIRST = 0.9
"""Register style: "Jones, Amelia" or "JONES Amelia"."""
LIST_LINE = 0.85
"""Surname first without a comma, as each line of a list of such lines ("Rahman Aisha")."""
TABLE_ROW = 0.9
"""A forename in one cell of a table row and the pupil's surname in another."""
LOWER_CASE = 0.8
"""Written in lower case ("amelia jones"): still the name, less plainly."""
COMMON_WORD = 0.75
"""A name that is also a word ("Grace Brown"), written as a name in name position."""
COMMON_WORD_AT_SENTENCE_START = 0.6
"""As above, but the capital of the first word may only mark the start of a sentence."""

FORMS = {
    FULL_NAME: "written as a name, forename then surname",
    LOWER_CASE: "written in lower case",
    COMMON_WORD: "a name that is also an ordinary word, in a name's place",
    COMMON_WORD_AT_SENTENCE_START: "a name that is also an ordinary word, at a sentence's start",
}
"""How a match was written, for the finding's basis, by the score that form gets (the
forms with a score of their own; the others name themselves where they are found)."""
SURNAME_FIRST_FORM = "surname first, as a register writes it"
LIST_LINE_FORM = "surname first, as every line of the list is"
TABLE_ROW_FORM = "forename and surname in two cells of one table row"


@dataclass(frozen=True, slots=True)
class NameHit:
    key: NameKey
    span: tuple[int, int] | None
    """Character offsets in the block's text (None when a table's cells cannot be placed)."""
    text: str
    """The words as written, for redacted evidence and the suggested initials."""
    score: float
    row: int | None = None
    form: str = ""
    """How it was written (FORMS), for the finding's basis."""


def without_overlaps(hits: list[NameHit]) -> list[NameHit]:
    """Where matches overlap ("Amelia Rose Jones" is also "Rose Jones"), keep the longest."""
    placed = sorted(
        (h for h in hits if h.span is not None),
        key=lambda h: (h.span[0], -h.span[1], -h.score) if h.span else (0, 0, 0.0),
    )
    kept: list[NameHit] = []
    for hit in placed:
        assert hit.span is not None
        last = kept[-1].span if kept else None
        if last is not None and hit.span[0] < last[1]:
            if hit.span[1] - hit.span[0] > last[1] - last[0]:
                kept[-1] = hit
            continue
        kept.append(hit)
    return kept + [h for h in hits if h.span is None]
