"""What belongs to the school itself: its mail domains, its own addresses on other
domains (a PTA or club mailbox on gmail) and its phone numbers. None of these is ever
personal, whatever the free-mail list says."""

from __future__ import annotations

from dataclasses import dataclass

from detectors.email_addresses import EmailAddress
from models import domain_matches


@dataclass(frozen=True, slots=True)
class SchoolIdentity:
    domains: tuple[str, ...] = ()
    """Normalised domain patterns ("westbrook.sch.uk", "*.westbrook.org.uk")."""
    addresses: frozenset[str] = frozenset()
    """EmailAddress.key of the school's own addresses."""
    phone_numbers: frozenset[str] = frozenset()
    """E.164 numbers ("+441632960000")."""

    @property
    def knows_its_domains(self) -> bool:
        return bool(self.domains)

    def owns_domain(self, domain: str) -> bool:
        return domain_matches(domain, self.domains)

    def owns_address(self, address: EmailAddress) -> bool:
        return address.key in self.addresses or self.owns_domain(address.domain)

    def owns_phone(self, e164: str) -> bool:
        return e164 in self.phone_numbers
