"""Excel workbooks (.xlsx, .xlsm): every sheet (hidden ones too: they are sent), rows
numbered as Excel shows them, dates as UK dates.

The sheet XML is streamed with lxml, one row at a time, rather than read through
openpyxl: a scan needs each cell's value and nothing of the styles, formulas or
drawings openpyxl builds objects for, and openpyxl was most of the CPU of a scan with
spreadsheets attached (bench/bench_extract.py: parsing a message with a 5,000-row sheet
took 410-660 ms through openpyxl, 220-240 ms this way, measured interleaved).
A row's cells are placed by their reference ("C7"), so a sheet that declares a million
rows by 16,384 columns costs only the cells it has. Formulas give their cached value,
as Excel shows them.

A sheet (and the shared strings) in the plain form every spreadsheet writer produces
(ooxml_scan.plain_part: checked well-formed by libxml2 first) is read with regular
expressions over its bytes instead, each cell's text made straight from them: the
same rows and cells, without an element per cell (bench attachment mix, measured
interleaved: parsing a message with a 50 KB-1 MB spreadsheet 277 -> 112 ms, one with
a 5,000-row pupil export 266 -> 82 ms). A row of another form (a rich-text inline
string, attributes in another order) is read from a small tree of that row alone,
and a sheet the expressions cannot read exactly (comments, prefixed elements, rows
inside rows, a part libxml2 refuses) through lxml as before, from its start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

import lxml.etree

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.ooxml_scan import plain_part, text_of
from gateway.scanning.extract.tables import TableText, cell_text
from gateway.scanning.extract.ziparchive import open_container
from models.location import attachment

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROW = f"{{{_MAIN}}}row"
_CELL = f"{{{_MAIN}}}c"
_VALUE = f"{{{_MAIN}}}v"
_INLINE = f"{{{_MAIN}}}is"
_TEXT = f"{{{_MAIN}}}t"
_PHONETIC = f"{{{_MAIN}}}rPh"
_MAX_COLUMN = 16_384
_COLUMN = re.compile(r"[A-Z]{1,3}")
_BUILTIN_DATES = frozenset((*range(14, 18), 22, *range(27, 37), *range(50, 59)))
_BUILTIN_TIMES = frozenset((18, 19, 20, 21, 45, 46, 47))
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def _parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _root(archive: zipfile.ZipFile, member: str) -> lxml.etree._Element:
    return lxml.etree.fromstring(archive.read(member), _parser())


def _member(archive: zipfile.ZipFile, folder: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)


def _sheets(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str]], bool]:
    """(name, member) of every sheet in the workbook's order, and the 1904 date flag."""
    workbook = _root(archive, "xl/workbook.xml")
    present = set(archive.namelist())  # namelist() builds a new list on every call
    links: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in present:
        for rel in _root(archive, "xl/_rels/workbook.xml.rels").iter(f"{{{_PKG}}}Relationship"):
            links[str(rel.get("Id", ""))] = _member(archive, "xl", str(rel.get("Target", "")))
    sheets = []
    for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
        member = links.get(str(sheet.get(f"{{{_REL}}}id", "")), "")
        if member in present:
            sheets.append((str(sheet.get("name", "Sheet")), member))
    properties = workbook.find(f"{{{_MAIN}}}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    return sheets, date1904


def _rich_text(element: lxml.etree._Element) -> str:
    """The text of a shared or inline string: its runs, without phonetic guides."""
    parts = []
    for node in element.iter(_TEXT):
        parent = node.getparent()
        if parent is not None and parent.tag == _PHONETIC:
            continue
        parts.append(node.text or "")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    with contextlib.suppress(_NotPlain):
        return _plain_shared_strings(archive.read("xl/sharedStrings.xml"))
    strings = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, item in lxml.etree.iterparse(
            stream, events=("end",), tag=f"{{{_MAIN}}}si", resolve_entities=False, no_network=True
        ):
            strings.append(_rich_text(item))
            item.clear()
    return strings


class _NotPlain(Exception):
    """A part the regular-expression reader does not read: lxml reads it instead."""


_PLAIN_SI = re.compile(
    rb'<si>(?:<t(?: xml:space="preserve")?>([^<]*)</t></si>|(.*?)</si>)|<si/>|(<si[\s/>])', re.S
)


def _plain_shared_strings(data: bytes) -> list[str]:
    """The shared strings of a plain part (ooxml_scan.plain_part), as `_rich_text` reads
    them; rich text (runs, phonetic guides) is read from its own small tree."""
    start = plain_part(data, _MAIN)
    if start is None:
        raise _NotPlain
    strings = []
    for plain, rich, odd in _PLAIN_SI.findall(data, start):
        if odd or b"<si" in rich:
            raise _NotPlain  # an <si> of another form, or one inside another
        if rich:
            strings.append(_rich_text(_fragment(b"si", rich)))
        else:
            strings.append(text_of(plain))
    return strings


def _fragment(tag: bytes, content: bytes) -> lxml.etree._Element:
    """`content` (from a plain part) inside an element `tag` of the main namespace."""
    xml = b"<" + tag + b' xmlns="' + _MAIN.encode() + b'">' + content + b"</" + tag + b">"
    try:
        return lxml.etree.fromstring(xml, _parser())
    except lxml.etree.XMLSyntaxError as exc:  # a prefix declared further up, say
        raise _NotPlain from exc


def _is_date_format(code: str) -> bool | None:
    """True for a date format, False for a time-only one, None for neither."""
    bare = _LITERALS.sub("", code).lower()
    if "general" in bare:
        return None
    has_date = any(c in bare for c in "dy")
    has_time = any(c in bare for c in "hs")
    if has_date or ("m" in bare and not has_time):
        return True
    return False if has_time else None


def _date_styles(archive: zipfile.ZipFile) -> dict[int, bool]:
    """Style index -> True (a date) or False (a time of day), for the styles that are."""
    if "xl/styles.xml" not in archive.namelist():
        return {}
    styles = _root(archive, "xl/styles.xml")
    custom: dict[int, bool | None] = {}
    for fmt in styles.iter(f"{{{_MAIN}}}numFmt"):
        custom[int(fmt.get("numFmtId", "0"))] = _is_date_format(str(fmt.get("formatCode", "")))
    found: dict[int, bool] = {}
    cell_formats = styles.find(f"{{{_MAIN}}}cellXfs")
    for index, xf in enumerate(() if cell_formats is None else cell_formats):
        number_format = int(xf.get("numFmtId", "0"))
        kind = custom.get(number_format) if number_format in custom else None
        if number_format not in custom:
            kind = True if number_format in _BUILTIN_DATES else None
            kind = False if number_format in _BUILTIN_TIMES else kind
        if kind is not None:
            found[index] = kind
    return found


_DIGITS = "0123456789"


@functools.lru_cache(maxsize=4096)
def _column_of(letters: str) -> int | None:
    """Zero-based column of a reference's letters ("C" -> 2)."""
    if not _COLUMN.fullmatch(letters):
        return None
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return min(number, _MAX_COLUMN) - 1


def _column(reference: str | None, default: int) -> int:
    """Zero-based column of a cell reference ("C7" -> 2), else `default`."""
    column = _column_of(reference.rstrip(_DIGITS)) if reference else None
    return default if column is None else column


_ATTRIBUTES = rb'(?:\s+[A-Za-z_][\w.:-]*="[^"<&\t\n]*")*'
_PLAIN_ROW = re.compile(rb"<row(" + _ATTRIBUTES + rb")\s*(?:/>|>([^<]*(?:<(?!/row>)[^<]*)*)</row>)")
_ROW_START = re.compile(rb"<row[\s/>]")
_ROW_NUMBER = re.compile(rb'\sr="([^"]*)"')
_PLAIN_CELL = re.compile(
    rb'<c(?: r="([A-Z]{0,3})[0-9]*")?(?: s="([^"<&\t\n]*)")?(?: t="([^"<&\t\n]*)")?'
    rb"(" + _ATTRIBUTES + rb")\s*"
    rb"(?:/>|>(?:(?:<f[\s/>][^<]*</f>|<f\s[^<>]*/>)?(<v>)([^<]*)</v>"
    rb'|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|(.*?))</c>)|(<)',
    re.S,
)
"""A cell: its reference's letters, style, type, other attributes, "<v>" and its text,
an inline string's text, any other content (read from a tree), and "<" of anything else
(the row is then read from a tree)."""
_COLUMNS: dict[bytes, int] = {}
"""Letters of a reference -> zero-based column (at most 26 ** 3 of them), -1 for none."""


class _Sheet:
    def __init__(self, strings: list[str], date_styles: dict[int, bool], date1904: bool):
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        self.stripped = [text.strip() for text in strings]  # cell_text of each
        self._known: dict[tuple[bytes, bytes, bytes], str] = {}

    def rows(self, stream: IO[bytes]) -> Iterator[tuple[int, list[object]]]:
        """(Excel's row number, the row's values from column A) for each row present."""
        number = 0
        for _, row in lxml.etree.iterparse(
            stream, events=("end",), tag=_ROW, resolve_entities=False, no_network=True
        ):
            declared = row.get("r")
            number = int(declared) if declared and declared.isdigit() else number + 1
            yield number, self.row_values(row)
            row.clear()
            parent = row.getparent()
            while parent is not None and row.getprevious() is not None:
                del parent[0]

    def row_values(self, row: lxml.etree._Element) -> list[object]:
        values: list[object] = []
        for cell in row.iter(_CELL):
            column = _column(cell.get("r"), len(values))
            if column < len(values):
                continue  # a repeated reference: the first one stands
            values.extend([None] * (column - len(values)))
            values.append(self._value(cell))
        return values

    def _value(self, cell: lxml.etree._Element) -> object:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(_INLINE)
            return _rich_text(inline) if inline is not None else None
        return self.typed(kind, cell.findtext(_VALUE), cell.get("s", "0"))

    def typed(self, kind: str, raw: str | None, style_index: str | None) -> object:
        """The value of a cell of type `kind` (not an inline string) whose <v> is `raw`."""
        if raw is None:
            return None
        if kind == "s":
            index = int(raw) if raw.isdigit() else -1
            return self.strings[index] if 0 <= index < len(self.strings) else None
        if kind == "b":
            return raw == "1"
        if kind == "d":  # an ISO 8601 date, as some writers store them
            try:
                return dt.datetime.fromisoformat(raw)
            except ValueError:
                return raw
        if kind in ("str", "e"):
            return raw
        try:
            number = float(raw)
        except ValueError:
            return raw
        style = self.date_styles.get(int(style_index or 0))
        if style is not None:
            moment = self._moment(number)
            if moment is not None:
                return moment if style else moment.time()
        return number

    def plain_rows(self, data: bytes, start: int) -> Iterator[tuple[int, list[str]]]:
        """(row number, the cells' texts as `cell_text` gives them) for each row of a
        plain sheet part (ooxml_scan.plain_part: its root element at `start`): the same
        rows `rows` reads, each cell's text straight from the bytes. A row of another
        form is read from its own small tree; _NotPlain (before the row is given) when a
        row is of a form neither reads the same as lxml: the caller then reads the sheet
        with `rows` instead, from the start."""
        starts = _ROW_START.finditer(data, start)
        number = 0
        for row in _PLAIN_ROW.finditer(data, start):
            first = next(starts, None)
            if first is None or first.start() != row.start():
                raise _NotPlain  # a row of another form before this one
            attributes, content = row.group(1, 2)
            if content and _ROW_START.search(content):
                raise _NotPlain  # a row inside a row
            found = _ROW_NUMBER.search(attributes)
            if found and found.group(1).isdigit():
                number = int(found.group(1))
            else:  # as `rows` reads it (str.isdigit takes more than ASCII digits)
                declared = text_of(found.group(1)) if found else None
                number = int(declared) if declared and declared.isdigit() else number + 1
            yield number, self._plain_cells(content) if content else []
        if next(starts, None) is not None:
            raise _NotPlain  # a row of another form after the last one

    def _plain_cells(self, content: bytes) -> list[str]:
        texts: list[str] = []
        strings = self.stripped
        count = len(strings)
        known = self._known
        columns = _COLUMNS
        for (
            letters,
            style,
            kind,
            others,
            value_tag,
            raw,
            inline,
            general,
            odd,
        ) in _PLAIN_CELL.findall(content):
            if odd or others or (general and (general.strip() or b"<c" in general)):
                return self._tree_cells(content)
            if letters:
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = _column(letters.decode(), -1)
                if column > len(texts):
                    texts.extend([""] * (column - len(texts)))
                elif column < len(texts):
                    continue  # a repeated reference: the first one stands
            if kind == b"inlineStr":
                texts.append(text_of(inline).strip() if inline else "")
            elif not value_tag:
                texts.append("")
            elif kind == b"s" and raw.isdigit():
                index = int(raw)
                texts.append(strings[index] if index < count else "")
            else:
                key = (kind, style, raw)
                text = known.get(key)
                if text is None:
                    value = self.typed(kind.decode() or "n", text_of(raw), style.decode())
                    text = cell_text(value)
                    if len(known) < 100_000:
                        known[key] = text
                texts.append(text)
        return texts

    def _tree_cells(self, content: bytes) -> list[str]:
        return [cell_text(value) for value in self.row_values(_fragment(b"row", content))]

    def _moment(self, serial: float) -> dt.datetime | None:
        try:
            return self.epoch + dt.timedelta(days=serial)
        except OverflowError:
            return None


def extract_xlsx(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    with open_container(collector, data) as archive:  # sizes reserved, unsafe members refused
        sheets, date1904 = _sheets(archive)
        reader = _Sheet(_shared_strings(archive), _date_styles(archive), date1904)
        for name, member in sheets:
            location = attachment(path, name)
            table = TableText(collector, location)
            try:
                part = archive.read(member)
            except (zipfile.BadZipFile, EOFError, zlib.error):
                part = b""  # read as before, to fail (or not) where streaming does
            try:
                start = plain_part(part, _MAIN) if part else None
                if start is None:
                    raise _NotPlain
                for number, texts in reader.plain_rows(part, start):
                    if not table.add_texts(number, texts):
                        break
            except _NotPlain:
                table = TableText(collector, location)  # nothing of it was kept
                with archive.open(member) as stream:
                    for number, values in reader.rows(stream):
                        if not table.add(number, values):
                            break
            table.finish()
    return None
