"""The school's own identity: its domains, routes, tags, numbers and addresses.

One value, built from the config's [school] section, used by the parser (who is
internal, which routes are secure, which subject tags mean "encrypt") and handed to
every detector (what is never personal data), so the facts are stated once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def domain_matches(domain: str, patterns: Iterable[str]) -> bool:
    """Exact domain, or any subdomain for a "*.example.org" pattern."""
    domain = domain.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            if domain == pattern[2:] or domain.endswith(pattern[1:]):
                return True
        elif domain == pattern:
            return True
    return False


@dataclass(frozen=True, slots=True)
class School:
    name: str = "the school"
    domains: tuple[str, ...] = ()
    """The school's mail domains (lower case; "*.example.org" covers subdomains)."""
    secure_domains: tuple[str, ...] = ()
    """Partner domains reached over a protected route (e.g. "*.gov.uk", "nhs.net")."""
    encrypt_subject_tags: tuple[str, ...] = ()
    """Subject tags that make the next hop encrypt the message, e.g. "[encrypt]"."""
    phone_numbers: tuple[str, ...] = ()
    """The school's own numbers (office, school-issued mobiles), as written by the school."""
    addresses: tuple[str, ...] = ()
    """The school's own mailboxes on other domains (e.g. the PTA's free-mail address)."""
    postcodes: tuple[str, ...] = ()
    """The school's own postcodes: never someone's home address."""

    @property
    def encrypt_tag(self) -> str | None:
        """The tag staff are told to use, when the school has one."""
        return self.encrypt_subject_tags[0] if self.encrypt_subject_tags else None

    def owns_domain(self, domain: str) -> bool:
        return domain_matches(domain, self.domains)
