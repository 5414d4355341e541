"""SMTP reply text: 7-bit, and within the protocol's line limit."""

from __future__ import annotations

from gateway.delivery.ascii import ascii_text

REPLY_LINE_LIMIT = 500
"""RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including the code and CRLF."""


def format_reply(code: int, status: str, text: str) -> str:
    """A (possibly multi-line) reply whose lines fit the SMTP limit."""
    words = ascii_text(text).split(" ")
    lines: list[str] = []
    current = ""
    room = REPLY_LINE_LIMIT - len(f"{code}-{status} ")
    for word in words:
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current = word[:room]
        else:
            current = f"{current} {word}".strip()[:room]
    lines.append(current)
    lines = lines[:8]
    return "\r\n".join(
        f"{code}{' ' if i == len(lines) - 1 else '-'}{status} {line}"
        for i, line in enumerate(lines)
    )
