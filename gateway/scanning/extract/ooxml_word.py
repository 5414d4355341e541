"""Word documents (.docx, .docm, .dotx): paragraphs, tables as rows, headers and footers.

The XML is read directly with lxml rather than through python-docx, because a DLP scan
must see everything the recipient can: text boxes, tracked deletions (still in the
file and one click away in Word), content controls, footnotes, endnotes and comments,
and macro-enabled or template variants that python-docx refuses to open. The main
document is streamed, one top-level paragraph or table at a time.

Tables become their own text blocks ("attachment:report.docx#table 1") with rows
numbered from 1; the document's text block holds the rest.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import cast

import lxml.etree

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.tables import TableText
from gateway.scanning.extract.ziparchive import open_container
from models.location import attachment

_OTHER_PARTS = re.compile(r"^word/(?:header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")
_OFFICE_DOCUMENT = re.compile(
    r'Type="[^"]*/officeDocument"[^>]*Target="([^"]+)"|'
    r'Target="([^"]+)"[^>]*Type="[^"]*/officeDocument"'
)
_TEXT = frozenset(("t", "delText"))
_BREAKS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}
_SKIP = frozenset(("instrText", "delInstrText", "Fallback", "pPr", "rPr"))


def _local(element: lxml.etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def paragraph_text(element: lxml.etree._Element) -> str:
    """The words of a paragraph (or any element), including text boxes inside it.

    mc:Fallback is skipped: Word stores each text box twice (DrawingML and VML).
    """
    parts: list[str] = []
    stack = [element]
    while stack:
        node = stack.pop()
        name = _local(node)
        if name in _SKIP:
            continue
        if name in _TEXT:
            parts.append(node.text or "")
        elif name in _BREAKS:
            parts.append(_BREAKS[name])
        elif name == "p" and node is not element:
            parts.append("\n")
        stack.extend(reversed(node))
    return "".join(parts).strip()


def _paragraphs(element: lxml.etree._Element) -> list[str]:
    """Top-level paragraphs under `element`, in order (nested ones belong to them)."""
    found = cast(
        list[lxml.etree._Element],
        element.xpath(".//*[local-name()='p'][not(ancestor::*[local-name()='p'])]"),
    )
    return [text for p in found if (text := paragraph_text(p))]


def _children(element: lxml.etree._Element, name: str) -> Iterator[lxml.etree._Element]:
    """Children called `name`, looking through content controls (w:sdt/w:sdtContent)."""
    for child in element:
        local = _local(child)
        if local == name:
            yield child
        elif local == "sdt":
            for content in child:
                if _local(content) == "sdtContent":
                    yield from _children(content, name)


def table_rows(table: lxml.etree._Element) -> list[list[str]]:
    return [
        ["\n".join(_paragraphs(cell)) for cell in _children(row, "tc")]
        for row in _children(table, "tr")
    ]


def _main_part(archive: zipfile.ZipFile) -> str:
    try:
        rels = archive.read("_rels/.rels").decode("utf-8", "replace")
    except KeyError:
        return "word/document.xml"
    match = _OFFICE_DOCUMENT.search(rels)
    target = (match.group(1) or match.group(2)) if match else "word/document.xml"
    return target.lstrip("/")


def _body_blocks(stream: object) -> Iterator[lxml.etree._Element]:
    """Top-level blocks of the document body, each freed after use."""
    for _, element in lxml.etree.iterparse(
        stream, events=("end",), resolve_entities=False, no_network=True, huge_tree=False
    ):
        parent = element.getparent()
        if parent is None or _local(parent) != "body":
            continue
        yield element
        element.clear()
        while element.getprevious() is not None:
            del parent[0]


def extract_docx(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    texts: list[str] = []
    tables: list[list[list[str]]] = []
    with open_container(collector, data) as archive:
        with archive.open(_main_part(archive)) as stream:
            for block in _body_blocks(stream):
                name = _local(block)
                if name == "tbl":
                    tables.append(table_rows(block))
                elif name == "p":
                    text = paragraph_text(block)
                    if text:
                        texts.append(text)
                elif name != "sectPr":
                    texts.extend(_paragraphs(block))
        parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
        for member in sorted(n for n in archive.namelist() if _OTHER_PARTS.match(n)):
            root = lxml.etree.fromstring(archive.read(member), parser)
            texts.extend(_paragraphs(root))
    collector.add_text(attachment(path), "\n".join(texts))
    for number, rows in enumerate(tables, start=1):
        table = TableText(collector, attachment(path, f"table {number}"))
        for row_number, cells in enumerate(rows, start=1):
            if not table.add(row_number, cells):
                break
        table.finish()
    return None
