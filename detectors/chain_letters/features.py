"""The features of the chain-letter model, computed identically for training and scanning.

A window of text (the subject plus up to `size` body tokens) becomes a sparse vector:

* hashed token features: each word, its character 3- and 4-grams (language-independent:
  they carry Polish endings and Bengali stems alike), a class feature for numbers,
  emoji and "!" runs; every occurrence adds TOKEN_SCALE/sqrt(tokens), so long and
  short texts are comparable (phrases are the cue families' job);
* one feature per cue family (data/chain_letter_cues.toml): 1 + ln(distinct phrases)/2;
* how many kinds of evidence are present, the structural signs of mass forwarding, and
  the window's length.

Token features depend on the word alone, so the scorer caches their weighted sum per
word; `vector` (used by training and the tests) spells them out one by one.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator, Sequence

from detectors.chain_letters.cues import CueSet, Hit, is_number
from detectors.mass_forwarding import MassForwarding

HASH_BITS = 18
HASH_SIZE = 1 << HASH_BITS
_MASK = HASH_SIZE - 1
MAX_NGRAM_TOKEN = 20
"""Longer tokens (URLs, base64) get a word feature but no character n-grams."""
STRUCTURE = ("forward_prefixes", "nested_forwards", "copied_recipients")
TOKEN_SCALE = 0.7
"""Token features count this much per occurrence (times 1/sqrt(tokens)): with the same
regularisation, a smaller scale makes the model lean on cue families and use words and
character n-grams as a correction, so mail unlike the training mail is judged by its
phrases."""


def hashed(key: str) -> int:
    """A stable bucket for a feature name (crc32, the same in every process)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & _MASK


def token_features(token: str) -> list[int]:
    """The hashed features of one token (with repeats, which count twice)."""
    keys = [hashed("w " + token)]
    if is_number(token):
        keys.append(hashed("#number"))
    elif token[0] == "!":
        keys.append(hashed("#exclaim"))
    elif len(token) == 1 and (0x2600 <= ord(token) <= 0x27BF or ord(token) >= 0x1F000):
        keys.append(hashed("#emoji"))
    if len(token) <= MAX_NGRAM_TOKEN:
        padded = f"<{token}>"
        for n in (3, 4):
            keys.extend(hashed("c " + padded[j : j + n]) for j in range(len(padded) - n + 1))
    return keys


def dense_names(cues: CueSet) -> list[str]:
    return [
        *(f"cue:{f.name}" for f in cues.families),
        "evidence_kinds",
        *(f"structure:{s}" for s in STRUCTURE),
        "length",
    ]


def windows(count: int, size: int) -> Iterator[tuple[int, int]]:
    """Token ranges of `size` overlapping by half, covering all `count` tokens."""
    if count <= size:
        yield 0, count
        return
    step = max(1, size // 2)
    start = 0
    while True:
        end = min(start + size, count)
        yield start, end
        if end == count:
            return
        start += step


def evidence_kinds(cues: CueSet, families: Sequence[int], structure: MassForwarding) -> int:
    """How many different kinds of evidence (cue groups, plus forwarding structure)."""
    groups = {cues.families[f].group for f in families} - {""}
    return len(groups) + (1 if structure.count else 0)


def dense_values(
    cues: CueSet, hits: Sequence[Hit], structure: MassForwarding, n_tokens: int
) -> dict[int, float]:
    """The non-zero dense features, by position in `dense_names`."""
    phrases: dict[int, set[str]] = {}
    for hit in hits:
        phrases.setdefault(hit.family, set()).add(hit.words)
    values = {f: 1 + 0.5 * math.log(len(words)) for f, words in phrases.items()}
    base = len(cues.families)
    kinds = evidence_kinds(cues, list(phrases), structure)
    if kinds:
        values[base] = kinds / 3
    signs = (
        structure.repeated_forward_prefix,
        structure.nested_forwards,
        structure.copied_recipients,
    )
    for i, present in enumerate(signs):
        if present:
            values[base + 1 + i] = 1.0
    values[base + 4] = math.log1p(n_tokens) / 5
    return values


def vector(
    cues: CueSet,
    subject: Sequence[str],
    body: Sequence[str],
    hits: Sequence[Hit],
    structure: MassForwarding,
) -> dict[int, float]:
    """The full sparse vector of one window (subject tokens plus a body token range, and
    the cue hits inside them); dense features follow the HASH_SIZE hashed ones."""
    n_tokens = len(subject) + len(body)
    scale = TOKEN_SCALE / math.sqrt(max(n_tokens, 1))
    out: dict[int, float] = {}
    for part in (subject, body):
        for token in part:
            for key in token_features(token):
                out[key] = out.get(key, 0.0) + scale
    for index, value in dense_values(cues, hits, structure, n_tokens).items():
        out[HASH_SIZE + index] = value
    return out
