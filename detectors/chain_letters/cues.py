"""Cue phrases of chain letters (data/chain_letter_cues.toml) matched on token lists.

A pure-Python replacement for spaCy's Matcher: every pattern starts with a fixed word
(or a number), so only tokens that begin some pattern are tried, and the cost is one
dictionary look-up per token (the caller caches it per distinct word).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from itertools import compress
from typing import Any

CUE_FILE = "chain_letter_cues.toml"
_PUNCTUATION_ONLY = frozenset("#%$£€+&")


class PatternError(ValueError):
    """A cue pattern cannot be compiled; the message names it."""


@dataclass(frozen=True, slots=True)
class Slot:
    words: frozenset[str]
    num: bool = False
    optional: bool = False
    gap: int = 0
    """Greater than 0 for "~N": up to N tokens of anything."""


@dataclass(frozen=True, slots=True)
class Family:
    """One group of cue phrases: a single feature of the model."""

    name: str
    kind: str
    """The kind of chain letter it points to; "" for a supporting sign."""
    group: str
    """Families of one group count once for min_signals; "" never counts."""
    label: str
    weak: bool = False
    """Single words or common phrases: evidence, but never the kind of a letter when a
    stronger family points to one."""


@dataclass(frozen=True, slots=True)
class Pattern:
    family: int
    rest: tuple[Slot, ...]
    """The slots after the first word, which the index already matched."""
    need: frozenset[str]
    reach: int
    """One of `need` must be among the next `reach` tokens (0: no such test), so most
    patterns that cannot match are let go without trying them."""
    bit: int
    """1 << family: the families already found at one start token are a bit set."""


_NOTHING: frozenset[str] = frozenset()
_BITS: dict[int, int] = {}


def _pattern(family: int, rest: tuple[Slot, ...]) -> Pattern:
    def plain(slot: Slot) -> bool:
        return not (slot.gap or slot.optional or slot.num)

    need, reach = _NOTHING, 0
    if rest and plain(rest[0]):
        need, reach = rest[0].words, 1
    elif len(rest) > 1 and rest[0].gap and plain(rest[1]):
        need, reach = rest[1].words, rest[0].gap + 1
    return Pattern(family, rest, need, reach, _BITS.setdefault(family, 1 << family))


@dataclass(frozen=True, slots=True)
class Hit:
    family: int
    start: int
    end: int
    """Token offsets [start, end) in the token list."""
    words: str
    """The matched words (tells a repeat from a different phrase of one family)."""


NUM_WORDS = frozenset(
    {
        *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
        *("eleven", "twelve", "fifteen", "twenty", "fifty", "hundred"),
    }
)


def is_number(token: str) -> bool:
    return token[0].isdigit()


def _slot(item: str, vocab: dict[str, list[str]], where: str) -> Slot | None:
    if item.startswith("~"):
        if not item[1:].isdigit() or int(item[1:]) < 1:
            raise PatternError(f"{where}: bad gap {item!r}")
        return Slot(frozenset(), gap=int(item[1:]))
    optional = item.endswith("?") and len(item) > 1
    words: set[str] = set()
    num = False
    for word in (item[:-1] if optional else item).split("|"):
        if word == "NUM":
            num = True
        elif word.startswith("@"):
            if word[1:] not in vocab:
                raise PatternError(f"{where}: unknown vocab {word!r}")
            words.update(vocab[word[1:]])
        elif word and word not in _PUNCTUATION_ONLY:
            words.add(word.lower())
    if not words and not num:
        return None
    return Slot(frozenset(words), num=num, optional=optional)


def _compile(text: str, vocab: dict[str, list[str]], where: str) -> list[Slot]:
    slots = [s for s in (_slot(i, vocab, where) for i in text.split()) if s is not None]
    if not slots or slots[0].gap or slots[0].optional:
        raise PatternError(f"{where}: a pattern must start with a word: {text!r}")
    if slots[-1].gap:
        raise PatternError(f"{where}: a pattern cannot end with a gap: {text!r}")
    return slots


@dataclass(slots=True)
class Starts:
    """The patterns that start with one word: those whose second slot is a gap or
    optional (tried at every occurrence), those with a fixed second word (looked up by
    the next token), and those whose second slot is a number."""

    single: list[Pattern] = field(default_factory=list)
    by_second: dict[str, list[Pattern]] = field(default_factory=dict)
    numbered: list[Pattern] = field(default_factory=list)
    tried: bool = False
    """Whether some pattern is tried at every occurrence (single or numbered)."""


class CueSet:
    """The compiled families and one index of patterns by their first word, so a
    common first word ("all", "if") costs one look-up of the word that follows it."""

    def __init__(self, data: dict[str, Any]) -> None:
        vocab: dict[str, list[str]] = {k: [w.lower() for w in v] for k, v in data["vocab"].items()}
        self.families: list[Family] = []
        self.starts: dict[str, Starts] = {}
        """Every word a pattern starts with (numbers never do: they are too common)."""
        for number, (name, info) in enumerate(data["families"].items()):
            family = Family(
                name, info["kind"], info["group"], info["label"], info.get("weak", False)
            )
            self.families.append(family)
            for text in info["patterns"]:
                slots = _compile(text, vocab, f"{CUE_FILE} [{name}]")
                if slots[0].num:
                    raise PatternError(f"{CUE_FILE} [{name}]: start with a word, not NUM: {text!r}")
                for variant in _without_optional_second(slots):
                    self._add(number, variant)
        for starts in self.starts.values():
            starts.tried = bool(starts.single or starts.numbered)

    def _add(self, family: int, slots: list[Slot]) -> None:
        first, *rest = slots
        second = rest[0] if rest and not rest[0].gap else None
        for key in first.words:
            starts = self.starts.setdefault(key, Starts())
            if second is None:
                starts.single.append(_pattern(family, tuple(rest)))
                continue
            pattern = _pattern(family, tuple(rest[1:]))
            if second.num:
                starts.numbered.append(pattern)
            for key2 in second.words:
                starts.by_second.setdefault(key2, []).append(pattern)

    def find_hits(self, tokens: list[str], max_hits: int) -> list[Hit]:
        """Every cue hit in `tokens`: one per family and start token. One C-level pass
        finds the tokens that start some pattern; of those, most ("a", "it", "is") are
        let go after one look-up of the next token."""
        starts = list(map(self.starts.get, tokens))
        following = tokens[1:]
        following.append("")
        hits: list[Hit] = []
        for i in compress(range(len(tokens)), starts):
            entry = starts[i]
            assert entry is not None
            after = following[i]
            found = entry.by_second.get(after)
            if found is None and not entry.tried:
                continue
            groups = [(entry.single, i + 1)] if entry.single else []
            if found:
                groups.append((found, i + 2))
            if entry.numbered and after and (is_number(after) or after in NUM_WORDS):
                groups.append((entry.numbered, i + 2))
            done = 0
            for patterns, begin in groups:
                for pattern in patterns:
                    if done & pattern.bit or (
                        pattern.reach
                        and pattern.need.isdisjoint(tokens[begin : begin + pattern.reach])
                    ):
                        continue
                    end = _match(tokens, begin, pattern.rest, 0) if pattern.rest else begin
                    if end >= 0:
                        done |= pattern.bit
                        hits.append(Hit(pattern.family, i, end, " ".join(tokens[i:end])))
                        if len(hits) >= max_hits:
                            return hits
        return hits


def _without_optional_second(slots: list[Slot]) -> list[list[Slot]]:
    """The pattern with an optional second slot spelled out as two patterns (with it,
    and without it), so every pattern with a fixed second word is found by word pair."""
    if len(slots) < 2 or not slots[1].optional:
        return [slots]
    kept = Slot(slots[1].words, num=slots[1].num)
    return [[slots[0], kept, *slots[2:]], *_without_optional_second([slots[0], *slots[2:]])]


def load_cues() -> CueSet:
    text = resources.files("detectors.data").joinpath(CUE_FILE).read_text("utf-8")
    return CueSet(tomllib.loads(text))


def _fits(slot: Slot, token: str) -> bool:
    return token in slot.words or (slot.num and (is_number(token) or token in NUM_WORDS))


def _match(tokens: list[str], i: int, slots: tuple[Slot, ...], k: int) -> int:
    """The end of a match of slots[k:] at tokens[i:], or -1 (a plain word slot moves on
    without recursion; a gap before one jumps to the tokens that fit it)."""
    n = len(tokens)
    while k < len(slots):
        slot = slots[k]
        if slot.gap:
            after = slots[k + 1]
            if after.gap or after.optional or after.num:
                for j in range(i, min(i + slot.gap, n) + 1):
                    end = _match(tokens, j, slots, k + 1)
                    if end >= 0:
                        return end
                return -1
            words = after.words
            for j in range(i, min(i + slot.gap + 1, n)):
                if tokens[j] in words:
                    end = _match(tokens, j + 1, slots, k + 2)
                    if end >= 0:
                        return end
            return -1
        if i < n and _fits(slot, tokens[i]):
            if not slot.optional:
                i += 1
                k += 1
                continue
            end = _match(tokens, i + 1, slots, k + 1)
            if end >= 0:
                return end
        elif not slot.optional:
            return -1
        k += 1
    return i
