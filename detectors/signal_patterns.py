"""Named groups of token patterns ("signals") matched with spaCy's Matcher.

Patterns are written in a small, readable syntax in a TOML file under detectors/data,
so the phrase lists can be reviewed and extended without touching code:

    forward|send ~3 to all|every @friends      one pattern, space-separated tokens
    a|b|c          one token: any of these words (matched lower-cased)
    word?          an optional token (also `a|b?`)
    ~N             up to N tokens of anything
    NUM            a number token ("10", "ten", "1.00")
    @name          any word of the [vocab] list `name`

Words with an apostrophe also match the typographic one (n't / n’t). Text is matched on
its words only: line breaks and runs of spaces do not break a phrase, and hyphenated
words ("e-mail", "multi-level") are single words, as they are in the patterns.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc


MAX_WORD_CHARS = 64
_LONG_RUN = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")


class PatternError(ValueError):
    """A pattern in a signal file cannot be compiled; the message names it."""


@dataclass(frozen=True, slots=True)
class Signal:
    """One named group of patterns with the facts the caller scores it by."""

    name: str
    patterns: tuple[str, ...]
    info: Mapping[str, Any]
    """The signal's other keys from the file (weight, kind, label...)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A match of one signal: character offsets into the matched text and its words."""

    signal: str
    start: int
    end: int
    words: str
    """The matched words, lower-cased and single-spaced (to tell repeats apart)."""


def _alternatives(word: str) -> list[str]:
    out = [word]
    if "'" in word:
        out.append(word.replace("'", "\u2019"))
    return out


def compile_token(token: str, vocab: Mapping[str, list[str]]) -> dict[str, Any]:
    """One token of the pattern syntax -> one spaCy Matcher token spec."""
    if token.startswith("~"):
        count = token[1:]
        if not count.isdigit() or not 0 < int(count) <= 20:
            raise PatternError(f"{token!r}: a gap is ~1 to ~20")
        return {"OP": f"{{0,{count}}}"}
    optional = token.endswith("?") and len(token) > 1
    body = token[:-1] if optional else token
    spec: dict[str, Any]
    if body == "NUM":
        spec = {"LIKE_NUM": True}
    else:
        words: list[str] = []
        for part in body.split("|"):
            if part.startswith("@"):
                if part[1:] not in vocab:
                    raise PatternError(f"{token!r}: no vocab list named {part[1:]!r}")
                words.extend(vocab[part[1:]])
            elif part:
                words.append(part)
            else:
                raise PatternError(f"{token!r}: empty alternative")
        lowered = sorted({alt.lower() for word in words for alt in _alternatives(word)})
        spec = {"LOWER": lowered[0]} if len(lowered) == 1 else {"LOWER": {"IN": lowered}}
    if optional:
        spec["OP"] = "?"
    return spec


def compile_pattern(pattern: str, vocab: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    tokens = pattern.split()
    if not tokens:
        raise PatternError("empty pattern")
    specs = [compile_token(token, vocab) for token in tokens]
    if set(specs[0]) == {"OP"} or set(specs[-1]) == {"OP"}:
        raise PatternError(f"{pattern!r}: a pattern cannot start or end with a gap")
    return specs


def load_signal_file(name: str) -> tuple[dict[str, list[str]], list[Signal]]:
    """Read detectors/data/<name>: its [vocab] lists and [signals.*] tables."""
    text = (resources.files("detectors") / "data" / name).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    vocab = {key: [str(w) for w in words] for key, words in data.get("vocab", {}).items()}
    signals = []
    for signal_name, table in data.get("signals", {}).items():
        info = {k: v for k, v in table.items() if k != "patterns"}
        signals.append(Signal(signal_name, tuple(table.get("patterns", ())), info))
    return vocab, signals


def required_words(specs: list[dict[str, Any]]) -> tuple[frozenset[str], ...]:
    """For each word the pattern cannot do without, the set of its alternatives: a text
    lacking any one of these sets cannot match."""
    required = []
    for spec in specs:
        if "OP" in spec or "LOWER" not in spec:
            continue
        value = spec["LOWER"]
        required.append(frozenset(value["IN"] if isinstance(value, dict) else [value]))
    return tuple(required)


def pattern_reach(specs: list[dict[str, Any]]) -> int:
    """The most words a match of the pattern can span."""
    reach = 0
    for spec in specs:
        op = str(spec.get("OP", ""))
        reach += int(op.strip("{}").split(",")[-1]) if op.startswith("{") else 1
    return reach


@dataclass(frozen=True, slots=True)
class _Compiled:
    signal: str
    required: tuple[frozenset[str], ...]
    reach: int
    matcher: Matcher

    def windows(self, positions: dict[str, list[int]], length: int) -> list[tuple[int, int]]:
        """Word ranges that can hold a match: `reach` words around each occurrence of the
        pattern's rarest required word in this text; none when a required word is absent."""
        if not self.required:
            return [(0, length)]
        occurrences = [
            sorted(i for word in alternatives for i in positions.get(word, ()))
            for alternatives in self.required
        ]
        if not all(occurrences):
            return []
        anchor = min(occurrences, key=len)
        windows: list[tuple[int, int]] = []
        for i in anchor:
            first, last = max(0, i - self.reach), min(length, i + self.reach + 1)
            if windows and first <= windows[-1][1]:
                windows[-1] = (windows[-1][0], last)
            else:
                windows.append((first, last))
        return windows


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Of overlapping matches of one signal, only the longest counts."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


class SignalMatcher:
    """Finds every signal's patterns in a text. Build once; `find` is cheap.

    spaCy's Matcher tries every pattern at every word, so one Matcher per pattern is
    kept and run only where it can match: near its rarest required word, and not at all
    when a required word is missing. Ordinary mail, which lacks most patterns' words,
    costs little more than the tokenizer.
    """

    def __init__(self, signals: list[Signal], vocab: Mapping[str, list[str]]) -> None:
        import spacy
        from spacy.matcher import Matcher

        self._nlp: Language = spacy.blank("en")
        self._patterns: list[_Compiled] = []
        for signal in signals:
            for pattern in signal.patterns:
                try:
                    specs = compile_pattern(pattern, vocab)
                except PatternError as exc:
                    raise PatternError(f"signal {signal.name!r}: {exc}") from None
                matcher = Matcher(self._nlp.vocab)
                matcher.add(signal.name, [specs], greedy="LONGEST")
                self._patterns.append(
                    _Compiled(signal.name, required_words(specs), pattern_reach(specs), matcher)
                )

    def _words(self, text: str) -> tuple[list[str], list[int], list[int]]:
        """The text's words (no whitespace tokens, hyphenated words joined) with offsets.

        Runs of more than MAX_WORD_CHARS non-space characters are blanked to one opaque
        word of the same length first: spaCy's tokenizer takes quadratic time over a long
        run of punctuation (16,000 ">" take 18 s), and no pattern word is that long."""
        safe = _LONG_RUN.sub(lambda m: "x" * len(m.group()), text)
        words: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        # Token offsets as one array: creating a Python Token per word costs more than
        # the tokenizer itself.
        offsets = self._nlp.make_doc(safe).to_array(["IDX", "LENGTH", "IS_SPACE"]).tolist()
        for start, length, is_space in offsets:
            if is_space:
                continue
            end = start + length
            word = text[start:end]
            if words and ends[-1] == start and (word == "-" or words[-1].endswith("-")):
                words[-1] += word
                ends[-1] = end
                continue
            words.append(word)
            starts.append(start)
            ends.append(end)
        return words, starts, ends

    def find(self, text: str) -> list[Hit]:
        """Every match, in text order; overlapping matches of one signal count once."""
        from spacy.tokens import Doc

        words, starts, ends = self._words(text)
        lowered = [w.lower() for w in words]
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(lowered):
            positions.setdefault(word, []).append(i)
        doc: Doc | None = None
        by_signal: dict[str, list[Hit]] = {}
        for pattern in self._patterns:
            for offset, stop in pattern.windows(positions, len(words)):
                if doc is None:
                    doc = Doc(self._nlp.vocab, words=words)
                for _, first, last in pattern.matcher(doc[offset:stop], as_spans=False):
                    first, last = first + offset, last + offset
                    by_signal.setdefault(pattern.signal, []).append(
                        Hit(
                            signal=pattern.signal,
                            start=starts[first],
                            end=ends[last - 1],
                            words=" ".join(lowered[first:last]),
                        )
                    )
        hits = [hit for found in by_signal.values() for hit in _longest_first(found)]
        return sorted(hits, key=lambda h: h.start)
