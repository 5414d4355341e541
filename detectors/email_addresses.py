"""E-mail addresses as the personal_address detector reads them: checked and normalised
by email-validator, so that "Jane.Smith@GMAIL.com", an IDN domain and a malformed
header all compare the same way and junk is never mistaken for an address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from models.redact import redact_words

MAX_ADDRESS_CHARS = 320
MAX_LOCAL_CHARS = 64
MAX_DOMAIN_CHARS = 255
_LOCAL_TAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}\Z")
_DOMAIN_HEAD = re.compile(r"[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """A valid address: local part as written, domain in lower-case ASCII (IDNA)."""

    local: str
    domain: str

    @property
    def key(self) -> str:
        """For comparisons: the local part lower-cased (as every large provider treats it)."""
        return f"{self.local.lower()}@{self.domain}"

    def redacted(self, *, show_domain: bool) -> str:
        """ "j****@gmail.com" (a free-mail domain says nothing about the person) or
        "j****@s****" (a domain of one's own might)."""
        domain = self.domain if show_domain else redact_words(self.domain)
        return f"{redact_words(self.local)}@{domain}"


@lru_cache(maxsize=4096)
def parse_address(text: str) -> EmailAddress | None:
    """The normalised address, or None when `text` is not a valid address (cached: the
    same addresses recur in every header and message)."""
    text = text.strip().strip("<>").strip()
    if not text or len(text) > MAX_ADDRESS_CHARS:
        return None
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return EmailAddress(local=checked.local_part, domain=checked.ascii_domain.lower())


def address_candidates(text: str) -> Iterator[tuple[int, int]]:
    """Spans that look like addresses, found from each "@" outwards: linear in the text,
    where a plain regex search backtracks quadratically over long runs of letters."""
    at = text.find("@")
    while at != -1:
        domain = _DOMAIN_HEAD.match(text, at + 1, at + 1 + MAX_DOMAIN_CHARS)
        plausible = domain and at > 0 and _LOCAL_TAIL.match(text[at - 1]) is not None
        local = plausible and _LOCAL_TAIL.search(text, max(0, at - MAX_LOCAL_CHARS), at)
        if local and domain:
            end = domain.end()
            while end > at + 1 and text[end - 1] == ".":
                end -= 1
            yield local.start(), end
        at = text.find("@", at + 1)


def find_addresses(text: str) -> Iterator[tuple[int, int, EmailAddress]]:
    """Every valid address in free text, with its character span."""
    for start, end in address_candidates(text):
        address = parse_address(text[start:end])
        if address is not None:
            yield start, end, address
