"""How a held message is prepared for display: text runs with each finding's match marked."""

from __future__ import annotations

import pytest

from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from gateway.web.finding_groups import group_findings
from gateway.web.message_view import Segment, ShownFinding, build_view, highlight
from models import Envelope


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        # nothing found: the text as it is
        ("Hello", [], [Segment("Hello")]),
        # one match in the middle
        (
            "Dear Amelia Jones,",
            [(5, 17, 1)],
            [Segment("Dear "), Segment("Amelia Jones", 1), Segment(",")],
        ),
        # matches at the very start and end, given out of order
        ("AB CD", [(3, 5, 2), (0, 2, 1)], [Segment("AB", 1), Segment(" "), Segment("CD", 2)]),
        # overlapping matches: the later one is clipped, no character appears twice
        ("abcdef", [(0, 4, 1), (2, 6, 2)], [Segment("abcd", 1), Segment("ef", 2)]),
        # one match inside another: nothing left of it to mark
        ("abcdef", [(0, 6, 1), (2, 3, 2)], [Segment("abcdef", 1)]),
        # a span running past the end (the text was cut short): clipped to the text
        ("abc", [(1, 99, 1)], [Segment("a"), Segment("bc", 1)]),
        # a span wholly past the end: ignored
        ("abc", [(5, 9, 1)], [Segment("abc")]),
        # empty text
        ("", [], [Segment("")]),
    ],
)
def test_highlight(text: str, marks: list[tuple[int, int, int]], expected: list[Segment]):
    segments = highlight(text, marks)
    assert segments == expected
    assert "".join(s.text for s in segments) == text


RAW = (
    b"From: t@school.example\r\nTo: p@example.org\r\nSubject: Report for Amelia Jones\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=OUTER\r\n\r\n"
    b"--OUTER\r\nContent-Type: multipart/alternative; boundary=ALT\r\n\r\n"
    b"--ALT\r\nContent-Type: text/plain\r\n\r\nHi, Tom Brown sends the report.\r\n"
    b"--ALT\r\nContent-Type: text/html\r\n\r\n<p>Hi, <b>Amelia Jones</b> sends the report.</p>\r\n"
    b"--ALT--\r\n"
    b"--OUTER\r\nContent-Type: text/csv; name=list.csv\r\n"
    b"Content-Disposition: attachment; filename=list.csv\r\n\r\nname\r\nAmelia Jones\r\n"
    b"--OUTER--\r\n"
)


def _message():  # type: ignore[no-untyped-def]
    return parse_message(RAW, Envelope("t@school.example", ("p@example.org",)), ParseSettings())


def _span(message, location: str, words: str, occurrence: int = 0) -> list[int]:  # type: ignore[no-untyped-def]
    blocks = [b for b in message.texts if b.location == location]
    text = blocks[occurrence].text
    start = text.index(words)
    return [start, start + len(words)]


def test_findings_are_marked_in_the_block_whose_text_agrees_with_the_evidence():
    message = _message()
    body_blocks = [b for b in message.texts if b.location == "body"]
    assert len(body_blocks) == 2  # the text and the HTML version of the same body
    attachment = next(b.location for b in message.texts if b.location.startswith("attachment:"))
    findings = [
        {
            "type": "PUPIL_FULL_NAME",
            "location": "subject",
            "evidence": "A**** J****",
            "explanation": "A pupil's full name.",
            "span": _span(message, "subject", "Amelia Jones"),
        },
        # found in the HTML version only; its span also fits inside the plain text
        {
            "type": "PUPIL_FULL_NAME",
            "location": "body",
            "evidence": "A**** J****",
            "explanation": "A pupil's full name.",
            "span": _span(message, "body", "Amelia Jones", 1),
        },
        {
            "type": "PUPIL_FULL_NAME",
            "location": attachment,
            "row": 2,
            "evidence": "A**** J****",
            "explanation": "A pupil's full name.",
            "span": _span(message, attachment, "Amelia Jones"),
        },
        # no span (e.g. a finding about the message as a whole): listed, not marked
        {"type": "CHAIN_LETTER", "location": "body", "evidence": "", "explanation": "Chain."},
    ]
    view = build_view(message, findings)
    marked = {
        (block.label, segment.text, segment.mark)
        for block in view.blocks
        for segment in block.segments
        if segment.mark
    }
    assert marked == {
        ("Subject", "Amelia Jones", 1),
        ("Message (part 2)", "Amelia Jones", 2),
        (f"Attachment {attachment.partition(':')[2]}", "Amelia Jones", 3),
    }
    assert [f.marked for f in view.findings] == [True, True, True, False]
    assert [(a.part.path, a.findings) for a in view.attachments] == [("list.csv", [3])]
    assert view.findings[2].where == "the attachment list.csv, row 2"


def test_a_span_that_no_longer_fits_is_listed_but_not_marked():
    message = _message()
    findings = [{"type": "X", "location": "subject", "evidence": "x", "span": [500, 510]}]
    view = build_view(message, findings)
    assert [f.marked for f in view.findings] == [False]
    assert all(s.mark is None for b in view.blocks for s in b.segments)


def test_findings_of_one_type_in_one_place_fold_into_a_counted_line():
    def shown(number: int, type_: str, location: str) -> ShownFinding:
        return ShownFinding(
            number, type_, "", "", "", 1.0, location=location, place=f"the {location}"
        )

    sheet = "attachment:list.xlsx#Sheet1"
    findings = [shown(1, "UK_NHS", "body")]
    findings += [shown(n, "PUPIL_FULL_NAME", sheet) for n in range(2, 15)]
    findings += [shown(15, "PUPIL_FULL_NAME", "body"), shown(16, "PUPIL_FULL_NAME", "body")]
    groups = group_findings(findings)
    assert [(g.type, g.count, g.folded) for g in groups] == [
        ("UK_NHS", 1, False),
        ("PUPIL_FULL_NAME", 13, True),
        ("PUPIL_FULL_NAME", 2, False),  # two read as easily one by one
    ]
    assert groups[1].summary == f"13 pupils' full names in the {sheet}"
    assert [f.number for f in groups[1].items] == list(range(2, 15))
