"""The pupil_name detector against a 2,000-pupil roster drawn from UK name frequencies.

Every case of issue 3 is a row below: what must be found (and exactly which words), and
what must not (initials, a forename or surname alone, names that are also words in
ordinary sentences, the sender's own name). Findings are checked through their span:
the words they point at in the text are the words the row expects.
"""

from __future__ import annotations

import pytest

from detectors.base import DetectorSettings
from detectors.pupil_name import PUPIL_FULL_NAME, STAFF_NAMESAKE, PupilNameDetector
from detectors.pupil_name import PupilNameSettings as Settings
from detectors.registry import resolve
from gateway.config.settings import ConfigError, validate
from models import (
    Address,
    Directory,
    Envelope,
    Finding,
    Message,
    MessageFacts,
    Pupil,
    Recipient,
    Row,
    TextBlock,
)
from tests.detectors.pupil_roster import TRICKY_PUPILS, school_directory

SCHOOL = "school.example"


@pytest.fixture(scope="module")
def directory() -> Directory:
    return school_directory(2000)


@pytest.fixture(scope="module")
def detector(directory: Directory) -> PupilNameDetector:
    return PupilNameDetector(Settings(), directory)


def message(
    body: str = "",
    subject: str = "",
    *,
    sender_name: str = "Ms Teacher",
    sender: str = f"teacher@{SCHOOL}",
    blocks: tuple[TextBlock, ...] = (),
) -> Message:
    texts = [TextBlock("subject", subject)] if subject else []
    if body:
        texts.append(TextBlock("body", body))
    texts.extend(blocks)
    facts = MessageFacts(
        envelope=Envelope(sender, ("parent@example.org",)),
        recipients=(Recipient("parent@example.org", internal=False),),
        header_from=(Address(sender_name, sender),),
        subject=subject,
    )
    return Message(facts=facts, texts=tuple(texts))


def matched_words(msg: Message, findings: list[Finding]) -> list[str]:
    """The text each finding's span points at, in order."""
    texts = {block.location: block.text for block in msg.texts}
    words = []
    for finding in findings:
        assert finding.span is not None, finding
        start, end = finding.span
        words.append(texts[finding.location][start:end])
    return words


FULL_NAMES = [
    # --- found: the forms a pupil's full name takes in a message -----------------------
    # forename then surname, as written in any letter
    pytest.param("Amelia Jones was late today.", ["Amelia Jones"], id="plain"),
    # all capitals (a shouted subject, a form)
    pytest.param("PLEASE NOTE: AMELIA JONES IS ABSENT", ["AMELIA JONES"], id="capitals"),
    # all lower case, typed in a hurry
    pytest.param("i saw amelia jones at lunch", ["amelia jones"], id="lower-case"),
    # register style, surname first with a comma
    pytest.param("Register: Jones, Amelia (5B) was absent", ["Jones, Amelia"], id="surname-comma"),
    # MIS style, surname in capitals first
    pytest.param("JONES Amelia 5B absent", ["JONES Amelia"], id="mis-style"),
    # a table pasted into the message: surname and forename cells
    pytest.param("Jones\tAmelia\t5B", ["Jones\tAmelia"], id="pasted-table"),
    # a middle name between forename and surname
    pytest.param("Amelia Rose Jones joined us.", ["Amelia Rose Jones"], id="middle-name"),
    # a middle initial
    pytest.param("Amelia R. Jones has a cold", ["Amelia R. Jones"], id="middle-initial"),
    # possessive 's and bare apostrophe
    pytest.param("Amelia Jones's reading book", ["Amelia Jones"], id="possessive"),
    pytest.param("It is Amelia Jones' coat", ["Amelia Jones"], id="possessive-apostrophe"),
    # punctuation and brackets around the name
    pytest.param('Re: "Amelia Jones" (5B)!', ["Amelia Jones"], id="punctuation"),
    # the name broken by a line wrap
    pytest.param("I spoke to Amelia\r\nJones this morning", ["Amelia\r\nJones"], id="wrapped"),
    # ... and by a wrap inside a quoted reply
    pytest.param("> I spoke to Amelia\n> Jones today", ["Amelia\n> Jones"], id="quoted-wrap"),
    # the preferred forename from the MIS
    pytest.param("Millie Jones was happy", ["Millie Jones"], id="preferred-forename"),
    # the preferred surname from the MIS
    pytest.param("Jack Taylor-Reid won", ["Jack Taylor-Reid"], id="preferred-surname"),
    # hyphenated surname, with and without the hyphen, accent either way
    pytest.param("Zoë Smith-Jones scored", ["Zoë Smith-Jones"], id="hyphenated"),
    pytest.param("Zoe Smith Jones scored", ["Zoe Smith Jones"], id="hyphen-dropped-no-accent"),
    pytest.param("ZOË SMITH-JONES", ["ZOË SMITH-JONES"], id="hyphenated-capitals"),
    # a hyphen at the end of a wrapped line
    pytest.param("Zoe Smith-\nJones scored", ["Zoe Smith-\nJones"], id="hyphen-wrap"),
    # double-barrelled surname without a hyphen
    pytest.param("Oliver Lloyd Webber sang", ["Oliver Lloyd Webber"], id="double-barrelled"),
    # hyphenated forename, and written with a space
    pytest.param("Mary-Jane Watson read", ["Mary-Jane Watson"], id="hyphenated-forename"),
    pytest.param("Mary Jane Watson read", ["Mary Jane Watson"], id="forename-space"),
    # apostrophes: straight, curly, left out, and lower case
    pytest.param("Siobhan O'Neill is here", ["Siobhan O'Neill"], id="apostrophe"),
    pytest.param("Siobhan O\u2019Neill is here", ["Siobhan O\u2019Neill"], id="curly-apostrophe"),
    pytest.param("Siobhan ONeill is here", ["Siobhan ONeill"], id="apostrophe-left-out"),
    pytest.param("Priya D'Souza and siobhan o'neill", ["Priya D'Souza", "siobhan o'neill"], id="d"),
    # accents: roster without, text with; roster with, text without
    pytest.param("Chloé Martin came", ["Chloé Martin"], id="accent-in-text"),
    pytest.param("Chloe Dubois came", ["Chloe Dubois"], id="accent-in-roster"),
    # decomposed accent (e + combining acute), as some Mac mail clients send
    pytest.param("Chloe\u0301 Martin came", ["Chloe\u0301 Martin"], id="combining-accent"),
    # two pupils in one sentence
    pytest.param(
        "Amelia Jones and Harry Thomas", ["Amelia Jones", "Harry Thomas"], id="two-pupils"
    ),
    # names that are also words, written as names in name position
    pytest.param("Please ask Will Brown to come", ["Will Brown"], id="will-brown"),
    pytest.param("Well done to Hope Church!", ["Hope Church"], id="hope-church"),
    pytest.param("Summer Long won the race.", ["Summer Long"], id="sentence-start"),
    pytest.param(
        "Team: Frank Green, Mark Long and Rose Bell.",
        ["Frank Green", "Mark Long", "Rose Bell"],
        id="common-word-list",
    ),
    pytest.param("Grace May's painting", ["Grace May"], id="common-word-possessive"),
    pytest.param("BROWN Will 5B", ["BROWN Will"], id="common-word-mis-style"),
    # --- not found -----------------------------------------------------------------------
    # initials are what staff are asked to use
    pytest.param("A.J. was late today", [], id="initials-dotted"),
    pytest.param("AJ was late today", [], id="initials"),
    pytest.param("Amelia J. was late", [], id="forename-initial"),
    pytest.param("A. Jones was late", [], id="initial-surname"),
    pytest.param("A Jones was late", [], id="initial-no-dot"),
    # a forename alone, a surname alone
    pytest.param("Amelia was late today", [], id="forename-alone"),
    pytest.param("Mrs Jones phoned", [], id="surname-alone"),
    # a sentence or paragraph between the two
    pytest.param("I asked Amelia. Jones from the office replied.", [], id="sentence-break"),
    pytest.param("Thanks Amelia\n\nJones family news", [], id="paragraph-break"),
    pytest.param("Amelia and Jones", [], id="and-between"),
    # a parent addressed, then the child's forename
    pytest.param("Dear Mrs Jones, Amelia has settled in well.", [], id="dear-parent"),
    # forenames in a list, one of which is also a surname
    pytest.param("Thomas, Harry and Jack are in the team", [], id="forename-list"),
    pytest.param("Oliver, Thomas, Harry went", [], id="forename-list-commas"),
    # everyday words that are also pupils' names
    pytest.param("we will brown the onions first", [], id="will-brown-verb"),
    pytest.param("bill green energy supplier", [], id="bill-green-lower"),
    pytest.param("Switch to Bill Green Energy today", [], id="title-case-company"),
    pytest.param("Results of the Summer Long Jump", [], id="title-case-event"),
    pytest.param("It was a long summer; long summer days", [], id="summer-long-words"),
    pytest.param("I hope church is fun", [], id="hope-church-words"),
    pytest.param("Our Hope Church fete is on Saturday", [], id="determiner-place"),
    pytest.param("Grace may come later", [], id="grace-may-modal"),
    pytest.param("WE WILL BROWN THE ONIONS", [], id="capitals-sentence"),
    pytest.param("the rose bell rang", [], id="rose-bell-words"),
    pytest.param("Mark green entries in the register", [], id="mark-green-verb"),
    pytest.param("Frank church leaders spoke", [], id="frank-church-adjective"),
]


@pytest.mark.parametrize(("text", "expected"), FULL_NAMES)
def test_full_names_in_the_body(detector: PupilNameDetector, text: str, expected: list[str]):
    msg = message(text)
    findings = detector.detect(msg)
    assert matched_words(msg, findings) == expected
    assert all(f.type == PUPIL_FULL_NAME and f.location == "body" for f in findings)
    assert all(0.5 <= f.score <= 1.0 and f.kind is None for f in findings)


def test_a_finding_says_where_redacts_the_name_and_suggests_initials(detector):
    msg = message("Amelia was fine.", subject="Amelia Jones - reading")
    [finding] = detector.detect(msg)
    assert finding.location == "subject"
    assert finding.span == (0, 12)
    assert finding.evidence == "A**** J****"
    assert "Amelia" not in finding.explanation and "Jones" not in finding.explanation
    assert finding.explanation == (
        "The subject line contains a pupil's full name (A**** J****); "
        "use initials instead, e.g. A.J."
    )
    assert finding.score == pytest.approx(0.95)
    assert finding.detector == "pupil_name"


def test_repeats_of_one_name_in_one_place_are_one_finding_with_a_count(detector):
    msg = message("Amelia Jones lost a shoe. JONES, Amelia found it. Millie Jones said thanks.")
    findings = detector.detect(msg)
    by_initials = {f.explanation.rsplit(" ", 1)[1]: f for f in findings}
    assert by_initials["A.J."].count == 2  # the legal forename, twice
    assert by_initials["M.J."].count == 1  # the preferred forename is written differently


def test_capitals_and_lower_case_score_below_a_name_written_as_a_name(detector):
    scores = {
        text: detector.detect(message(text))[0].score
        for text in ("Amelia Jones", "amelia jones", "Please ask Will Brown", "Will Brown here")
    }
    assert scores["Amelia Jones"] > scores["amelia jones"] >= 0.5
    assert scores["Amelia Jones"] > scores["Please ask Will Brown"]
    assert scores["Please ask Will Brown"] > scores["Will Brown here"] >= 0.5


STAFF_AND_SENDER = [
    # a pupil who shares a full name with a member of staff: reported low, explained
    pytest.param("Sarah Collins will cover 5B", "Ms Teacher", f"teacher@{SCHOOL}", 1, id="staff"),
    # the sender's own name in the signature (From display name)
    pytest.param("Thanks,\nMark Long", "Mark Long", f"m.long@{SCHOOL}", 0, id="sender-name"),
    # ... written the register way in the From header
    pytest.param("Regards, Mark Long", "Long, Mark", f"m.long@{SCHOOL}", 0, id="sender-comma"),
    # the sender known from the staff directory by address, no display name
    pytest.param("Daniel Hughes\nYear 2", "", f"d.hughes@{SCHOOL}", 0, id="sender-by-address"),
]


@pytest.mark.parametrize(("body", "sender_name", "sender", "count"), STAFF_AND_SENDER)
def test_staff_names_and_the_senders_own_name(
    detector: PupilNameDetector, body: str, sender_name: str, sender: str, count: int
):
    findings = detector.detect(message(body, sender_name=sender_name, sender=sender))
    assert len(findings) == count
    for finding in findings:
        assert finding.kind == STAFF_NAMESAKE
        assert finding.score == pytest.approx(0.3)
        assert "also the name of a member of staff" in finding.explanation
        assert finding.explanation.endswith("use initials instead, e.g. S.C.")


def test_another_pupil_named_in_the_senders_message_is_still_found(detector):
    msg = message("Amelia Jones and Mark Long", sender_name="Mark Long", sender=f"m@{SCHOOL}")
    assert matched_words(msg, detector.detect(msg)) == ["Amelia Jones"]


TABLE_ROWS = [
    # surname and forename in separate cells, register order
    pytest.param(("Jones", "Amelia", "5B"), 1, id="surname-forename-cells"),
    # forename cell with a middle name
    pytest.param(("Amelia Rose", "Jones", "5B"), 1, id="forename-with-middle-name"),
    # preferred forename in its own column, capitals surname
    pytest.param(("JONES", "Millie"), 1, id="capital-surname-preferred"),
    # common-word names in name columns are names
    pytest.param(("Brown", "Will", "Year 5"), 1, id="common-words-as-names"),
    # apostrophe and accent variations in cells
    pytest.param(("O'Neill", "Siobhan"), 1, id="apostrophe-cells"),
    pytest.param(("Smith-Jones", "Zoe"), 1, id="hyphen-accent-cells"),
    # ordinary lower-case words in a table are not names
    pytest.param(("will", "brown", "onions"), 0, id="lower-case-words"),
    # initials and a surname
    pytest.param(("A", "Jones", "5B"), 0, id="initial-cell"),
    # surname alone
    pytest.param(("Jones", "5B", "absent"), 0, id="surname-alone"),
    # forename and surname of two different pupils
    pytest.param(("Siobhan", "Jones"), 0, id="different-pupils"),
]


@pytest.mark.parametrize(("cells", "count"), TABLE_ROWS)
def test_a_table_row_with_forename_and_surname_cells(
    detector: PupilNameDetector, cells: tuple[str, ...], count: int
):
    header = Row(1, ("Surname", "Forename", "Class"))
    row = Row(7, cells)
    text = "\n".join("\t".join(r.cells) for r in (header, row))
    block = TextBlock("attachment:register.xlsx#Sheet1", text, rows=(header, row))
    findings = detector.detect(message(blocks=(block,)))
    assert len(findings) == count
    for finding in findings:
        assert finding.row == 7
        assert finding.location == "attachment:register.xlsx#Sheet1"
        assert finding.span is not None
        assert text[finding.span[0] : finding.span[1]] == "\t".join(cells[:2])
        assert "The attachment register.xlsx, sheet Sheet1, row 7 contains" in finding.explanation


def test_a_long_sheet_with_repeated_cells_finds_each_named_row(detector):
    """Cells are read once per distinct text and numbers, dates and money are passed
    over, but each row naming a pupil is still found, with its own row and span."""
    filler = [
        Row(n, (f"2026-09-{n % 28 + 1:02d}", "Science", "Jones", f"£{n}.50")) for n in range(2, 400)
    ]
    named = [
        Row(400, ("Jones", "Amelia", "12")),
        Row(401, ("Science", "x")),
        Row(402, ("Jones", "Amelia", "7")),
    ]
    rows = (Row(1, ("Date", "Department", "Surname", "Cost")), *filler, *named)
    text = "\n".join("\t".join(r.cells) for r in rows)
    block = TextBlock("attachment:orders.xlsx#Orders", text, rows=rows)
    findings = detector.detect(message(blocks=(block,)))
    assert sorted(f.row for f in findings if f.row is not None) == [400, 402]
    for finding in findings:
        assert finding.span is not None
        assert text[finding.span[0] : finding.span[1]] == "Jones\tAmelia"


def test_full_names_in_table_text_carry_their_row(detector):
    rows = (Row(1, ("Pupil", "Note")), Row(2, ("Amelia Jones", "reading")), Row(3, ("x", "y")))
    text = "\n".join(",".join(r.cells) for r in rows)
    block = TextBlock("attachment:notes.csv", text, rows=rows)
    [finding] = detector.detect(message(blocks=(block,)))
    assert finding.row == 2
    assert text[finding.span[0] : finding.span[1]] == "Amelia Jones"


def test_a_pupil_named_in_an_attachments_file_name(detector):
    from dataclasses import replace

    from models import PartInfo

    msg = message("See attached.")
    part = PartInfo(
        path="Amelia_Jones_EHCP.pdf",
        content_type="application/pdf",
        size=10,
        filename="Amelia_Jones_EHCP.pdf",
        is_attachment=True,
    )
    msg = replace(msg, facts=replace(msg.facts, parts=(part,)))
    [finding] = detector.detect(msg)
    assert finding.location == "attachment:Amelia_Jones_EHCP.pdf"
    assert finding.explanation.startswith("The name of the attachment A****_EHCP.pdf contains")


def test_an_empty_roster_finds_nothing():
    detector = PupilNameDetector(Settings(), Directory())
    assert detector.detect(message("Amelia Jones")) == []


def test_a_school_can_add_its_own_common_words():
    directory = Directory(pupils=(Pupil(("Amelia",), ("Fairweather",)),))
    assert PupilNameDetector(Settings(), directory).detect(message("amelia fairweather"))
    settings = Settings(common_words=("fairweather",))
    assert not PupilNameDetector(settings, directory).detect(message("amelia fairweather"))
    assert PupilNameDetector(settings, directory).detect(message("Amelia Fairweather"))


def test_middle_names_are_limited_by_the_setting():
    directory = Directory(pupils=(Pupil(("Amelia",), ("Jones",), ("Rose", "Mary")),))
    text = "Amelia Rose Mary Jones"
    assert PupilNameDetector(Settings(), directory).detect(message(text))
    assert not PupilNameDetector(Settings(max_middle_names=1), directory).detect(message(text))


def test_the_detector_is_registered_and_its_settings_are_validated():
    assert resolve("pupil_name") is PupilNameDetector
    config = validate({"detectors": {"pupil_name": {"max_middle_names": 2}}}, "test")
    settings = config.detector_settings()["pupil_name"]
    assert isinstance(settings, Settings) and settings.max_middle_names == 2
    with pytest.raises(ConfigError, match="max_midle_names"):
        validate({"detectors": {"pupil_name": {"max_midle_names": 2}}}, "test")


def test_plain_detector_settings_are_accepted():
    directory = Directory(pupils=TRICKY_PUPILS)
    detector = PupilNameDetector(DetectorSettings(), directory)
    assert detector.detect(message("Amelia Jones"))
