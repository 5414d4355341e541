"""Precision and recall on labelled cases, for the detectors' evaluation tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Tally:
    """Confusion counts for one kind of case (or all), with the ids of the mistakes."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    mistakes: list[str] = field(default_factory=list)

    def add(self, label: bool, flagged: bool, case_id: str = "") -> None:
        if label and flagged:
            self.tp += 1
        elif flagged:
            self.fp += 1
            self.mistakes.append(f"FP {case_id}")
        elif label:
            self.fn += 1
            self.mistakes.append(f"FN {case_id}")
        else:
            self.tn += 1

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<32} n={self.total:4d}  precision {self.precision:.3f}  "
            f"recall {self.recall:.3f}  (tp {self.tp} fp {self.fp} fn {self.fn} tn {self.tn})"
        )
