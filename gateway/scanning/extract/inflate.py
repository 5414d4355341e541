"""Decompression that never produces more than the message's limits allow.

Declared sizes (the gzip trailer, a CMS header) are not trusted: each step asks zlib
for at most the bytes the limits still allow plus one, so a bomb is stopped having
produced at most one byte too many, whatever it claims about itself.
"""

from __future__ import annotations

import zlib

from gateway.scanning.extract.context import Collector, LimitExceeded

CHUNK = 1024 * 1024

GZIP = 16 + zlib.MAX_WBITS
ZLIB = zlib.MAX_WBITS


def inflate(collector: Collector, data: bytes, wbits: int) -> bytes:
    """Decompress one zlib/gzip/raw-deflate stream within the collector's byte limits."""
    limits = collector.limits
    decompressor = zlib.decompressobj(wbits)
    out: list[bytes] = []
    produced = 0
    pending = data
    while not decompressor.eof:
        file_room = limits.max_file_size - produced
        message_room = limits.max_expanded_size - collector.expanded_bytes
        room = min(file_room, message_room)
        chunk = decompressor.decompress(pending, min(CHUNK, max(room, 0) + 1))
        if len(chunk) > room:
            if file_room <= message_room:
                raise LimitExceeded(f"a file larger than {limits.max_file_size} bytes")
            raise LimitExceeded(f"more than {limits.max_expanded_size} bytes after decompression")
        collector.take_bytes(len(chunk))
        produced += len(chunk)
        out.append(chunk)
        pending = decompressor.unconsumed_tail
        if not pending and not chunk:
            raise ValueError("the compressed data is truncated")
    return b"".join(out)
