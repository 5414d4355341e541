"""False positives: ordinary mail scanned against a 2,000-pupil roster.

The benign corpus (250 real messages: SpamAssassin easy ham, Enron ham) names many
adults. No message may give a PUPIL_FULL_NAME finding unless the words it points at
really are a roster pupil's forename and surname, as checked here independently of the
detector. A positive control proves the same scan does find a name that is there.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Directory, Envelope, Finding, Message, Pupil
from tests.detectors.pupil_roster import school_directory
from tests.support import corpus

ENVELOPE = Envelope("sender@example.org", ("recipient@example.com",))


def benign_messages() -> list[tuple[str, bytes]]:
    """(file name, raw message) for every benign file, in the form the gateway receives."""
    root = corpus("benign")
    found: list[tuple[str, bytes]] = []
    for path in sorted(root.glob("spamassassin_easy_ham_1/*")):
        raw = path.read_bytes()
        if raw.startswith(b"From "):  # mbox separator line, not a header
            raw = raw.split(b"\n", 1)[1]
        found.append((path.name, raw))
    for path in sorted(root.glob("enron_spam_ham100/*")):
        head = b"From: sender@example.org\r\nTo: recipient@example.com\r\n"
        found.append((path.name, head + path.read_bytes()))
    return found


def scan_all(detector: PupilNameDetector) -> list[tuple[str, Message, Finding]]:
    results = []
    for name, raw in benign_messages():
        message = parse_message(raw, ENVELOPE, ParseSettings())
        results.extend((name, message, finding) for finding in detector.detect(message))
    return results


def _plain_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.findall(r"[a-z0-9]+", letters.replace("'", "").replace("\u2019", ""))


def really_a_pupil(text: str, pupils: tuple[Pupil, ...]) -> bool:
    """The oracle: the words hold some pupil's forename and surname, in either order."""
    words = " ".join(_plain_words(text))
    for pupil in pupils:
        middles = [" ".join(_plain_words(m)) for m in pupil.middle_names] + ["[a-z]"]
        between = rf"(?: (?:{'|'.join(middles)}))*"
        for forename in pupil.forenames:
            for surname in pupil.surnames:
                first, last = " ".join(_plain_words(forename)), " ".join(_plain_words(surname))
                pattern = rf"\b{first}{between} {last}\b|\b{last} {first}\b"
                if re.search(pattern, words):
                    return True
    return False


def matched_text(message: Message, finding: Finding) -> str:
    """The words a finding points at (the first text block at its location)."""
    assert finding.span is not None
    text = next(b.text for b in message.texts if b.location == finding.location)
    return text[finding.span[0] : finding.span[1]]


@pytest.fixture(scope="module")
def directory() -> Directory:
    return school_directory(2000)


def test_ordinary_mail_names_no_pupil_unless_one_is_really_there(directory: Directory):
    assert len(benign_messages()) == 250
    detector = PupilNameDetector(PupilNameSettings(), directory)
    results = scan_all(detector)
    unexplained = [
        (name, finding.evidence)
        for name, message, finding in results
        if not really_a_pupil(matched_text(message, finding), directory.pupils)
    ]
    assert unexplained == []


def test_the_same_scan_finds_a_roster_name_that_is_in_the_mail(directory: Directory):
    """Positive control: a pupil who shares a name with an Enron employee is found in
    exactly the messages where the oracle sees that name ("vince kaminski", "vince j
    kaminski"), so the scan above would have reported a roster name had there been one."""
    namesake = Pupil(("Vince",), ("Kaminski",))
    detector = PupilNameDetector(
        PupilNameSettings(),
        Directory(pupils=(*directory.pupils, namesake), staff=directory.staff),
    )
    expected = {
        name
        for name, raw in benign_messages()
        if any(
            really_a_pupil(block.text, (namesake,))
            for block in parse_message(raw, ENVELOPE, ParseSettings()).texts
        )
    }
    results = scan_all(detector)
    assert len(expected) >= 5
    assert {name for name, _, _ in results} == expected
    for _, message, finding in results:
        assert really_a_pupil(matched_text(message, finding), (namesake,))


def test_the_oracle_itself():
    pupils = (Pupil(("Zoë",), ("Smith-Jones",), ("Rose",)),)
    assert really_a_pupil("zoe smith jones", pupils)
    assert really_a_pupil("SMITH-JONES Zoë", pupils)
    assert really_a_pupil("Zoë Rose Smith-Jones", pupils)
    assert really_a_pupil("Zoë R. Smith-Jones", pupils)
    assert not really_a_pupil("Zoë Smith", pupils)
    assert not really_a_pupil("Zoë and Smith-Jones", pupils)
