"""Plain-text attachments (and OpenPGP armour inside them); telling text from binary."""

from __future__ import annotations

import codecs

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.pgp import split_armour
from gateway.textfiles.encoding import decode_text
from models.location import attachment


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
        collector.add_text(attachment(path), text)
    return "pgp" if encrypted_blocks else None
