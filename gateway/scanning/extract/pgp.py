"""OpenPGP: is this really encrypted, or only armoured?

"-----BEGIN PGP MESSAGE-----" armour also wraps messages that are only signed or
compressed, and a multipart/encrypted shell can carry plain text (a spoofing trick), so
the first OpenPGP packet decides: an encrypted message starts with an encrypted session
key or encrypted data packet. Armour that cannot be decoded is counted as encrypted:
nobody can read it, so there is nothing to scan either.
"""

from __future__ import annotations

import base64
import binascii
import re

from gateway.scanning.extract.context import Collector, NotRead

ARMOUR_BEGIN = "-----BEGIN PGP MESSAGE-----"
_ARMOUR = re.compile(r"-----BEGIN PGP MESSAGE-----.*?(?:-----END PGP MESSAGE-----|\Z)", re.DOTALL)
_ENCRYPTED_TAGS = frozenset((1, 3, 9, 18, 20))
"""Public-key and symmetric-key encrypted session keys, (integrity-protected) encrypted
data, AEAD encrypted data (RFC 4880 / RFC 9580 packet tags)."""
_MARKER_PACKET = b"\xa8\x03PGP"


def looks_like_openpgp_encrypted(data: bytes) -> bool:
    """True when binary OpenPGP data starts with an encryption packet."""
    if data.startswith(_MARKER_PACKET):
        data = data[len(_MARKER_PACKET) :]
    if not data or not data[0] & 0x80:
        return False
    first = data[0]
    tag = first & 0x3F if first & 0x40 else (first >> 2) & 0x0F
    return tag in _ENCRYPTED_TAGS


def armour_is_encrypted(block: str) -> bool:
    """Whether one armoured "PGP MESSAGE" block holds encrypted data."""
    lines = block.splitlines()[1:]
    start = 0
    for index, line in enumerate(lines[:12]):
        if not line.strip():
            start = index + 1
            break
    encoded = ""
    for line in lines[start:]:
        line = line.strip()
        if line.startswith(("=", "-----")):
            break
        encoded += line
        if len(encoded) >= 64:
            break
    encoded = encoded[: len(encoded) // 4 * 4]
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return True
    return looks_like_openpgp_encrypted(raw) if raw else True


def split_armour(text: str) -> tuple[str, int, int]:
    """Remove encrypted armour blocks from `text`.

    Returns the text left (what the recipient can read without a key), how many
    encrypted blocks were removed, and how many armoured blocks were not encrypted
    (signed or compressed only: readable by anyone, but not decoded here).
    """
    if ARMOUR_BEGIN not in text:
        return text, 0, 0
    encrypted = 0
    unread = 0
    kept: list[str] = []
    position = 0
    for match in _ARMOUR.finditer(text):
        kept.append(text[position : match.start()])
        if armour_is_encrypted(match.group()):
            encrypted += 1
        else:
            unread += 1
            kept.append(match.group())
        position = match.end()
    kept.append(text[position:])
    return "".join(kept), encrypted, unread


def is_encrypted_payload(data: bytes) -> bool:
    """The payload of a PGP/MIME multipart/encrypted part, armoured or binary."""
    head = data[:4096].decode("ascii", "replace")
    if ARMOUR_BEGIN in head:
        _, encrypted, _ = split_armour(data[:65536].decode("ascii", "replace"))
        return encrypted > 0
    return looks_like_openpgp_encrypted(data)


def extract_pgp(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    """An armoured or binary OpenPGP file: encrypted, or only signed (and not read)."""
    if is_encrypted_payload(data):
        return "pgp"
    raise NotRead("OpenPGP data that is signed or compressed but not encrypted is not read")
