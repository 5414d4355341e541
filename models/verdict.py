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


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A rule that matched, the action it asks for and the findings that made it match."""

    rule: str
    action: Action
    reason: str
    findings: tuple[int, ...] = ()
    """Indexes into the scan's findings."""
    severity: str = "medium"
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
    def severity(self) -> str:
        """The highest severity among the deciding matches ("low", "medium", "high")."""
        ranks = {"low": 0, "medium": 1, "high": 2}
        return max((m.severity for m in self.deciding), key=ranks.__getitem__, default="low")
