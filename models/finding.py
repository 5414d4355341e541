"""What a detector reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        """The journalled / printed form: no span, optional keys only when set."""
        data = asdict(self)
        data.pop("span")
        for key in ("row", "kind"):
            if data[key] is None:
                del data[key]
        if data["count"] == 1:
            del data["count"]
        return data
