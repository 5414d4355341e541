"""The built-in rules for chain letters and personal addresses: which action each finding
leads to, on its own and through the real scan path."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from detectors.chain_letter import ChainLetterSettings
from detectors.personal_address import PersonalAddressSettings
from gateway.config.settings import load
from gateway.policy.decide import decide
from gateway.scanning.parse import parse_addresses
from gateway.scanning.pool import ScanSpec
from gateway.scanning.settings import ParseSettings
from gateway.scanning.worker import Scanner
from gateway.smtp.handler import rejection_text
from models import Action, Directory, Envelope, Finding, MessageFacts, PartInfo, Recipient, School

SCHOOL = "westbrook.sch.uk"
SENDER = f"jane.smith@{SCHOOL}"


def finding(type_: str, kind: str | None = None, score: float = 0.9) -> Finding:
    return Finding(
        detector="test",
        type=type_,
        location="body",
        score=score,
        evidence="x****",
        explanation="Test.",
        kind=kind,
    )


def facts(*, external: bool = True, attachment: bool = False) -> MessageFacts:
    rcpt = "janesmith82@gmail.com" if external else f"head@{SCHOOL}"
    parts = (
        PartInfo(path="notes.pdf", content_type="application/pdf", size=10, is_attachment=True),
    )
    return MessageFacts(
        envelope=Envelope(mail_from=SENDER, rcpt_tos=(rcpt,)),
        recipients=(Recipient(addr=rcpt, internal=not external),),
        parts=parts if attachment else (),
    )


@pytest.fixture(scope="module")
def rules():
    return load(None).effective_rules()


@pytest.mark.parametrize(
    ("message_facts", "findings", "action", "rule"),
    [
        # a chain letter is refused
        (facts(), [finding("CHAIN_LETTER", "luck_chain")], Action.REJECT, "chain-letter"),
        # own personal mailbox, nothing attached: the sender confirms
        (
            facts(),
            [finding("PERSONAL_ADDRESS", "own_personal_recipient")],
            Action.CONFIRM,
            "own-personal-mailbox",
        ),
        # own personal mailbox with an attachment: an admin checks it
        (
            facts(attachment=True),
            [finding("PERSONAL_ADDRESS", "own_personal_recipient")],
            Action.QUARANTINE,
            "own-personal-mailbox-attachments",
        ),
        # own personal mailbox with special category data
        (
            facts(),
            [finding("PERSONAL_ADDRESS", "own_personal_recipient"), finding("SPECIAL_CATEGORY")],
            Action.QUARANTINE,
            "own-personal-mailbox-sensitive-data",
        ),
        # own personal mailbox with a pupil's full name
        (
            facts(),
            [finding("PERSONAL_ADDRESS", "own_personal_recipient"), finding("PUPIL_FULL_NAME")],
            Action.QUARANTINE,
            "own-personal-mailbox-sensitive-data",
        ),
        # the weakest own-mailbox match (forename and surname initial, 0.6) with pupil data
        (
            facts(),
            [
                finding("PERSONAL_ADDRESS", "own_personal_recipient", score=0.6),
                finding("PUPIL_FULL_NAME"),
            ],
            Action.QUARANTINE,
            "own-personal-mailbox-sensitive-data",
        ),
        # a personal From or Reply-To is refused
        (
            facts(),
            [finding("PERSONAL_ADDRESS", "personal_sender")],
            Action.REJECT,
            "personal-sender",
        ),
        # a personal mobile given to someone outside school: the sender confirms
        (
            facts(),
            [finding("PERSONAL_ADDRESS", "personal_contact_shared")],
            Action.CONFIRM,
            "personal-contact-shared",
        ),
        # ... but to colleagues in school it is fine
        (
            facts(external=False),
            [finding("PERSONAL_ADDRESS", "personal_contact_shared")],
            Action.DELIVER,
            None,
        ),
        # a personal contact and special category data is not the own-mailbox rule
        (
            facts(external=False),
            [finding("PERSONAL_ADDRESS", "personal_contact_shared"), finding("SPECIAL_CATEGORY")],
            Action.DELIVER,
            None,
        ),
    ],
)
def test_rule_actions(rules, message_facts, findings, action, rule):
    verdict = decide(message_facts, findings, rules)
    assert verdict.action == action
    if rule is not None:
        assert rule in verdict.rules
    assert not any(r.startswith("own-personal-mailbox") for r in verdict.rules) or any(
        f.kind == "own_personal_recipient" for f in findings
    )


def raw_message(
    body: str,
    *,
    sender: str = SENDER,
    to: str = "parent.jones@gmail.com",
    bcc: str = "",
    attachment: bool = False,
) -> tuple[bytes, Envelope]:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = "Hello"
    mail.set_content(body)
    if attachment:
        mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    rcpts = tuple(a.addr for a in parse_addresses([to, bcc] if bcc else [to]))
    return mail.as_bytes(), Envelope(mail_from=parse_addresses([sender])[0].addr, rcpt_tos=rcpts)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    spec = ScanSpec(
        parse=ParseSettings(school=School(domains=(SCHOOL,))),
        detectors=(
            ("chain_letter", ChainLetterSettings()),
            ("personal_address", PersonalAddressSettings()),
        ),
    )
    return Scanner(spec, Directory())


@pytest.mark.parametrize(
    ("kwargs", "action"),
    [
        # ordinary mail to a parent's gmail address is delivered
        (dict(body="Dear Mrs Jones, see you at parents' evening."), Action.DELIVER),
        # a luck chain is refused
        (
            dict(body="Good luck will come to you if you forward this to all your friends."),
            Action.REJECT,
        ),
        # a blind copy to her own gmail with an attachment is held for an admin
        (dict(body="Reports.", bcc="janesmith82@gmail.com", attachment=True), Action.QUARANTINE),
        # the same without an attachment: she confirms
        (dict(body="Reports.", bcc="janesmith82@gmail.com"), Action.CONFIRM),
        # sent from her personal gmail through the school gateway: refused
        (dict(body="Hello", sender="Jane Smith <janesmith82@gmail.com>"), Action.REJECT),
        # her mobile in the signature to a parent: she confirms
        (dict(body="See you then.\n\nKind regards\nJane\nMob: 07400 123456"), Action.CONFIRM),
        # a blind copy to a ".home" mailbox in a short form of her name, with an attachment
        (
            dict(
                body="Reports.",
                sender=f"Elizabeth Price <e.price@{SCHOOL}>",
                bcc="beth.price.home@gmail.com",
                attachment=True,
            ),
            Action.QUARANTINE,
        ),
        # her forename and surname initial, nothing attached: she confirms
        (dict(body="Planning.", to="jane.s@gmail.com"), Action.CONFIRM),
        # a parent who shares her surname is ordinary school business
        (dict(body="Dear Mr Smith, thank you.", to="mark.smith@gmail.com"), Action.DELIVER),
    ],
)
def test_scan_path_actions(scanner, rules, kwargs, action):
    raw, envelope = raw_message(**kwargs)
    result = scanner.scan(raw, envelope)
    assert decide(result.facts, result.findings, rules).action == action


@pytest.mark.parametrize(
    ("subject", "body", "place"),
    [
        # a warning hoax in the body under a harmless subject: the body is named
        (
            "Hello",
            "WARNING from the police!!! A man in a white van is taking children outside "
            "schools. This is NOT a hoax. Share this with everyone you know!!!",
            "in the message",
        ),
        # a luck chain in the body under a "Fwd: Fwd:" subject: still the body
        (
            "Fwd: Fwd: read this",
            "Good luck will come to you in four days if you forward this to 7 friends. "
            "Do not break the chain.",
            "in the message",
        ),
    ],
)
def test_chain_letter_refusal_is_plain_language(scanner, rules, subject, body, place):
    # the 550 text reaches the sender: plain-language signs and the right place,
    # never the detector's internal names
    mail = EmailMessage()
    mail["From"] = SENDER
    mail["To"] = "parent.jones@gmail.com"
    mail["Subject"] = subject
    mail.set_content(body)
    envelope = Envelope(mail_from=SENDER, rcpt_tos=("parent.jones@gmail.com",))
    result = scanner.scan(mail.as_bytes(), envelope)
    verdict = decide(result.facts, result.findings, rules)
    assert verdict.action == Action.REJECT
    text = rejection_text(verdict, result.findings)
    assert place in text and "subject line" not in text
    assert "_" not in text.split("Found:")[1] and " x2" not in text
    assert "sent on" in text or "warning" in text
