"""Plain data types shared by the gateway and the detectors.

Nothing here does I/O: these are the values that cross process boundaries (the scan
pool pickles them) and the contract between parser, detectors and policy.
"""

from models.directory import Directory, Pupil, StaffMember
from models.finding import Basis, Finding
from models.message import (
    Address,
    Envelope,
    Message,
    MessageFacts,
    PartInfo,
    Recipient,
    Row,
    TextBlock,
)
from models.school import School, domain_matches
from models.verdict import Action, RuleMatch, Severity, Verdict

__all__ = [
    "Action",
    "Address",
    "Basis",
    "Directory",
    "Envelope",
    "Finding",
    "Message",
    "MessageFacts",
    "PartInfo",
    "Pupil",
    "Recipient",
    "Row",
    "RuleMatch",
    "School",
    "Severity",
    "StaffMember",
    "TextBlock",
    "Verdict",
    "domain_matches",
]
