"""Bytes to text when the encoding is declared wrongly or not at all.

Mail declares charsets that do not exist ("unknown-8bit") or lie about them, and MIS
exports arrive as UTF-8, UTF-8 with a BOM, UTF-16 or Windows-1252, sometimes mixed
line by line after a hand edit. Decoding never fails: the text must still be scanned
or imported, and what was guessed is said (`encoding`, `notes`).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
"""UTF-32 LE before UTF-16 LE: its BOM starts with UTF-16 LE's."""
_MAX_LINES_NAMED = 20


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    """As a person names it: "UTF-8", "UTF-16", "Windows-1252", "mixed UTF-8 and ..."."""
    notes: tuple[str, ...] = field(default=())


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """With the BOM, else the declared charset (when it exists and fits), else UTF-8,
    else line by line: UTF-8 where a line is UTF-8, Windows-1252 where it is not."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(codec, errors="replace"), label)
    if declared:
        try:
            name = codecs.lookup(declared.strip().strip('"').lower()).name
        except LookupError:
            name = ""
        if name and name not in ("ascii", "us-ascii"):
            try:
                return Decoded(data.decode(name), name)
            except UnicodeDecodeError:
                pass
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        return _line_by_line(data)


def _line_by_line(data: bytes) -> Decoded:
    text: list[str] = []
    fallback: list[int] = []
    utf8_non_ascii = False
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            text.append(line.decode("utf-8"))
            utf8_non_ascii = utf8_non_ascii or not line.isascii()
        except UnicodeDecodeError:
            text.append(line.decode("cp1252", errors="replace"))
            fallback.append(number)
    if not utf8_non_ascii:
        return Decoded("".join(text), "Windows-1252")
    shown = ", ".join(str(n) for n in fallback[:_MAX_LINES_NAMED])
    more = " ..." if len(fallback) > _MAX_LINES_NAMED else ""
    note = f"lines {shown}{more} are not UTF-8 and were read as Windows-1252"
    return Decoded("".join(text), "mixed UTF-8 and Windows-1252", (note,))


def decode_text(data: bytes, charset: str | None = None) -> str:
    """The text alone (see `decode`)."""
    return decode(data, charset).text
