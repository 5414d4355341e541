"""An upper bound of a unit's best score whatever its forwarding structure, so the
detector reads the structure (mass_forwarding: a pass over every body) only for mail
that could reach the threshold: most ordinary mail cannot, and the bound proves it.

Structure adds at most one kind of evidence and its signs to a window's logit
(`structure_bonus`), and lets a window with a single kind of cue phrase be scored; the
bound scores every such window without structure and adds the bonus. Windows overlap by
half, so their token weights are summed per half-window chunk, each token looked up
once; the few ulps this reordering costs are far inside BOUND_MARGIN.
"""

from __future__ import annotations

from detectors.chain_letters.features import STRUCTURE, evidence_kinds
from detectors.chain_letters.model import NO_STRUCTURE, Block, Scorer, probability

BOUND_MARGIN = 1e-6
"""Added to a bound: far more than the rounding of summing a logit in another order."""


def structure_bonus(scorer: Scorer) -> float:
    """The most forwarding structure can add to a window's logit: one more kind of
    evidence (`features.dense_values`: kinds / 3) and every sign with a positive weight."""
    base = len(scorer.cues.families)
    dense = scorer.weights.dense
    signs = dense[base + 1 : base + 1 + len(STRUCTURE)]
    return max(dense[base], 0.0) / 3 + sum(max(w, 0.0) for w in signs)


class ChunkSums:
    """Token-weight sums of one text's windows, from sums of chunks of `step` tokens."""

    def __init__(self, scorer: Scorer, block: Block, step: int) -> None:
        self.scorer, self.block, self.step = scorer, block, step
        self.chunks: dict[int, float] = {}

    def window(self, start: int, end: int) -> float:
        """About `scorer.token_sum(block, start, end)` for a window (`start` a multiple
        of `step`): its whole chunks, then any tokens after them."""
        step, total, at = self.step, 0.0, start
        while at + step <= end:
            chunk = self.chunks.get(at)
            if chunk is None:
                chunk = self.chunks[at] = self.scorer.token_sum(self.block, at, at + step)
            total += chunk
            at += step
        if at < end:
            total += self.scorer.token_sum(self.block, at, end)
        return total


def may_reach(
    scorer: Scorer,
    subject: Block,
    bodies: list[Block],
    *,
    window_tokens: int,
    min_kinds: int,
    threshold: float,
    bonus: float,
) -> bool:
    """Whether `scorer.best` could reach `threshold` for this subject and these bodies
    with some forwarding structure (`bonus`: `structure_bonus`); False proves it cannot."""
    step = max(1, window_tokens // 2)
    sums = [ChunkSums(scorer, body, step) for body in bodies]
    subject_sum = scorer.token_sum(subject, 0, len(subject.tokens))
    cues = scorer.cues
    for b, start, end, body, families in scorer.window_families(subject, bodies, window_tokens):
        phrases = evidence_kinds(cues, families, NO_STRUCTURE)
        if phrases < 1 or phrases + 2 < min_kinds:
            continue  # never scored, whatever the structure
        total = subject_sum + (sums[b].window(start, end) if body is not None else 0.0)
        if phrases + 1 < min_kinds:
            n_tokens = len(subject.tokens) + (end - start if body is not None else 0)
            if not scorer.reads_as_chain(n_tokens, total, BOUND_MARGIN):
                continue
        logit, _, _ = scorer.logit(subject, body, start, end, NO_STRUCTURE, total)
        if probability(logit + bonus + BOUND_MARGIN) >= threshold:
            return True
    return False
