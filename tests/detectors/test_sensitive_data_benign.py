"""False positives on ordinary mail: ../shared/corpus/benign (250 messages).

spamassassin_easy_ham_1/ is mbox-style (a leading "From " line, then headers); the
Enron files are a "Subject:" line followed by the lower-cased body with no blank line,
so they get one before parsing. Every message goes through the real parser.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from detectors.bulk import BULK_PERSONAL_DATA
from detectors.identifiers import IDENTIFIER_TYPES
from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from detectors.special_category import SPECIAL_CATEGORY
from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Directory, Envelope, Finding
from tests.support import corpus

ENVELOPE = Envelope("staff@school.example", ("someone@example.com",))

GENUINE_IDENTIFIERS: frozenset[tuple[str, str]] = frozenset()
"""(file, finding type) of identifiers really present in the benign mail: none are."""

KNOWN_OTHER_FINDINGS: Counter[tuple[str, str, str | None]] = Counter(
    {
        # a real UK phone number in a news story ("call News Shopper on 01689 ...")
        (
            "spamassassin_easy_ham_1/00293.d74734bf5cf13ea138e4ee4df7555008.eml",
            "PHONE_NUMBER",
            "landline",
        ): 1,
    }
)
"""Every finding other than identifiers and special category data on the benign corpus."""

MAX_SPECIAL_PER_1000 = 25
"""Messages with a SPECIAL_CATEGORY finding per 1,000 ordinary messages, at most.

Measured: 16 per 1,000 on benign/ (4 of 250) and 15 on benign_more/ (35 of 2,350) on 4
December 2026 (24 and 17 the day before; 28 and 37 in round 2 of issue 10). The corpus is
2002 mailing-list traffic, much of it forwarded news; a long block with no school words at
all is now read as third-party prose, where a name and "he" are not enough. What remains
is mostly people writing about themselves or a named person in a thread ("I think I'm
depressed", "he was jailed for stealing"), which the detector cannot tell from a
colleague's note. The bound leaves room for about a quarter more, so a vocabulary change
that makes ordinary words match (bare "religion", "gay", "razor", "terminal" did) fails
here."""


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.parent.name.startswith("enron"):
        subject, _, body = raw.partition(b"\n")
        raw = subject + b"\n\n" + body
    return raw


@pytest.fixture(scope="module")
def findings_by_file() -> dict[str, list[Finding]]:
    root = corpus("benign")
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    files = sorted(p for p in root.glob("*/*") if p.suffix in (".eml", ".txt"))
    assert len(files) == 250
    return {
        str(path.relative_to(root)): detector.detect(
            parse_message(_read(path), ENVELOPE, ParseSettings())
        )
        for path in files
    }


def test_no_validated_identifier_or_bulk_data_in_ordinary_mail(
    findings_by_file: dict[str, list[Finding]],
) -> None:
    reported = {
        (name, f.type)
        for name, findings in findings_by_file.items()
        for f in findings
        if f.type in IDENTIFIER_TYPES or f.type == BULK_PERSONAL_DATA
    }
    assert reported == GENUINE_IDENTIFIERS


def test_other_findings_on_ordinary_mail_are_the_known_few(
    findings_by_file: dict[str, list[Finding]],
) -> None:
    other = Counter(
        (name, f.type, f.kind)
        for name, findings in findings_by_file.items()
        for f in findings
        if f.type not in IDENTIFIER_TYPES and f.type not in (BULK_PERSONAL_DATA, SPECIAL_CATEGORY)
    )
    assert other == KNOWN_OTHER_FINDINGS


def special_rate(findings_by_file: dict[str, list[Finding]]) -> float:
    flagged = sum(
        any(f.type == SPECIAL_CATEGORY for f in findings) for findings in findings_by_file.values()
    )
    rate = 1000 * flagged / len(findings_by_file)
    print(f"\nSPECIAL_CATEGORY: {flagged} of {len(findings_by_file)} messages, {rate:.1f}/1,000")
    return rate


def test_special_category_findings_on_ordinary_mail_stay_rare(
    findings_by_file: dict[str, list[Finding]],
) -> None:
    assert special_rate(findings_by_file) <= MAX_SPECIAL_PER_1000


def test_special_category_findings_on_more_ordinary_mail_stay_rare() -> None:
    """The same bound on the 2,350 messages of benign_more/ (identifiers there are not
    checked: benign/ is the corpus they must stay at 0 on)."""
    root = corpus("benign_more")
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    files = sorted(root.glob("*/*.eml"))
    assert len(files) == 2350
    by_file = {
        p.name: detector.detect(parse_message(p.read_bytes(), ENVELOPE, ParseSettings()))
        for p in files
    }
    assert special_rate(by_file) <= MAX_SPECIAL_PER_1000


def test_the_corpus_messages_really_were_read(
    findings_by_file: dict[str, list[Finding]],
) -> None:
    """Guards the two tests above against passing on messages with no text."""
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    root = corpus("benign")
    sample = root / "enron_spam_ham100" / "0001.1999-12-10.kaminski.ham.txt"
    message = parse_message(_read(sample), ENVELOPE, ParseSettings())
    assert message.subject == "re : rankings"
    assert any("thank you" in block.text for block in message.texts if block.location == "body")
    assert detector.detect(message) == findings_by_file[str(sample.relative_to(root))]
