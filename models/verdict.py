"""Actions and the policy's decision."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What happens to a message, least to most severe."""

    DELIVER = "deliver"
    NOTIFY = "notify"
    CONFIRM = "confirm"
    QUARANTINE = "quarantine"
    REJECT = "reject"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def holds(self) -> bool:
        """True for actions that keep the message back instead of delivering it."""
        return self in (Action.CONFIRM, Action.QUARANTINE)


_SEVERITY = {action: rank for rank, action in enumerate(Action)}


class Severity(StrEnum):
    """How serious a matched rule is, least first: it decides who is told about a hold,
    and when (at once, or in the daily digest). Compared by rank, not by spelling; the
    value is what the config file, the database and the console say."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: str) -> bool:
        return self.rank < Severity(other).rank

    def __le__(self, other: str) -> bool:
        return self.rank <= Severity(other).rank

    def __gt__(self, other: str) -> bool:
        return self.rank > Severity(other).rank

    def __ge__(self, other: str) -> bool:
        return self.rank >= Severity(other).rank


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A rule that matched, the action it asks for and the findings that made it match."""

    rule: str
    action: Action
    reason: str
    findings: tuple[int, ...] = ()
    """Indexes into the scan's findings."""
    severity: Severity = Severity.MEDIUM
    notice: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The policy's decision: the most severe matching action wins.

    In audit-only mode `action` is what would have happened and `enforced` is DELIVER.
    """

    action: Action
    matches: tuple[RuleMatch, ...] = ()
    audit_only: bool = False

    @property
    def enforced(self) -> Action:
        return Action.DELIVER if self.audit_only else self.action

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(m.rule for m in self.matches)

    @property
    def deciding(self) -> tuple[RuleMatch, ...]:
        """The matches whose action is the verdict's action (they explain it)."""
        return tuple(m for m in self.matches if m.action == self.action)

    @property
    def severity(self) -> Severity:
        """The highest severity among the deciding matches."""
        return max((m.severity for m in self.deciding), default=Severity.LOW)
