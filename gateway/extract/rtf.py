"""RTF documents with striprtf: the words, without control words or embedded objects.

RTF is 7-bit text with \\'xx escapes for the document's code page; cp1252 is what
Windows writes and what striprtf decodes the escapes with.
"""

from __future__ import annotations

from striprtf.striprtf import rtf_to_text

from gateway.extract.context import Collector


def extract_rtf(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    text = rtf_to_text(data.decode("cp1252", "replace"), errors="replace")
    lines = (line.strip() for line in text.replace("\r", "\n").split("\n"))
    collector.add_text(f"attachment:{path}", "\n".join(line for line in lines if line))
    return None
