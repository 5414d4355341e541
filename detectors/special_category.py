"""Special category data (health, SEND, safeguarding, free school meals, exclusions,
ethnicity, religion...): a vocabulary of phrases and a fast matcher for it.

The vocabulary is a plain text file in detectors/data/ (format described at its top) that
a school extends or trims in config. Matching works on words, not characters, so spacing,
line breaks, hyphens and case do not matter ("Child-in-Need" matches "child in need").
spaCy's tokenizer and PhraseMatcher would do the same job, but take about 9 ms to
tokenize a 10 KB message; every outgoing message is scanned, so the matcher here uses
the regex engine's literal search instead (see PhraseMatcher).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from detectors.textmatch import CELL_SEPARATOR, Match, lowered

SPECIAL_CATEGORY = "SPECIAL_CATEGORY"
VOCABULARY_FILE = "special_category.txt"

_WORD = re.compile(r"[A-Za-z0-9]+")
"""Words as the matcher sees them; "child-in-need" is three."""
_MAX_GAP = 3
"""Most characters between two words of a phrase ("child - in - need")."""
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

_PERSONAL_CUE = re.compile(
    r"(?i)\b(?:he|she|his|her|him|hers|himself|herself|diagnosed|suffers|suffering"
    r"|(?:your|my|our|their)\s+(?:child|son|daughter)|living\s+with|lives\s+with)\b"
)
_HAS_BEFORE = re.compile(r"(?i)\b(?:has|had)\b(?:\s+\w+){0,3}\s*$")
"""'has' only counts just before the phrase ("has asthma"), not "religion has a side"."""
_CUE_WINDOW = 50
_FORM_LABEL = re.compile(r"\s*[:=]\s*\w")
"""A phrase used as a form label: "Ethnicity: White British"."""


class VocabularyError(ValueError):
    """A vocabulary entry cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """One vocabulary entry, split into the words it matches."""

    kind: str
    text: str
    """As written, without its prefixes: what the finding's evidence shows."""
    words: tuple[str, ...]
    exact_case: bool = False
    needs_person: bool = False


def parse_phrase(kind: str, entry: str) -> Phrase:
    """ "~=SEND support" -> Phrase("send", "SEND support", ..., exact_case, needs_person)."""
    if not _KIND.match(kind):
        raise VocabularyError(
            f"special category kind {kind!r} must be lower-case letters, digits and '-'"
        )
    text = entry.strip()
    flags = ""
    while text[:1] in ("=", "~"):
        flags += text[0]
        text = text[1:].strip()
    words = tuple(_WORD.findall(text))
    if not words:
        raise VocabularyError(f"special category phrase {entry!r} has no letters or digits")
    exact = "=" in flags
    return Phrase(
        kind=kind,
        text=text,
        words=words if exact else tuple(w.lower() for w in words),
        exact_case=exact,
        needs_person="~" in flags,
    )


def default_vocabulary() -> dict[str, list[str]]:
    """The shipped vocabulary file as {kind: [entries]} (read once per detector build)."""
    text = resources.files("detectors").joinpath("data", VOCABULARY_FILE).read_text("utf-8")
    return parse_vocabulary(text)


def parse_vocabulary(text: str) -> dict[str, list[str]]:
    vocabulary: dict[str, list[str]] = {}
    kind: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1].strip()
            vocabulary.setdefault(kind, [])
            continue
        if kind is None:
            raise VocabularyError(f"line {number}: phrase {line!r} comes before any [kind]")
        vocabulary[kind].append(line)
    return vocabulary


class PhraseMatcher:
    """Finds vocabulary phrases in text, the longest that applies at each place.

    Phrases are grouped by their first word, and each group is one regular expression
    that starts with that word as a literal, which the regex engine finds at C speed. A
    message is first reduced to the set of its words, so only groups whose first word
    occurs in it are searched at all.
    """

    def __init__(self, vocabulary: Mapping[str, list[str]], ignored: frozenset[str]) -> None:
        ignored_words = {tuple(_WORD.findall(i.lower())) for i in ignored}
        by_first: dict[tuple[str, bool], dict[tuple[str, ...], Phrase]] = {}
        for kind, entries in vocabulary.items():
            for entry in entries:
                phrase = parse_phrase(kind, entry)
                if tuple(w.lower() for w in phrase.words) in ignored_words:
                    continue
                group = by_first.setdefault((phrase.words[0], phrase.exact_case), {})
                group.setdefault(phrase.words, phrase)
        self._groups: dict[str, list[_Group]] = {}
        for (first, exact), phrases in by_first.items():
            self._groups.setdefault(first.lower(), []).append(_Group(phrases, exact))

    def find(self, text: str) -> list[Match]:
        lower = lowered(text)
        present = self._groups.keys() & set(_WORD.findall(lower))
        found = [
            match
            for first in present
            for group in self._groups[first]
            for match in group.find(text, text if group.exact_case else lower)
        ]
        return _longest_first(found)


class _Group:
    """The phrases sharing one first word, as one regular expression (a word trie)."""

    def __init__(self, phrases: dict[tuple[str, ...], Phrase], exact_case: bool) -> None:
        self.phrases = phrases
        self.exact_case = exact_case
        self._alnum = "A-Za-z0-9" if exact_case else "a-z0-9"
        trie: dict[str, Any] = {}
        for words in phrases:
            node = trie
            for word in words:
                node = node.setdefault(word, {})
            node[_END] = {}
        self.pattern = re.compile(self._branches(trie, first=True))

    def _branches(self, node: dict[str, Any], *, first: bool) -> str:
        words = sorted((w for w in node if w != _END), key=len, reverse=True)
        if not words:
            return ""
        boundary = f"(?![{self._alnum}])"
        alternatives = "|".join(
            re.escape(w) + boundary + self._branches(node[w], first=False) for w in words
        )
        if first:
            return f"(?:{alternatives})"
        gap = f"[^{self._alnum}{CELL_SEPARATOR}]{{1,{_MAX_GAP}}}"
        continuation = f"{gap}(?:{alternatives})"
        return f"(?:{continuation})?" if _END in node else continuation

    def find(self, text: str, searched: str) -> Iterator[Match]:
        """Matches in `text`; `searched` is the same text, lower-cased unless exact case."""
        for m in self.pattern.finditer(searched):
            start = m.start()
            if start and searched[start - 1].isascii() and searched[start - 1].isalnum():
                continue  # inside a longer word
            words = tuple(_WORD.findall(m.group()))
            phrase = self._applicable(text, start, m.group(), words)
            if phrase is not None:
                end = start + _prefix_length(m.group(), len(phrase.words))
                yield Match(
                    type=SPECIAL_CATEGORY,
                    start=start,
                    end=end,
                    evidence=phrase.text,
                    score=0.85,
                    kind=phrase.kind,
                )

    def _applicable(
        self, text: str, start: int, matched: str, words: tuple[str, ...]
    ) -> Phrase | None:
        """The longest phrase within the match that applies here ("~" ones need a person)."""
        for length in range(len(words), 0, -1):
            phrase = self.phrases.get(words[:length])
            if phrase is None:
                continue
            end = start + _prefix_length(matched, length)
            if not phrase.needs_person or _about_someone(text, start, end):
                return phrase
        return None


_END = ""
"""Marks the end of a phrase in a word trie."""


def _prefix_length(matched: str, words: int) -> int:
    """Characters of `matched` up to the end of its first `words` words."""
    return [m.end() for m in _WORD.finditer(matched)][words - 1]


def _longest_first(matches: list[Match]) -> list[Match]:
    """Overlapping phrases ("looked after child looked after"): the longer one wins."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and match.start < kept[-1].end:
            if match.end - match.start > kept[-1].end - kept[-1].start:
                kept[-1] = match
            continue
        kept.append(match)
    return kept


def _about_someone(text: str, start: int, end: int) -> bool:
    """A personal cue near the phrase, or the phrase used as a form label."""
    if _FORM_LABEL.match(text, end):
        return True
    before = text[max(0, start - _CUE_WINDOW) : start]
    after = text[end : end + _CUE_WINDOW]
    return (
        _PERSONAL_CUE.search(before) is not None
        or _PERSONAL_CUE.search(after) is not None
        or _HAS_BEFORE.search(before) is not None
    )
