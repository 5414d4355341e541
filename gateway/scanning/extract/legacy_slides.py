"""PowerPoint 97-2003 (.ppt) text, best effort, from the text atoms.

The "PowerPoint Document" stream is a tree of records; slide and notes text is held in
TextCharsAtom (UTF-16) and TextBytesAtom (8-bit) records wherever they sit, so walking
the records and keeping those two is enough to read the words.
"""

from __future__ import annotations

import io
import struct

import olefile

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.office_crypto import office_is_encrypted
from models.location import attachment

_CONTAINER = 0xF
_TEXT_CHARS = 0x0FA0
_TEXT_BYTES = 0x0FA8
_STREAM = "PowerPoint Document"


def extract_ppt(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    if office_is_encrypted(data):
        return "office"
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        collector.take_bytes(ole.get_size(_STREAM))
        with ole.openstream(_STREAM) as stream:
            document = bytes(stream.read())
    texts: list[str] = []
    position = 0
    while position + 8 <= len(document):
        version_instance, kind, length = struct.unpack_from("<HHI", document, position)
        position += 8
        if version_instance & 0x0F == _CONTAINER:
            continue  # a container: its children follow immediately
        body = document[position : position + length]
        position += length
        if kind == _TEXT_CHARS:
            text = body.decode("utf-16-le", "replace")
        elif kind == _TEXT_BYTES:
            text = body.decode("cp1252", "replace")
        else:
            continue
        text = text.replace("\r", "\n").replace("\x0b", "\n").strip()
        if text and (not texts or texts[-1] != text):
            texts.append(text)
    collector.add_text(attachment(path), "\n".join(texts))
    return None
