"""Content that could not be read is confirmed with the sender before it leaves school."""

from __future__ import annotations

import base64

import pytest

from gateway.config.settings import load
from gateway.policy.decide import decide
from gateway.scanning.parse import ParseSettings, parse_message
from models import Envelope, School

RAR = b"Rar!\x1a\x07\x00" + b"\x00" * 200


def message(to: str) -> tuple[bytes, Envelope]:
    raw = (
        f"From: t@school.example\r\nTo: {to}\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n"
        'Content-Type: application/octet-stream; name="files.rar"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    raw += base64.encodebytes(RAR).replace(b"\n", b"\r\n") + b"--b--\r\n"
    return raw, Envelope("t@school.example", (to,))


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
