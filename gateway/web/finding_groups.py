"""Findings grouped for reading: one line per place and type with a count.

A class list names every pupil on it, so a spreadsheet of 13 pupils gives 13 findings of
one type in one sheet; listed one by one they made a 4,000-pixel page (issue 12). Each
group reads "13 pupils' full names in the attachment list.xlsx (sheet Sheet1)" and opens
to the individual findings, which keep their numbers (the marks in the text link to them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

NAMES: dict[str, tuple[str, str]] = {
    "PUPIL_FULL_NAME": ("pupil's full name", "pupils' full names"),
    "SPECIAL_CATEGORY": ("piece of sensitive information", "pieces of sensitive information"),
    "BULK_PERSONAL_DATA": ("list of personal data", "lists of personal data"),
    "PROTECTIVE_MARKING": ("protective marking", "protective markings"),
    "UK_UPN": ("UPN", "UPNs"),
    "UK_ULN": ("ULN", "ULNs"),
    "UK_NHS": ("NHS number", "NHS numbers"),
    "UK_NINO": ("National Insurance number", "National Insurance numbers"),
    "PASSPORT": ("passport number", "passport numbers"),
    "DATE_OF_BIRTH": ("date of birth", "dates of birth"),
    "HOME_ADDRESS": ("home address", "home addresses"),
    "PAYMENT_CARD": ("card number", "card numbers"),
    "UK_BANK_ACCOUNT": ("bank account number", "bank account numbers"),
    "UK_IBAN": ("IBAN", "IBANs"),
    "PERSONAL_ADDRESS": ("personal email address", "personal email addresses"),
    "CHAIN_LETTER": ("chain letter", "chain letters"),
}
"""How a finding type reads, one and many; other types read as their words."""
FOLD_FROM = 3
"""Findings of one type in one place from which they are folded into one line."""


def type_name(finding_type: str, count: int) -> str:
    known = NAMES.get(finding_type)
    if known:
        return known[0] if count == 1 else known[1]
    words = finding_type.replace("_", " ").lower() or "finding"
    return words if count == 1 else f"{words} findings"


def type_title(finding_type: str) -> str:
    """A finding type as a heading reads it: "Pupil's full name", "NHS number"."""
    words = type_name(finding_type, 1)
    return words[:1].upper() + words[1:]


class Grouped(Protocol):
    """What grouping needs of a shown finding."""

    number: int
    type: str
    location: str
    place: str


T = TypeVar("T", bound=Grouped)


@dataclass
class FindingGroup(Generic[T]):
    type: str
    place: str
    """Where, as a teacher would say it, without the row (the items say their rows)."""
    items: list[T] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def folded(self) -> bool:
        """Shown as one line that opens: two findings read as easily one by one."""
        return self.count >= FOLD_FROM

    @property
    def summary(self) -> str:
        return f"{self.count} {type_name(self.type, self.count)} in {self.place}"

    @property
    def first(self) -> int:
        return self.items[0].number


def group_findings(findings: list[T]) -> list[FindingGroup[T]]:
    """Findings by (location, type), in the order each group first appears."""
    groups: dict[tuple[str, str], FindingGroup[T]] = {}
    for finding in findings:
        key = (finding.location, finding.type)
        if key not in groups:
            groups[key] = FindingGroup(finding.type, finding.place)
        groups[key].items.append(finding)
    return list(groups.values())
