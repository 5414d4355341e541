"""Notice subjects: a quoted original subject with folding whitespace becomes one line."""

from __future__ import annotations

import email
import email.policy

from gateway.delivery.mailer import to_bytes
from gateway.hold.notices import NoticeFacts, Signature, alert, compose


def _headers(subject: str) -> tuple[str, bytes]:
    message = compose(
        sender="schoolgate@school.example.org",
        sender_name="schoolgate",
        to=["admin@school.example.org"],
        subject=subject,
        body="x",
        kind="alert",
    )
    raw = to_bytes(message)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    return str(parsed["Subject"]), raw.split(b"\r\n\r\n", 1)[0]


def test_a_long_alert_subject_with_folding_whitespace_is_one_clean_line():
    original = "\r\n\tYear 10 fieldwork:\r\n consent forms,\tmedical forms and the coach " * 3
    facts = NoticeFacts(subject=original, recipients=("parent@example.org",))
    assert facts.subject.startswith("Year 10 fieldwork: consent forms, medical forms")
    title, body = alert(
        facts, "t@school.example.org", "high", "https://console", Signature("s", "School")
    )
    assert "Subject: Year 10 fieldwork: consent forms" in body
    subject, head = _headers(title)
    # read back: no leading space, no tabs, no doubled spaces
    assert subject.startswith('[schoolgate] Held for review (high): "Year 10 fieldwork:')
    assert "\t" not in subject and "  " not in subject
    # on the wire: the value starts on the Subject: line itself, never on a fold
    line = next(x for x in head.split(b"\r\n") if x.startswith(b"Subject:"))
    assert line.startswith(b"Subject: [schoolgate]")


def test_a_plain_subject_is_unchanged():
    subject, _ = _headers("[schoolgate] Daily summary")
    assert subject == "[schoolgate] Daily summary"
