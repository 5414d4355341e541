"""The default sensitive-data rules: what happens to a message with these findings.

Findings come from the real detector on realistic text; the decision is
gateway.policy.decide.decide with the effective rules of the built-in configuration.
"""

from __future__ import annotations

import pytest

from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from gateway.config.settings import load
from gateway.policy.decide import decide
from gateway.policy.rules import Rule
from models import (
    Action,
    Directory,
    Envelope,
    Finding,
    Message,
    MessageFacts,
    Recipient,
    Row,
    TextBlock,
    Verdict,
)

SENDER = "teacher@school.example"
PARENT = Recipient("parent@gmail.example", internal=False)
COLLEAGUE = Recipient("senco@school.example", internal=True)
COUNCIL = Recipient("mash@council.gov.uk", internal=False, secure=True)

NHS_NUMBER = "Her NHS number is 943 476 5870."
EHCP = "He has an EHCP and needs extra time."
PHONE = "Call me on 07400 123456."
POSTCODE = "The coach leaves from the car park, LS1 4AB."
DOB = "Date of birth: 12/03/2015."
OFFICIAL = "OFFICIAL-SENSITIVE\nNotes from the meeting."
CONFIDENTIAL = "PRIVATE AND CONFIDENTIAL\nNotes from the meeting."


@pytest.fixture(scope="module")
def rules() -> tuple[Rule, ...]:
    return load(None, {"school.encrypt_subject_tags": ["[encrypt]"]}).effective_rules()


@pytest.fixture(scope="module")
def detector() -> SensitiveDataDetector:
    return SensitiveDataDetector(SensitiveDataSettings(), Directory())


def facts(*recipients: Recipient, encryption: str | None = None) -> MessageFacts:
    return MessageFacts(
        envelope=Envelope(SENDER, tuple(r.addr for r in recipients)),
        recipients=recipients,
        encryption=encryption,
    )


def verdict(
    detector: SensitiveDataDetector,
    rules: tuple[Rule, ...],
    message_facts: MessageFacts,
    *blocks: TextBlock,
    extra: tuple[Finding, ...] = (),
) -> Verdict:
    findings = detector.detect(Message(facts=message_facts, texts=blocks))
    return decide(message_facts, [*findings, *extra], rules)


def class_list(count: int) -> TextBlock:
    rows = [Row(1, ("Surname", "Forename", "DOB"))]
    rows += [Row(i + 2, (f"Test{i}", f"Pupil{i}", "01/02/2015")) for i in range(count)]
    text = "\n".join("\t".join(r.cells) for r in rows)
    return TextBlock("attachment:class.xlsx#Sheet1", text, rows=tuple(rows))


@pytest.mark.parametrize(
    ("text", "recipients", "encryption", "action", "rule"),
    [
        # external, not a secure partner, not encrypted: held for an administrator
        (NHS_NUMBER, (PARENT,), None, Action.QUARANTINE, "sensitive-identifier-unprotected"),
        (EHCP, (PARENT,), None, Action.QUARANTINE, "special-category-unprotected"),
        (OFFICIAL, (PARENT,), None, Action.QUARANTINE, "official-sensitive-unprotected"),
        # lesser personal details: the sender confirms
        (DOB, (PARENT,), None, Action.CONFIRM, "personal-details-unprotected"),
        (CONFIDENTIAL, (PARENT,), None, Action.CONFIRM, "protective-marking-unprotected"),
        # the same content with the encryption tag in the subject: delivered and recorded
        (NHS_NUMBER, (PARENT,), "subject-tag", Action.DELIVER, "sensitive-data-recorded"),
        (EHCP, (PARENT,), "subject-tag", Action.DELIVER, "sensitive-data-recorded"),
        # ... S/MIME or PGP encrypted: delivered and recorded
        (NHS_NUMBER, (PARENT,), "smime", Action.DELIVER, "sensitive-data-recorded"),
        (EHCP, (PARENT,), "pgp", Action.DELIVER, "sensitive-data-recorded"),
        # ... to a secure partner domain (*.gov.uk): delivered and recorded
        (NHS_NUMBER, (COUNCIL,), None, Action.DELIVER, "sensitive-data-recorded"),
        (OFFICIAL, (COUNCIL,), None, Action.DELIVER, "sensitive-data-recorded"),
        # ... inside school: delivered and recorded
        (EHCP, (COLLEAGUE,), None, Action.DELIVER, "sensitive-data-recorded"),
        (DOB, (COLLEAGUE,), None, Action.DELIVER, None),
        # a secure partner and a parent on one message: the parent's copy is unprotected
        (
            NHS_NUMBER,
            (COUNCIL, PARENT),
            None,
            Action.QUARANTINE,
            "sensitive-identifier-unprotected",
        ),
        # a lone phone number or postcode goes anywhere, and matches no rule at all
        (PHONE, (PARENT,), None, Action.DELIVER, None),
        (POSTCODE, (PARENT,), None, Action.DELIVER, None),
    ],
)
def test_default_rules(
    detector: SensitiveDataDetector,
    rules: tuple[Rule, ...],
    text: str,
    recipients: tuple[Recipient, ...],
    encryption: str | None,
    action: Action,
    rule: str | None,
) -> None:
    result = verdict(
        detector, rules, facts(*recipients, encryption=encryption), TextBlock("body", text)
    )
    assert result.action is action
    if rule is None:
        assert result.rules == ()
    else:
        assert rule in {m.rule for m in result.deciding}


@pytest.mark.parametrize(
    ("recipients", "encryption", "action"),
    [
        ((PARENT,), None, Action.QUARANTINE),  # a class list with DOBs to a parent's gmail
        ((PARENT,), "subject-tag", Action.DELIVER),  # ... sent with [encrypt]
        ((COUNCIL,), None, Action.DELIVER),  # ... to the local authority
        ((COLLEAGUE,), None, Action.DELIVER),  # ... to a colleague
    ],
)
def test_bulk_personal_data(
    detector: SensitiveDataDetector,
    rules: tuple[Rule, ...],
    recipients: tuple[Recipient, ...],
    encryption: str | None,
    action: Action,
) -> None:
    result = verdict(detector, rules, facts(*recipients, encryption=encryption), class_list(30))
    assert result.action is action
    if action is Action.QUARANTINE:
        assert [m.rule for m in result.deciding] == ["bulk-personal-data-unprotected"]


@pytest.mark.parametrize(
    ("text", "action", "rule"),
    [
        # a pupil's full name with their date of birth, to a parent: quarantine
        (DOB, Action.QUARANTINE, "pupil-name-with-sensitive-data-unprotected"),
        # ... with special category data: quarantine
        (EHCP, Action.QUARANTINE, "pupil-name-with-sensitive-data-unprotected"),
        # ... with only a phone number: this rule does not apply
        (PHONE, None, None),
    ],
)
def test_pupil_name_with_sensitive_data(
    detector: SensitiveDataDetector,
    rules: tuple[Rule, ...],
    text: str,
    action: Action | None,
    rule: str | None,
) -> None:
    pupil = Finding(
        detector="pupil_name",
        type="PUPIL_FULL_NAME",
        location="body",
        score=0.9,
        evidence="A**** T****",
        explanation="A pupil's full name.",
    )
    result = verdict(detector, rules, facts(PARENT), TextBlock("body", text), extra=(pupil,))
    combined = "pupil-name-with-sensitive-data-unprotected"
    if rule is None:
        assert combined not in result.rules
    else:
        assert result.action is action
        assert rule in {m.rule for m in result.deciding}


@pytest.mark.parametrize(
    ("encryption", "action", "rule"),
    [
        # an NHS number in the subject of an encrypted message: the subject is not encrypted
        ("subject-tag", Action.CONFIRM, "sensitive-identifier-in-subject"),
        ("smime", Action.CONFIRM, "sensitive-identifier-in-subject"),
        # unencrypted, the identifier rule holds it anyway
        (None, Action.QUARANTINE, "sensitive-identifier-unprotected"),
    ],
)
def test_identifier_in_subject(
    detector: SensitiveDataDetector,
    rules: tuple[Rule, ...],
    encryption: str | None,
    action: Action,
    rule: str,
) -> None:
    subject = TextBlock("subject", "[encrypt] Referral NHS 943 476 5870")
    result = verdict(detector, rules, facts(PARENT, encryption=encryption), subject)
    assert result.action is action
    assert rule in {m.rule for m in result.deciding}


def test_an_identifier_in_the_subject_to_a_secure_partner_is_delivered(
    detector: SensitiveDataDetector, rules: tuple[Rule, ...]
) -> None:
    subject = TextBlock("subject", "Referral NHS 943 476 5870")
    assert verdict(detector, rules, facts(COUNCIL), subject).action is Action.DELIVER


def test_every_sensitive_rule_tells_the_sender_how_to_send_safely(
    rules: tuple[Rule, ...],
) -> None:
    holding = [r for r in rules if r.name.endswith("-unprotected")]
    assert len(holding) == 7
    for rule in holding:
        assert "[encrypt]" in rule.reason or "secure address" in rule.reason, rule.name
        assert (rule.recipients, rule.protected) == ("insecure", False), rule.name
    subject_rule = next(r for r in rules if r.name == "sensitive-identifier-in-subject")
    assert "never encrypted" in subject_rule.reason


@pytest.mark.parametrize(
    ("text", "action"),
    [
        # issue 10's false alarm: a Year 10 biology lesson to an outside address is delivered
        (
            "Year 10 biology. In this lesson pupils will learn how the immune system responds "
            "to vaccination, and how diabetes affects the control of blood sugar.",
            Action.DELIVER,
        ),
        # the same words about one pupil are held
        ("Tom has type 1 diabetes and needs his insulin at lunch.", Action.QUARANTINE),
    ],
)
def test_lesson_material_is_not_held_as_health_data(
    detector: SensitiveDataDetector, rules: tuple[Rule, ...], text: str, action: Action
) -> None:
    result = verdict(detector, rules, facts(PARENT), TextBlock("body", text))
    assert result.action is action
    held = "special-category-unprotected" in {m.rule for m in result.deciding}
    assert held is (action is Action.QUARANTINE)
