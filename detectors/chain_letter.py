"""The chain_letter detector: luck and prayer chains, hoaxes, money pyramids, mass forwards.

Every AUP forbids forwarding chain letters, but ordinary school mail is full of their
single phrases ("please forward to your class parents", "good luck", "Fwd: Fwd:"). So
the detector scores several independent signals (phrase groups in
data/chain_letter_signals.toml, plus structural signs of mass forwarding) and reports a
message only when at least two different signals appear close together and their
combined score reaches the threshold. Text that talks *about* chain letters (an e-safety
newsletter) is damped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import Field

from detectors.base import Detector, DetectorSettings
from detectors.mass_forwarding import MassForwarding, mass_forwarding
from detectors.signal_patterns import Hit, SignalMatcher, load_signal_file
from models import Directory, Finding, Message, School, TextBlock

FINDING_TYPE = "CHAIN_LETTER"
SIGNAL_FILE = "chain_letter_signals.toml"
STRUCTURE = "mass_forwarding"
GENERIC_KIND = "mass_forward"
"""The kind reported only when no signal points to a more specific kind of letter."""
STRUCTURE_WEIGHTS = (0.0, 0.2, 0.3, 0.4)
"""Weight of the structural signal by how many of its three signs are present."""
MAX_HITS_PER_TEXT = 500
"""Enough for any chain letter; bounds the work on a hostile text full of phrases."""
REPEAT_BONUS = 0.35
MAX_REPEAT_EXPONENT = 1.7
"""A signal said again in other words counts a little more (insistence is typical of
chain letters), with diminishing returns; the same words repeated (the text and HTML
versions of a body) count once."""


class ChainLetterSettings(DetectorSettings):
    threshold: float = Field(default=0.65, ge=0.0, le=1.0)
    """Combined score at which a message is reported."""
    min_signals: int = Field(default=2, ge=2)
    """Different signals that must be present (never fewer than two)."""
    window_chars: int = Field(default=3000, ge=200)
    """Signals must fall within this many characters of each other (the subject and the
    structural signs count everywhere), so a long newsletter's unrelated phrases do
    not add up."""
    max_chars_per_text: int = Field(default=100_000, ge=1000)
    max_chars_per_message: int = Field(default=1_000_000, ge=1000)
    min_forward_prefixes: int = Field(default=2, ge=2)
    min_forwarded_blocks: int = Field(default=2, ge=2)
    min_copied_addresses: int = Field(default=12, ge=3)


@dataclass(frozen=True, slots=True)
class _SignalInfo:
    name: str
    kind: str
    weight: float
    label: str


@dataclass(frozen=True, slots=True)
class _Located:
    hit: Hit
    location: str


@dataclass
class _Unit:
    """Text that is scored together: the message (subject, body, forwarded messages) or
    one attached document."""

    everywhere: list[_Located] = field(default_factory=list)
    """Hits that count in every window (the subject's)."""
    blocks: list[tuple[str, list[Hit]]] = field(default_factory=list)
    structure: MassForwarding = field(default_factory=MassForwarding)


@dataclass(frozen=True, slots=True)
class _Score:
    value: float
    strengths: dict[str, float]
    counts: dict[str, int]
    anchor: _Located | None


def _attached_message_paths(message: Message) -> set[str]:
    return {p.path for p in message.facts.parts if p.content_type == "message/rfc822"}


class ChainLetterDetector(Detector):
    name: ClassVar[str] = "chain_letter"
    finding_types: ClassVar[frozenset[str]] = frozenset({FINDING_TYPE})
    Settings: ClassVar[type[DetectorSettings]] = ChainLetterSettings

    def __init__(
        self, settings: DetectorSettings, directory: Directory, school: School | None = None
    ) -> None:
        super().__init__(settings, directory, school)
        assert isinstance(settings, ChainLetterSettings)
        self.config: ChainLetterSettings = settings
        vocab, signals = load_signal_file(SIGNAL_FILE)
        self.signals: dict[str, _SignalInfo] = {}
        self.damping: dict[str, float] = {}
        """Signals that damp the score (text about chain letters) and their factors."""
        for signal in signals:
            info = signal.info
            if "factor" in info:
                self.damping[signal.name] = float(info["factor"])
                continue
            self.signals[signal.name] = _SignalInfo(
                name=signal.name,
                kind=str(info["kind"]),
                weight=float(info["weight"]),
                label=str(info["label"]),
            )
        self.matcher = SignalMatcher(signals, vocab)

    # --- reading the message ----------------------------------------------------------

    def _units(self, message: Message) -> list[_Unit]:
        attached = _attached_message_paths(message)
        main = _Unit()
        documents: list[_Unit] = []
        budget = self.config.max_chars_per_message
        bodies: list[str] = []
        for block in message.texts:
            if budget <= 0:
                break
            text = block.text[: min(self.config.max_chars_per_text, budget)]
            budget -= len(text)
            prefix, _, path = block.location.partition(":")
            if block.location == "subject":
                main.everywhere.extend(_Located(h, "subject") for h in self._find(text))
            elif block.location == "body" or (prefix == "attachment" and path in attached):
                main.blocks.append((block.location, self._find(text)))
                bodies.append(text)
            elif prefix == "attachment":
                documents.append(self._document(block, text))
        main.structure = mass_forwarding(
            message.subject,
            bodies,
            min_prefixes=self.config.min_forward_prefixes,
            min_blocks=self.config.min_forwarded_blocks,
            min_addresses=self.config.min_copied_addresses,
        )
        return [main, *documents]

    def _find(self, text: str) -> list[Hit]:
        return self.matcher.find(text)[:MAX_HITS_PER_TEXT]

    def _document(self, block: TextBlock, text: str) -> _Unit:
        return _Unit(blocks=[(block.location, self._find(text))])

    # --- scoring ----------------------------------------------------------------------

    def _score(self, hits: Iterable[_Located], structure: MassForwarding, damping: float) -> _Score:
        phrases: dict[str, set[str]] = defaultdict(set)
        anchor: _Located | None = None
        for located in hits:
            info = self.signals.get(located.hit.signal)
            if info is None:
                continue
            phrases[info.name].add(located.hit.words)
            if anchor is None or info.weight > self.signals[anchor.hit.signal].weight:
                anchor = located
        strengths: dict[str, float] = {}
        for name, words in phrases.items():
            exponent = min(1 + REPEAT_BONUS * (len(words) - 1), MAX_REPEAT_EXPONENT)
            strengths[name] = 1 - (1 - self.signals[name].weight) ** exponent
        if structure.count:
            strengths[STRUCTURE] = STRUCTURE_WEIGHTS[structure.count]
        remaining = 1.0
        for strength in strengths.values():
            remaining *= 1 - strength
        value = (1 - remaining) * damping
        counts = {name: len(words) for name, words in phrases.items()}
        return _Score(round(value, 3), strengths, counts, anchor)

    def _windows(self, unit: _Unit) -> Iterable[list[_Located]]:
        """The hits of every window of `window_chars`, plus the hits that count anywhere."""
        yield list(unit.everywhere)
        width = self.config.window_chars
        for location, hits in unit.blocks:
            ordered = sorted(hits, key=lambda h: h.start)
            starts = [h.start for h in ordered]
            for i, first in enumerate(ordered):
                window = ordered[i : bisect_left(starts, first.start + width, lo=i)]
                yield unit.everywhere + [_Located(h, location) for h in window]

    def _best(self, unit: _Unit) -> _Score | None:
        found = {h.signal for _, hits in unit.blocks for h in hits}
        found |= {located.hit.signal for located in unit.everywhere}
        damping = min((f for name, f in self.damping.items() if name in found), default=1.0)
        best: _Score | None = None
        for window in self._windows(unit):
            score = self._score(window, unit.structure, damping)
            if len(score.strengths) >= self.config.min_signals and (
                best is None or score.value > best.value
            ):
                best = score
        return best

    # --- reporting --------------------------------------------------------------------

    def _finding(self, score: _Score, unit: _Unit) -> Finding:
        ranked = sorted(score.strengths, key=lambda n: -score.strengths[n])
        kinds = [self.signals[n].kind for n in ranked if n in self.signals]
        kind = next((k for k in kinds if k != GENERIC_KIND), GENERIC_KIND)
        labels = [
            self.signals[n].label if n in self.signals else unit.structure.labels[0] for n in ranked
        ]
        evidence = ", ".join(
            f"{name} x{score.counts[name]}" if score.counts.get(name, 1) > 1 else name
            for name in ranked
        )
        anchor = score.anchor
        return Finding(
            detector=self.name,
            type=FINDING_TYPE,
            location=anchor.location if anchor else "subject",
            score=score.value,
            evidence=evidence,
            explanation=(
                f"This looks like a chain letter ({' and '.join(labels[:2])}); the school's "
                "rules do not allow chain letters to be sent on, so please delete it instead."
            ),
            kind=kind,
            span=(anchor.hit.start, anchor.hit.end) if anchor else None,
        )

    def detect(self, message: Message) -> list[Finding]:
        findings = []
        for unit in self._units(message):
            score = self._best(unit)
            if score is not None and score.value >= self.config.threshold:
                findings.append(self._finding(score, unit))
        return findings
