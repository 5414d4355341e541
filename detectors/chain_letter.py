"""The chain_letter detector: luck and prayer chains, warning and virus hoaxes, money
pyramids, gifting scams and mass forwards.

Every AUP forbids forwarding chain letters, but ordinary school mail is full of their
single phrases ("please forward to your class parents", "good luck", "Fwd: Fwd:"). A
phrase list cannot weigh those against each other across languages, so a linear model
trained on written examples (scripts/train_chain_letter_model.py) scores each window of
text from cue families, hashed word and character n-grams and forwarding structure.
Two guards stay whatever the model says: a message is reported only when at least
`min_signals` different kinds of evidence appear in one window, and only when the
model's probability reaches `threshold`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from detectors.base import Detector, DetectorSettings
from detectors.chain_letters.bound import may_reach, structure_bonus
from detectors.chain_letters.cues import CueSet, Family, load_cues
from detectors.chain_letters.model import Scorer, WindowScore, load_weights
from detectors.chain_letters.tokens import prepare, token_offsets
from detectors.chain_letters.units import Limits, Unit, forwarding_structure, read_units
from models import Basis, Directory, Finding, Message, School

FINDING_TYPE = "CHAIN_LETTER"
GENERIC_KIND = "mass_forward"
"""The kind reported when no cue points to a more specific kind of letter."""
MAX_EVIDENCE_SIGNS = 3
"""Signs named in the evidence: enough to explain, short enough for an SMTP reply."""
DEFAULT_EVIDENCE = "reads like a chain letter"
KIND_ORDER = (
    *("pyramid_list", "gifting_circle", "free_giveaway", "reward_for_forward"),
    *("virus_warning", "privacy_notice", "scare_warning", "prayer_chain", "moral_pressure"),
    *("luck_threat", "money_promise", "donation_words", "warning_words", "authority_words"),
    *("blessing_words", "kindness_words", "luck_words"),
)
"""Cue families in the order they decide the kind of a letter."""
CHARS_PER_TOKEN = 6
"""Turns `window_chars` into a window of tokens (English averages about six)."""


def plain_evidence(labels: list[str]) -> str:
    """The signs found, in words a sender can read in a refusal ("asks to be sent on to
    everyone you know; spreads a scare warning"): never the message's own words, which
    may be personal, nor the model's internal family names."""
    shown = [label.removeprefix("it ") for label in labels[:MAX_EVIDENCE_SIGNS]]
    return "; ".join(dict.fromkeys(shown)) or DEFAULT_EVIDENCE


class ChainLetterSettings(DetectorSettings):
    threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    """Model probability at which a message is reported."""
    min_signals: int = Field(default=2, ge=2)
    """Different kinds of evidence that must be present (never fewer than two)."""
    window_chars: int = Field(default=3000, ge=200)
    """Text scored together, so a long newsletter's unrelated phrases do not add up."""
    max_chars_per_text: int = Field(default=100_000, ge=1000)
    max_chars_per_message: int = Field(default=1_000_000, ge=1000)
    min_forward_prefixes: int = Field(default=2, ge=2)
    min_forwarded_blocks: int = Field(default=2, ge=2)
    min_copied_addresses: int = Field(default=12, ge=3)


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
        self.cues: CueSet = load_cues()
        self.scorer = Scorer(load_weights(self.cues), self.cues)
        self.window_tokens = max(50, settings.window_chars // CHARS_PER_TOKEN)
        self.limits = Limits(
            max_chars_per_text=settings.max_chars_per_text,
            max_chars_per_message=settings.max_chars_per_message,
            min_forward_prefixes=settings.min_forward_prefixes,
            min_forwarded_blocks=settings.min_forwarded_blocks,
            min_copied_addresses=settings.min_copied_addresses,
        )

    # --- reporting --------------------------------------------------------------------

    def _finding(self, unit: Unit, best: WindowScore) -> Finding:
        families = self.cues.families
        n_families = len(families)
        present = sorted(
            (i for i in best.contributions if i < n_families),
            key=lambda i: -best.contributions[i],
        )
        # The kind comes from every family present (a retrained model may give a
        # kind's own words a weight near zero); the explanation names only the signs
        # that pushed the score up.
        kind = self._kind([families[i] for i in present])
        ranked = [i for i in present if best.contributions[i] > 0]
        labels = [families[i].label for i in ranked]
        if unit.structure.count:
            labels.extend(unit.structure.labels)
        anchor = next(
            (
                h
                for i in ranked
                for h in best.hits
                if h.family == i and best.block >= 0 and h in unit.bodies[best.block].hits
            ),
            None,
        )
        location, span = "subject", None
        if best.block >= 0:
            location = unit.locations[best.block]
            if anchor is not None:
                span = self._span(unit.texts[best.block], anchor.start, anchor.end)
        return Finding(
            detector=self.name,
            type=FINDING_TYPE,
            location=location,
            score=round(best.probability, 3),
            evidence=plain_evidence(labels),
            basis=Basis(
                "the chain-letter model's probability for the text it read together, from "
                + (", ".join(labels[:MAX_EVIDENCE_SIGNS]) or "its wording"),
                round(best.probability, 3),
            ),
            explanation=(
                f"This looks like a chain letter ({' and '.join(labels[:2]) or 'its wording'}); "
                "the school's rules do not allow chain letters to be sent on, so please "
                "delete it instead."
            ),
            kind=kind,
            span=span,
        )

    @staticmethod
    def _kind(families: list[Family]) -> str:
        """The kind of letter: the first family present in KIND_ORDER (the most specific
        evidence first; single words only when no phrase points to a kind), else a
        plain mass forward. A fixed order keeps the kind stable when the model is
        retrained."""
        names = {f.name: f for f in families}
        for weak in (False, True):
            for name in KIND_ORDER:
                family = names.get(name)
                if family is not None and family.kind and family.weak is weak:
                    return family.kind
        return GENERIC_KIND

    @staticmethod
    def _span(text: str, start: int, end: int) -> tuple[int, int] | None:
        """Character offsets of tokens [start, end) in the original text (None when
        normalising the text changed its length, so offsets would not line up)."""
        prepared = prepare(text)
        if len(prepared) != len(text) or len(prepared.lower()) != len(text):
            return None
        offsets = token_offsets(prepared)
        if end > len(offsets) or start >= end:
            return None
        return offsets[start][0], offsets[end - 1][1]

    def detect(self, message: Message) -> list[Finding]:
        findings = []
        window = self.window_tokens
        config = self.config
        units = read_units(message, self.scorer, self.limits, structure=False)
        for unit in units:
            if unit is units[0]:
                # Most mail cannot reach the threshold whatever its forwarding structure
                # (bound.may_reach proves it), so the structure is read only for the rest.
                if not may_reach(
                    self.scorer,
                    unit.subject,
                    unit.bodies,
                    window_tokens=window,
                    min_kinds=config.min_signals,
                    threshold=config.threshold,
                    bonus=structure_bonus(self.scorer),
                ):
                    continue
                unit.structure = forwarding_structure(message, unit, self.limits)
            best = self.scorer.best(
                unit.subject,
                unit.bodies,
                unit.structure,
                window_tokens=window,
                min_kinds=config.min_signals,
            )
            if best is not None and best.probability >= config.threshold:
                findings.append(self._finding(unit, best))
        return findings
