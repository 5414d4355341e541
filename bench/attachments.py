"""Seeded PDF, DOCX and XLSX attachments of 50 KB to 1 MB for the benchmark's attachment mix.

A document's size in the mix is spread log-uniformly from 50 KB to 1 MB (most attached
files are small, a few large; bench/realistic_mail.py spreads them evenly, `size_of`
draws one) and its content is built like the documents staff attach:

- PDF (reportlab): pages of text, one page per ~40 KB of file (a 50 KB PDF has one or
  two pages, a 1 MB one 25), compressed content streams as every PDF writer makes
  them, and a photo (JPEG of noise, as incompressible as a photo) making up the rest;
- DOCX (python-docx): paragraphs in the same proportion (one page of ~3.5 KB of text
  per ~40 KB of file) and a photo making up the rest;
- XLSX (openpyxl): a table (date, department, item, quantity, unit cost, total, a note
  on one row in five) with as many rows as the size needs: a spreadsheet is its cells.

The text comes from the same sources as the messages (bench/realistic_mail.py: real
sentences from ordinary mail and staff sentences). reportlab, python-docx, openpyxl and
Pillow (reportlab's own dependency) are all in the project's test extras.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from datetime import date, timedelta

MIN_BYTES = 50 * 1024
MAX_BYTES = 1024 * 1024
BYTES_PER_PAGE = 40 * 1024
KINDS = ("pdf", "docx", "xlsx")
MIME = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
TITLES = ("Minutes", "Risk assessment", "Trip letter", "Newsletter", "Policy", "Report")
ITEMS = (
    "exercise books", "glue sticks", "whiteboard pens", "coach hire", "library books",
    "PE equipment", "printer toner", "science kit", "art paper", "music licence",
)  # fmt: skip
DEPARTMENTS = ("English", "Maths", "Science", "PE", "Music", "Office", "Early Years")

Sentence = Callable[[random.Random], str]


def size_at(fraction: float) -> int:
    """The size `fraction` (0-1) of the way from MIN_BYTES to MAX_BYTES on a log scale."""
    return int(math.exp(math.log(MIN_BYTES) + fraction * math.log(MAX_BYTES / MIN_BYTES)))


def size_of(rng: random.Random) -> int:
    """A file size between MIN_BYTES and MAX_BYTES, log-uniform."""
    return size_at(rng.random())


def _photo(rng: random.Random, size: int) -> bytes:
    """A JPEG of noise of about `size` bytes (noise costs ~0.68 bytes a pixel at q80)."""
    from PIL import Image

    side = max(16, int(math.sqrt(max(size, 1) / 0.68)))
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _paragraph(rng: random.Random, sentence: Sentence) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))


def _pdf(rng: random.Random, size: int, sentence: Sentence, photo: bytes | None) -> bytes:
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(rng.choice(TITLES))
    pages = max(1, round(size / BYTES_PER_PAGE))
    for page in range(pages):
        y = 800.0
        if page == 0 and photo is not None:
            pdf.drawImage(ImageReader(io.BytesIO(photo)), 60, 520, width=240, height=240)
            y = 500.0
        text = pdf.beginText(50, y)
        text.setFont("Helvetica", 10)
        line = ""
        while text.getY() > 60:
            for word in _paragraph(rng, sentence).split():
                if len(line) + len(word) > 95:
                    text.textLine(line)
                    line = ""
                line = f"{line} {word}".strip()
            text.textLine(line)
            text.textLine("")
            line = ""
        pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _docx(rng: random.Random, size: int, sentence: Sentence, photo: bytes | None) -> bytes:
    from docx import Document
    from docx.shared import Inches

    document = Document()
    document.add_heading(rng.choice(TITLES), level=1)
    if photo is not None:
        document.add_picture(io.BytesIO(photo), width=Inches(3))
    for _ in range(max(1, round(size / BYTES_PER_PAGE))):
        written = 0
        while written < 3500:
            paragraph = _paragraph(rng, sentence)
            document.add_paragraph(paragraph)
            written += len(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx(rng: random.Random, rows: int, sentence: Sentence) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    sheet.append(["Date", "Department", "Item", "Quantity", "Unit cost", "Total", "Notes"])
    start = date(2026, 9, 1)
    for _ in range(rows):
        quantity = rng.randint(1, 60)
        cost = round(rng.uniform(0.5, 250), 2)
        sheet.append(
            [
                start + timedelta(days=rng.randint(0, 300)),
                rng.choice(DEPARTMENTS),
                rng.choice(ITEMS),
                quantity,
                cost,
                round(quantity * cost, 2),
                sentence(rng) if rng.random() < 0.2 else None,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make(
    rng: random.Random, sentence: Sentence, kind: str | None = None, size: int | None = None
) -> tuple[str, bytes]:
    """(kind, file) of about `size` bytes (drawn by `size_of` when not given)."""
    kind = kind or rng.choice(KINDS)
    size = size or size_of(rng)
    seed = rng.getrandbits(32)
    if kind == "xlsx":
        sample = len(_xlsx(random.Random(seed), 1000, sentence))
        rows = max(20, round(1000 * size / sample))
        return kind, _xlsx(random.Random(seed), rows, sentence)
    build = _pdf if kind == "pdf" else _docx
    bare = len(build(random.Random(seed), size, sentence, None))
    overhead = 1.25 if kind == "pdf" else 1.0  # reportlab writes the JPEG in ASCII85
    photo = (
        _photo(random.Random(seed), int((size - bare) / overhead)) if size > bare + 4096 else None
    )
    return kind, build(random.Random(seed), size, sentence, photo)
