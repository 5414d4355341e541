"""The features of the chain-letter model, computed identically for training and scanning.

A window of text (the subject plus up to `size` body tokens) becomes a sparse vector:

* token features, by name: each word ("w " + word), its character 3- and 4-grams
  ("c " + n-gram; language-independent: they carry Polish endings and Bengali stems
  alike), a class feature for numbers, emoji and "!" runs; every occurrence adds
  TOKEN_SCALE/sqrt(tokens), so long and short texts are comparable (phrases are the
  cue families' job). Names, not hashes: a feature never seen in training weighs
  nothing, and the scanner looks a word's n-grams up without hashing them again;
* one feature per cue family (data/chain_letter_cues.toml): 1 + ln(distinct phrases)/2;
* how many kinds of evidence are present, the structural signs of mass forwarding, and
  the window's length.

Token features depend on the word alone, so the scorer caches their weighted sum per
word; `vector` (used by training and the tests) spells them out one by one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from detectors.chain_letters.cues import CueSet, Hit, is_number
from detectors.mass_forwarding import MassForwarding

MAX_NGRAM_TOKEN = 20
"""Longer tokens (URLs, base64) get a word feature but no character n-grams."""
STRUCTURE = ("forward_prefixes", "nested_forwards", "copied_recipients")
TOKEN_SCALE = 0.5
"""Token features count this much per occurrence (times 1/sqrt(tokens)): with the same
regularisation, a smaller scale makes the model lean on cue families and use words and
character n-grams as a correction, so mail unlike the training mail is judged by its
phrases. 0.5 (with C 8) was chosen on the dev split: at 0.7 the many ordinary fundraising
and money messages of the round-3 data outweighed a long pyramid letter's cues."""


NUMBER, EXCLAIM, EMOJI = "#number", "#exclaim", "#emoji"


def token_class(token: str) -> str:
    """The class feature of a token ("" for a plain word)."""
    if is_number(token):
        return NUMBER
    if token[0] == "!":
        return EXCLAIM
    if len(token) == 1 and (0x2600 <= ord(token) <= 0x27BF or ord(token) >= 0x1F000):
        return EMOJI
    return ""


def ngrams(token: str) -> list[str]:
    """The character 3- and 4-grams of a token padded with < and > (none for a token
    longer than MAX_NGRAM_TOKEN)."""
    if len(token) > MAX_NGRAM_TOKEN:
        return []
    padded = f"<{token}>"
    return [padded[j : j + n] for n in (3, 4) for j in range(len(padded) - n + 1)]


def token_features(token: str) -> list[str]:
    """The feature names of one token (with repeats, which count twice)."""
    names = ["w " + token]
    kind = token_class(token)
    if kind:
        names.append(kind)
    names.extend("c " + gram for gram in ngrams(token))
    return names


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
) -> dict[str, float]:
    """The full sparse vector of one window (subject tokens plus a body token range, and
    the cue hits inside them), by feature name: token features and `dense_names`."""
    n_tokens = len(subject) + len(body)
    scale = TOKEN_SCALE / math.sqrt(max(n_tokens, 1))
    out: dict[str, float] = {}
    for part in (subject, body):
        for token in part:
            for name in token_features(token):
                out[name] = out.get(name, 0.0) + scale
    names = dense_names(cues)
    for index, value in dense_values(cues, hits, structure, n_tokens).items():
        out[names[index]] = value
    return out
