"""Bytes to text when the encoding is declared wrongly or not at all."""

from __future__ import annotations

import codecs

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.pgp import split_armour

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Decode with the BOM, else the declared charset, else UTF-8, else Windows-1252.

    Never raises: mail declares charsets that do not exist ("unknown-8bit") or lie
    about them, and the text must still be scanned.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if charset:
        try:
            codec = codecs.lookup(charset.strip().strip('"').lower())
        except LookupError:
            codec = None
        if codec is not None and codec.name not in ("ascii", "us-ascii"):
            try:
                return data.decode(codec.name)
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def looks_binary(data: bytes, sample: int = 4096) -> bool:
    """True when the start of `data` is not text (NUL bytes or mostly control bytes)."""
    head = data[:sample]
    if not head:
        return False
    if b"\x00" in head:
        return not (head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 10


def extract_plain_text(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    """A plain text file, whatever its encoding; inline PGP blocks in it are encrypted."""
    text, encrypted_blocks, unread_blocks = split_armour(decode_text(data))
    if unread_blocks:
        collector.not_scanned(f"{path}: OpenPGP signed data was not decoded")
    if text.strip():
        collector.add_text(f"attachment:{path}", text)
    return "pgp" if encrypted_blocks else None
