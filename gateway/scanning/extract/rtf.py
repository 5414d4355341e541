"""RTF documents with striprtf: the words, without control words or embedded objects.

RTF is 7-bit text with \\'xx escapes for the document's code page; cp1252 is what
Windows writes and what striprtf decodes the escapes with.

Outlook keeps a message's formatted body as compressed RTF (MS-OXRTFCP, "LZFu"), in a
.msg's PR_RTF_COMPRESSED stream and in winmail.dat: `compressed_rtf_text` reads it,
and `lines_not_in` keeps what it says that the plain body does not.
"""

from __future__ import annotations

import struct

from compressed_rtf import decompress
from striprtf.striprtf import rtf_to_text

from gateway.scanning.extract.context import Collector, LimitExceeded
from models.location import attachment

_LZFU_RATIO = 9
"""Compressed RTF expands at most ~8.5 times (each 2-byte reference yields 17 bytes)."""


def extract_rtf(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    collector.add_text(attachment(path), rtf_text(data))
    return None


def rtf_text(data: bytes) -> str:
    text = rtf_to_text(data.decode("cp1252", "replace"), errors="replace")
    lines = (line.strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def compressed_rtf_text(collector: Collector, blob: bytes) -> str:
    """The text of a compressed RTF body; raises ValueError when it is corrupt.

    The declared size is counted against the limits before decompressing, and whatever
    a lying header produces beyond it is counted after (at most ~9 times the input).
    """
    if len(blob) < 16:
        raise ValueError("compressed RTF shorter than its header")
    raw_size = struct.unpack_from("<I", blob, 4)[0]
    collector.take_bytes(min(raw_size, len(blob) * _LZFU_RATIO))
    try:
        rtf = decompress(blob)
    except LimitExceeded:
        raise
    except Exception as exc:  # the library raises bare Exception on a bad CRC
        raise ValueError(f"compressed RTF could not be decompressed: {exc}") from exc
    collector.take_bytes(max(len(rtf) - raw_size, 0))
    return rtf_text(bytes(rtf))


def lines_not_in(text: str, base: str) -> str:
    """The lines of `text` whose words do not appear in `base` (whitespace ignored):
    the RTF body usually repeats the plain body, and only what it adds is wanted.

    A line is looked up among the base's lines first, and searched for in the whole
    base only when the base is small enough for that to stay cheap; otherwise it is
    kept (read twice rather than not at all).
    """
    lines = {" ".join(line.split()) for line in base.split("\n")}
    flat = " ".join(base.split()) if len(base) <= _SEARCHABLE else ""
    kept = []
    for line in text.split("\n"):
        words = " ".join(line.split())
        if words and words not in lines and words not in flat:
            kept.append(line)
    return "\n".join(kept)


_SEARCHABLE = 200_000
"""Characters of plain body within which each RTF line is searched for."""
