"""PDF text with PDFium, and whether the PDF is password-protected.

Only a *user* (open) password protects a PDF: without it nobody can read the pages.
An owner-password-only PDF (or one encrypted with an empty user password) opens for
anyone without a password - the owner password only asks viewers to restrict printing
or copying - so it does not protect the data: it is NOT counted as encrypted and its
text is read and scanned like any other PDF.

Besides the pages' text, the filled-in form fields and comments are read with each page,
and files embedded in the PDF go through `Collector.extract_nested` like the members of a zip.
"""

from __future__ import annotations

import ctypes
import mimetypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gateway.scanning.extract.context import Collector, LimitExceeded
from gateway.scanning.extract.pdf_annotations import (
    MAX_ANNOTATIONS,
    AnnotationBudget,
    read_annotations,
)
from gateway.scanning.extract.ziparchive import member_name, member_part
from models.location import attachment

MAX_PAGES = 2000
"""Pages read per PDF; a longer document is scanned up to here and flagged."""


@dataclass
class _EmbeddedFile:
    name: str
    data: bytes | None
    problem: str | None = None


def extract_pdf(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return "pdf"
        raise
    try:
        document.init_forms()  # before any page is loaded, or fields read as empty
        pages, embedded = _read_pages(collector, document, path)
        embedded.extend(_document_attachments(document, collector, path))
    finally:
        document.close()
    collector.add_text(attachment(path), "\n\n".join(p for p in pages if p))
    for file in embedded:
        _extract_embedded(collector, file, path, depth)
    return None


def _read_pages(
    collector: Collector, document: pdfium.PdfDocument, path: str
) -> tuple[list[str], list[_EmbeddedFile]]:
    pages: list[str] = []
    embedded: list[_EmbeddedFile] = []
    budget = AnnotationBudget()
    room = collector.text_room()
    count = len(document)
    for index in range(min(count, MAX_PAGES)):
        if room <= 0:
            collector.not_scanned(
                f"{path}: pages from {index + 1} on not read (text limit reached)"
            )
            break
        page = document[index]
        try:
            text = _page_text(page)
            annotations = read_annotations(document, page, budget)
            embedded.extend(_copy(a, collector) for a in annotations.attached_files)
        finally:
            page.close()
        text = "\n".join(t for t in (text, *annotations.lines) if t)
        room -= len(text) + 2
        pages.append(text)
    if count > MAX_PAGES:
        collector.not_scanned(f"{path}: pages after {MAX_PAGES} not read")
    if budget.spent:
        collector.not_scanned(f"{path}: annotations after the first {MAX_ANNOTATIONS} not read")
    return pages, embedded


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        text = str(textpage.get_text_bounded())
    finally:
        textpage.close()
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _document_attachments(
    document: pdfium.PdfDocument, collector: Collector, path: str
) -> list[_EmbeddedFile]:
    count = document.count_attachments()
    room = collector.limits.max_parts
    if count > room:
        collector.not_scanned(f"{path}: embedded files after the first {room} not read")
    return [_copy(document.get_attachment(i), collector) for i in range(min(count, room))]


def _copy(attachment: pdfium.PdfAttachment, collector: Collector) -> _EmbeddedFile:
    """The file's name and bytes, copied out while the document is still open. Its size
    is asked first, so a file over the limits is never decompressed."""
    try:
        name = member_name(attachment.get_name())
    except pdfium.PdfiumError:
        name = "unnamed"
    size = ctypes.c_ulong()
    pdfium_c.FPDFAttachment_GetFile(attachment.raw, None, 0, size)
    if not size.value:
        return _EmbeddedFile(name, None, "an empty or unreadable embedded file")
    try:
        collector.take_bytes(size.value)
    except LimitExceeded as exc:
        return _EmbeddedFile(name, None, f"limit reached: {exc}")
    buffer = ctypes.create_string_buffer(size.value)
    written = ctypes.c_ulong()
    if not pdfium_c.FPDFAttachment_GetFile(attachment.raw, buffer, size.value, written):
        return _EmbeddedFile(name, None, "could not read this embedded file")
    return _EmbeddedFile(name, buffer.raw[: min(written.value, size.value)])


def _extract_embedded(collector: Collector, file: _EmbeddedFile, path: str, depth: int) -> None:

    member_path = f"{path}/{file.name}"
    if file.data is None:
        collector.add_part(member_part(member_path, 0, depth, unscannable=file.problem))
        return
    base = file.name.rpartition("/")[2]
    collector.extract_nested(
        file.data,
        name=base,
        content_type=mimetypes.guess_type(base)[0] or "",
        path=member_path,
        depth=depth + 1,
    )
