"""Issue 10, pupil names: the forms staff write that the first matcher missed or misread.

Surname-first lists without commas, a pupil whose family name comes first, a word-name
pupil after "that" and other conjunctions, file names in any order and separator, and
word-names that are plainly a place. Each row says what must be found (the exact words
the finding points at) or that nothing may be.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from models import (
    Address,
    Directory,
    Envelope,
    Message,
    MessageFacts,
    PartInfo,
    Recipient,
    TextBlock,
)
from tests.detectors.pupil_roster import school_directory


@pytest.fixture(scope="module")
def detector() -> PupilNameDetector:
    return PupilNameDetector(PupilNameSettings(), school_directory(2000))


def message(body: str, *files: str) -> Message:
    facts = MessageFacts(
        envelope=Envelope("teacher@school.example", ("parent@example.org",)),
        recipients=(Recipient("parent@example.org", internal=False),),
        header_from=(Address("Ms Teacher", "teacher@school.example"),),
        parts=tuple(
            PartInfo(path, "application/pdf", 10, path.rpartition("/")[2], is_attachment=True)
            for path in files
        ),
    )
    return Message(facts=facts, texts=(TextBlock("body", body),) if body else ())


def found(detector: PupilNameDetector, text: str) -> list[str]:
    return [text[f.span[0] : f.span[1]] for f in detector.detect(message(text)) if f.span]


SURNAME_FIRST_LISTS = [
    # a detention list, one "Surname Forename" a line, mixed case
    pytest.param(
        "Detentions Friday:\nRahman Aisha\nJones Amelia\n",
        ["Rahman Aisha", "Jones Amelia"],
        id="detention-list",
    ),
    # bullets and a further column after a separator
    pytest.param(
        "- Rahman Aisha (9X)\n- O'Neill Siobhan (6A)",
        ["Rahman Aisha", "O'Neill Siobhan"],
        id="bullets-and-group",
    ),
    # numbered, with the form group after a dash
    pytest.param(
        "1. Rahman Aisha - 9X\n2. Thomas Harry - 1B\n",
        ["Rahman Aisha", "Thomas Harry"],
        id="numbered",
    ),
    # a pasted table: surname-first name cell between other cells
    pytest.param(
        "1\tRahman Aisha\t9X\n2\tJones Amelia\t5B", ["Rahman Aisha", "Jones Amelia"], id="tab-cells"
    ),
    # one MIS-style capitals line makes the list surname first too
    pytest.param(
        "JONES Amelia\nRahman Aisha", ["JONES Amelia", "Rahman Aisha"], id="with-capitals-line"
    ),
    # a comma list still works as before
    pytest.param(
        "Rahman, Aisha\nJones, Amelia", ["Rahman, Aisha", "Jones, Amelia"], id="comma-list"
    ),
    # a word-name pupil in such a list
    pytest.param(
        "Late:\nRahman Aisha\nChurch Hope\n",
        ["Rahman Aisha", "Church Hope"],
        id="word-name-in-list",
    ),
    # --- not found -------------------------------------------------------------------
    # a lone surname-first line is not a list ("Rose Summer" could be anything)
    pytest.param("Rahman Aisha\n\nSee you soon", [], id="lone-line"),
    # surname-first inside prose, even twice
    pytest.param("I told Rahman Aisha was late and Jones Amelia too.", [], id="prose"),
    # a list line that goes on as a sentence
    pytest.param("Rahman Aisha was late\nJones Amelia was late", [], id="lines-are-sentences"),
    # lower-case word-names in a list are words
    pytest.param(
        "Rahman Aisha\nJones Amelia\nchurch hope\n",
        ["Rahman Aisha", "Jones Amelia"],
        id="lower-word-name",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SURNAME_FIRST_LISTS)
def test_surname_first_lists(detector: PupilNameDetector, text: str, expected: list[str]):
    assert found(detector, text) == expected


FAMILY_NAME_FIRST = [
    # the roster says Xiaoming Wang's family name comes first: matched that way in prose
    pytest.param("Wang Xiaoming came top in the maths test.", ["Wang Xiaoming"], id="prose"),
    # ... and still in the Western order
    pytest.param("Xiaoming Wang came top.", ["Xiaoming Wang"], id="given-first"),
    # capitals, and a line wrap
    pytest.param("Well done WANG Xiaoming!", ["WANG Xiaoming"], id="capitals"),
    pytest.param("Well done to Wang\nXiaoming for the poem", ["Wang\nXiaoming"], id="wrapped"),
    # family name, middle name, given name, as Vietnamese names are written
    pytest.param("Nguyen Anh Minh was absent", ["Nguyen Anh Minh"], id="family-middle-given"),
    # a family-first pupil with a middle name, written family, given, middle
    pytest.param("Nguyen Minh was absent", ["Nguyen Minh"], id="second-pupil"),
    # lower case still counts, lower
    pytest.param("saw wang xiaoming today", ["wang xiaoming"], id="lower-case"),
    # --- not found -------------------------------------------------------------------
    # other pupils are not read family first in prose
    pytest.param("I told Jones Amelia was late.", [], id="not-family-first"),
    # the family name alone
    pytest.param("Mr Wang phoned", [], id="surname-alone"),
    # "Dear Mr Wang, Xiaoming ..." is a parent, then the child's forename
    pytest.param("Dear Mr Wang Xiaoming has settled", [], id="honorific"),
]


@pytest.mark.parametrize(("text", "expected"), FAMILY_NAME_FIRST)
def test_family_name_first_pupils(detector: PupilNameDetector, text: str, expected: list[str]):
    assert found(detector, text) == expected


CONJUNCTIONS = [
    # "that" starting a clause after a reporting verb (the case)
    pytest.param(
        "Just logging that Hope Church was late again.", ["Hope Church"], id="logging-that"
    ),
    # "that" with the name as the subject of a verb
    pytest.param(
        "Please note that Will Brown has a dentist appointment", ["Will Brown"], id="note-that"
    ),
    pytest.param("It seems that Grace May forgot her kit", ["Grace May"], id="seems-that"),
    pytest.param("so pleased that Summer Long arrived early", ["Summer Long"], id="that-past-verb"),
    # and, but, because, when, if, so
    pytest.param("Amelia and Hope Church were late", ["Hope Church"], id="and"),
    pytest.param("Sorry, but Will Brown cannot come", ["Will Brown"], id="but"),
    pytest.param("Kept in because Rose Bell was rude", ["Rose Bell"], id="because"),
    pytest.param("Tell me when Grace May arrives", ["Grace May"], id="when"),
    pytest.param("Ring home if Frank Green is ill", ["Frank Green"], id="if"),
    pytest.param("It rained, so Mark Long stayed in", ["Mark Long"], id="so"),
    # --- not found: "that" as a determiner ---------------------------------------------
    pytest.param("Did you enjoy that Hope Church fete?", [], id="that-determiner"),
    pytest.param("that Summer Long jump was great", [], id="that-lower-noun"),
]


@pytest.mark.parametrize(("text", "expected"), CONJUNCTIONS)
def test_word_names_after_conjunctions(detector: PupilNameDetector, text: str, expected: list[str]):
    assert found(detector, text) == expected


PLACES = [
    # the pupil, written as a name
    pytest.param("Summer Field was late today", ["Summer Field"], id="pupil"),
    pytest.param("Please ask Hope Church to see me", ["Hope Church"], id="pupil-2"),
    pytest.param("I spoke to Summer Field's mum", ["Summer Field"], id="possessive"),
    # a possessive makes a person of it even after "in"
    pytest.param("She is in Summer Field's group", ["Summer Field"], id="in-possessive"),
    pytest.param(
        "Autumn Hill is close to tears", ["Autumn Hill"], id="lower-close-is-not-a-street"
    ),
    # --- not found: the place or thing of the same words -------------------------------
    pytest.param("Sports day is on the Summer Field playing fields", [], id="playing-fields"),
    pytest.param("Coffee morning in St Hope Church hall", [], id="saint-hall"),
    pytest.param("Hope Church hall is booked", [], id="hall"),
    pytest.param("the playing field at Summer Field", [], id="at-the-field"),
    pytest.param("Walk up Summer Field Road to the gate", [], id="road"),
    pytest.param("Parking on Autumn Hill Close", [], id="close"),
    pytest.param("Meet at Autumn Hill Park", [], id="park"),
    pytest.param("Summer Field Library reopens", [], id="library"),
    pytest.param("Hope Church Surgery has moved", [], id="surgery"),
    pytest.param("Pupils from Summer Field School visited", [], id="school"),
    pytest.param("Drop-off on Summer Field Lane or Autumn Hill Avenue", [], id="lane-avenue"),
    pytest.param("a concert at Hope Church", [], id="at-the-church"),
    # the surname alone makes the place, whatever the forename is
    pytest.param("The fun run is at Daisy Field this year.", [], id="at-plain-forename"),
    pytest.param("Please park on Autumn Hill, not the drive.", [], id="on-a-street"),
    # ... and the same pupil written as a name is still found
    pytest.param("Daisy Field got a merit today", ["Daisy Field"], id="plain-forename-pupil"),
]


@pytest.mark.parametrize(("text", "expected"), PLACES)
def test_word_names_that_are_places(detector: PupilNameDetector, text: str, expected: list[str]):
    assert found(detector, text) == expected


FILE_NAMES = [
    # lower case, surname first, hyphens
    pytest.param("rahman-aisha-iep.pdf", ["R**** A****"], id="lower-hyphen-surname-first"),
    # underscores, forename first
    pytest.param("Aisha_Rahman_EHCP.docx", ["A**** R****"], id="underscores"),
    # CamelCase, no separator
    pytest.param("AishaRahman.pdf", ["A**** R****"], id="camel-case"),
    # capitals surname first, spaces
    pytest.param("RAHMAN Aisha report.pdf", ["R**** A****"], id="capitals-surname-first"),
    # dots and a date
    pytest.param("2025-03-01.Jones.Amelia.referral.pdf", ["J**** A****"], id="dots-and-date"),
    # middle name between
    pytest.param("amelia_rose_jones_plan.docx", ["a**** r**** j****"], id="middle-name"),
    # apostrophe surname, run together
    pytest.param("SiobhanONeill.docx", ["S**** O**** N****"], id="camel-apostrophe-dropped"),
    # a name inside a zip: the file inside
    pytest.param("reports.zip/rahman_aisha.docx", ["R**** A****"], id="in-zip"),
    # a folder inside a zip
    pytest.param("reports.zip/Rahman Aisha/plan.docx", ["R**** A****"], id="zip-folder"),
    # word-names written as names
    pytest.param("Will_Brown_IEP.pdf", ["W**** B****"], id="word-name"),
    # a family-first pupil
    pytest.param("Wang-Xiaoming-report.pdf", ["W**** X****"], id="family-first"),
    # --- not found -------------------------------------------------------------------
    pytest.param("will-brown-the-onions.txt", [], id="lower-word-name"),
    pytest.param("Hope_Church_Hall_hire.pdf", [], id="place"),
    pytest.param("A_Rahman_notes.pdf", [], id="initial"),
    pytest.param("aisha-notes.pdf", [], id="forename-alone"),
    pytest.param("Siobhan_Jones.pdf", [], id="two-pupils"),
]


@pytest.mark.parametrize(("path", "expected"), FILE_NAMES)
def test_file_names(detector: PupilNameDetector, path: str, expected: list[str]):
    findings = detector.detect(message("See attached.", path))
    assert [f.evidence.upper() for f in findings] == [e.upper() for e in expected]
    for finding in findings:
        assert finding.location.startswith("attachment:")
        assert finding.explanation.startswith("The name of the attachment")
        assert "Rahman" not in finding.explanation and "Aisha" not in finding.explanation


def test_a_folder_is_reported_once_for_all_its_files(detector: PupilNameDetector):
    msg = message("", "r.zip/Rahman Aisha/a.docx", "r.zip/Rahman Aisha/b.docx")
    [finding] = detector.detect(msg)
    assert finding.location == "attachment:r.zip/Rahman Aisha"


def test_the_senders_own_name_in_a_file_name_is_not_reported(detector: PupilNameDetector):
    msg = message("", "Mark_Long_CV.pdf")
    facts = replace(msg.facts, header_from=(Address("Mark Long", "m.long@school.example"),))
    assert detector.detect(replace(msg, facts=facts)) == []


def test_family_first_order_comes_from_the_roster_or_a_family_first_surname():
    from models import Pupil

    def finds(text: str, *pupils: Pupil) -> bool:
        directory = Directory(pupils=pupils)
        return bool(PupilNameDetector(PupilNameSettings(), directory).detect(message(text)))

    # the roster's mark, for any pupil
    assert finds("Rahman Aisha came top.", Pupil(("Aisha",), ("Rahman",), family_name_first=True))
    assert not finds("Rahman Aisha came top.", Pupil(("Aisha",), ("Rahman",)))
    # a surname of a family-first culture needs no mark ...
    assert finds("Wang Xiaoming came top.", Pupil(("Xiaoming",), ("Wang",)))
    # ... unless it is also someone's forename ("Kim") or an everyday word ("Park")
    kim = Pupil(("Minjun",), ("Kim",))
    assert finds("Kim Minjun came top.", kim)
    assert not finds("Kim Minjun came top.", kim, Pupil(("Kim",), ("Jones",)))
    assert not finds("Park Jiwoo came top.", Pupil(("Jiwoo",), ("Park",)))
    assert finds("Park Jiwoo came top.", Pupil(("Jiwoo",), ("Park",), family_name_first=True))


def test_surname_first_name_cells_in_a_spreadsheet_carry_their_row(detector: PupilNameDetector):
    from models import Row

    rows = (
        Row(1, ("No", "Name", "Group")),
        Row(2, ("1", "Rahman Aisha", "9X")),
        Row(3, ("2", "O'Neill Siobhan", "6A")),
    )
    text = "\n".join("\t".join(r.cells) for r in rows)
    block = TextBlock("attachment:detentions.xlsx#Sheet1", text, rows=rows)
    msg = replace(message(""), texts=(block,))
    assert sorted((f.row, f.evidence) for f in detector.detect(msg)) == [
        (2, "R**** A****"),
        (3, "O**** S****"),
    ]
