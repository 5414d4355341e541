"""7-bit text for what goes on the wire outside a message body: SMTP replies and trace
header fields, read by clients and servers that may not speak SMTPUTF8."""

from __future__ import annotations

import unicodedata

_ASCII_MAP = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def ascii_text(text: str) -> str:
    """Typographic quotes and dashes as ASCII, accents dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.translate(_ASCII_MAP))
    return " ".join(text.encode("ascii", "ignore").decode().split())
