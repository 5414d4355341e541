"""PDF text with PDFium, and whether the PDF is password-protected.

Only a *user* (open) password protects a PDF: without it nobody can read the pages.
An owner-password-only PDF (or one encrypted with an empty user password) opens for
anyone without a password - the owner password only asks viewers to restrict printing
or copying - so it does not protect the data: it is NOT counted as encrypted and its
text is read and scanned like any other PDF.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gateway.extract.context import Collector

MAX_PAGES = 2000
"""Pages read per PDF; a longer document is scanned up to here and flagged."""


def extract_pdf(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return "pdf"
        raise
    try:
        pages: list[str] = []
        room = collector.text_room()
        count = len(document)
        for index in range(min(count, MAX_PAGES)):
            if room <= 0:
                collector.not_scanned(
                    f"{path}: pages from {index + 1} on not read (text limit reached)"
                )
                break
            text = _page_text(document, index)
            room -= len(text) + 2
            pages.append(text)
        if count > MAX_PAGES:
            collector.not_scanned(f"{path}: pages after {MAX_PAGES} not read")
        collector.add_text(f"attachment:{path}", "\n\n".join(p for p in pages if p))
    finally:
        document.close()
    return None


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = str(textpage.get_text_bounded())
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
