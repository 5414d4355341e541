"""The trained chain-letter model (data/chain_letter_model.json) and its fast scorer.

The weights are plain JSON (no pickle, no numpy): an intercept, one weight per dense
feature by name, and the token-feature weights by feature name. The scorer gives
exactly the probability that `features.vector` and a dot product would, but sums each
word's token-feature weights once per distinct word (cached), and only over the
windows that may get scored, so a 10 KB message costs a few passes over its words
(`bound` decides, for most mail, that no window can reach the threshold).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from itertools import repeat
from typing import Any

from detectors.chain_letters.cues import CueSet, Hit
from detectors.chain_letters.features import (
    MAX_NGRAM_TOKEN,
    TOKEN_SCALE,
    dense_names,
    dense_values,
    evidence_kinds,
    token_class,
    windows,
)
from detectors.chain_letters.tokens import prepare, tokens
from detectors.mass_forwarding import MassForwarding

MODEL_FILE = "chain_letter_model.json"
FORMAT = 2
CACHE_LIMIT = 66_000
"""Distinct words remembered per worker (about 13 MB at most): the model's own
vocabulary (about 16,000 words, weighed when the scorer is built) and up to 50,000 more
words seen in mail, which are forgotten when the cache is full."""
MAX_LOGIT = 30.0
"""Keeps every probability below 1.0, so threshold 1.0 means "never report"."""
WORDING_MIN = 1.0
WORDING_MIN_TOKENS = 25
"""Chain-like wording counts as evidence from this n-gram logit, in texts of at least
this many words (chosen on the dev split; one sentence never qualifies)."""
NO_STRUCTURE = MassForwarding()
_GRAM_SLICES = [
    (*(slice(j, j + 3) for j in range(size - 2)), *(slice(j, j + 4) for j in range(size - 3)))
    for size in range(MAX_NGRAM_TOKEN + 3)
]
"""By padded length: the slices of its 3-grams, then of its 4-grams (`features.ngrams`)."""
_ZEROS = repeat(0.0)
MAX_HITS_PER_TEXT = 500
"""Enough for any chain letter; bounds the work on a hostile text full of phrases."""


@dataclass(frozen=True, slots=True)
class Weights:
    intercept: float
    dense: list[float]
    """By position in `features.dense_names`."""
    tokens: dict[str, float]
    """Token-feature weights by feature name (`features.token_features`)."""
    fingerprint: str
    """Of the training inputs, so a test can tell a stale model."""


def weights_from_json(data: dict[str, Any], cues: CueSet) -> Weights:
    if data.get("format") != FORMAT:
        raise ValueError(f"{MODEL_FILE}: unsupported format; retrain the model")
    named = data["dense"]
    missing = [n for n in dense_names(cues) if n not in named]
    if missing:
        raise ValueError(f"{MODEL_FILE} has no weight for {missing}; retrain the model")
    return Weights(
        intercept=float(data["intercept"]),
        dense=[float(named[n]) for n in dense_names(cues)],
        tokens={str(name): float(w) for name, w in data["tokens"].items()},
        fingerprint=str(data.get("fingerprint", "")),
    )


def load_weights(cues: CueSet) -> Weights:
    text = resources.files("detectors.data").joinpath(MODEL_FILE).read_text("utf-8")
    return weights_from_json(json.loads(text), cues)


@dataclass(frozen=True, slots=True)
class Block:
    """One text read once: its tokens and cue hits."""

    tokens: list[str]
    hits: list[Hit]


@dataclass(frozen=True, slots=True)
class WindowScore:
    probability: float
    block: int
    """Index of the body block (-1: the subject alone)."""
    start: int
    end: int
    hits: tuple[Hit, ...]
    """The cue hits of the subject and the window, subject first."""
    contributions: dict[int, float]
    """Weight times value of each dense feature present, by dense position."""


def hits_in(hits: list[Hit], start: int, end: int) -> list[Hit]:
    """The hits that start inside a token range (the window's)."""
    return [h for h in hits if start <= h.start < end]


class Scorer:
    def __init__(self, weights: Weights, cues: CueSet) -> None:
        self.weights = weights
        self.cues = cues
        by_kind: dict[str, dict[str, float]] = {"w ": {}, "c ": {}, "": {}}
        for name, weight in weights.tokens.items():
            prefix = name[:2] if name[:2] in ("w ", "c ") else ""
            by_kind[prefix][name[len(prefix) :]] = weight
        self._words, self._ngrams, self._classes = by_kind["w "], by_kind["c "], by_kind[""]
        # The words the model has a weight for are weighed once, here: they are a
        # quarter of the words a worker has not seen yet in a message, and the worker
        # would otherwise weigh them again whenever its cache is emptied.
        self._vocabulary = {word: self._weight(word) for word in self._words}
        self._cache: dict[str, float] = dict(self._vocabulary)
        self.empty = self.block("")

    def _weight(self, token: str) -> float:
        """The summed weight of one token's features (`features.token_features`: the word,
        its 3- and 4-grams of `features.ngrams`, its class), added in that order; the
        n-grams are sliced and looked up by C-level maps."""
        total = self._words.get(token, 0.0)
        if len(token) <= MAX_NGRAM_TOKEN:
            padded = f"<{token}>"
            grams = map(padded.__getitem__, _GRAM_SLICES[len(padded)])
            total = sum(map(self._ngrams.get, grams, _ZEROS), total)
        kind = token_class(token)
        if kind:
            total += self._classes.get(kind, 0.0)
        return total

    def block(self, text: str) -> Block:
        words = tokens(prepare(text))
        return Block(words, self.cues.find_hits(words, MAX_HITS_PER_TEXT))

    def token_sum(self, block: Block, start: int, end: int) -> float:
        """The summed token-feature weight of tokens [start, end): only the windows
        that may get scored are weighed (most ordinary mail has few), and each distinct
        word once per worker (cached)."""
        words = block.tokens[start:end]
        cache = self._cache
        try:
            return sum(map(cache.__getitem__, words))
        except KeyError:
            pass  # some word is new: weigh the new ones
        new = set(words).difference(cache)
        if new:
            if len(cache) + len(new) > CACHE_LIMIT:
                cache.clear()
                cache.update(self._vocabulary)
                new = set(words).difference(cache)
            weight = self._weight
            cache.update((word, weight(word)) for word in new)
        return sum(map(cache.__getitem__, words))

    def window_sum(self, subject: Block, body: Block | None, start: int, end: int) -> float:
        """The summed token-feature weight of the subject plus body tokens [start, end)."""
        total = self.token_sum(subject, 0, len(subject.tokens))
        if body is not None:
            total += self.token_sum(body, start, end)
        return total

    def logit(
        self,
        subject: Block,
        body: Block | None,
        start: int,
        end: int,
        structure: MassForwarding,
        token_sum: float | None = None,
    ) -> tuple[float, list[Hit], dict[int, float]]:
        """The model's logit for the subject plus body tokens [start, end), their hits
        and the dense contributions (`token_sum`: their `window_sum`, if known)."""
        hits = list(subject.hits)
        n_tokens = len(subject.tokens)
        if body is not None:
            hits += hits_in(body.hits, start, end)
            n_tokens += end - start
        if token_sum is None:
            token_sum = self.window_sum(subject, body, start, end)
        dense = self.weights.dense
        contributions = {
            i: dense[i] * v for i, v in dense_values(self.cues, hits, structure, n_tokens).items()
        }
        logit = (
            self.weights.intercept
            + TOKEN_SCALE * token_sum / math.sqrt(max(n_tokens, 1))
            + sum(contributions.values())
        )
        return logit, hits, contributions

    def score(
        self,
        subject: Block,
        body: Block | None,
        start: int,
        end: int,
        structure: MassForwarding,
        token_sum: float | None = None,
    ) -> tuple[float, list[Hit], dict[int, float]]:
        """The model's probability for the subject plus body tokens [start, end)."""
        logit, hits, contributions = self.logit(subject, body, start, end, structure, token_sum)
        return probability(logit), hits, contributions

    @staticmethod
    def reads_as_chain(n_tokens: int, token_sum: float, margin: float = 0.0) -> bool:
        """Whether a whole text (never a lone phrase: WORDING_MIN_TOKENS) of `n_tokens`
        with this `window_sum` has wording the model finds chain-like on its own: the
        n-gram part of its logit reaches WORDING_MIN (less `margin`). It then counts as
        one more kind of evidence, next to at least one cue phrase (never next to
        forwarding structure alone)."""
        return (
            n_tokens >= WORDING_MIN_TOKENS
            and TOKEN_SCALE * token_sum / math.sqrt(n_tokens) + margin >= WORDING_MIN
        )

    def window_families(
        self, subject: Block, bodies: list[Block], window_tokens: int
    ) -> Iterator[tuple[int, int, int, Block | None, list[int]]]:
        """Each window (body index, token range, body) and the cue families in it."""
        ranges = [
            (b, s, e)
            for b, body in enumerate(bodies)
            for s, e in windows(len(body.tokens), window_tokens)
        ]
        for b, start, end in ranges or [(-1, 0, 0)]:
            body = bodies[b] if b >= 0 else None
            hits_here = subject.hits + (hits_in(body.hits, start, end) if body else [])
            yield b, start, end, body, sorted({h.family for h in hits_here})

    def best(
        self,
        subject: Block,
        bodies: list[Block],
        structure: MassForwarding,
        *,
        window_tokens: int,
        min_kinds: int,
    ) -> WindowScore | None:
        """The most chain-letter-like window with at least `min_kinds` kinds of evidence
        (chain-like wording of a whole text counting as one)."""
        best: WindowScore | None = None
        for b, start, end, body, families in self.window_families(subject, bodies, window_tokens):
            kinds = evidence_kinds(self.cues, families, structure)
            total = None
            if kinds < min_kinds:
                n_tokens = len(subject.tokens) + (end - start if body is not None else 0)
                if (
                    kinds + 1 != min_kinds
                    or n_tokens < WORDING_MIN_TOKENS
                    or evidence_kinds(self.cues, families, NO_STRUCTURE) < 1
                ):
                    continue
                total = self.window_sum(subject, body, start, end)
                if not self.reads_as_chain(n_tokens, total):
                    continue
            p, hits, contributions = self.score(subject, body, start, end, structure, total)
            if best is None or p > best.probability:
                best = WindowScore(p, b, start, end, tuple(hits), contributions)
        return best


def probability(logit: float) -> float:
    return 1 / (1 + math.exp(-max(min(logit, MAX_LOGIT), -MAX_LOGIT)))
