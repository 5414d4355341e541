"""Redaction: what may be logged or shown about personal data.

Detectors use it for a Finding's evidence and the gateway for journalled subjects, so
the same data is always masked the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "****"


def redact_words(text: str) -> str:
    """Keep each word's first character and hide its length: "Amelia Jones" -> "A**** J****"."""
    return " ".join(word[:1] + MASK for word in text.split())


def redact_digits(text: str, keep: int = 2) -> str:
    """Identifiers: keep the last `keep` characters, "9434765919" -> "********19"."""
    shown = text[-keep:] if keep else ""
    return "*" * max(len(text) - keep, 0) + shown


def redact_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace the given character ranges of `text` with their redacted form."""
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        start = max(start, cursor)
        if start >= end or start >= len(text):
            continue
        pieces.append(text[cursor:start])
        pieces.append(redact_words(text[start:end]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
