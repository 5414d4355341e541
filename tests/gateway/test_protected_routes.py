"""Pupils' names that leave school the way the AUPs ask (encrypted, or on a secure partner
route) are delivered and recorded, not questioned; the subject line never counts as
protected. Issue 10, point 6."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from gateway.config.settings import ConfigError, validate
from gateway.policy.decide import decide, travels_protected
from gateway.policy.rules import builtin_rules
from gateway.scanning.parse import parse_addresses, parse_message
from gateway.scanning.settings import ParseSettings
from models import Action, Envelope, Finding, MessageFacts, PartInfo, Recipient, School

OUTSIDE = Recipient("parent@example.org", internal=False)
PARTNER = Recipient("sw@county.gov.uk.cjsm.net", internal=False, secure=True)
ZIP = PartInfo("pupils.zip", "application/zip", 900, "pupils.zip", is_attachment=True)
ZIP_MEMBER = PartInfo(
    "pupils.zip/jones-amelia-iep.pdf", "application/pdf", 800, "jones-amelia-iep.pdf",
    is_attachment=True, depth=1, encryption="zip-aes",
)  # fmt: skip


def name_at(location: str) -> Finding:
    return Finding(
        detector="pupil_name",
        type="PUPIL_FULL_NAME",
        location=location,
        score=0.95,
        evidence="A**** J****",
        explanation="...",
    )


def facts(*recipients: Recipient, encryption: str | None = None) -> MessageFacts:
    return MessageFacts(
        envelope=Envelope("teacher@school.example", tuple(r.addr for r in recipients)),
        recipients=recipients,
        parts=(ZIP, ZIP_MEMBER),
        encryption=encryption,
    )


CASES = [
    # the whole message leaves encrypted (S/MIME): delivered, recorded
    pytest.param("body", facts(OUTSIDE, encryption="smime"), Action.DELIVER,
                 ["pupil-name-encrypted"], id="encrypted-message"),
    # the encryption subject tag: the next hop encrypts it
    pytest.param("body", facts(OUTSIDE, encryption="subject-tag"), Action.DELIVER,
                 ["pupil-name-encrypted"], id="subject-tag"),
    # inside a password-protected zip (a member's name): delivered, recorded
    pytest.param("attachment:pupils.zip/jones-amelia-iep.pdf", facts(OUTSIDE), Action.DELIVER,
                 ["pupil-name-encrypted"], id="encrypted-zip-member"),
    # the same name in the unprotected body of that message: the sender confirms
    pytest.param("body", facts(OUTSIDE), Action.CONFIRM,
                 ["pupil-name-outside-school"], id="plain-body-beside-encrypted-zip"),
    # a secure partner route: delivered, recorded
    pytest.param("body", facts(PARTNER), Action.DELIVER,
                 ["pupil-name-secure-partner"], id="secure-partner"),
    # a secure partner and a parent's gmail: the parent's copy is not protected
    pytest.param("body", facts(PARTNER, OUTSIDE), Action.CONFIRM,
                 ["pupil-name-outside-school", "pupil-name-secure-partner"], id="mixed-route"),
    # encryption never covers the subject line
    pytest.param("subject", facts(OUTSIDE, encryption="smime"), Action.QUARANTINE,
                 ["pupil-name-subject-external"], id="subject-of-encrypted-message"),
]  # fmt: skip


@pytest.mark.parametrize(("location", "message", "action", "rules"), CASES)
def test_protected_routes(
    location: str, message: MessageFacts, action: Action, rules: list[str]
) -> None:
    verdict = decide(message, [name_at(location)], builtin_rules())
    assert verdict.action == action
    assert sorted(m.rule for m in verdict.matches) == rules


@pytest.mark.parametrize(
    ("location", "protected"),
    [
        ("attachment:pupils.zip/jones-amelia-iep.pdf", True),  # inside the encrypted member
        ("attachment:pupils.zip/jones-amelia-iep.pdf#page 2", True),  # a place within it
        ("attachment:pupils.zip", False),  # the archive itself is not encrypted
        ("attachment:pupils.zip/jones-amelia-iep.pdf.txt", False),  # only a shared prefix
        ("body", False),
    ],
)
def test_a_finding_travels_protected_only_inside_an_encrypted_part(
    location: str, protected: bool
) -> None:
    assert travels_protected(facts(OUTSIDE), name_at(location)) is protected


def _parsed(to: str, subject: str, school: School) -> MessageFacts:
    mail = EmailMessage()
    mail["From"] = "Ms Teacher <teacher@school.example>"
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content("Notes from today's meeting about A.J.")
    envelope = Envelope("teacher@school.example", tuple(a.addr for a in parse_addresses([to])))
    return parse_message(mail.as_bytes(), envelope, ParseSettings(school=school)).facts


def test_real_cjsm_addresses_are_secure_with_the_documented_entry() -> None:
    """CJSM mailboxes are subdomains (name@org.gov.uk.cjsm.net): "*.cjsm.net" covers them."""
    school = School(domains=("school.example",), secure_domains=("*.cjsm.net", "nhs.net"))
    [recipient] = _parsed("sw@yourla.gov.uk.cjsm.net", "Meeting", school).recipients
    assert recipient.secure and not recipient.internal


def test_the_subject_tag_makes_the_message_protected() -> None:
    school = School(domains=("school.example",), encrypt_subject_tags=("[encrypt]",))
    parsed = _parsed("parent@example.org", "[encrypt] Meeting", school)
    assert parsed.protected


def test_a_bare_cjsm_domain_is_a_config_error_that_says_how_to_fix_it() -> None:
    """ "cjsm.net" alone never matches a real CJSM mailbox, so it would silently do nothing."""
    with pytest.raises(ConfigError, match=r"\*\.cjsm\.net"):
        validate({"school": {"secure_domains": ["cjsm.net"]}}, "test configuration")
