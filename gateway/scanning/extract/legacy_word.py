"""Word 97-2003 (.doc) text, best effort, from the piece table.

The text of a .doc lives in the WordDocument stream in pieces listed by the piece
table (the Clx in the 0Table/1Table stream); each piece is either 8-bit (cp1252) or
UTF-16. That is all that is needed to read the words (main text, footnotes, headers,
comments, text boxes), without formatting. Tables come out as text, cells separated
by tabs. A protected .doc is recognised first (msoffcrypto) and not read.
"""

from __future__ import annotations

import io
import re
import struct

import olefile

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.office_crypto import office_is_encrypted
from models.location import attachment

_FIB_MAGIC = 0xA5EC
_FLAGS_OFFSET = 0x0A
_WHICH_TABLE = 0x0200
_CLX_OFFSET = 0x01A2
_FIELD_CODE = re.compile("\x13[^\x13\x14\x15]*\x14?")
_CONTROL = str.maketrans(
    {
        "\r": "\n",
        "\x07": "\t",
        "\x0b": "\n",
        "\x0c": "\n",
        "\x0e": "\n",
        "\x15": None,
        "\x01": None,
        "\x08": None,
        "\x1e": "-",
        "\x1f": None,
        "\xa0": " ",
    }
)


class DocFormatError(ValueError):
    """The .doc file is not laid out as Word 97-2003 files are."""


def extract_doc(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    if office_is_encrypted(data):
        return "office"
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        word = _stream(collector, ole, "WordDocument")
        if len(word) < _CLX_OFFSET + 8 or struct.unpack_from("<H", word, 0)[0] != _FIB_MAGIC:
            raise DocFormatError("not a Word 97-2003 document (pre-97 Word files are not read)")
        flags = struct.unpack_from("<H", word, _FLAGS_OFFSET)[0]
        table_name = "1Table" if flags & _WHICH_TABLE else "0Table"
        if not ole.exists(table_name):
            raise DocFormatError(f"the {table_name} stream is missing")
        table = _stream(collector, ole, table_name)
    fc_clx, lcb_clx = struct.unpack_from("<II", word, _CLX_OFFSET)
    text = "".join(_pieces(word, table[fc_clx : fc_clx + lcb_clx]))
    collector.add_text(attachment(path), clean_word_text(text))
    return None


def _stream(collector: Collector, ole: olefile.OleFileIO, name: str) -> bytes:
    collector.take_bytes(ole.get_size(name))  # streams may share sectors: count each read
    with ole.openstream(name) as stream:
        return bytes(stream.read())


def _pieces(word: bytes, clx: bytes) -> list[str]:
    position = 0
    while position < len(clx) and clx[position] == 0x01:  # Prc: formatting, skipped
        (size,) = struct.unpack_from("<h", clx, position + 1)
        position += 3 + max(size, 0)
    if position + 5 > len(clx) or clx[position] != 0x02:
        raise DocFormatError("the piece table is missing")
    (lcb,) = struct.unpack_from("<I", clx, position + 1)
    plc = clx[position + 5 : position + 5 + lcb]
    count = (len(plc) - 4) // 12
    if count <= 0:
        return []
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    texts: list[str] = []
    for index in range(count):
        length = cps[index + 1] - cps[index]
        if length <= 0:
            continue
        (fc,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            texts.append(word[start : start + length].decode("cp1252", "replace"))
        else:
            start = fc & 0x3FFFFFFF
            texts.append(word[start : start + 2 * length].decode("utf-16-le", "replace"))
    return texts


def clean_word_text(text: str) -> str:
    """Drop field codes (keeping their results) and Word's control characters."""
    text = _FIELD_CODE.sub("", text).translate(_CONTROL)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line and line.strip("\t"))
