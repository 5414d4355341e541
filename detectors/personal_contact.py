"""Personal phone numbers and e-mail addresses that a member of staff gives in their own
words: "my personal email is …", "text me on …", a signature with a mobile.

Only the sender's own text counts: quoted replies and forwarded messages are cut off,
because a parent's signature quoted back to them is not the teacher sharing anything.
Numbers and addresses in ordinary prose ("the parent's number is …") are not personal
contact details of the sender and are left to the sensitive-data detector.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers

from detectors.email_addresses import EmailAddress, find_addresses
from detectors.search_windows import literal_finditer
from detectors.textmatch import lowered_as_ignorecase
from models.redact import redact_digits

_QUOTE_START = re.compile(
    r"""^[ \t]*+(?:
        -{2,}[ \t]*(?:original|forwarded)[ \t]+message[ \t]*-{2,}
      | begin\s+forwarded\s+message\s*:
      | on\s[^\n]{0,300}(?:\n[^\n]{0,300})?\bwrote\s*:
      | _{10,}[ \t]*$
      | from:[^\n]*\n[ \t]*(?:sent|date):
    )""",
    re.I | re.M | re.X,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*", re.M)
_SIGN_OFF = re.compile(
    r"""^[ \t]*+(?:
        (?:(?:kind(?:est)?|warm(?:est)?|best|many)[ \t]+)?(?:regards|wishes|thanks)
      | thank\s+you | best | cheers | all\s+the\s+best | take\s+care
      | yours(?:\s+(?:sincerely|faithfully|truly))? | with\s+(?:best\s+)?wishes
      | --
    )[ \t,.!]*$""",
    re.I | re.M | re.X,
)
_CUE_SOURCE = r"""\b(?:
        my\s+(?:(?P<qualifier>own|personal|private|home|work|school|office)\s+)?
            (?:mobile|mob|cell|phone|number|no\.?|tel|telephone|whatsapp|e-?mail|address
              |gmail|hotmail|outlook|yahoo)
      | (?:call|text|ring|phone|whatsapp|message|e-?mail|contact|reach)\s+me
      | (?:personal|private|home)\s+(?:mobile|number|phone|e-?mail|address)
    )\b"""
_CUE = re.compile(_CUE_SOURCE, re.I | re.X)
_CUE_LOWER = re.compile(_CUE_SOURCE, re.X)
"""_CUE for lower-cased text (textmatch.lowered_as_ignorecase)."""
_CUE_STARTS = (
    *("my", "call", "text", "ring", "phone", "whatsapp", "message", "e-mail", "email"),
    *("contact", "reach", "personal", "private", "home"),
)
"""What every match of _CUE begins with: it is tried only where they are."""
_NOT_PERSONAL_QUALIFIERS = frozenset({"work", "school", "office"})
CUE_WINDOW = 80
MAX_SIGNATURE_CHARS = 800
_PERSONAL_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.PERSONAL_NUMBER}
)


@dataclass(frozen=True, slots=True)
class ContactHit:
    """A personal phone number or address in the sender's text."""

    what: str
    """"mobile number", "phone number" or "email address"."""
    start: int
    end: int
    key: str
    """E.164 number or EmailAddress.key: the same detail given twice counts once."""
    evidence: str
    """Redacted for the journal."""


def own_text(text: str) -> str:
    """The sender's part of a body: before any quoted or forwarded message, with quoted
    ("> ") lines blanked out (offsets into `text` stay valid)."""
    match = _QUOTE_START.search(text)
    head = text[: match.start()] if match else text
    if ">" not in head:
        return head  # no quoted line (the regex would try every character to find none)
    return _QUOTED_LINE.sub(lambda m: " " * len(m.group()), head)


def signature_start(text: str) -> int | None:
    """Where the signature begins: the last sign-off line ("Kind regards", "--")."""
    starts = [match.start() for match in _SIGN_OFF.finditer(text)]
    return starts[-1] if starts else None


def _phones(
    text: str, offset: int, region: str, accept: Callable[[phonenumbers.PhoneNumber], bool]
) -> Iterator[ContactHit]:
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        number = match.number
        if not accept(number):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        mobile = phonenumbers.number_type(number) in _PERSONAL_TYPES
        yield ContactHit(
            what="mobile number" if mobile else "phone number",
            start=offset + match.start,
            end=offset + match.end,
            key=e164,
            evidence=redact_digits(e164.lstrip("+")),
        )


@dataclass(frozen=True, slots=True)
class ContactRules:
    """What the caller knows: which numbers and addresses are the school's, and which
    addresses are personal (free-mail, or known to be the sender's)."""

    region: str
    is_school_phone: Callable[[str], bool]
    is_personal_address: Callable[[EmailAddress], bool]
    """Personal whatever the context (the sender's listed or name-matching mailbox)."""
    is_freemail_address: Callable[[EmailAddress], bool]
    is_other_address: Callable[[EmailAddress], bool]
    """Not the school's (only answerable when the school's domains are configured)."""


def _address_hit(start: int, end: int, address: EmailAddress, free: bool) -> ContactHit:
    return ContactHit(
        what="email address",
        start=start,
        end=end,
        key=address.key,
        evidence=address.redacted(show_domain=free),
    )


def personal_contacts(text: str, rules: ContactRules) -> list[ContactHit]:
    """Every personal contact detail the sender gives in `text` (a body)."""
    mine = own_text(text)
    found: dict[str, ContactHit] = {}

    def personal_phone(number: phonenumbers.PhoneNumber, any_type: bool) -> bool:
        if not phonenumbers.is_valid_number(number):
            return False
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if rules.is_school_phone(e164):
            return False
        return any_type or phonenumbers.number_type(number) in _PERSONAL_TYPES

    def add(hit: ContactHit) -> None:
        found.setdefault(hit.key, hit)

    lower = lowered_as_ignorecase(mine)
    cues = (
        _CUE.finditer(mine) if lower is None else literal_finditer(_CUE_LOWER, lower, _CUE_STARTS)
    )
    for cue in cues:
        if (cue.group("qualifier") or "").lower() in _NOT_PERSONAL_QUALIFIERS:
            continue
        end = mine.find("\n\n", cue.end())
        end = min(cue.end() + CUE_WINDOW, end if end >= 0 else len(mine))
        window = mine[cue.end() : end]
        for hit in _phones(window, cue.end(), rules.region, lambda n: personal_phone(n, True)):
            add(hit)
        for start, stop, address in find_addresses(window):
            free = rules.is_freemail_address(address)
            if free or rules.is_other_address(address) or rules.is_personal_address(address):
                add(_address_hit(cue.end() + start, cue.end() + stop, address, free))

    signature = signature_start(mine)
    if signature is not None:
        block = mine[signature : signature + MAX_SIGNATURE_CHARS]
        for hit in _phones(block, signature, rules.region, lambda n: personal_phone(n, False)):
            add(hit)
        for start, stop, address in find_addresses(block):
            if rules.is_freemail_address(address):
                add(_address_hit(signature + start, signature + stop, address, True))

    for start, stop, address in find_addresses(mine):
        if rules.is_personal_address(address):
            free = rules.is_freemail_address(address)
            add(_address_hit(start, stop, address, free))
    return sorted(found.values(), key=lambda h: h.start)
