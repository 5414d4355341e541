"""The policy: a pure function of facts, findings and rules."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.policy.decide import decide
from gateway.policy.rules import Rule
from models import Action, Envelope, Finding, MessageFacts, PartInfo, Recipient


def facts(*recipients: Recipient, **kwargs: Any) -> MessageFacts:
    return MessageFacts(
        envelope=Envelope("t@school.example", tuple(r.addr for r in recipients)),
        recipients=recipients,
        **kwargs,
    )


INTERNAL = Recipient("head@school.example", internal=True)
EXTERNAL = Recipient("parent@example.org", internal=False)
PARTNER = Recipient("social.worker@county.gov.uk", internal=False, secure=True)


def finding(
    type_: str = "T", location: str = "body", score: float = 0.9, kind: str | None = None
) -> Finding:
    return Finding("d", type_, location, score, "e", "x", kind=kind)


def rule(**kwargs: Any) -> Rule:
    base: dict[str, Any] = {"name": "r", "action": "quarantine", "reason": "why", "types": ["T"]}
    return Rule.model_validate({**base, **kwargs})


@pytest.mark.parametrize(
    ("rule_kwargs", "message_facts", "findings", "matches"),
    [
        # a type that is present matches
        ({}, facts(EXTERNAL), [finding()], True),
        # a type that is absent does not
        ({}, facts(EXTERNAL), [finding("OTHER")], False),
        # location filter: subject only
        ({"locations": ["subject"]}, facts(EXTERNAL), [finding(location="body")], False),
        ({"locations": ["subject"]}, facts(EXTERNAL), [finding(location="subject")], True),
        # attachment locations match on their prefix
        (
            {"locations": ["attachment"]},
            facts(EXTERNAL),
            [finding(location="attachment:a.xlsx#S1")],
            True,
        ),
        # min_score
        ({"min_score": 0.95}, facts(EXTERNAL), [finding(score=0.9)], False),
        # min_count
        ({"min_count": 2}, facts(EXTERNAL), [finding()], False),
        ({"min_count": 2}, facts(EXTERNAL), [finding(), finding(location="subject")], True),
        # kinds
        ({"kinds": ["a"]}, facts(EXTERNAL), [finding(kind="b")], False),
        ({"kinds": ["a"]}, facts(EXTERNAL), [finding(kind="a")], True),
        # recipients: external needs one external recipient
        ({"recipients": "external"}, facts(INTERNAL), [finding()], False),
        ({"recipients": "external"}, facts(INTERNAL, EXTERNAL), [finding()], True),
        ({"recipients": "internal"}, facts(EXTERNAL), [finding()], False),
        # insecure: external and not a secure partner route
        ({"recipients": "insecure"}, facts(PARTNER), [finding()], False),
        ({"recipients": "insecure"}, facts(PARTNER, EXTERNAL), [finding()], True),
        # protected: the message travels encrypted
        ({"protected": False}, facts(EXTERNAL, encryption="smime"), [finding()], False),
        ({"protected": False}, facts(EXTERNAL), [finding()], True),
        ({"protected": True}, facts(EXTERNAL, encryption="subject-tag"), [finding()], True),
        # also_types must all be present
        ({"also_types": ["U"]}, facts(EXTERNAL), [finding()], False),
        ({"also_types": ["U"]}, facts(EXTERNAL), [finding(), finding("U")], True),
        ({"also_types": ["U", "V"]}, facts(EXTERNAL), [finding(), finding("U")], False),
        # also_any_types needs one of them
        ({"also_any_types": ["U", "V"]}, facts(EXTERNAL), [finding()], False),
        ({"also_any_types": ["U", "V"]}, facts(EXTERNAL), [finding(), finding("V")], True),
        # attachments
        (
            {"has_attachments": True},
            facts(EXTERNAL, parts=(PartInfo("a.pdf", "application/pdf", 10, is_attachment=True),)),
            [finding()],
            True,
        ),
        ({"has_attachments": True}, facts(EXTERNAL), [finding()], False),
        # unscannable content (no finding types needed)
        (
            {"types": [], "unscannable": True},
            facts(EXTERNAL, unscanned=("a.zip: limit",)),
            [],
            True,
        ),
        ({"types": [], "unscannable": True}, facts(EXTERNAL), [], False),
    ],
)
def test_rule_conditions(rule_kwargs, message_facts, findings, matches):
    verdict = decide(message_facts, findings, [rule(**rule_kwargs)])
    assert (verdict.action == Action.QUARANTINE) is matches
    assert (verdict.rules == ("r",)) is matches


def test_most_severe_action_wins_and_every_match_is_recorded():
    rules = [
        rule(name="a", action="notify"),
        rule(name="b", action="reject", reason="no"),
        rule(name="c", action="confirm"),
    ]
    for ordering in (rules, rules[::-1]):
        verdict = decide(facts(EXTERNAL), [finding()], ordering)
        assert verdict.action == Action.REJECT
        assert sorted(verdict.rules) == ["a", "b", "c"]
        assert [m.rule for m in verdict.deciding] == ["b"]


def test_no_match_delivers():
    verdict = decide(facts(EXTERNAL), [], [rule()])
    assert verdict.action == Action.DELIVER and verdict.matches == ()


def test_audit_only_enforces_deliver_but_keeps_the_decision():
    verdict = decide(facts(EXTERNAL), [finding()], [rule()], audit_only=True)
    assert verdict.action == Action.QUARANTINE
    assert verdict.enforced == Action.DELIVER


def test_match_records_the_findings_that_counted():
    verdict = decide(facts(EXTERNAL), [finding("X"), finding(), finding()], [rule()])
    assert verdict.matches[0].findings == (1, 2)
