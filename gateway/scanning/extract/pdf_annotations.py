"""What a PDF holds outside its page content: filled-in form fields, comments and files
attached to annotations.

A filled-in referral or consent form keeps its answers in form fields, not in the page's
text, so reading only the page text would let a pupil's name and date of birth through
unseen. Each field is read as "label: value" (the field's tooltip, else its name), which
also gives the detectors the context they look for ("Date of birth: 14/05/2012").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MAX_ANNOTATIONS = 5000
"""Annotations read per document; a PDF with more is read up to here and flagged."""

_FILLED_IN = frozenset(
    (
        pdfium_c.FPDF_FORMFIELD_TEXTFIELD,
        pdfium_c.FPDF_FORMFIELD_COMBOBOX,
        pdfium_c.FPDF_FORMFIELD_LISTBOX,
        pdfium_c.FPDF_FORMFIELD_CHECKBOX,
        pdfium_c.FPDF_FORMFIELD_RADIOBUTTON,
    )
)
_TICK_BOXES = frozenset((pdfium_c.FPDF_FORMFIELD_CHECKBOX, pdfium_c.FPDF_FORMFIELD_RADIOBUTTON))
_COMMENTS = frozenset(
    (
        pdfium_c.FPDF_ANNOT_TEXT,
        pdfium_c.FPDF_ANNOT_FREETEXT,
        pdfium_c.FPDF_ANNOT_HIGHLIGHT,
        pdfium_c.FPDF_ANNOT_UNDERLINE,
        pdfium_c.FPDF_ANNOT_STRIKEOUT,
        pdfium_c.FPDF_ANNOT_SQUIGGLY,
        pdfium_c.FPDF_ANNOT_STAMP,
        pdfium_c.FPDF_ANNOT_FILEATTACHMENT,
    )
)


@dataclass
class PageAnnotations:
    lines: list[str] = field(default_factory=list)
    """Form answers ("label: value") and comments, in page order."""
    attached_files: list[pdfium.PdfAttachment] = field(default_factory=list)
    """Files attached to the page with a file-attachment annotation."""


@dataclass
class AnnotationBudget:
    left: int = MAX_ANNOTATIONS

    @property
    def spent(self) -> bool:
        return self.left <= 0


def read_annotations(
    document: pdfium.PdfDocument, page: pdfium.PdfPage, budget: AnnotationBudget
) -> PageAnnotations:
    """Form answers, comments and attached files of one page, within the budget."""
    found = PageAnnotations()
    form = document.formenv.raw if document.formenv else None
    count = pdfium_c.FPDFPage_GetAnnotCount(page.raw)
    for index in range(count):
        if budget.spent:
            break
        budget.left -= 1
        annotation = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        if not annotation:
            continue
        try:
            _read_one(document, form, annotation, found)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
    return found


def _read_one(
    document: pdfium.PdfDocument,
    form: Any,
    annotation: Any,
    found: PageAnnotations,
) -> None:
    subtype = pdfium_c.FPDFAnnot_GetSubtype(annotation)
    if subtype == pdfium_c.FPDF_ANNOT_WIDGET and form is not None:
        answer = _form_answer(form, annotation)
        if answer:
            found.lines.append(answer)
        return
    if subtype not in _COMMENTS:
        return
    comment = _string_value(annotation, "Contents")
    if comment:
        found.lines.append(comment)
    if subtype == pdfium_c.FPDF_ANNOT_FILEATTACHMENT:
        attached = pdfium_c.FPDFAnnot_GetFileAttachment(annotation)
        if attached:
            found.attached_files.append(pdfium.PdfAttachment(attached, document))


def _form_answer(form: Any, annotation: Any) -> str | None:
    kind = pdfium_c.FPDFAnnot_GetFormFieldType(form, annotation)
    if kind not in _FILLED_IN:
        return None
    if kind in _TICK_BOXES and not pdfium_c.FPDFAnnot_IsChecked(form, annotation):
        return None
    value = _wide_string(
        lambda buffer, size: pdfium_c.FPDFAnnot_GetFormFieldValue(form, annotation, buffer, size)
    )
    if not value or value == "Off":
        return None
    label = _wide_string(
        lambda buffer, size: pdfium_c.FPDFAnnot_GetFormFieldAlternateName(
            form, annotation, buffer, size
        )
    ) or _wide_string(
        lambda buffer, size: pdfium_c.FPDFAnnot_GetFormFieldName(form, annotation, buffer, size)
    )
    return f"{label}: {value}" if label else value


def _string_value(annotation: Any, key: str) -> str:
    return _wide_string(
        lambda buffer, size: pdfium_c.FPDFAnnot_GetStringValue(
            annotation, key.encode("ascii"), buffer, size
        )
    )


def _wide_string(call: Callable[[Any, int], int]) -> str:
    """Read one of PDFium's UTF-16LE strings: ask for its size, then fill a buffer."""
    size = int(call(None, 0))
    if size <= 2:
        return ""
    buffer = (pdfium_c.FPDF_WCHAR * (size // 2))()
    call(buffer, size)
    raw = bytes(memoryview(buffer).cast("B"))[: size - 2]
    return raw.decode("utf-16-le", errors="replace").replace("\r\n", "\n").strip()
