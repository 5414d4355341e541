"""Severity: ordered by rank, stored and shown as its word."""

from __future__ import annotations

import json

import pytest

from gateway.config.settings import ConfigError, validate
from models import Action, RuleMatch, Severity, Verdict


def test_severities_order_by_rank_not_by_spelling():
    assert Severity.LOW < Severity.MEDIUM < Severity.HIGH
    assert max(Severity.HIGH, Severity.LOW) is Severity.HIGH  # "high" < "low" as words
    assert sorted([Severity.HIGH, Severity.LOW, Severity.MEDIUM]) == list(Severity)
    assert Severity.MEDIUM >= "medium" and Severity.HIGH > "low"


def test_a_severity_is_its_word_in_json_text_and_the_database():
    assert json.dumps({"severity": Severity.HIGH}) == '{"severity": "high"}'
    assert f"{Severity.MEDIUM} severity" == "medium severity"
    assert Severity("low") is Severity.LOW


def test_the_verdict_takes_the_highest_severity_of_the_deciding_rules():
    matches = (
        RuleMatch("a", Action.QUARANTINE, "why", severity=Severity.MEDIUM),
        RuleMatch("b", Action.QUARANTINE, "why", severity=Severity.HIGH),
        RuleMatch("c", Action.NOTIFY, "why", severity=Severity.HIGH),
    )
    assert Verdict(Action.QUARANTINE, matches).severity is Severity.HIGH
    assert Verdict(Action.QUARANTINE, matches[:1]).severity is Severity.MEDIUM
    assert Verdict(Action.DELIVER).severity is Severity.LOW


def test_the_config_reads_severities_and_names_a_wrong_one():
    config = validate({"notices": {"alert_severity": "medium"}}, "test")
    assert config.notices.alert_severity is Severity.MEDIUM
    with pytest.raises(ConfigError, match="alert_severity"):
        validate({"notices": {"alert_severity": "urgent"}}, "test")
