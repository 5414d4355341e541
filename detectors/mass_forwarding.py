"""Structural signs that a message has been forwarded on and on: "Fwd: Fwd:" subjects,
forwarded headers nested in the body, long lists of recipients copied into the body.

Ordinary mail shows these too (a meeting invitation forwarded twice, a long Outlook
thread), so they only ever add weight to a chain letter's wording; they never decide
on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detectors.email_addresses import address_candidates

_FORWARD_PREFIX = re.compile(
    r"(?:^|[\s:\]])(?:fwd?|tr|wg|rv|enc|vs|doorst)\s*(?:\[\d+\])?\s*:", re.I
)
_FORWARD_MARKERS = re.compile(
    r"""^[ \t>]*+(?:
        -{2,}[ \t]*(?:forwarded|original)[ \t]+message[ \t]*-{2,}  # Gmail, Outlook...
      | begin\s+forwarded\s+message\s*:                       # Apple Mail
      | [-\ \t]{4,}+forwarded[ \t]+by\b                        # Lotus Notes ("- - - forwarded by")
      | (?:subject|betreff|objet)\s*:\s*(?:fwd?|fw)\s*:        # a copied header of a forward
    )""",
    re.I | re.M | re.X,
)


_MARKER_WORDS = ("forward", "original", "subject", "betreff", "objet")
"""Every forwarded-message marker contains one of these words."""


@dataclass(frozen=True, slots=True)
class MassForwarding:
    """Which structural signs are present, for scoring and for the explanation."""

    repeated_forward_prefix: bool = False
    nested_forwards: bool = False
    copied_recipients: bool = False

    @property
    def count(self) -> int:
        return sum((self.repeated_forward_prefix, self.nested_forwards, self.copied_recipients))

    @property
    def labels(self) -> list[str]:
        """Each sign present, completing "This message looks like a chain letter: ..."."""
        names = []
        if self.repeated_forward_prefix:
            names.append("it has been forwarded again and again")
        if self.nested_forwards:
            names.append("it holds forwarded messages inside forwarded messages")
        if self.copied_recipients:
            names.append("it carries a long list of earlier recipients")
        return names


def forward_prefixes(subject: str) -> int:
    """How many forward prefixes ("Fwd:", "FW:", "TR:", ...) the subject carries."""
    return len(_FORWARD_PREFIX.findall(subject[:1000]))


def forwarded_blocks(text: str) -> int:
    """How many forwarded-message headers appear in a body."""
    lower = text.lower()
    if not any(word in lower for word in _MARKER_WORDS):
        return 0  # most mail: skip the line-by-line expression
    return len(_FORWARD_MARKERS.findall(text))


def longest_address_run(text: str, max_gap: int = 80) -> int:
    """The most e-mail addresses in a row with little else between them (a pasted list)."""
    best = run = 0
    last_end = -max_gap - 1
    seen: set[str] = set()
    for start, end in address_candidates(text):
        if start - last_end > max_gap:
            run, seen = 0, set()
        address = text[start:end].lower()
        if address not in seen:
            seen.add(address)
            run += 1
            best = max(best, run)
        last_end = end
    return best


def mass_forwarding(
    subject: str, bodies: list[str], *, min_prefixes: int, min_blocks: int, min_addresses: int
) -> MassForwarding:
    return MassForwarding(
        repeated_forward_prefix=forward_prefixes(subject) >= min_prefixes,
        nested_forwards=sum(forwarded_blocks(b) for b in bodies) >= min_blocks,
        copied_recipients=any(
            b.count("@") >= min_addresses and longest_address_run(b) >= min_addresses
            for b in bodies
        ),
    )
