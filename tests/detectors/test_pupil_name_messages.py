"""Pupils' full names in real messages: every charset and transfer encoding, HTML bodies,
and attachments generated here as real files (xlsx, docx, pdf, csv, txt, html, eml, zip),
all through `gateway.scanning.parse.parse_message` and the detector, as the gateway runs them."""

from __future__ import annotations

import base64
import io
import quopri
import zipfile
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default

import docx
import openpyxl
import pytest
from reportlab.pdfgen import canvas

from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Envelope, Finding, Message, School
from tests.detectors.pupil_roster import school_directory
from tests.gateway.extract import files as extract_files

SENDER = "teacher@school.example"
SETTINGS = ParseSettings(school=School(domains=("school.example",)))


@pytest.fixture(scope="module")
def detector() -> PupilNameDetector:
    return PupilNameDetector(PupilNameSettings(), school_directory(2000))


def scan(detector: PupilNameDetector, raw: bytes) -> tuple[Message, list[Finding]]:
    message = parse_message(raw, Envelope(SENDER, ("parent@example.org",)), SETTINGS)
    return message, detector.detect(message)


def single_part(content_type: str, charset: str, encoding: str, text: str) -> bytes:
    """A one-part message with exactly this charset and Content-Transfer-Encoding."""
    payload = text.encode(charset)
    if encoding == "base64":
        payload = base64.encodebytes(payload)
    elif encoding == "quoted-printable":
        payload = quopri.encodestring(payload)
    head = (
        f"From: Ms Teacher <{SENDER}>\r\nTo: parent@example.org\r\nSubject: Update\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode("ascii") + payload


BODIES = [
    # UTF-8 in base64
    pytest.param("text/plain", "utf-8", "base64", "Zoë Smith-Jones scored", ["Zoë Smith-Jones"]),
    # ISO-8859-1 in quoted-printable
    pytest.param(
        "text/plain", "iso-8859-1", "quoted-printable", "Zoë Smith-Jones", ["Zoë Smith-Jones"]
    ),
    # Windows-1252 8-bit with a curly apostrophe
    pytest.param(
        "text/plain", "windows-1252", "8bit", "Siobhan O’Neill is here", ["Siobhan O’Neill"]
    ),
    # UTF-16 (rare, but legal)
    pytest.param("text/plain", "utf-16", "base64", "Amelia Jones read", ["Amelia Jones"]),
    # HTML: markup inside the name is not text
    pytest.param(
        "text/html",
        "utf-8",
        "quoted-printable",
        "<p>Amelia <b>Jones</b> read</p>",
        ["Amelia Jones"],
    ),
    # HTML entities
    pytest.param(
        "text/html", "us-ascii", "7bit", "<p>Zo&euml; Smith-Jones</p>", ["Zoë Smith-Jones"]
    ),
    # an HTML table pasted from a spreadsheet: surname and forename cells
    pytest.param(
        "text/html",
        "utf-8",
        "base64",
        "<table><tr><td>Jones</td><td>Amelia</td><td>5B</td></tr></table>",
        ["Jones\tAmelia"],
    ),
    # names only in markup (attributes, comments) are not in the text anyone reads
    pytest.param(
        "text/html",
        "utf-8",
        "7bit",
        '<p><a title="Amelia Jones" href="x">the report</a><!-- Amelia Jones --></p>',
        [],
    ),
    # separate paragraphs are not one name
    pytest.param("text/html", "utf-8", "7bit", "<p>Thanks Amelia</p><p>Jones family</p>", []),
]


@pytest.mark.parametrize(("content_type", "charset", "encoding", "text", "expected"), BODIES)
def test_names_in_every_body_encoding(
    detector: PupilNameDetector,
    content_type: str,
    charset: str,
    encoding: str,
    text: str,
    expected: list[str],
):
    message, findings = scan(detector, single_part(content_type, charset, encoding, text))
    [body] = [block for block in message.texts if block.location == "body"]
    assert [body.text[f.span[0] : f.span[1]] for f in findings if f.span] == expected
    assert all(f.location == "body" for f in findings)


def test_an_encoded_subject(detector: PupilNameDetector):
    raw = (
        f"From: Ms Teacher <{SENDER}>\r\nTo: parent@example.org\r\n"
        "Subject: =?utf-8?q?Zo=C3=AB_Smith-Jones=3A_reading?=\r\n\r\nSee below.\r\n"
    ).encode()
    _, [finding] = scan(detector, raw)
    assert finding.location == "subject"
    assert finding.evidence == "Z**** S****"


# --- attachments: real files made here ----------------------------------------------------


def xlsx_file() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in (
        ("Surname", "Forename", "Class"),
        ("Jones", "Amelia", "5B"),
        ("O'Neill", "Siobhan", "6A"),
    ):
        sheet.append(row)
    sheet.append(("Nobody", "Here", "7C"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx_file() -> bytes:
    document = docx.Document()
    document.add_paragraph("Amelia Jones has settled in well.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(
        table.rows, (("Surname", "Forename"), ("Smith-Jones", "Zoë")), strict=True
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_file() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Report for Amelia Jones, Year 5")
    page.drawString(72, 700, "Written by the class teacher.")
    page.save()
    return buffer.getvalue()


def csv_file() -> bytes:
    return b"Surname,Forename,Class\r\nJones,Amelia,5B\r\nO'Neill,Siobhan,6A\r\n"


def zip_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "Notes about Amelia Jones and her reading.")
    return buffer.getvalue()


def eml_file() -> bytes:
    inner = EmailMessage()
    inner["From"] = "office@school.example"
    inner["Subject"] = "About Amelia Jones"
    inner.set_content("Forwarded for information.")
    return inner.as_bytes(policy=SMTP)


ATTACHMENTS: list[tuple[str, str, Callable[[], bytes], list[tuple[str, int | None]]]] = [
    # spreadsheet: surname and forename in separate cells, reported by row
    ("register.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     xlsx_file, [("J**** A****", 2), ("O**** S****", 3)]),
    # CSV: the same, as the MIS exports it
    ("register.csv", "text/csv", csv_file, [("J**** A****", 2), ("O**** S****", 3)]),
    # Word document: a paragraph and a table row
    ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     docx_file, [("A**** J****", None), ("S**** Z****", 2)]),
    # PDF text
    ("report.pdf", "application/pdf", pdf_file, [("A**** J****", None)]),
    # a filled-in PDF form: the name is in a form field, not in the page text
    ("referral.pdf", "application/pdf", extract_files.pdf_form, [("A**** J****", None)]),
    # a class list embedded in a PDF
    ("letter.pdf", "application/pdf", lambda: extract_files.pdf_with_files(
        {"register.csv": csv_file()}), [("J**** A****", 2), ("O**** S****", 3)]),
    # plain text and HTML files
    ("notes.txt", "text/plain", lambda: b"Notes about Amelia Jones.", [("A**** J****", None)]),
    ("notes.html", "text/html", lambda: b"<p>Notes about <i>Amelia</i> Jones</p>",
     [("A**** J****", None)]),
    # a forwarded message (message/rfc822): its subject counts as the attachment's text
    ("forwarded.eml", "message/rfc822", eml_file, [("A**** J****", None)]),
    # ... and a saved .eml file attached as a plain file
    ("saved.eml", "application/octet-stream", eml_file, [("A**** J****", None)]),
    # a file inside a ZIP archive
    ("pupils.zip", "application/zip", zip_file, [("A**** J****", None)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content_type", "make", "expected"),
    [pytest.param(*case, id=case[0]) for case in ATTACHMENTS],
)
def test_names_in_attachments(
    detector: PupilNameDetector,
    name: str,
    content_type: str,
    make: Callable[[], bytes],
    expected: list[tuple[str, int | None]],
):
    outer = EmailMessage()
    outer["From"] = f"Ms Teacher <{SENDER}>"
    outer["To"] = "parent@example.org"
    outer["Subject"] = "Documents"
    outer.set_content("Please see the attachment.")
    data = make()
    if content_type == "message/rfc822":
        outer.add_attachment(message_from_bytes(data, policy=default), filename=name)
    else:
        maintype, _, subtype = content_type.partition("/")
        outer.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    message, findings = scan(detector, outer.as_bytes(policy=SMTP))
    in_file = [f for f in findings if f.location.startswith(f"attachment:{name}")]
    assert sorted((f.evidence, f.row) for f in in_file) == sorted(expected), (
        findings,
        message.facts.unscanned,
    )
    assert [f for f in findings if not f.location.startswith("attachment:")] == []
    for finding in in_file:
        assert "use initials instead" in finding.explanation
        if finding.row is not None:
            assert f"row {finding.row}" in finding.explanation


def _zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "Nothing about anyone here.")
    return buffer.getvalue()


FILE_NAMES = [
    # a file name surname first, lower case, hyphens (issue 10)
    pytest.param("rahman-aisha-iep.pdf", b"%PDF-1.4 not really",
                 ["attachment:rahman-aisha-iep.pdf"], id="lower-hyphen"),
    # CamelCase with no separator
    pytest.param("AishaRahman.txt", b"notes", ["attachment:AishaRahman.txt"], id="camel-case"),
    # a file inside a zip, and a folder inside a zip (reported once for its two files)
    pytest.param("reports.zip", _zip_of("Amelia_Jones_EHCP.txt"),
                 ["attachment:reports.zip/Amelia_Jones_EHCP.txt"], id="zip-member"),
    pytest.param("reports.zip", _zip_of("Reports/Rahman Aisha/a.txt", "Reports/Rahman Aisha/b.txt"),
                 ["attachment:reports.zip/Reports/Rahman Aisha"], id="zip-folder"),
    # nobody named
    pytest.param("minutes.zip", _zip_of("Reports/minutes.txt"), [], id="nobody"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "locations"), FILE_NAMES)
def test_names_in_file_names_of_real_attachments(
    detector: PupilNameDetector, name: str, data: bytes, locations: list[str]
):
    outer = EmailMessage()
    outer["From"] = f"Ms Teacher <{SENDER}>"
    outer["To"] = "parent@example.org"
    outer["Subject"] = "Documents"
    outer.set_content("Please see the attachment.")
    outer.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    _, findings = scan(detector, outer.as_bytes(policy=SMTP))
    assert sorted(f.location for f in findings) == locations
    for finding in findings:
        assert finding.explanation.startswith("The name of the attachment")
        assert "Aisha" not in finding.explanation and "Amelia" not in finding.explanation
