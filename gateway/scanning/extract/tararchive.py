"""tar archives (usually after gzip): every regular file through the same entry point.

A tar is not compressed, so its members are slices of bytes already counted; sparse
members, which expand when read, are refused.
"""

from __future__ import annotations

import io
import tarfile

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.ziparchive import member_name
from models import PartInfo


def extract_tar(collector: Collector, data: bytes, path: str, depth: int) -> str | None:

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive:
            if not member.isfile():
                continue
            name = member_name(member.name)
            if not collector.has_room_for_part():
                collector.not_scanned(
                    f"{path}: files from {name} on not read "
                    f"(more than {collector.limits.max_parts} parts)"
                )
                break
            if member.issparse():
                collector.add_part(
                    PartInfo(
                        path=f"{path}/{name}",
                        content_type="application/octet-stream",
                        size=member.size,
                        filename=name.rpartition("/")[2],
                        is_attachment=True,
                        depth=depth + 1,
                        unscannable="sparse files in tar archives are not read",
                    )
                )
                continue
            collector.check_depth(depth + 1)
            collector.take_bytes(member.size)
            extracted = archive.extractfile(member)
            if extracted is None:
                continue
            collector.extract_nested(
                extracted.read(),
                name=name.rpartition("/")[2],
                content_type="",
                path=f"{path}/{name}",
                depth=depth + 1,
            )
    return None
