"""OpenDocument files (.odt, .ods, .odp): text, sheets and tables, and whether the file
is password-protected.

A protected ODF file is still a zip with a readable manifest: META-INF/manifest.xml
lists each encrypted member with a manifest:encryption-data element. When content.xml
is encrypted, nothing can be read without the password: "odf".

content.xml is parsed with lxml (no entity resolution, no network). Spreadsheet rows
keep the numbers the user sees, expanding LibreOffice's repeated rows and cells
(table:number-rows-repeated) only where they hold text, so a sheet whose last row is
"repeated 1,048,000 times" costs nothing.
"""

from __future__ import annotations

import zipfile

import lxml.etree

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.tables import TableText
from gateway.scanning.extract.ziparchive import open_container
from models.location import attachment

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

_PARAGRAPHS = (f"{{{TEXT}}}p", f"{{{TEXT}}}h")
_TABLE = f"{{{TABLE}}}table"
_ROW = f"{{{TABLE}}}table-row"
_CELLS = (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell")
_ROWS_REPEATED = f"{{{TABLE}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{TABLE}}}number-columns-repeated"
_SPACE = f"{{{TEXT}}}s"
_BREAKS = {f"{{{TEXT}}}tab": "\t", f"{{{TEXT}}}line-break": "\n"}
_SKIP = frozenset((f"{{{TEXT}}}note-citation",))
_MAX_REPEAT = 100
"""Copies made of a repeated row or cell that holds text (identical pupils' rows are
stored once and repeated)."""
_MAX_COLUMNS = 16384


def is_encrypted(archive: zipfile.ZipFile) -> bool:
    """True when the manifest says content.xml (or, lacking it, any member) is encrypted."""
    try:
        manifest = archive.read("META-INF/manifest.xml")
    except KeyError:
        return False
    root = lxml.etree.fromstring(manifest, _parser())
    encrypted = {
        entry.get(f"{{{MANIFEST}}}full-path", "")
        for entry in root.iter(f"{{{MANIFEST}}}file-entry")
        if entry.find(f"{{{MANIFEST}}}encryption-data") is not None
    }
    return "content.xml" in encrypted or (
        bool(encrypted) and "content.xml" not in archive.namelist()
    )


def extract_odf(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    with open_container(collector, data) as archive:
        if is_encrypted(archive):
            return "odf"
        content = archive.read("content.xml")
        styles = archive.read("styles.xml") if "styles.xml" in archive.namelist() else b""
    root = lxml.etree.fromstring(content, _parser())
    body = root.find(f"{{{OFFICE}}}body")
    if body is None:
        raise ValueError("content.xml has no office:body")
    location = attachment(path)
    spreadsheet = body.find(f"{{{OFFICE}}}spreadsheet")
    if spreadsheet is not None:
        for sheet in spreadsheet.iter(_TABLE):
            name = sheet.get(f"{{{TABLE}}}name") or "Sheet"
            _read_table(collector, sheet, attachment(path, name))
        return None
    tables = list(body.iter(_TABLE))
    texts = _paragraphs(body)
    if styles:
        master = lxml.etree.fromstring(styles, _parser()).find(f"{{{OFFICE}}}master-styles")
        if master is not None:  # page headers and footers
            texts.extend(_paragraphs(master))
    collector.add_text(location, "\n".join(texts))
    for number, table in enumerate(tables, start=1):
        _read_table(collector, table, attachment(path, f"table {number}"))
    return None


def _parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def paragraph_text(paragraph: lxml.etree._Element) -> str:
    """Mixed content with <text:s text:c="3"/> spaces, tabs and line breaks."""
    parts: list[str] = []
    stack: list[tuple[lxml.etree._Element, bool]] = [(paragraph, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node is not paragraph and node.tail:
                parts.append(node.tail)
            continue
        if node.tag == _SPACE:
            parts.append(" " * min(int(node.get(f"{{{TEXT}}}c", "1") or 1), 100))
        elif node.tag in _BREAKS:
            parts.append(_BREAKS[node.tag])
        elif node.tag in _PARAGRAPHS and node is not paragraph:
            parts.append("\n")  # a paragraph inside a note or annotation
        if node.tag not in _SKIP and isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return "".join(parts).strip()


def _paragraphs(element: lxml.etree._Element, outside_tables: bool = True) -> list[str]:
    texts: list[str] = []
    for node in element.iter(*_PARAGRAPHS):
        if any(a.tag in _PARAGRAPHS for a in node.iterancestors()):
            continue  # read as part of the paragraph that holds it
        if outside_tables and any(a.tag == _TABLE for a in node.iterancestors()):
            continue  # read as a table
        text = paragraph_text(node)
        if text:
            texts.append(text)
    return texts


def _read_table(collector: Collector, table: lxml.etree._Element, location: str) -> None:
    rows = TableText(collector, location)
    number = 1
    for row in table.iter(_ROW):
        if _nearest_table(row) is not table:
            continue  # a row of a table nested in a cell
        repeat = _count(row.get(_ROWS_REPEATED))
        cells = _row_cells(row)
        if any(cells):
            for copy in range(min(repeat, _MAX_REPEAT)):
                if not rows.add(number + copy, cells):
                    rows.finish()
                    return
        number += repeat
    rows.finish()


def _row_cells(row: lxml.etree._Element) -> list[str]:
    cells: list[str] = []
    empty = 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeat = _count(cell.get(_COLUMNS_REPEATED))
        text = "\n".join(_paragraphs(cell, outside_tables=False))
        if not text:
            empty += repeat
            continue
        if len(cells) + empty >= _MAX_COLUMNS:
            break
        cells.extend([""] * empty)
        empty = 0
        cells.extend([text] * min(repeat, _MAX_REPEAT))
    return cells


def _nearest_table(element: lxml.etree._Element) -> lxml.etree._Element | None:
    for ancestor in element.iterancestors(_TABLE):
        return ancestor
    return None


def _count(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1
