"""Where in a long text each identifier pattern needs searching.

A pass of a regular expression over a 1 MB document costs tens of milliseconds, and
there are a dozen patterns. Every identifier and phone number contains a cluster of
digits, so one pass finds the clusters and each pattern then searches only short windows
around clusters with enough digits for it. Patterns that need a label ("sort code",
"passport", "ULN") search only around their labels, found as literals in lower-cased
text, which the regex engine does at C speed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Window = tuple[int, int]

_CLUSTER = re.compile(r"[0-9](?:[ \-]?[0-9]){5,}")
"""Six or more digits, single spaces or hyphens allowed between them (a NINO's six
digits are the shortest run any identifier has)."""

MARGIN = 16
"""Characters either side of a cluster that a pattern may need ("+44 (0)", "AB ")."""


@dataclass(frozen=True, slots=True)
class DigitCluster:
    """A run of digits, and the window around it (to whole words) that patterns search."""

    lo: int
    hi: int
    digits: int


def digit_clusters(text: str) -> list[DigitCluster]:
    clusters: list[DigitCluster] = []
    for m in _CLUSTER.finditer(text):
        start, end = m.span()
        run = m.group()  # digits, and single spaces or hyphens between them
        digits = len(run) - run.count(" ") - run.count("-")
        clusters.append(
            DigitCluster(_word_start(text, start - MARGIN), _word_end(text, end + MARGIN), digits)
        )
    return clusters


def around_clusters(clusters: Iterable[DigitCluster], min_digits: int) -> list[Window]:
    """Windows around the clusters with at least `min_digits` digits."""
    return _merge((c.lo, c.hi) for c in clusters if c.digits >= min_digits)


def around_labels(
    text: str,
    lower: str,
    label: re.Pattern[str],
    before: int,
    after: int,
    starts: tuple[str, ...] = (),
) -> list[Window]:
    """Windows from `before` characters before to `after` after each label in `lower`
    (`starts`: the literals every match of `label` begins with, see `literal_finditer`)."""
    return _merge(
        (_word_start(text, m.start() - before), _word_end(text, m.end() + after))
        for m in literal_finditer(label, lower, starts)
    )


def literal_finditer(
    pattern: re.Pattern[str], text: str, starts: tuple[str, ...]
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, for a pattern every match of which begins with one of the
    literals `starts`, tried only where they are (with no `starts`, everywhere).

    The regex engine skips ahead fast only to a pattern's fixed first characters: one
    that begins with \\b, a look-behind or an optional part is tried at every character,
    one of several words at every character any of them begins with (a third of a
    millisecond per 10 KB for one such label). `str.find` finds the literals at C speed,
    mail seldom holds them, and a match tried at each in turn (its look-behinds still see
    the text before it) is the one `finditer` would have found there.
    """
    if not starts:
        yield from pattern.finditer(text)
        return
    positions: list[int] = []
    for literal in starts:
        at = text.find(literal)
        while at >= 0:
            positions.append(at)
            at = text.find(literal, at + 1)
    end = 0
    for at in sorted(set(positions)):
        if at < end:
            continue  # inside the last match: finditer goes on from its end
        m = pattern.match(text, at)
        if m is not None:
            yield m
            end = m.end()


def _merge(spans: Iterable[Window]) -> list[Window]:
    """Sorted windows, overlapping ones merged."""
    windows: list[Window] = []
    for lo, hi in sorted(spans):
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


_LONGEST_WORD = 64
"""A window's edge moves at most this far to reach a space (long base64 runs have none)."""
_BREAK = re.compile(r"[\s\u241f]")
"""A space or a table-cell separator: where a window may end without cutting a token.

A pattern's look-ahead sees a window's end as the end of the text: cutting a number in
half there could make half of it look like a whole identifier."""
_LAST_BREAK = re.compile(r".*[ \n\t\r\u241f]", re.DOTALL)
"""Up to and including the last space, line break, tab or cell separator (`_word_start`
stops after one of those only: a window's start cuts nothing a look-behind needs)."""


def _word_start(text: str, position: int) -> int:
    position = max(0, position)
    lo = max(0, position - _LONGEST_WORD)
    found = _LAST_BREAK.match(text, lo, position)
    return found.end() if found else lo


def _word_end(text: str, position: int) -> int:
    position = min(len(text), position)
    found = _BREAK.search(text, position, position + _LONGEST_WORD)
    return found.start() if found else min(len(text), position + _LONGEST_WORD)
