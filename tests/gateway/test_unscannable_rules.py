"""Content that could not be read is confirmed with the sender before it leaves school."""

from __future__ import annotations

import pytest

from gateway.config.settings import load
from gateway.policy.decide import decide
from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Envelope, School
from tests.mail import email, wire

RAR = b"Rar!\x1a\x07\x00" + b"\x00" * 200


def message(to: str) -> tuple[bytes, Envelope]:
    mail = email(
        "See attached.",
        subject="files",
        sender="t@school.example",
        to=to,
        attachments=(("files.rar", RAR),),
        octet_stream=True,
    )
    return wire(mail), Envelope("t@school.example", (to,))


@pytest.mark.parametrize(
    ("recipient", "action", "rule"),
    [
        # an unreadable attachment leaving school is confirmed with the sender
        ("someone@example.org", "confirm", "unscannable-outside-school"),
        # inside school it is delivered and journalled
        ("colleague@school.example", "deliver", "unscannable-inside-school"),
    ],
)
def test_unreadable_attachment(recipient: str, action: str, rule: str):
    config = load(None, {"school.domains": ["school.example"]})
    raw, envelope = message(recipient)
    parsed = parse_message(raw, envelope, ParseSettings(school=School(domains=("school.example",))))
    assert parsed.facts.unscanned, "a RAR file is not read, so the message is not fully scanned"
    verdict = decide(parsed.facts, [], config.effective_rules())
    assert verdict.action == action
    assert rule in verdict.rules
