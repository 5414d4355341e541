"""Raw message bytes -> models.Message: headers, readable text, attachments, protection.

The parser never raises on bad input: malformed MIME is common in real mail, and a
message that cannot be parsed is still scanned as raw text and its problems recorded.
It runs in the scan workers (it is CPU-bound) and does no I/O.
"""

from __future__ import annotations

import contextlib
import email.errors
import email.header
import email.message
import email.utils
import re
import zlib
from email import policy as email_policy
from email.parser import BytesParser

from detectors.freemail import shipped_list
from gateway.scanning.extract.context import Collector, LimitExceeded
from gateway.scanning.extract.dispatch import extract_file
from gateway.scanning.extract.html import table_rows
from gateway.scanning.extract.pgp import is_encrypted_payload, split_armour
from gateway.scanning.extract.smime import CmsError, read_cms
from gateway.scanning.htmltext import html_text_and_tables
from gateway.scanning.settings import ParseSettings
from gateway.textfiles.encoding import decode_text
from models import (
    Address,
    Envelope,
    Message,
    MessageFacts,
    PartInfo,
    Recipient,
    Row,
    domain_matches,
)
from models.location import Location, attachment

MAX_HEADERS = 500
MAX_HEADER_CHARS = 64 * 1024
MAX_ADDRESS_HEADER = 16 * 1024
_SMIME_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")
_SIGNATURE_TYPES = (
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
)


def decode_header_value(value: object) -> str:
    """RFC 2047 words and raw UTF-8 (SMTPUTF8) decoded; folding removed; never raises."""
    if isinstance(value, email.header.Header):
        value = str(value)
    text = str(value)
    # raw 8-bit bytes kept as surrogates (most headers are ASCII: no character to look at)
    if not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_text(text.encode("ascii", "surrogateescape"))
    if "=?" in text:
        with contextlib.suppress(
            ValueError, LookupError, UnicodeError, email.errors.HeaderParseError
        ):
            text = str(email.header.make_header(email.header.decode_header(text)))
    text = text.replace("\r\n", "").replace("\n", "")
    return text[:MAX_HEADER_CHARS]


_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def _getaddresses(values: list[str]) -> list[tuple[str, str]]:
    try:
        return email.utils.getaddresses([v[:MAX_ADDRESS_HEADER] for v in values])
    except (RecursionError, ValueError, IndexError):  # hostile headers defeat the stdlib
        return [("", a) for v in values for a in _ADDRESS.findall(v[:MAX_ADDRESS_HEADER])]


def parse_addresses(values: list[str]) -> tuple[Address, ...]:
    """Header addresses with display names; unparseable entries are dropped."""
    return _addresses(values, decode=False)


def header_addresses(values: list[str]) -> tuple[Address, ...]:
    """Addresses from header values as received: split first, then each display name is
    decoded, so an RFC 2047 name holding a comma ("Wiśniewska, Małgorzata", encoded)
    stays one name instead of being cut at its comma."""
    return _addresses(values, decode=True)


def _addresses(values: list[str], *, decode: bool) -> tuple[Address, ...]:
    found: list[Address] = []
    for name, addr in _getaddresses(values):
        if decode:
            name, addr = decode_header_value(name), decode_header_value(addr)
        addr = addr.strip()
        if "@" not in addr:
            continue
        local, _, domain = addr.rpartition("@")
        found.append(Address(name=name.strip(), addr=f"{local}@{domain.lower().rstrip('.')}"))
    return tuple(found)


def classify_recipients(
    rcpt_tos: tuple[str, ...], sender: str, settings: ParseSettings
) -> tuple[Recipient, ...]:
    """Internal: the school's domains, or the sender's own domain when none are configured.

    A free-mail domain is never "the school's own": without that, a gmail sender would
    make every gmail recipient internal and rules for outside recipients would not fire.
    """
    school = settings.school
    internal_domains = school.domains
    if not internal_domains:
        sender_domain = sender.rpartition("@")[2].lower()
        if sender_domain and sender_domain not in shipped_list():
            internal_domains = (sender_domain,)
    recipients = []
    for addr in rcpt_tos:
        domain = addr.rpartition("@")[2].lower()
        recipients.append(
            Recipient(
                addr=addr,
                internal=domain_matches(domain, internal_domains),
                secure=domain_matches(domain, school.secure_domains),
            )
        )
    return tuple(recipients)


def _content_type(part: email.message.Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # RFC 2231 triple
        name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name).strip().replace("/", "_").replace("\\", "_")


def _is_attachment(part: email.message.Message) -> bool:
    disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or (disposition != "inline" and bool(_filename(part)))


def _payload(part: email.message.Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


class _Walker:
    """Walks one MIME tree into a Collector, with an explicit stack (no recursion).

    Protection is recorded per part: PGP/MIME (multipart/encrypted whose payload really
    is OpenPGP-encrypted), S/MIME enveloped data, inline PGP armour. Opaque-signed
    S/MIME carries the message inside the signature, so it is unwrapped and walked in
    place of the part; detached signatures carry nothing to scan.
    """

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.attachment_count = 0

    def walk(self, root: email.message.Message, location: str, depth: int) -> None:
        stack: list[tuple[email.message.Message, int]] = [(root, depth)]
        while stack:
            part, level = stack.pop()
            try:
                self.collector.check_depth(level)
            except LimitExceeded as exc:
                self.collector.not_scanned(f"{location}: {exc}")
                continue
            inner = self._visit(part, location, level)
            stack.extend((child, level + 1) for child in reversed(inner))

    def _visit(
        self, part: email.message.Message, location: str, depth: int
    ) -> list[email.message.Message]:
        """Record a part; return the parts inside it that still need walking."""
        content_type = _content_type(part)
        if content_type == "multipart/encrypted" and part.is_multipart():
            return self._multipart_encrypted(part, location, depth)
        if content_type == "message/rfc822" or content_type.startswith("message/global"):
            self._nested(part, location, depth)  # before multipart: its payload is a list
            return []
        if part.is_multipart():
            children = part.get_payload()
            return [c for c in children if isinstance(c, email.message.Message)]
        if content_type in _SIGNATURE_TYPES or content_type == "application/pgp-encrypted":
            return []
        if content_type in _SMIME_TYPES:
            return self._smime(part, location, depth)
        if content_type.startswith("text/") and not _is_attachment(part):
            self._body_text(part, content_type, location, depth)
            return []
        self._attachment(part, content_type, location, depth)
        return []

    def _multipart_encrypted(
        self, part: email.message.Message, location: str, depth: int
    ) -> list[email.message.Message]:
        """PGP/MIME: encrypted only when the payload is OpenPGP-encrypted data.

        A multipart/encrypted shell around readable text (a signed-only payload, an
        unknown protocol) is walked like any multipart, so its text is scanned.
        """
        children = [c for c in part.get_payload() if isinstance(c, email.message.Message)]
        protocol = str(part.get_param("protocol") or "").lower()
        payloads = [c for c in children if _content_type(c) == "application/octet-stream"]
        if "pgp" in protocol and payloads and is_encrypted_payload(_payload(payloads[-1])):
            self._record(part, location, depth, encryption="pgp")
            return []
        return children

    def _smime(
        self, part: email.message.Message, location: str, depth: int
    ) -> list[email.message.Message]:
        try:
            content = read_cms(_payload(part), self.collector)
        except LimitExceeded as exc:
            self._record(part, location, depth, unscannable=f"limit reached: {exc}")
            return []
        except (CmsError, ValueError, zlib.error) as exc:
            reason = f"the S/MIME content could not be read ({exc})"
            self._record(part, location, depth, unscannable=reason)
            return []
        if content.encrypted:
            self._record(part, location, depth, encryption="smime")
            return []
        if content.content is None:  # certificates only, or a detached signature
            return []
        return [BytesParser(policy=email_policy.compat32).parsebytes(content.content)]

    def _record(
        self,
        part: email.message.Message,
        location: str,
        depth: int,
        *,
        encryption: str | None = None,
        unscannable: str | None = None,
    ) -> None:
        self.collector.add_part(
            PartInfo(
                path=self._name(part, location),
                content_type=_content_type(part),
                size=len(_payload(part)),
                filename=_filename(part) or None,
                is_attachment=True,
                depth=depth,
                encryption=encryption,
                unscannable=unscannable,
            )
        )

    def _name(self, part: email.message.Message, location: str) -> str:
        name = _filename(part)
        if not name:
            self.attachment_count += 1
            name = f"part-{self.attachment_count}"
        outer = Location.parse(location).file
        return f"{outer}/{name}" if outer else name

    def _attachment(
        self, part: email.message.Message, content_type: str, location: str, depth: int
    ) -> None:
        data = _payload(part)
        if len(data) > self.collector.limits.max_file_size:
            reason = f"larger than {self.collector.limits.max_file_size} bytes"
            self._record(part, location, depth, unscannable=reason)
            return
        extract_file(
            self.collector,
            data,
            name=_filename(part),
            content_type=content_type,
            path=self._name(part, location),
            depth=depth,
        )

    def _body_text(
        self, part: email.message.Message, content_type: str, location: str, depth: int
    ) -> None:
        """A text body part; inline PGP blocks are taken out and recorded as encrypted,
        and the text around them is still scanned."""
        data = _payload(part)
        text = decode_text(data, part.get_content_charset())
        rows: tuple[Row, ...] = ()
        if content_type == "text/html":
            text, tables = html_text_and_tables(text)
            rows = table_rows(tables)
        text, encrypted_blocks, unread_blocks = split_armour(text)
        if unread_blocks:
            self.collector.not_scanned(f"{location}: OpenPGP signed data was not decoded")
        if not text.strip() and not rows and not encrypted_blocks:
            return  # an empty part: nothing to scan and nothing to protect
        if text.strip() or rows:
            self.collector.add_text(location, text, rows)
        self.collector.add_part(
            PartInfo(
                path=location,
                content_type=content_type,
                size=len(data),
                depth=depth,
                encryption="pgp" if encrypted_blocks else None,
            )
        )

    def _nested(self, part: email.message.Message, location: str, depth: int) -> None:
        payload = part.get_payload()
        path = self._name(part, location)
        if isinstance(payload, list) and payload and isinstance(payload[0], email.message.Message):
            inner = payload[0]
        else:
            inner = BytesParser(policy=email_policy.compat32).parsebytes(_payload(part))
        self.collector.add_part(
            PartInfo(
                path=path,
                content_type="message/rfc822",
                size=len(_payload(part)),
                filename=_filename(part) or None,
                is_attachment=True,
                depth=depth,
            )
        )
        walk_attached_message(inner, path, depth + 1, self.collector)


def walk_attached_message(
    inner: email.message.Message, path: str, depth: int, collector: Collector
) -> None:
    """An attached or forwarded message: its subject and parts count as that attachment."""
    location = attachment(path)
    subject = decode_header_value(inner.get("Subject", ""))
    if subject:
        collector.add_text(location, subject)
    _Walker(collector).walk(inner, location, depth)


def message_encryption(collector: Collector) -> str | None:
    """The message's protection: set when every part is encrypted and no text but the
    subject can be read (e.g. PGP/MIME, S/MIME enveloped, signed around encrypted).

    A message with readable text beside its encrypted parts (a plain-text wrapper, text
    around an inline PGP block, a plain attachment) is not protected as a whole; its
    encrypted parts are still recorded as such.
    """
    parts = collector.parts
    if not parts or not all(p.encrypted for p in parts):
        return None
    if any(t.text.strip() for t in collector.texts if t.location != "subject"):
        return None
    return parts[0].encryption


def _parse_nested_bytes(data: bytes, path: str, depth: int, collector: Collector) -> None:
    inner = BytesParser(policy=email_policy.compat32).parsebytes(data)
    walk_attached_message(inner, path, depth, collector)


def _headers(msg: email.message.Message) -> tuple[tuple[str, str], ...]:
    items = msg.items()[:MAX_HEADERS]
    return tuple((str(name), decode_header_value(value)) for name, value in items)


def _subject_tagged(subject: str, tags: tuple[str, ...]) -> bool:
    lowered = subject.lower()
    return any(tag.lower() in lowered for tag in tags if tag)


def parse_message(raw: bytes, envelope: Envelope, settings: ParseSettings) -> Message:
    """Parse a message as received; never raises for malformed input."""
    collector = Collector(
        limits=settings.limits, nested_parser=_parse_nested_bytes, file_extractor=extract_file
    )
    headers: tuple[tuple[str, str], ...] = ()
    raw_headers: list[tuple[str, str]] = []
    try:
        msg = BytesParser(policy=email_policy.compat32).parsebytes(raw)
        raw_headers = msg.items()[:MAX_HEADERS]
        headers = _headers(msg)
        for defect in msg.defects[:20]:
            collector.defect(type(defect).__name__)
    except Exception as exc:  # the stdlib parser can still fail on hostile input
        collector.defect(f"MIME structure could not be parsed ({type(exc).__name__})")
        collector.add_text("body", decode_text(raw))
        msg = None

    def values(name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in headers if k.lower() == lowered]

    subject = (values("Subject") or [""])[0]
    if subject:
        collector.add_text("subject", subject)
    if msg is not None:
        try:
            _Walker(collector).walk(msg, "body", 0)
        except RecursionError:
            collector.not_scanned("MIME structure nested too deeply to read")
    encryption = message_encryption(collector)
    if encryption is None and _subject_tagged(subject, settings.school.encrypt_subject_tags):
        encryption = "subject-tag"

    def addresses(name: str) -> tuple[Address, ...]:
        lowered = name.lower()
        return header_addresses([str(v) for k, v in raw_headers if k.lower() == lowered])

    header_from = addresses("From")
    sender = envelope.mail_from or (header_from[0].addr if header_from else "")
    message_ids = values("Message-ID")
    facts = MessageFacts(
        envelope=envelope,
        recipients=classify_recipients(envelope.rcpt_tos, sender, settings),
        header_from=header_from,
        reply_to=addresses("Reply-To"),
        to=addresses("To"),
        cc=addresses("Cc"),
        subject=subject,
        message_id=message_ids[0].strip() if message_ids else None,
        size=len(raw),
        parts=tuple(collector.parts),
        encryption=encryption,
        defects=tuple(collector.defects),
        unscanned=tuple(collector.unscanned),
    )
    return Message(facts=facts, texts=tuple(collector.texts), headers=headers)


def envelope_from_headers(raw: bytes) -> Envelope:
    """The envelope a message's own From/To/Cc headers imply (for `schoolgate scan`)."""
    try:
        msg = BytesParser(policy=email_policy.compat32).parsebytes(raw, headersonly=True)
    except Exception:
        return Envelope(mail_from="", rcpt_tos=())
    senders = header_addresses([str(v) for v in msg.get_all("From", [])])
    rcpts = header_addresses([str(v) for h in ("To", "Cc") for v in msg.get_all(h, [])])
    return Envelope(
        mail_from=senders[0].addr if senders else "",
        rcpt_tos=tuple(dict.fromkeys(a.addr for a in rcpts)),
    )
