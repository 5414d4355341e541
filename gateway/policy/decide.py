"""The decision: a pure function of the message's facts, the findings and the rules."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.policy.rules import Rule
from models import Action, Finding, MessageFacts, RuleMatch, Verdict
from models.location import Location, area_of


def _recipients_match(rule: Rule, facts: MessageFacts) -> bool:
    if rule.recipients == "any":
        return True
    if rule.recipients == "internal":
        return any(r.internal for r in facts.recipients)
    if rule.recipients == "external":
        return any(not r.internal for r in facts.recipients)
    if rule.recipients == "secure":
        return any(not r.internal and r.secure for r in facts.recipients)
    return any(not r.internal and not r.secure for r in facts.recipients)  # "insecure"


def _in_encrypted_part(facts: MessageFacts, finding: Finding) -> bool:
    """True when the finding lies in an attachment that is itself encrypted, or inside
    one (a member of a password-protected zip, whose names stay readable)."""
    path = Location.parse(finding.location).file
    if path is None:
        return False
    return any(
        part.encrypted and (path == part.path or path.startswith(part.path + "/"))
        for part in facts.parts
    )


def travels_protected(facts: MessageFacts, finding: Finding) -> bool:
    """The finding leaves encrypted: the whole message is, or the part it is in."""
    return facts.protected or _in_encrypted_part(facts, finding)


def _message_conditions_hold(rule: Rule, facts: MessageFacts) -> bool:
    if not _recipients_match(rule, facts):
        return False
    if rule.protected is not None and not rule.types and facts.protected != rule.protected:
        return False  # with `types`, protection is judged finding by finding
    if rule.has_attachments is not None and bool(facts.attachments) != rule.has_attachments:
        return False
    return rule.unscannable is None or bool(facts.unscanned) == rule.unscannable


def _counts(rule: Rule, facts: MessageFacts, finding: Finding) -> bool:
    if finding.type not in rule.types or finding.score < rule.min_score:
        return False
    if rule.locations and area_of(finding.location) not in rule.locations:
        return False
    if rule.protected is not None and travels_protected(facts, finding) != rule.protected:
        return False
    return not rule.kinds or finding.kind in rule.kinds


def match_rule(rule: Rule, facts: MessageFacts, findings: Sequence[Finding]) -> RuleMatch | None:
    """The rule's match on this message, or None when any of its conditions fails."""
    if not _message_conditions_hold(rule, facts):
        return None
    present = {f.type for f in findings if f.score >= rule.min_score}
    if not all(t in present for t in rule.also_types):
        return None
    if rule.also_any_types and not any(t in present for t in rule.also_any_types):
        return None
    indexes: tuple[int, ...] = ()
    if rule.types:
        indexes = tuple(i for i, f in enumerate(findings) if _counts(rule, facts, f))
        if len(indexes) < rule.min_count:
            return None
    return RuleMatch(
        rule=rule.name,
        action=rule.action,
        reason=rule.reason,
        findings=indexes,
        severity=rule.severity,
        notice=rule.notice,
    )


def decide(
    facts: MessageFacts,
    findings: Sequence[Finding],
    rules: Sequence[Rule],
    *,
    audit_only: bool = False,
) -> Verdict:
    """Every matching rule is recorded; the most severe action wins (order never matters)."""
    matches = tuple(m for rule in rules if (m := match_rule(rule, facts, findings)) is not None)
    action = max((m.action for m in matches), key=lambda a: a.severity, default=Action.DELIVER)
    return Verdict(action=action, matches=matches, audit_only=audit_only)
