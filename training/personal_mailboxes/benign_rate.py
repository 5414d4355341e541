"""own_personal_recipient findings per 1,000 ordinary messages (../shared/corpus benign
and benign_more), as sent: their own From, To, Cc; the school domain westbrook.sch.uk.

    .venv/bin/python training/personal_mailboxes/benign_rate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from detectors.personal_address import (  # noqa: E402
    OWN_PERSONAL_RECIPIENT,
    PersonalAddressDetector,
    PersonalAddressSettings,
)
from gateway.scanning.parse import ParseSettings, envelope_from_headers, parse_message  # noqa: E402
from models import Directory, School  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def main() -> None:
    school = School(domains=("westbrook.sch.uk",))
    detector = PersonalAddressDetector(PersonalAddressSettings(), Directory(), school)
    settings = ParseSettings(school=school)
    for folder in ("benign", "benign_more"):
        paths = sorted((CORPUS / folder).rglob("*.eml")) + sorted((CORPUS / folder).rglob("*.txt"))
        flagged = []
        for path in paths:
            raw = path.read_bytes()
            message = parse_message(raw, envelope_from_headers(raw), settings)
            hits = [f for f in detector.detect(message) if f.kind == OWN_PERSONAL_RECIPIENT]
            if hits:
                flagged.append((path.name, message.facts.sender_name, hits[0].evidence))
        rate = 1000 * len(flagged) / max(len(paths), 1)
        print(f"{folder}: {len(paths)} messages, {len(flagged)} flagged ({rate:.1f} per 1,000)")
        for row in flagged[:20]:
            print("   ", *row)


if __name__ == "__main__":
    main()
