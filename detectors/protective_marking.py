"""Protective markings: OFFICIAL-SENSITIVE, CONFIDENTIAL, "not for onward transmission".

Markings are what local authorities, the police and health partners put on documents
that must not travel unprotected. "Confidential" is also the favourite word of e-mail
disclaimers ("This e-mail is confidential and intended solely for..."), so the word
counts only as a marking: in capitals, or as "Private and Confidential" and friends, and
never inside a disclaimer sentence or a line of shouted capitals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from detectors.search_windows import literal_finditer
from detectors.textmatch import Match, lowered
from models import Basis

PROTECTIVE_MARKING = "PROTECTIVE_MARKING"

_MARKINGS: tuple[tuple[str, re.Pattern[str], bool, float, tuple[str, ...]], ...] = (
    # (kind, pattern, searched in lower-cased text?, score, the literals every match
    # begins with when the pattern has no single one); the earlier wins an overlap
    ("official-sensitive", re.compile(r"official[\s\-–—:]*sensitive(?![a-z])"), True, 0.9, ()),
    (
        "confidential",
        re.compile(r"(?:private\s+(?:and|&)\s+|strictly\s+|highly\s+)confidential(?![a-z])"),
        True,
        0.7,
        ("private", "strictly", "highly"),
    ),
    ("confidential", re.compile(r"CONFIDENTIAL(?![A-Za-z])"), False, 0.7, ()),
    (
        "handling",
        re.compile(
            r"not\s+(?:for\s+(?:onward\s+)?(?:transmission|distribution|circulation|forwarding)"
            r"|to\s+be\s+(?:forwarded|shared|circulated))(?![a-z])"
        ),
        True,
        0.8,
        (),
    ),
)
_DISCLAIMER = re.compile(
    r"(?i)\b(?:intended|recipient|addressee|received\s+this|in\s+error|privileged|"
    r"disclaimer|unauthori[sz]ed|prohibited)\b"
)
_NOT_MARKED = re.compile(r"(?i)\bnot\s+protectively\s+marked\b")
_SENTENCE_REACH = 300
"""How far either side of a marking its sentence is read."""
_SHOUTED_WORDS = 6
"""A line with this many other words in capitals is shouting, not marking."""


def find_markings(text: str) -> Iterator[Match]:
    """Every protective marking in `text`, one per place it appears."""
    lower = lowered(text)
    taken: list[tuple[int, int]] = []
    for kind, pattern, in_lower, score, starts in _MARKINGS:
        searched = lower if in_lower else text
        for m in literal_finditer(pattern, searched, starts):
            if m.start() and searched[m.start() - 1].isalnum():
                continue  # inside a longer word
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue  # "PRIVATE AND CONFIDENTIAL" is one marking, not two
            if _is_disclaimer(text, m):
                continue
            taken.append((m.start(), m.end()))
            raw = text[m.start() : m.end()]
            yield Match(
                type=PROTECTIVE_MARKING,
                start=m.start(),
                end=m.end(),
                evidence=" ".join(raw.split()).upper(),
                score=score,
                kind=kind,
                basis=Basis(f"a {kind or 'protective'} marking where a marking is written", score),
            )


def _is_disclaimer(text: str, m: re.Match[str]) -> bool:
    """A sentence about who the e-mail is intended for, or a line of shouted capitals."""
    lo = max(0, m.start() - _SENTENCE_REACH)
    hi = min(len(text), m.end() + _SENTENCE_REACH)
    sentence_start = max(text.rfind(".", lo, m.start()), text.rfind("\n\n", lo, m.start()), lo)
    sentence_end = text.find(".", m.end(), hi)
    sentence = text[sentence_start : sentence_end if sentence_end >= 0 else hi]
    if _DISCLAIMER.search(sentence) or _NOT_MARKED.search(sentence):
        return True
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    capitals = re.findall(r"\b[A-Z]{2,}\b", line)
    return len(capitals) - len(text[m.start() : m.end()].split()) >= _SHOUTED_WORDS
