"""PowerPoint presentations (.pptx, .pptm, .potx): slide text, speaker notes, tables.

Read with lxml, as Word documents are (ooxml_word.py), rather than with python-pptx:
the XML is all a scan needs, and python-pptx would bring Pillow and XlsxWriter into
every scan worker. Slides are read in the order the presentation lists them.

Each slide is a text block ("attachment:deck.pptx#slide 3"): the text of every shape,
groups included, then its speaker notes; each table on it is a block of its own
("#slide 3 table 1") with rows numbered from 1.
"""

from __future__ import annotations

import posixpath
import zipfile
from typing import cast

import lxml.etree

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.ooxml_word import paragraph_text, table_rows
from gateway.scanning.extract.tables import TableText
from gateway.scanning.extract.ziparchive import open_container
from models.location import attachment

_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS = {"p": _P, "a": _A, "r": _R, "rel": _PKG}
_PRESENTATION = "ppt/presentation.xml"
_NOTES = "/notesSlide"


def _xml(archive: zipfile.ZipFile, member: str) -> lxml.etree._Element:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return lxml.etree.fromstring(archive.read(member), parser)


def _find(element: lxml.etree._Element, path: str) -> list[lxml.etree._Element]:
    return cast(list[lxml.etree._Element], element.xpath(path, namespaces=_NS))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, member name in the archive)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for rel in _find(_xml(archive, rels), "/rel:Relationships/rel:Relationship"):
        target = str(rel.get("Target", ""))
        member = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        found[str(rel.get("Id", ""))] = (str(rel.get("Type", "")), member)
    return found


def _slides(archive: zipfile.ZipFile) -> list[str]:
    """Slide members in the presentation's order."""
    links = _relationships(archive, _PRESENTATION)
    order = _find(_xml(archive, _PRESENTATION), "/p:presentation/p:sldIdLst/p:sldId")
    members = [links.get(str(s.get(f"{{{_R}}}id", "")), ("", ""))[1] for s in order]
    present = set(archive.namelist())  # namelist() builds a new list on every call
    return [m for m in members if m in present]


def _shape_texts(root: lxml.etree._Element, *, notes_only: bool = False) -> list[str]:
    """The text of each shape (p:sp) in document order; on a notes page only the notes
    body, not the slide number or header placeholders."""
    texts = []
    for shape in _find(root, ".//p:sp"):
        if notes_only and not _find(shape, "p:nvSpPr/p:nvPr/p:ph[@type='body']"):
            continue
        paragraphs = [paragraph_text(p) for p in _find(shape, "p:txBody/a:p")]
        text = "\n".join(paragraphs).strip()
        if text:
            texts.append(text)
    return texts


def extract_pptx(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    with open_container(collector, data) as archive:  # sizes reserved, unsafe members refused
        present = set(archive.namelist())
        for number, member in enumerate(_slides(archive), start=1):
            slide = _xml(archive, member)
            texts = _shape_texts(slide)
            for kind, notes in _relationships(archive, member).values():
                if kind.endswith(_NOTES) and notes in present:
                    texts.extend(_shape_texts(_xml(archive, notes), notes_only=True))
            location = attachment(path, f"slide {number}")
            collector.add_text(location, "\n".join(texts))
            for table_number, element in enumerate(_find(slide, ".//a:tbl"), start=1):
                table = TableText(collector, f"{location} table {table_number}")
                for row_number, cells in enumerate(table_rows(element), start=1):
                    if not table.add(row_number, cells):
                        break
                table.finish()
    return None
