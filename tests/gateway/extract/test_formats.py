"""Attachment text and rows, from real files of every format, at the right locations.

Each file is generated here by the library that writes that format, attached to a
real message as application/octet-stream (so the gateway must recognise it by its
content) and parsed with parse_message.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import msoffcrypto
import openpyxl
import pytest

from tests.gateway.extract import files
from tests.gateway.extract.mail import block, parse_attached, part
from tests.support import corpus

Texts = dict[str, tuple[str, ...]]
Rows = tuple[tuple[str, int, tuple[str, ...]], ...]

PUPIL_ROWS_CSV = b"Forename,Surname,DOB\r\nAmelia,Jones,14/05/2012\r\n"

CASES = [
    pytest.param(
        "list.xlsx",
        files.xlsx,
        {},
        (
            ("attachment:list.xlsx#Pupils", 1, ("Forename", "Surname", "DOB")),
            ("attachment:list.xlsx#Pupils", 2, ("Amelia", "Jones", "14/05/2012")),
            ("attachment:list.xlsx#Pupils", 5, ("Zoë", "Smith-Patel", "30/11/2012")),
            ("attachment:list.xlsx#Staff notes", 2, ("", "Referred to CAMHS")),
        ),
        id="xlsx: spreadsheet row numbers (row 4 empty), UK dates, hidden sheet read",
    ),
    pytest.param(
        "report.docx",
        files.docx,
        {
            "attachment:report.docx": (
                "Report for the parents of Amelia Jones.",
                "Header: Year 7 tutor group",
                "Footer: OFFICIAL-SENSITIVE",
                "Removed: Zoë Smith-Patel",  # a tracked deletion is still in the file
                "Boxed note",  # text box
            )
        },
        (
            ("attachment:report.docx#table 1", 1, ("Forename", "Surname")),
            ("attachment:report.docx#table 1", 2, ("Oliver", "O'Neill")),
        ),
        id="docx: paragraphs, header, footer, deletions, text box; table as rows",
    ),
    pytest.param(
        "letter.pdf",
        files.pdf,
        {"attachment:letter.pdf": ("Amelia Jones", "Date of birth 14/05/2012")},
        (),
        id="pdf: text of every page",
    ),
    pytest.param(
        "referral.pdf",
        files.pdf_form,
        {
            "attachment:referral.pdf": (
                "Referral form",
                "Child's full name: Amelia Jones",
                "Date of birth: 14/05/2012",
                "Has an EHCP: Yes",
                "Reviewer: please check Oliver O'Neill too",
            )
        },
        (),
        id="pdf: filled-in form fields as 'label: answer', ticked boxes, comments",
    ),
    pytest.param(
        "letter.pdf",
        lambda: files.pdf_with_files({"class list.csv": PUPIL_ROWS_CSV, "notes.txt": b"SEN"}),
        {"attachment:letter.pdf": ("Letter",), "attachment:letter.pdf/notes.txt": ("SEN",)},
        (("attachment:letter.pdf/class list.csv", 2, ("Amelia", "Jones", "14/05/2012")),),
        id="pdf: files embedded in the PDF read like zip members",
    ),
    pytest.param(
        "trip.pptx",
        files.pptx,
        {"attachment:trip.pptx#slide 1": ("Trip to the museum", "Remember Oliver's inhaler")},
        (("attachment:trip.pptx#slide 1 table 1", 2, ("Amelia", "Jones")),),
        id="pptx: slide text and speaker notes; table as rows",
    ),
    pytest.param(
        "letter.odt",
        files.odt,
        {"attachment:letter.odt": ("Letter about Amelia Jones",)},
        (("attachment:letter.odt#table 1", 2, ("Oliver", "O'Neill")),),
        id="odt: paragraphs; table as rows",
    ),
    pytest.param(
        "list.ods",
        files.ods,
        {},
        (
            ("attachment:list.ods#Pupils", 2, ("Amelia", "Jones")),
            ("attachment:list.ods#Pupils", 6, ("", "", "Zoë", "Smith-Patel")),
        ),
        id="ods: repeated empty rows and cells counted, not materialised",
    ),
    pytest.param(
        "letter.rtf",
        files.rtf,
        {"attachment:letter.rtf": ("Dear parents of Zoë Smith-Patel,", "Café trip on Friday.")},
        (),
        id="rtf: words with code-page escapes, no control words",
    ),
    pytest.param(
        "list.csv",
        files.csv_semicolons,
        {},
        (
            ("attachment:list.csv", 2, ("Zoë", "Smith-Patel", "30/11/2012")),
            ("attachment:list.csv", 4, ("Amelia", "Jones", "14/05/2012")),
        ),
        id="csv: Windows-1252, semicolons sniffed, blank row 3 keeps numbering",
    ),
    pytest.param(
        "list.tsv",
        lambda: b"UPN\tForename\tSurname\nA123\tOliver\tO'Neill, Jr\n",
        {},
        (("attachment:list.tsv", 2, ("A123", "Oliver", "O'Neill, Jr")),),
        id="tsv: tabs sniffed even with a comma inside a cell",
    ),
    pytest.param(
        "class.html",
        files.html,
        {"attachment:class.html": ("Class list", "Amelia\tJones")},
        (("attachment:class.html", 2, ("Amelia", "Jones")),),
        id="html: visible text; table rows on the same block",
    ),
    pytest.param(
        "notes.txt",
        lambda: "Oliver O’Neill – Year 7".encode("utf-16"),
        {"attachment:notes.txt": ("Oliver O’Neill – Year 7",)},
        (),
        id="plain text in UTF-16 with BOM",
    ),
    pytest.param(
        "pupils.zip",
        lambda: files.zip_of(
            {
                "list.xlsx": files.xlsx(),
                "inner.zip": files.zip_of(
                    {"notes.txt": b"Oliver O'Neill: SEN support", "forwarded.eml": files.eml()}
                ),
            }
        ),
        {
            "attachment:pupils.zip/inner.zip/notes.txt": ("Oliver O'Neill: SEN support",),
            "attachment:pupils.zip/inner.zip/forwarded.eml": (
                "Forwarded: Amelia Jones",
                "Her DOB is 14/05/2012",
            ),
        },
        (("attachment:pupils.zip/list.xlsx#Pupils", 2, ("Amelia", "Jones", "14/05/2012")),),
        id="zip: members, a nested zip, and an .eml inside it read as a message",
    ),
    pytest.param(
        "class.7z",
        lambda: files.seven_zip({"exports/list.csv": PUPIL_ROWS_CSV}),
        {},
        (("attachment:class.7z/exports/list.csv", 2, ("Amelia", "Jones", "14/05/2012")),),
        id="7z: members read like zip members",
    ),
    pytest.param(
        "notes.txt.gz",
        lambda: files.gzipped(b"Amelia Jones has a CP plan"),
        {"attachment:notes.txt.gz/notes.txt": ("Amelia Jones has a CP plan",)},
        (),
        id="gzip: the one compressed file",
    ),
    pytest.param(
        "export.tar.gz",
        lambda: files.gzipped(files.tar_of({"mis/list.csv": PUPIL_ROWS_CSV})),
        {},
        (
            (
                "attachment:export.tar.gz/export.tar/mis/list.csv",
                2,
                ("Amelia", "Jones", "14/05/2012"),
            ),
        ),
        id="tar.gz: gzip, then tar, then the CSV",
    ),
    pytest.param(
        "forwarded.eml",
        files.eml,
        {"attachment:forwarded.eml": ("Forwarded: Amelia Jones", "Her DOB is 14/05/2012")},
        (),
        id="eml attached as a file: subject and body",
    ),
    pytest.param(
        "meeting.msg",
        lambda: files.msg(
            "Meeting about Amelia Jones",
            "Notes attached.",
            {"list.csv": PUPIL_ROWS_CSV, "minutes.txt": b"Safeguarding concern: " * 300},
            embedded=files.msg_tree("Inner: Oliver O'Neill", "Forwarded body", {}),
        ),
        {
            "attachment:meeting.msg": ("Meeting about Amelia Jones", "Notes attached."),
            "attachment:meeting.msg/minutes.txt": ("Safeguarding concern",),  # > 4 KB stream
            "attachment:meeting.msg/Forwarded.msg": ("Inner: Oliver O'Neill", "Forwarded body"),
        },
        (("attachment:meeting.msg/list.csv", 2, ("Amelia", "Jones", "14/05/2012")),),
        id="msg: subject, body, attachments and an embedded message",
    ),
]


@pytest.mark.parametrize(("name", "build", "texts", "rows"), CASES)
def test_attachment_text_and_rows(
    name: str, build: Callable[[], bytes], texts: Texts, rows: Rows
) -> None:
    message = parse_attached(name, build())
    assert part(message, name).unscannable is None
    assert part(message, name).encryption is None
    assert not message.facts.unscanned
    for location, expected in texts.items():
        text = block(message, location).text
        for fragment in expected:
            assert fragment in text
    for location, number, cells in rows:
        table = block(message, location)
        assert table.is_table
        found = {row.number: row.cells for row in table.rows}
        assert found.get(number) == cells
        assert "\t".join(cells) in table.text


def test_pdf_form_leaves_out_empty_fields_and_unticked_boxes() -> None:
    text = block(parse_attached("referral.pdf", files.pdf_form()), "attachment:referral.pdf").text
    assert "Looked after child" not in text
    assert "notes" not in text
    assert text.count("Amelia Jones") == 1  # the field's value, not also its appearance


def test_docx_text_box_is_read_once_and_tables_stay_out_of_the_body_text() -> None:
    text = block(parse_attached("report.docx", files.docx()), "attachment:report.docx").text
    assert text.count("Boxed note") == 1  # DrawingML and its VML fallback are one box
    assert "Oliver" not in text  # table content lives in the "#table 1" block


def test_pptx_slides_in_order_with_grouped_shapes_and_only_the_notes_body() -> None:
    message = parse_attached("deck.pptx", files.pptx_two_slides())
    first = block(message, "attachment:deck.pptx#slide 1").text
    assert first.splitlines() == ["In a group", "First slide"]
    second = block(message, "attachment:deck.pptx#slide 2").text
    # The notes page's slide-number and header placeholders are not notes.
    assert second.splitlines() == ["Second slide", "Notes for two"]


def test_xlsx_empty_rows_are_left_out() -> None:
    table = block(parse_attached("list.xlsx", files.xlsx()), "attachment:list.xlsx#Pupils")
    assert [row.number for row in table.rows] == [1, 2, 3, 5]


def test_html_body_tables_give_rows() -> None:
    from tests.gateway.extract.mail import parse

    raw = (
        b"From: a@school.example\r\nTo: b@example.net\r\nSubject: list\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n" + files.html()
    )
    body = block(parse(raw), "body")
    assert [(r.number, r.cells) for r in body.rows] == [
        (1, ("Forename", "Surname")),
        (2, ("Amelia", "Jones")),
    ]


LEGACY = [
    # (corpus file, password from MANIFEST.csv, file name, location, expected text or row)
    pytest.param(
        "rc4cryptoapi_password.doc",
        "attachment:plain.doc",
        "lorem ipsum",
        id="doc: piece-table text of the decrypted corpus file",
    ),
    pytest.param(
        "rc4cryptoapi_password.ppt",
        "attachment:plain.ppt",
        "Lorem ipsum",
        id="ppt: text atoms of the decrypted corpus file",
    ),
    pytest.param(
        "rc4cryptoapi_password.xls",
        "attachment:plain.xls#Sheet1",
        "lorem ipsum\t3",
        id="xls: sheet rows of the decrypted corpus file",
    ),
]


@pytest.mark.parametrize(("source", "location", "expected"), LEGACY)
def test_legacy_office_text(source: str, location: str, expected: str) -> None:
    encrypted = corpus("mime", "attachments", source).read_bytes()
    office = msoffcrypto.OfficeFile(io.BytesIO(encrypted))
    office.load_key(password="Password1234_")  # the password stated in MANIFEST.csv
    decrypted = io.BytesIO()
    office.decrypt(decrypted)
    name = location.removeprefix("attachment:").partition("#")[0]
    message = parse_attached(name, decrypted.getvalue())
    assert part(message, name).encryption is None
    assert expected in block(message, location).text


def test_plain_xls_control_rows() -> None:
    data = corpus("mime", "attachments", "plain.xls").read_bytes()
    table = block(parse_attached("plain.xls", data), "attachment:plain.xls#Sheet1")
    assert [(r.number, r.cells) for r in table.rows] == [(1, ("lorem ipsum", "3"))]


def _cells(name: str, data: bytes, sheet: str) -> dict[int, tuple[str, ...]]:
    table = block(parse_attached(name, data), f"attachment:{name}#{sheet}")
    return {row.number: row.cells for row in table.rows}


def test_xlsx_values_as_excel_shows_them() -> None:
    """Written by openpyxl as Excel would store them: booleans, a formula's cached value
    is not there (openpyxl writes none) so the cell is empty, a time of day, a custom
    date format, a gap between columns, numbers without ".0"."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Mixed"
    sheet["A1"], sheet["C1"] = "Name", "Present"
    sheet["A2"], sheet["C2"] = "Amelia", True
    sheet["A3"] = 12.0
    sheet["B3"] = 2.5
    sheet["A4"] = dt.time(9, 15)
    sheet["A5"] = dt.datetime(2016, 9, 3)
    sheet["A5"].number_format = "dd-mmm-yy"
    sheet["A6"] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    rows = _cells("mixed.xlsx", buffer.getvalue(), "Mixed")
    assert rows[1] == ("Name", "", "Present")
    assert rows[2] == ("Amelia", "", "TRUE")
    assert rows[3] == ("12", "2.5")
    assert rows[4] == ("09:15",)
    assert rows[5] == ("03/09/2016",)
    assert 6 not in rows  # a formula with no cached value shows nothing


SHEET_XML = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="2"><c r="B2" t="inlineStr"><is><t>Zofia</t></is></c>'
    '<c r="C2" t="s"><v>0</v></c><c r="D2" t="str"><f>A1</f><v>cached</v></c></row>'
    '<row r="7"><c r="A7" s="1"><v>42736</v></c><c r="B7" t="e"><v>#N/A</v></c></row>'
    "</sheetData></worksheet>"
)


def test_xlsx_inline_and_rich_strings_cached_formulas_and_1904_dates() -> None:
    """Hand-written parts, as other writers (and older Excel on a Mac) produce them."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    members = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="1"/>'
            '<sheets><sheet name="Class #2" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
            b"</Relationships>"
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{main}"><si><r><t>Kowal</t></r><r><t>czyk</t></r>'
            "<rPh><t>KOWARUCHIKU</t></rPh></si></sst>"
        ).encode(),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><cellXfs count="2"><xf numFmtId="0"/>'
            '<xf numFmtId="14"/></cellXfs></styleSheet>'
        ).encode(),
        "xl/worksheets/sheet1.xml": SHEET_XML.encode(),
    }
    rows = _cells("class.xlsx", files.zip_of(members), "Class #2")
    assert rows[2] == ("", "Zofia", "Kowalczyk", "cached")  # phonetic guide left out
    assert rows[7] == ("02/01/2021", "#N/A")  # serial 42736 counted from 1904
