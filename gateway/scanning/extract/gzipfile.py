"""gzip: one compressed file, decompressed within the limits and read like any file."""

from __future__ import annotations

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.inflate import GZIP, inflate


def extract_gzip(collector: Collector, data: bytes, path: str, depth: int) -> str | None:

    collector.check_depth(depth + 1)
    inner = inflate(collector, data, GZIP)
    name = path.rpartition("/")[2]
    if name.lower().endswith(".tgz"):
        name = name[:-4] + ".tar"
    elif name.lower().endswith(".gz"):
        name = name[:-3]
    name = name or "content"
    collector.extract_nested(
        inner, name=name, content_type="", path=f"{path}/{name}", depth=depth + 1
    )
    return None
