"""What a detector reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Basis:
    """Why a finding has its score, for the DSL reviewing it: what matched, the score
    that kind of match starts from, and each piece of context that raised or lowered
    it (the changes add up to the finding's score). Never the matched text itself."""

    matched: str
    base: float
    context: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "base": round(self.base, 3),
            "context": [{"why": why, "change": round(change, 3)} for why, change in self.context],
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a detector found.

    `evidence` is always redacted ("A**** J****"): findings are journalled and shown to
    staff, DSLs and admins, so they must not re-leak the data they report.
    `span` is the character range in the TextBlock at `location`, used to highlight the
    match when an authorised person views the held message; it is never journalled.
    """

    detector: str
    type: str
    location: str
    score: float
    evidence: str
    explanation: str
    row: int | None = None
    kind: str | None = None
    count: int = 1
    span: tuple[int, int] | None = None
    basis: Basis | None = None

    def to_json(self) -> dict[str, Any]:
        """The journalled / printed form: no span, optional keys only when set."""
        data = asdict(self)
        data.pop("span")
        data.pop("basis")
        if self.basis is not None:
            data["basis"] = self.basis.to_json()
        for key in ("row", "kind"):
            if data[key] is None:
                del data[key]
        if data["count"] == 1:
            del data["count"]
        return data
