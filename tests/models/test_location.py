"""Location: built and read in one place, so a "#" in a file name cannot split it wrong."""

from __future__ import annotations

import pytest

from gateway.hold.notices import where
from gateway.policy.decide import travels_protected
from models import Envelope, Finding, MessageFacts, PartInfo
from models.location import Location, area_of, attachment


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("list.xlsx", "Sheet1"),
        ("Year 6 #2.xlsx", "Sheet1"),  # a "#" in the file name
        ("100% attendance.xlsx", "Summary #1"),  # "%" in the name, "#" in the sheet's
        ("pupils.zip/Y6/list.csv", ""),  # inside an archive
        ("odd%23name.txt", ""),  # a name that looks escaped already
        ("deck.pptx", "slide 3 table 1"),
    ],
)
def test_an_attachment_location_reads_back_as_it_was_built(path: str, section: str):
    text = attachment(path, section)
    assert text.startswith("attachment:")
    assert Location.parse(text) == Location("attachment", path, section)
    assert Location.parse(text).file == path
    assert area_of(text) == "attachment"


@pytest.mark.parametrize("text", ["subject", "body", "header:From", "header:Reply-To"])
def test_other_locations_are_their_plain_strings(text: str):
    assert str(Location.parse(text)) == text
    assert Location.parse(text).file is None


def test_where_names_a_file_with_a_hash_and_its_sheet():
    finding = {"location": attachment("Year 6 #2.xlsx", "Pupils"), "row": 4}
    assert where(finding) == "the attachment Year 6 #2.xlsx (sheet Pupils), row 4"


def test_stored_locations_from_before_still_read():
    """Journal rows written before escaping existed: a plain name reads the same."""
    assert Location.parse("attachment:list.xlsx#Sheet1") == Location(
        "attachment", "list.xlsx", "Sheet1"
    )


def test_a_finding_inside_an_encrypted_zip_with_a_hash_in_its_name_travels_protected():
    """Splitting by hand at the first "#" cut "Year 6 #2.zip/list.xlsx#Sheet1" to
    "Year 6 ", so the password-protected zip's contents counted as unprotected."""
    zipped = PartInfo("Year 6 #2.zip", "application/zip", 900, "Year 6 #2.zip", True, 1, "zip-aes")
    envelope = Envelope("t@school.example", ("p@example.org",))
    facts = MessageFacts(envelope=envelope, recipients=(), parts=(zipped,))
    inside = attachment("Year 6 #2.zip/list.xlsx", "Sheet1")
    finding = Finding("pupil_name", "PUPIL_FULL_NAME", inside, 0.9, "A**** J****", "a name")
    assert travels_protected(facts, finding)
    outside = Finding("pupil_name", "PUPIL_FULL_NAME", "body", 0.9, "A**** J****", "a name")
    assert not travels_protected(facts, outside)
