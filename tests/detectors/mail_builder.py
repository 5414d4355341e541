"""Build real MIME messages for detector tests and parse them the way the gateway does."""

from __future__ import annotations

import mimetypes
from email.message import EmailMessage

from gateway.scanning.parse import ParseSettings, parse_addresses, parse_message
from models import Envelope, Message, School

SCHOOL_DOMAIN = "westbrook.sch.uk"


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
    mail = EmailMessage()
    mail["From"] = sender
    if to:
        mail["To"] = to
    if cc:
        mail["Cc"] = cc
    if reply_to:
        mail["Reply-To"] = reply_to
    mail["Subject"] = subject
    mail.set_content(body)
    for name, data in attachments:
        maintype, _, subtype = (mimetypes.guess_type(name)[0] or "application/pdf").partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if attached_message is not None:
        mail.add_attachment(attached_message)
    raw = mail.as_bytes()
    recipients = parse_addresses([v for v in (to, cc) if v]) + parse_addresses(list(bcc))
    envelope = Envelope(
        mail_from=parse_addresses([sender])[0].addr,
        rcpt_tos=tuple(dict.fromkeys(r.addr for r in recipients)),
    )
    return parse_message(raw, envelope, ParseSettings(school=School(domains=school_domains)))
