"""A learned candidate generator for special category data: sentences no phrase matches.

The phrase vocabulary misses most disclosures worded in ways nobody listed ("she's been
self-medicating", "the paediatrician thinks it's dyspraxia"). A logistic regression over
a sentence's words, word stems (their first letters) and word pairs, trained by
scripts/train_special_category_model.py on the labelled sets in
training/special_category/ and ordinary mail, scores sentences; one that scores high is
a candidate, which detectors/special_category.py then judges like a topic phrase (about
one person, not a lesson or a newsletter).

The weights are plain JSON (no pickle, no numpy, no sklearn at run time). Only
sentences holding a "trigger" word (a category word the training script chose: a
vocabulary word or stem the model weighs, rare in ordinary mail, or a strongly weighed
word of disclosures) are scored at all, at most MAX_SCORED a text, and each distinct
word's weight is summed once per worker (cached), so ordinary mail costs a set
intersection and a few sentences.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

MODEL_FILE = "special_category_model.json"
FORMAT = 1
STEM = 5
"""Letters of a word's stem feature: "diagnosed", "diagnosis" share "diagn"."""
MAX_SENTENCE_WORDS = 50
"""Words of a sentence that are scored (a paragraph with no full stop is cut)."""
MAX_SCORED = 8
"""Trigger places weighed per text at most (strongest triggers first): bounds the work
on long mail (16 cost a tenth more CPU on ordinary mail and changed no measured figure)."""
CACHE_LIMIT = 50_000
"""Distinct words remembered per worker; cleared when full."""

_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """A lower-cased sentence as the model reads it."""
    return _WORD.findall(text.lower())[:MAX_SENTENCE_WORDS]


def features(words: list[str]) -> set[str]:
    """The sentence's features (present or not: a sentence is short): each word, each
    long word's stem, each pair of neighbouring words."""
    found = {f"w {w}" for w in words}
    found.update(f"s {w[:STEM]}" for w in words if len(w) > STEM)
    found.update(f"b {a} {b}" for a, b in pairwise(words))
    return found


class SentenceModel:
    """Scores sentences; `candidates` yields the high-scoring ones of a text."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"{MODEL_FILE}: unsupported format; retrain the model")
        self.intercept = float(data["intercept"])
        self.threshold = float(data["threshold"])
        weights: dict[str, float] = {str(k): float(v) for k, v in data["weights"].items()}
        self._words = {k[2:]: v for k, v in weights.items() if k.startswith("w ")}
        self._stems = {k[2:]: v for k, v in weights.items() if k.startswith("s ")}
        self._pairs = {k[2:]: v for k, v in weights.items() if k.startswith("b ")}
        self.kinds: dict[str, str] = {str(k): str(v) for k, v in data["triggers"].items()}
        """Trigger words (and stems, "s diagn") with the kind of finding they start."""
        self._trigger_words = frozenset(k for k in self.kinds if not k.startswith("s "))
        self._trigger_stems = frozenset(k[2:] for k in self.kinds if k.startswith("s "))
        self.fingerprint = str(data.get("fingerprint", ""))
        self._cache: dict[str, float] = {}
        self._checked: set[str] = set()
        """Words already checked against the trigger stems (per worker)..."""
        self._stemmed: set[str] = set()
        """...and those of them that have one."""

    def word_weight(self, word: str) -> float:
        """The word's own weight and its stem's (cached per worker)."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._words.get(word, 0.0)
            if len(word) > STEM:
                cached += self._stems.get(word[:STEM], 0.0)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def logit(self, words: list[str]) -> float:
        """The same sum as a dot product with `features(words)` would give."""
        distinct = set(words)
        cache = self._cache
        missing = distinct.difference(cache)
        if len(cache) + len(missing) > CACHE_LIMIT:
            cache.clear()
            missing = distinct
        for word in missing:
            self.word_weight(word)
        total = self.intercept + sum(map(cache.__getitem__, distinct))
        get = self._pairs.get
        return total + sum(get(pair, 0.0) for pair in set(map(" ".join, pairwise(words))))

    def probability(self, words: list[str]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.logit(words)))))

    def triggers(self, words: set[str]) -> list[str]:
        """The text's trigger words (topic words, rare in ordinary mail), strongest first.
        Each new word is checked against the trigger stems once per worker."""
        new = words.difference(self._checked)
        if new:
            if len(self._checked) + len(new) > CACHE_LIMIT:
                self._checked.clear()
                self._stemmed.clear()
            stems = self._trigger_stems
            self._stemmed.update(w for w in new if len(w) > STEM and w[:STEM] in stems)
            self._checked.update(new)
        found = words & self._trigger_words | words & self._stemmed
        if not found:
            return []
        return sorted(found, key=self.word_weight, reverse=True)

    def kind_of(self, word: str) -> str:
        return self.kinds.get(word) or self.kinds[f"s {word[:STEM]}"]


def occurrences(lower: str, word: str) -> Iterator[int]:
    """Where `word` occurs in `lower` as a whole word."""
    at = lower.find(word)
    size = len(word)
    while at >= 0:
        before = lower[at - 1] if at else " "
        after = lower[at + size] if at + size < len(lower) else " "
        if not (before.isalnum() or after.isalnum()):
            yield at
        at = lower.find(word, at + size)


@lru_cache(maxsize=1)
def default_model() -> SentenceModel:
    """The shipped weights, read once per worker."""
    text = resources.files("detectors.data").joinpath(MODEL_FILE).read_text("utf-8")
    return SentenceModel(json.loads(text))
