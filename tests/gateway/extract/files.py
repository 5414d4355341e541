"""Real attachment files built by the libraries that write them (never copied fixtures).

The people in them are invented; the names are the kind a school roster holds.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import tarfile
import zipfile

import openpyxl
import py7zr
import pypdfium2 as pdfium
from docx import Document
from docx.oxml import parse_xml
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import P
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.gateway.extract.cfb import Tree, write_cfb

PUPILS = (
    ("Amelia", "Jones", dt.date(2012, 5, 14)),
    ("Oliver", "O'Neill", dt.date(2013, 1, 2)),
    ("Zoë", "Smith-Patel", dt.date(2012, 11, 30)),
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def xlsx() -> bytes:
    """Sheet "Pupils": a header, two pupils, an empty row 4, a third pupil in row 5;
    a hidden sheet "Staff notes" (still sent, so still read)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pupils"
    sheet.append(["Forename", "Surname", "DOB"])
    for forename, surname, born in PUPILS[:2]:
        sheet.append([forename, surname, dt.datetime.combine(born, dt.time())])
    forename, surname, born = PUPILS[2]
    sheet["A5"], sheet["B5"], sheet["C5"] = forename, surname, born
    hidden = book.create_sheet("Staff notes")
    hidden["B2"] = "Referred to CAMHS"
    hidden.sheet_state = "hidden"
    return _save(book)


def big_xlsx(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Pupils")
    sheet.append(["Forename", "Surname", "DOB", "UPN", "Year"])
    for number in range(rows):
        forename, surname, born = PUPILS[number % len(PUPILS)]
        sheet.append([forename, f"{surname}{number}", born, f"A{number:012d}", 7])
    return _save(book)


def docx() -> bytes:
    """A paragraph, a table, a header and footer, a tracked deletion and a text box
    (which Word stores twice: DrawingML and a VML fallback)."""
    document = Document()
    document.add_paragraph("Report for the parents of Amelia Jones.")
    table = document.add_table(rows=2, cols=2)
    values = (("Forename", "Surname"), ("Oliver", "O'Neill"))
    for row, (first, second) in zip(table.rows, values, strict=True):
        row.cells[0].text, row.cells[1].text = first, second
    section = document.sections[0]
    section.header.paragraphs[0].text = "Header: Year 7 tutor group"
    section.footer.paragraphs[0].text = "Footer: OFFICIAL-SENSITIVE"
    body = document.element.body
    body.insert(
        len(body) - 1,
        parse_xml(
            f'<w:p xmlns:w="{W}"><w:del w:id="1" w:author="T"><w:r>'
            "<w:delText>Removed: Zoë Smith-Patel</w:delText></w:r></w:del></w:p>"
        ),
    )
    box = "<w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent>"
    body.insert(
        len(body) - 1,
        parse_xml(
            f'<w:p xmlns:w="{W}" xmlns:mc="{MC}"><w:r><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
            f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r></w:p>"
        ),
    )
    return _save(document)


def pdf(pages: tuple[str, ...] = ("Amelia Jones", "Date of birth 14/05/2012")) -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    for text in pages:
        document.drawString(72, 770, text)
        document.showPage()
    document.save()
    return buffer.getvalue()


def pdf_form() -> bytes:
    """A filled-in referral form: the answers live in form fields, not in the page text;
    one tick box is ticked, one is not, and a reviewer's comment is on the page."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    document.drawString(72, 800, "Referral form")
    form = document.acroForm
    form.textfield(name="child", tooltip="Child's full name", value="Amelia Jones", y=700)
    form.textfield(name="dob", tooltip="Date of birth", value="14/05/2012", y=650)
    form.textfield(name="notes", value="", y=600)  # left empty
    form.checkbox(name="ehcp", tooltip="Has an EHCP", checked=True, y=550)
    form.checkbox(name="cla", tooltip="Looked after child", checked=False, y=500)
    document.textAnnotation("Reviewer: please check Oliver O'Neill too", Rect=(72, 400, 90, 418))
    document.showPage()
    document.save()
    return buffer.getvalue()


def pdf_with_files(files: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A PDF (by default a one-page letter) with files embedded in it."""
    document = pdfium.PdfDocument(base if base is not None else pdf(("Letter",)))
    try:
        for name, data in files.items():
            document.new_attachment(name).set_data(data)
        buffer = io.BytesIO()
        document.save(buffer)
    finally:
        document.close()
    return buffer.getvalue()


def big_pdf(pages: int) -> bytes:
    """A text-only PDF of `pages` full pages (uncompressed: about 4 KB per page)."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    line = 0
    for _ in range(pages):
        for y in range(800, 40, -14):
            forename, surname, born = PUPILS[line % len(PUPILS)]
            document.drawString(40, y, f"{line:06d} {forename} {surname} born {born:%d/%m/%Y}")
            line += 1
        document.showPage()
    document.save()
    return buffer.getvalue()


def pptx() -> bytes:
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = "Trip to the museum"
    shape = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1))
    for row, values in enumerate((("Forename", "Surname"), ("Amelia", "Jones"))):
        for column, value in enumerate(values):
            shape.table.cell(row, column).text = value
    slide.notes_slide.notes_text_frame.text = "Remember Oliver's inhaler"
    return _save(presentation)


def pptx_two_slides() -> bytes:
    """Slides added out of title order, a group of shapes, notes on the second slide."""
    presentation = Presentation()
    first = presentation.slides.add_slide(presentation.slide_layouts[6])
    group = first.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1)).text = "In a group"
    first.shapes.add_textbox(Inches(1), Inches(3), Inches(3), Inches(1)).text = "First slide"
    second = presentation.slides.add_slide(presentation.slide_layouts[1])
    second.shapes.title.text = "Second slide"
    second.notes_slide.notes_text_frame.text = "Notes for two"
    for placeholder in second.notes_slide.placeholders:  # as PowerPoint fills it in
        if placeholder.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER:
            placeholder.text_frame.text = "2"
    return _save(presentation)


def odt() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text="Letter about Amelia Jones"))
    document.text.addElement(_odf_table("Table1", (("Forename", "Surname"), ("Oliver", "O'Neill"))))
    return _write_odf(document)


def ods() -> bytes:
    """Sheet "Pupils": header, a pupil, three repeated empty rows (3-5), a pupil in row 6
    whose first two cells are one repeated empty cell."""
    document = OpenDocumentSpreadsheet()
    table = _odf_table("Pupils", (("Forename", "Surname"), ("Amelia", "Jones")))
    table.addElement(TableRow(numberrowsrepeated=3))
    row = TableRow()
    row.addElement(TableCell(numbercolumnsrepeated=2))
    for value in ("Zoë", "Smith-Patel"):
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=value))
        row.addElement(cell)
    table.addElement(row)
    document.spreadsheet.addElement(table)
    return _write_odf(document)


def _odf_table(name: str, rows: tuple[tuple[str, ...], ...]) -> Table:
    table = Table(name=name)
    for values in rows:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    return table


def _write_odf(document: OpenDocumentText | OpenDocumentSpreadsheet) -> bytes:
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def rtf() -> bytes:
    return (
        rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}"
        rb"\f0 Dear parents of Zo\'eb Smith-Patel,\par Caf\'e9 trip on Friday.\par}"
    )


def csv_semicolons() -> bytes:
    """Windows-1252 with semicolons, as Excel in many locales saves CSV."""
    lines = ("Forename;Surname;DOB", "Zoë;Smith-Patel;30/11/2012", "", "Amelia;Jones;14/05/2012")
    return "\r\n".join((*lines, "")).encode("cp1252")


def html() -> bytes:
    return (
        b"<html><body><p>Class list</p><table><tr><th>Forename</th><th>Surname</th></tr>"
        b"<tr><td>Amelia</td><td>Jones</td></tr></table></body></html>"
    )


def eml(subject: str = "Forwarded: Amelia Jones", body: str = "Her DOB is 14/05/2012") -> bytes:
    return (
        f"From: office@school.example\r\nTo: head@school.example\r\nSubject: {subject}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def zip_of(members: dict[str, bytes], *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def seven_zip(members: dict[str, bytes], **options: object) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", **options) as archive:  # type: ignore[arg-type]
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def tar_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def msg(
    subject: str, body: str, attachments: dict[str, bytes], embedded: Tree | None = None
) -> bytes:
    """An Outlook .msg: the MAPI property streams of a message and its attachments."""
    return write_cfb(msg_tree(subject, body, attachments, embedded))


def msg_tree(
    subject: str, body: str, attachments: dict[str, bytes], embedded: Tree | None = None
) -> Tree:
    tree: Tree = {
        "__properties_version1.0": b"\0" * 32,
        "__substg1.0_0037001F": subject.encode("utf-16-le"),
        "__substg1.0_1000001F": body.encode("utf-16-le"),
    }
    for number, (name, data) in enumerate(attachments.items()):
        tree[f"__attach_version1.0_#{number:08X}"] = {
            "__properties_version1.0": b"\0" * 8,
            "__substg1.0_3707001F": name.encode("utf-16-le"),
            "__substg1.0_37010102": data,
        }
    if embedded is not None:
        tree[f"__attach_version1.0_#{len(attachments):08X}"] = {
            "__properties_version1.0": b"\0" * 8,
            "__substg1.0_3707001F": "Forwarded.msg".encode("utf-16-le"),
            "__substg1.0_3701000D": embedded,
        }
    return tree


def _save(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()
