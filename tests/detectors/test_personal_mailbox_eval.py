"""Own-personal-mailbox detection measured on labelled cases: precision and recall must
stay at 0.95 or above, overall, on the independent evaluation set
(tests/detectors/eval/personal_mailboxes.jsonl, written by others, for measuring only)
and on the development set tuned against (training/personal_mailboxes/dev.jsonl).

Each case is a message from sender_name <sender_email> with `recipient` (and its display
name) in To, Cc or only the envelope (Bcc), scanned with default settings, the school
domain westbrook.sch.uk and an empty staff directory: nothing is known about the sender
but the message itself. Run with -s to see the figures per kind.
"""

from __future__ import annotations

import json
from email.headerregistry import Address as HeaderAddress
from pathlib import Path
from typing import Any

import pytest

from detectors.personal_address import (
    OWN_PERSONAL_RECIPIENT,
    PersonalAddressDetector,
    PersonalAddressSettings,
)
from models import Directory, Message, School
from tests.detectors.labelled import Tally
from tests.mail import build
from tests.support import require

ROOT = Path(__file__).resolve().parents[2]
SCHOOL_DOMAIN = "westbrook.sch.uk"
SETS = {
    "eval": ROOT / "tests" / "detectors" / "eval" / "personal_mailboxes.jsonl",
    "dev": ROOT / "training" / "personal_mailboxes" / "dev.jsonl",
}
MIN_PRECISION = MIN_RECALL = 0.95


def mailbox(name: str, address: str) -> str:
    """An address header value, quoting the display name as a mail client would."""
    if not name:
        return address
    local, _, domain = address.rpartition("@")
    return str(HeaderAddress(display_name=name, username=local, domain=domain))


def message(case: dict[str, Any]) -> Message:
    """The case as a parsed message: the recipient in To, in Cc, or only in the envelope."""
    recipient = mailbox(case.get("display_name") or "", case["recipient"])
    fields: dict[str, Any] = {"to": "", "cc": "", "bcc": ()}
    if case["header"] == "To":
        fields["to"] = recipient
    elif case["header"] == "Cc":
        fields["cc"] = recipient
    else:
        fields["bcc"] = (case["recipient"],)
    return build(
        case.get("body") or "",
        subject=case.get("subject") or "Hello",
        sender=mailbox(case.get("sender_name") or "", case["sender_email"]),
        school_domains=(SCHOOL_DOMAIN,),
        **fields,
    )


def measure(path: Path) -> tuple[Tally, dict[str, Tally]]:
    detector = PersonalAddressDetector(
        PersonalAddressSettings(), Directory(), School(domains=(SCHOOL_DOMAIN,))
    )
    overall, by_kind = Tally(), {}
    with path.open(encoding="utf-8") as lines:
        cases = [json.loads(line) for line in lines if line.strip()]
    for case in cases:
        found = detector.detect(message(case))
        flagged = any(f.kind == OWN_PERSONAL_RECIPIENT for f in found)
        label = bool(case["label"])
        overall.add(label, flagged, str(case["id"]))
        by_kind.setdefault(str(case.get("kind", "?")), Tally()).add(label, flagged, "")
    return overall, by_kind


@pytest.mark.parametrize("name", sorted(SETS))
def test_own_personal_mailboxes_are_found_precisely(name: str):
    path = SETS[name]
    require(path.exists(), f"{path} is missing")
    overall, by_kind = measure(path)
    print(f"\n{name}: {path.relative_to(ROOT)}")
    for kind, tally in sorted(by_kind.items()):
        print("  " + tally.line(kind))
    print("  " + overall.line("overall"))
    print("  " + ", ".join(overall.mistakes[:40]))
    assert overall.tp + overall.fn > 0, "no positive cases"
    assert overall.precision >= MIN_PRECISION, overall.line("")
    assert overall.recall >= MIN_RECALL, overall.line("")
