"""Attachment extraction time: parse_message on a message carrying a 1 MB text PDF, and
on one carrying a 5,000-row XLSX (the bulk pupil export case).

Run from the repository root: .venv/bin/python bench/bench_extract.py
Needs the test extras (reportlab) to generate the PDF.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Envelope

NAMES = (("Amelia", "Jones"), ("Oliver", "O'Neill"), ("Zoë", "Smith-Patel"))
RUNS = 5


def text_pdf(target: int) -> bytes:
    """Full pages of text, uncompressed, until the file is about `target` bytes."""
    pages = 1
    while True:
        buffer = io.BytesIO()
        document = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
        line = 0
        for _ in range(pages):
            for y in range(800, 40, -14):
                forename, surname = NAMES[line % len(NAMES)]
                document.drawString(40, y, f"{line:06d} {forename} {surname} born 14/05/2012")
                line += 1
            document.showPage()
        document.save()
        if buffer.tell() >= target:
            return buffer.getvalue()
        pages = max(pages + 1, int(pages * target / buffer.tell()) + 1)


def pupil_xlsx(rows: int, *, streamed: bool) -> bytes:
    """A pupil export. Excel (and openpyxl's normal mode) write the sheet's <dimension>
    first; streaming writers (openpyxl write_only, some MIS exports) leave it out, and
    openpyxl then reads the whole sheet once more just to look for it."""
    book = openpyxl.Workbook(write_only=streamed)
    if streamed:
        sheet = book.create_sheet("Pupils")
    else:
        sheet = book.active
        sheet.title = "Pupils"
    sheet.append(["UPN", "Forename", "Surname", "DOB", "Year", "Reg group", "Postcode"])
    for number in range(rows):
        forename, surname = NAMES[number % len(NAMES)]
        born = dt.date(2012, 1, 1) + dt.timedelta(days=number % 365)
        sheet.append([f"A{number:012d}", forename, f"{surname}{number}", born, 7, "7B", "SW1A 1AA"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def message_with(name: str, data: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = "teacher@school.example"
    message["To"] = "parent@example.net"
    message["Subject"] = "Attached"
    message.set_content("Please see the attached file.")
    message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def measure(label: str, name: str, data: bytes) -> None:
    raw = message_with(name, data)
    envelope = Envelope(mail_from="teacher@school.example", rcpt_tos=("parent@example.net",))
    settings = ParseSettings()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        message = parse_message(raw, envelope, settings)
        times.append(time.perf_counter() - start)
    chars = sum(len(t.text) for t in message.texts)
    rows = sum(len(t.rows) for t in message.texts)
    print(
        f"{label:<24} file {len(data) / 1e6:5.2f} MB  message {len(raw) / 1e6:5.2f} MB  "
        f"parse_message median {statistics.median(times) * 1000:7.1f} ms  "
        f"min {min(times) * 1000:7.1f} ms  ({chars:,} characters, {rows:,} rows)"
    )
    if message.facts.unscanned:
        print(f"  unscanned: {message.facts.unscanned}")


def main() -> None:
    print(f"Python {sys.version.split()[0]}, {RUNS} runs each")
    measure("1 MB text PDF", "report.pdf", text_pdf(1_000_000))
    measure("5,000-row XLSX", "pupils.xlsx", pupil_xlsx(5000, streamed=False))
    measure("5,000-row XLSX, no dim.", "pupils.xlsx", pupil_xlsx(5000, streamed=True))


if __name__ == "__main__":
    main()
