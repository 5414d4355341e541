"""The default rules for pupils' full names (gateway/policy/default_rules/pupil_names.toml):
subject stricter than body, outside school stricter than inside, staff namesakes let through,
and the end-to-end path from a roster CSV through `schoolgate scan`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.policy.decide import decide
from gateway.policy.rules import builtin_rules
from models import Action, Envelope, Finding, MessageFacts, Recipient

INSIDE = Recipient("head@school.example", internal=True)
OUTSIDE = Recipient("parent@example.org", internal=False)
PARTNER = Recipient("social.care@council.gov.uk", internal=False, secure=True)


def finding(location: str, score: float = 0.95, kind: str | None = None) -> Finding:
    return Finding(
        detector="pupil_name",
        type="PUPIL_FULL_NAME",
        location=location,
        score=score,
        evidence="A**** J****",
        explanation="...",
        kind=kind,
    )


CASES = [
    # subject line, to someone outside school: held for an administrator
    pytest.param("subject", 0.95, None, (OUTSIDE,), Action.QUARANTINE,
                 ["pupil-name-subject-external"], id="subject-outside"),
    # subject line, to colleagues: the sender confirms
    pytest.param("subject", 0.95, None, (INSIDE,), Action.CONFIRM,
                 ["pupil-name-inside-school", "pupil-name-subject-internal"], id="subject-inside"),
    # subject line, to both: the stricter action wins
    pytest.param("subject", 0.95, None, (INSIDE, OUTSIDE), Action.QUARANTINE,
                 ["pupil-name-inside-school", "pupil-name-subject-external",
                  "pupil-name-subject-internal"], id="subject-both"),
    # body, outside school: the sender confirms
    pytest.param("body", 0.95, None, (OUTSIDE,), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="body-outside"),
    # an attachment (a spreadsheet sheet), outside school
    pytest.param("attachment:register.xlsx#Sheet1", 0.9, None, (OUTSIDE,), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="attachment-outside"),
    # a secure partner route (a social worker's *.gov.uk) is how such mail should travel
    pytest.param("body", 0.95, None, (PARTNER,), Action.DELIVER,
                 ["pupil-name-secure-partner"], id="body-secure-partner"),
    # ... but the subject line is still read in every inbox list
    pytest.param("subject", 0.95, None, (PARTNER,), Action.QUARANTINE,
                 ["pupil-name-subject-external"], id="subject-secure-partner"),
    # body, inside school: delivered, and the rule is recorded for the journal
    pytest.param("body", 0.95, None, (INSIDE,), Action.DELIVER,
                 ["pupil-name-inside-school"], id="body-inside"),
    # a common-word name at the start of a sentence still counts
    pytest.param("body", 0.6, None, (OUTSIDE,), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="lower-score-still-counts"),
    # a pupil's name in an attachment's file name, or in a folder inside a zip (issue 10)
    pytest.param("attachment:rahman-aisha-iep.pdf", 0.8, None, (OUTSIDE,), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="file-name-outside"),
    pytest.param("attachment:reports.zip/Rahman Aisha", 0.9, None, (INSIDE,), Action.DELIVER,
                 ["pupil-name-inside-school"], id="zip-folder-inside"),
    # a surname-first list line (score 0.85) and a word-name after "that" (0.75) still count
    pytest.param("body", 0.85, None, (OUTSIDE,), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="surname-first-list"),
    pytest.param("body", 0.75, None, (OUTSIDE,), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="word-name-after-that"),
    # a pupil who shares a member of staff's name: no rule, the finding is still journalled
    pytest.param("subject", 0.3, "staff_namesake", (OUTSIDE,), Action.DELIVER, [],
                 id="staff-namesake"),
]  # fmt: skip


@pytest.mark.parametrize(("location", "score", "kind", "recipients", "action", "rules"), CASES)
def test_default_rules(
    location: str,
    score: float,
    kind: str | None,
    recipients: tuple[Recipient, ...],
    action: Action,
    rules: list[str],
):
    facts = MessageFacts(
        envelope=Envelope("teacher@school.example", tuple(r.addr for r in recipients)),
        recipients=recipients,
    )
    verdict = decide(facts, [finding(location, score, kind)], builtin_rules())
    assert verdict.action == action
    assert sorted(m.rule for m in verdict.matches) == rules


def test_reasons_suggest_initials():
    names = {
        "pupil-name-subject-external",
        "pupil-name-subject-internal",
        "pupil-name-outside-school",
        "pupil-name-inside-school",
    }
    pupil_rules = [r for r in builtin_rules() if r.name in names]
    assert len(pupil_rules) == 4
    for rule in pupil_rules:
        if rule.action != Action.DELIVER:
            assert "initials instead (e.g. A.J.)" in rule.reason
            assert "initials" in rule.notice and "(for example A.J.)" in rule.notice


def _scan(tmp_path: Path, roster_csv: str, mail: bytes) -> tuple[dict[str, Any], str]:
    """`schoolgate scan --roster` on one message: its JSON line and the whole output."""
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv, encoding="utf-8")
    config = tmp_path / "scan.toml"
    config.write_text(f'data_dir = "{tmp_path / "var"}"\n[detectors]\nenabled = ["pupil_name"]\n')
    message = tmp_path / "message.eml"
    message.write_bytes(mail)
    result = CliRunner().invoke(
        main, ["scan", str(message), "--roster", str(roster), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stdout


def test_scan_finds_a_surname_first_list_and_a_family_first_pupil(tmp_path: Path):
    """End to end from a roster CSV with a Name Order column (issue 10)."""
    line, _ = _scan(
        tmp_path,
        "Surname,Forename,Name Order\nRahman,Aisha,\nJones,Amelia,\nWang,Xiaoming,Family first\n",
        b"From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
        b"Subject: Detentions\r\n\r\nRahman Aisha\r\nJones Amelia\r\n\r\n"
        b"Wang Xiaoming won the prize.\r\n",
    )
    assert line["action"] == "confirm"
    assert line["rules"] == ["pupil-name-outside-school"]
    assert len([f for f in line["findings"] if f["type"] == "PUPIL_FULL_NAME"]) == 3


def test_scan_with_a_roster_csv(tmp_path: Path):
    """`schoolgate scan --roster` reads the CSV with read_roster and applies these rules."""
    line, output = _scan(
        tmp_path,
        "Surname,Forename\nJones,Amelia\n",
        b"From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
        b"Subject: Reading\r\n\r\nAmelia Jones has read every book this term.\r\n",
    )
    assert line["action"] == "confirm"
    assert line["rules"] == ["pupil-name-outside-school"]
    [found] = line["findings"]
    assert found["type"] == "PUPIL_FULL_NAME" and found["evidence"] == "A**** J****"
    assert "Amelia" not in output
