"""Build real messages around test files and parse them as the gateway does."""

from __future__ import annotations

from gateway.scanning.extract import Limits
from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Envelope, Message, PartInfo, TextBlock
from tests.mail import email

SENDER = "teacher@school.example"
RECIPIENT = "parent@example.net"


def email_with(
    *attachments: tuple[str, bytes], body: str = "Please see the attached file."
) -> bytes:
    """A plain message with each (filename, bytes) attached as application/octet-stream,
    so the gateway has to identify the files by their content."""
    mail = email(
        body,
        subject="Files for you",
        sender=SENDER,
        to=RECIPIENT,
        attachments=attachments,
        octet_stream=True,
    )
    return mail.as_bytes()


def parse(raw: bytes, limits: Limits | None = None) -> Message:
    settings = ParseSettings(limits=limits or Limits())
    return parse_message(raw, Envelope(mail_from=SENDER, rcpt_tos=(RECIPIENT,)), settings)


def parse_attached(filename: str, data: bytes, limits: Limits | None = None) -> Message:
    return parse(email_with((filename, data)), limits)


def part(message: Message, path: str) -> PartInfo:
    found = [p for p in message.facts.parts if p.path == path]
    assert found, f"no part {path!r} in {[p.path for p in message.facts.parts]}"
    return found[0]


def block(message: Message, location: str) -> TextBlock:
    """The text at a location (an attached message's subject and body are two blocks
    there: they are joined), with the rows of its table if it has one."""
    found = [t for t in message.texts if t.location == location]
    assert found, f"no text at {location!r} in {[t.location for t in message.texts]}"
    rows = next((t.rows for t in found if t.rows), ())
    return TextBlock(location, "\n".join(t.text for t in found), rows)
