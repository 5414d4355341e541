"""One builder for test mail: a message as a mail client writes it, its bytes as SMTP
carries them, and the same message parsed as the gateway parses it.

Tests that need something a mail client would never write (smuggling sequences, bare
LF, broken MIME) write those bytes by hand, next to the test that needs them.
"""

from __future__ import annotations

import mimetypes
import time
from email.message import EmailMessage

from gateway.scanning.parse import parse_addresses, parse_message
from gateway.scanning.settings import ParseSettings
from models import Envelope, Message, School

SCHOOL_DOMAIN = "westbrook.sch.uk"


def email(
    body: str = "",
    *,
    subject: str = "Hello",
    sender: str = "Jane Smith <jane.smith@westbrook.sch.uk>",
    to: str = "parent.jones@gmail.com",
    cc: str = "",
    reply_to: str = "",
    attachments: tuple[tuple[str, bytes], ...] = (),
    octet_stream: bool = False,
    attached_message: EmailMessage | None = None,
    message_id: bool = False,
    date: str = "",
) -> EmailMessage:
    """A message; attachments typed by their name, or all application/octet-stream when
    `octet_stream` (so the gateway must identify them by content)."""
    mail = EmailMessage()
    mail["From"] = sender
    if to:
        mail["To"] = to
    if cc:
        mail["Cc"] = cc
    if reply_to:
        mail["Reply-To"] = reply_to
    mail["Subject"] = subject
    if date:
        mail["Date"] = date
    if message_id:
        mail["Message-ID"] = f"<{time.time_ns()}@school.example>"
    mail.set_content(body)
    for name, data in attachments:
        guessed = "application/octet-stream" if octet_stream else mimetypes.guess_type(name)[0]
        maintype, _, subtype = (guessed or "application/pdf").partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if attached_message is not None:
        mail.add_attachment(attached_message)
    return mail


def wire(mail: EmailMessage) -> bytes:
    """The bytes as SMTP carries them: CRLF line ends."""
    return mail.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def build(
    body: str = "",
    *,
    subject: str = "Hello",
    sender: str = "Jane Smith <jane.smith@westbrook.sch.uk>",
    to: str = "parent.jones@gmail.com",
    cc: str = "",
    bcc: tuple[str, ...] = (),
    reply_to: str = "",
    attachments: tuple[tuple[str, bytes], ...] = (),
    attached_message: EmailMessage | None = None,
    school_domains: tuple[str, ...] = (SCHOOL_DOMAIN,),
) -> Message:
    """A parsed message; the envelope recipients are To, Cc and `bcc`."""
    raw = email(
        body,
        subject=subject,
        sender=sender,
        to=to,
        cc=cc,
        reply_to=reply_to,
        attachments=attachments,
        attached_message=attached_message,
    ).as_bytes()
    recipients = parse_addresses([v for v in (to, cc) if v]) + parse_addresses(list(bcc))
    envelope = Envelope(
        mail_from=parse_addresses([sender])[0].addr,
        rcpt_tos=tuple(dict.fromkeys(r.addr for r in recipients)),
    )
    return parse_message(raw, envelope, ParseSettings(school=School(domains=school_domains)))
