"""A parsed message as the detectors and the policy see it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Envelope:
    """The SMTP envelope: who the message is really from and to."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    smtputf8: bool = False


@dataclass(frozen=True, slots=True)
class Address:
    """A header address: display name and the address itself (lower-cased domain)."""

    name: str
    addr: str

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2].lower()

    @property
    def local_part(self) -> str:
        return self.addr.rpartition("@")[0]


@dataclass(frozen=True, slots=True)
class Recipient:
    """An envelope recipient with the facts rules test."""

    addr: str
    internal: bool
    secure: bool = False
    """True when the domain is a configured secure partner route (e.g. *.gov.uk, nhs.net)."""

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a table (spreadsheet, CSV, HTML/DOCX table), numbered as the user sees it."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Text a detector may read, and where it came from.

    `location` is what staff are shown: "subject", "body", "header:From",
    "attachment:report.docx", "attachment:pupils.zip/list.xlsx#Sheet1".
    Tables also carry their rows so detectors can reason per row and per cell.
    """

    location: str
    text: str
    rows: tuple[Row, ...] = ()

    @property
    def is_table(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True, slots=True)
class PartInfo:
    """Facts about one MIME part or one file inside an attachment (never its content)."""

    path: str
    """Location-style path: "body", "report.docx", "pupils.zip/list.xlsx"."""
    content_type: str
    size: int
    filename: str | None = None
    is_attachment: bool = False
    depth: int = 0
    encryption: str | None = None
    """How the part is protected, when it is: "smime", "pgp", "zip-aes", "zip-crypto",
    "7z", "pdf", "office", "odf". An encrypted part cannot be read and is not guessed at."""
    unscannable: str | None = None
    """Why the part's text could not be read (limit reached, corrupt file), when it could not."""

    @property
    def encrypted(self) -> bool:
        return self.encryption is not None


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """Everything about a message except its text: small, and what the policy decides on."""

    envelope: Envelope
    recipients: tuple[Recipient, ...]
    header_from: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    message_id: str | None = None
    size: int = 0
    parts: tuple[PartInfo, ...] = ()
    encryption: str | None = None
    """Message-level protection: "smime" or "pgp" for an encrypted message, "subject-tag"
    when the subject carries a configured tag that makes the next hop encrypt it."""
    defects: tuple[str, ...] = ()
    """Structural oddities found while parsing (malformed MIME) that did not stop the scan."""
    unscanned: tuple[str, ...] = ()
    """Why some content could not be scanned (limits reached, unreadable files)."""

    @property
    def sender(self) -> str:
        """The address the message claims to be from (header From, else envelope)."""
        if self.header_from:
            return self.header_from[0].addr
        return self.envelope.mail_from

    @property
    def sender_name(self) -> str:
        return self.header_from[0].name if self.header_from else ""

    @property
    def attachments(self) -> tuple[PartInfo, ...]:
        return tuple(p for p in self.parts if p.is_attachment)

    @property
    def protected(self) -> bool:
        """True when the whole message travels encrypted."""
        return self.encryption is not None


@dataclass(frozen=True, slots=True)
class Message:
    """A parsed message: its facts, the decoded headers and every readable piece of text."""

    facts: MessageFacts
    texts: tuple[TextBlock, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())
    """Top-level headers, decoded (RFC 2047) and unfolded, in order."""

    @property
    def subject(self) -> str:
        return self.facts.subject

    @property
    def recipients(self) -> tuple[Recipient, ...]:
        return self.facts.recipients

    def header(self, name: str) -> list[str]:
        """All values of a top-level header, case-insensitively."""
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]
