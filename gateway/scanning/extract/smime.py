"""S/MIME (CMS / PKCS#7) blobs: encrypted, or signed with the real content inside?

An opaque-signed message (application/pkcs7-mime; smime-type=signed-data) carries its
whole MIME content inside the signature blob: mail clients show it, so it must be
unwrapped and scanned. An enveloped blob is encrypted and is only recorded. The
`smime-type` parameter is not trusted: the content type OID inside the blob decides.

The walk reads BER (S/MIME uses indefinite lengths and chunked OCTET STRINGs) with an
explicit nesting limit and no recursion into the content: a few dozen lines instead of
a new dependency, and it only ever reads the fields named below.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.inflate import ZLIB, inflate

_PKCS7 = b"\x2a\x86\x48\x86\xf7\x0d\x01\x07"  # 1.2.840.113549.1.7
_SMIME_CT = b"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01"  # 1.2.840.113549.1.9.16.1
OID_DATA = _PKCS7 + b"\x01"
OID_SIGNED = _PKCS7 + b"\x02"
OID_ENVELOPED = _PKCS7 + b"\x03"
OID_SIGNED_ENVELOPED = _PKCS7 + b"\x04"
OID_ENCRYPTED = _PKCS7 + b"\x06"
OID_COMPRESSED = _SMIME_CT + b"\x09"
OID_AUTH_ENVELOPED = _SMIME_CT + b"\x17"
ENCRYPTED_TYPES = frozenset(
    (OID_ENVELOPED, OID_SIGNED_ENVELOPED, OID_ENCRYPTED, OID_AUTH_ENVELOPED)
)

_SEQUENCE = 0x30
_OID = 0x06
_OCTET_STRING = 0x04
_EXPLICIT_0 = 0xA0
_MAX_NESTING = 32
_MAX_WRAPPING = 8


class CmsError(ValueError):
    """The blob is not a CMS structure this reader understands."""


@dataclass(frozen=True, slots=True)
class CmsContent:
    """What a CMS blob holds: `encrypted`, or the inner content bytes (None when the
    blob carries no content, e.g. a detached signature or certificates only)."""

    encrypted: bool
    content: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Tlv:
    tag: int
    start: int
    """Offset of the first content byte."""
    end: int
    """Offset just past the content (before the end-of-contents octets, if any)."""
    next: int
    """Offset of the next element."""


def read_cms(data: bytes, collector: Collector, nesting: int = 0) -> CmsContent:
    """Classify a CMS ContentInfo and unwrap signed or compressed content."""
    if nesting > _MAX_WRAPPING:
        raise CmsError("the S/MIME blob wraps signatures too many times")
    info = _children(data, _read(data, 0, 0), expect=_SEQUENCE)
    if len(info) < 1 or info[0].tag != _OID:
        raise CmsError("the S/MIME blob does not start with a content type")
    content_type = data[info[0].start : info[0].end]
    if content_type in ENCRYPTED_TYPES:
        return CmsContent(encrypted=True)
    if len(info) < 2 or info[1].tag != _EXPLICIT_0:
        return CmsContent(encrypted=False)
    body = _children(data, info[1])
    if not body:
        return CmsContent(encrypted=False)
    if content_type == OID_DATA:
        return CmsContent(encrypted=False, content=_octets(data, body[0], 0))
    if content_type == OID_SIGNED:
        return _encapsulated(data, body[0], collector, nesting)
    if content_type == OID_COMPRESSED:
        inner = _encapsulated(data, body[0], collector, nesting)
        if inner.content is None:
            return inner
        return CmsContent(encrypted=False, content=inflate(collector, inner.content, ZLIB))
    raise CmsError("the S/MIME blob has an unknown content type")


def _encapsulated(data: bytes, outer: _Tlv, collector: Collector, nesting: int) -> CmsContent:
    """SignedData / CompressedData: skip the two leading fields (version and algorithms)
    and read the EncapsulatedContentInfo."""
    fields = _children(data, outer, expect=_SEQUENCE)
    if len(fields) < 3:
        raise CmsError("the S/MIME blob is truncated")
    encap = _children(data, fields[2], expect=_SEQUENCE)
    if not encap or encap[0].tag != _OID:
        raise CmsError("the S/MIME blob has no encapsulated content type")
    inner_type = data[encap[0].start : encap[0].end]
    if len(encap) < 2:
        return CmsContent(encrypted=False)  # detached signature: content travels elsewhere
    wrapped = _children(data, encap[1])
    if not wrapped:
        return CmsContent(encrypted=False)
    content = _octets(data, wrapped[0], 0)
    if inner_type in (OID_SIGNED, OID_COMPRESSED, *ENCRYPTED_TYPES):
        return read_cms(
            content, collector, nesting + 1
        )  # nested CMS (e.g. signed around enveloped)
    return CmsContent(encrypted=False, content=content)


def _octets(data: bytes, tlv: _Tlv, nesting: int) -> bytes:
    """An OCTET STRING's value, joining the chunks of a constructed (BER) one."""
    if tlv.tag == _OCTET_STRING:
        return data[tlv.start : tlv.end]
    if tlv.tag != _OCTET_STRING | 0x20 or nesting > _MAX_NESTING:
        raise CmsError("the S/MIME content is not an OCTET STRING")
    return b"".join(_octets(data, chunk, nesting + 1) for chunk in _children(data, tlv))


def _children(data: bytes, tlv: _Tlv, expect: int | None = None) -> list[_Tlv]:
    if expect is not None and tlv.tag != expect:
        raise CmsError(f"expected ASN.1 tag {expect:#x}, found {tlv.tag:#x}")
    if not tlv.tag & 0x20:
        raise CmsError("expected a constructed ASN.1 element")
    found: list[_Tlv] = []
    position = tlv.start
    while position < tlv.end:
        child = _read(data, position, 0)
        found.append(child)
        position = child.next
    return found


def _read(data: bytes, position: int, nesting: int) -> _Tlv:
    """One BER element at `position`; indefinite lengths are resolved by skipping
    children up to the end-of-contents octets."""
    if nesting > _MAX_NESTING:
        raise CmsError("the S/MIME blob is nested too deeply")
    if position + 2 > len(data):
        raise CmsError("the S/MIME blob is truncated")
    tag = data[position]
    if tag & 0x1F == 0x1F:
        raise CmsError("high-tag-number ASN.1 elements are not used by S/MIME")
    length = data[position + 1]
    position += 2
    if length == 0x80:
        if not tag & 0x20:
            raise CmsError("indefinite length on a primitive ASN.1 element")
        start = position
        while True:
            if position + 2 > len(data):
                raise CmsError("the S/MIME blob is truncated")
            if data[position] == 0 and data[position + 1] == 0:
                return _Tlv(tag, start, position, position + 2)
            position = _read(data, position, nesting + 1).next
    if length & 0x80:
        count = length & 0x7F
        if count > 4 or position + count > len(data):
            raise CmsError("the S/MIME blob has an invalid length")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
    end = position + length
    if end > len(data):
        raise CmsError("the S/MIME blob is truncated")
    return _Tlv(tag, position, end, end)


def extract_pkcs7(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    """An S/MIME blob as a file (.p7m): encrypted, or signed content read as a message."""
    content = read_cms(data, collector)
    if content.encrypted:
        return "smime"
    if content.content is not None and collector.nested_parser is not None:
        collector.check_depth(depth + 1)
        collector.nested_parser(content.content, path, depth + 1, collector)
    return None
