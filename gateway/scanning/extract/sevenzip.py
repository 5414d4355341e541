"""7-Zip archives with py7zr: encrypted ones are recorded, others read like zips.

An archive with encrypted headers cannot even be listed without the password
(py7zr raises PasswordRequired); one with encrypted streams lists its names but
`needs_password()` is true. Either way it is "7z" and nothing is guessed.

Sizes: py7zr writes no more than a member's declared size, but in a solid archive it
decompresses every file before the ones asked for, each in one block as large as the
file. So an archive holding any file over the size limit is not extracted at all, the
declared sizes of the files read are reserved with `Collector.take_bytes` first, and
`max_extract_size` stops py7zr at the bytes reserved.
"""

from __future__ import annotations

import io

import py7zr
from py7zr.exceptions import DecompressionBombError, PasswordRequired
from py7zr.io import BytesIOFactory

from gateway.scanning.extract.context import Collector, LimitExceeded
from gateway.scanning.extract.ziparchive import member_name


def extract_7z(collector: Collector, data: bytes, path: str, depth: int) -> str | None:

    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data), mode="r")
    except PasswordRequired:
        return "7z"
    limits = collector.limits
    with archive:
        if archive.needs_password():
            return "7z"
        members = [f for f in archive.list() if not f.is_directory]
        if not members:
            return None
        collector.check_depth(depth + 1)
        for member in members:
            if (member.uncompressed or 0) > limits.max_file_size:
                raise LimitExceeded(
                    f"{member_name(member.filename)} is larger than {limits.max_file_size} bytes"
                )
        room = max(limits.max_parts - len(collector.parts), 0)
        if len(members) > room:
            collector.not_scanned(
                f"{path}: {len(members) - room} files not read (more than {limits.max_parts} parts)"
            )
        chosen = members[:room]
        reserved = sum(member.uncompressed or 0 for member in chosen)
        collector.take_bytes(reserved)
        archive.max_extract_size = reserved
        factory = BytesIOFactory(limit=limits.max_file_size)
        try:
            archive.extract(targets=[member.filename for member in chosen], factory=factory)
        except DecompressionBombError as exc:
            raise LimitExceeded(
                f"more than the {reserved} bytes its files declare after decompression"
            ) from exc
    for member in chosen:
        product = factory.products.get(member.filename)
        if product is None:
            continue
        product.seek(0)
        name = member_name(member.filename)
        collector.extract_nested(
            product.read(),
            name=name.rpartition("/")[2],
            content_type="",
            path=f"{path}/{name}",
            depth=depth + 1,
        )
    return None
