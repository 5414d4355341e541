"""TNEF (winmail.dat, application/ms-tnef): what Outlook sends in place of a MIME message.

Outlook and Exchange wrap the body and the attachments of a "rich text" message in one
TNEF stream (MS-OXTNEF), read with tnefparse. The subject and the plain, HTML and
compressed RTF bodies are read as text (the RTF only for what the others lack), and each
attachment, an embedded message (itself a TNEF stream) included, goes through
`extract_file` with the shared limits. A stream tnefparse cannot parse is unscannable;
one whose properties it could only partly decode is listed as not fully scanned, since
tnefparse logs those errors rather than raising them. The stream is checked before
tnefparse reads it (`_check_stream`): tnefparse trusts the counts in the file.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from tnefparse import properties
from tnefparse.codepage import Codepage
from tnefparse.mapi import IMESSAGE_SIG, decode_mapi
from tnefparse.tnef import TNEF, TNEFAttachment

from gateway.scanning.extract.context import Collector, NotRead
from gateway.scanning.extract.rtf import compressed_rtf_text, lines_not_in
from gateway.scanning.htmltext import html_to_text
from gateway.textfiles.encoding import decode_text
from models.location import attachment as attachment_location

SIGNATURE = b"\x78\x9f\x3e\x22"
"""0x223E9F78, little-endian: the first four bytes of every TNEF stream."""

_SUBJECT = 0x0037
_logger = logging.getLogger("tnefparse")


def extract_tnef(collector: Collector, data: bytes, path: str, depth: int) -> str | None:

    with _errors_logged() as errors:
        try:
            _check_stream(data)
            tnef = TNEF(data, do_checksum=False)
        except Exception as exc:  # tnefparse raises anything from struct.error to TypeError
            reason = f"could not read this TNEF (winmail.dat) file ({type(exc).__name__}: {exc})"
            raise NotRead(reason[:300]) from exc
    if errors:
        collector.not_scanned(f"{path}: some TNEF properties could not be decoded ({errors[0]})")
    _read_body(collector, tnef, path)
    for number, attachment in enumerate(tnef.attachments, start=1):
        if not collector.has_room_for_part():
            collector.not_scanned(f"{path}: attachments from {number} on not read")
            break
        name = _name(attachment, number)
        collector.extract_nested(
            bytes(attachment.data),
            name=name,
            content_type=_mime_tag(attachment),
            path=f"{path}/{name}",
            depth=depth + 1,
        )
    return None


def _check_stream(data: bytes, depth: int = 0) -> None:
    """Check what tnefparse would loop over before it does: every attribute fits the
    stream, and no count in a MAPI property list (properties, values, recipient rows)
    claims more items than there are bytes. tnefparse silently keeps a cut-off attribute
    (a truncated winmail.dat would pass as a shorter one), and loops a hostile count of
    four billion times, hanging the scan worker on a 300-byte file. NUL padding at the
    end is allowed. Embedded messages (TNEF streams inside attachments) are checked too.
    """
    if depth > _MAX_EMBEDDED:
        raise ValueError("messages embedded too deeply")
    if data[:4] != SIGNATURE:
        return  # tnefparse reports the wrong signature itself
    codepage = "cp1252"
    pos = 6
    while pos < len(data):
        end = pos + 11
        if end <= len(data):
            end += struct.unpack_from("<I", data, pos + 5)[0]
        if end > len(data):
            if not data[pos:].strip(b"\0"):
                return
            raise ValueError(f"truncated: the attribute at byte {pos} runs past the end")
        level, name = struct.unpack_from("<BH", data, pos)
        body = data[pos + 9 : end - 2]
        if level == TNEF.LVL_ATTACHMENT:
            if name == TNEF.ATTATTACHMENT:
                for embedded in _check_properties(body, 0, codepage)[1]:
                    _check_stream(embedded, depth + 1)
        elif name == TNEF.ATTOEMCODEPAGE and len(body) >= 4:
            codepage = Codepage(struct.unpack_from("<I", body)[0]).codepage()
        elif name == TNEF.ATTMAPIPROPS:
            _check_properties(body, 0, codepage)
        elif name == TNEF.ATTRECIPTABLE:
            rows = struct.unpack_from("<I", body)[0]
            _check_count(rows, body, 4)
            offset = 4
            for _ in range(rows):
                offset = _check_properties(body, offset, codepage)[0]
        pos = end


_MAX_EMBEDDED = 8
_FIXED_SIZES = {0x0002: 2, 0x000B: 2, 0x0003: 4, 0x0004: 4, 0x000A: 4, 0x0005: 8, 0x0006: 8}
_FIXED_SIZES |= {0x0007: 8, 0x0014: 8, 0x0040: 8, 0x0048: 16}
_VARIABLE = frozenset((0x0000, 0x001E, 0x001F, 0x000D, 0x0102))
_ATTACH_DATA_OBJECT = 0x3701


def _check_count(count: int, data: bytes, offset: int) -> None:
    if count > len(data) - offset:
        raise ValueError(f"a MAPI count of {count} in {len(data) - offset} bytes")


def _check_properties(data: bytes, offset: int, codepage: str) -> tuple[int, list[bytes]]:
    """Walk one MAPI property list exactly as tnefparse's decode_mapi does (it stops at
    the first error, so this does too): the offset after it, and the embedded messages
    it holds."""
    count = struct.unpack_from("<I", data, offset)[0]
    _check_count(count, data, offset)
    offset += 4
    embedded: list[bytes] = []
    try:
        for _ in range(count):
            if offset >= len(data):
                continue
            kind, name = struct.unpack_from("<HH", data, offset)
            offset += 4
            if name >= 0x8000:  # a named property: GUID, then an id or a name
                offset += 16
                named = struct.unpack_from("<I", data, offset)[0]
                offset += 4
                if named == 0:
                    offset += 4
                else:
                    length = struct.unpack_from("<I", data, offset)[0]
                    offset += 4
                    length += -length % 4
                    data[offset : offset + length].decode("utf-16")
                    offset += length
            values: int | None = None
            if kind & 0x1000:
                kind ^= 0x1000
                values = struct.unpack_from("<I", data, offset)[0]
                _check_count(values, data, offset)
                offset += 4
            for _ in range(values or 1):
                offset, items = _check_value(data, offset, kind, codepage, values)
                if name == _ATTACH_DATA_OBJECT and kind in (0x000D, 0x0102, 0x0000):
                    value = b"".join(item.rstrip(b"\0") for item in items)
                    if value.startswith(IMESSAGE_SIG):
                        embedded.append(value[len(IMESSAGE_SIG) :])
            if (values or 1) % 2 and kind in (0x0002, 0x000B):
                offset += 2
    except (struct.error, ValueError, LookupError):  # where decode_mapi stops
        pass
    return offset, embedded


def _check_value(
    data: bytes, offset: int, kind: int, codepage: str, multi: int | None
) -> tuple[int, list[bytes]]:
    if kind in _FIXED_SIZES:
        return offset + _FIXED_SIZES[kind], []
    if kind not in _VARIABLE:
        raise ValueError(f"unknown MAPI type {kind:#06x}")
    count = 1
    if not multi:
        count = struct.unpack_from("<I", data, offset)[0]
        _check_count(count, data, offset)
        offset += 4
    items = []
    for _ in range(count):
        length = struct.unpack_from("<I", data, offset)[0]
        offset += 4
        length += -length % 4
        item = data[offset : offset + length]
        if kind == 0x001F:
            item.decode("utf-16")
        elif kind == 0x001E:
            item.decode(codepage)
        items.append(item)
        offset += length
    return offset, items


def _read_body(collector: Collector, tnef: TNEF, path: str) -> None:
    body = _text(tnef.body)
    texts = [_subject(tnef), body or html_to_text(_text(tnef.htmlbody))]
    rtf = _compressed_rtf(tnef)
    if rtf:
        try:
            texts.append(lines_not_in(compressed_rtf_text(collector, rtf), texts[1]))
        except ValueError as exc:  # the attachments are still read
            collector.not_scanned(f"{path}: the RTF body could not be read ({exc})"[:300])
    collector.add_text(attachment_location(path), "\n".join(t for t in texts if t))


def _subject(tnef: TNEF) -> str:
    for obj in tnef.msgprops:
        if obj.name == TNEF.ATTSUBJECT:
            return _text(obj.data)
    for prop in tnef.mapiprops:
        if prop.name == _SUBJECT:
            return _text(prop.data)
    return ""


def _compressed_rtf(tnef: TNEF) -> bytes:
    """The raw PR_RTF_COMPRESSED value: tnefparse's own copy has its trailing NULs
    stripped, which can cut the compressed stream."""
    for obj in tnef.objects:
        if obj.level == TNEF.LVL_MESSAGE and obj.name == TNEF.ATTMAPIPROPS:
            for prop in decode_mapi(obj.data, tnef.codepage or "cp1252"):
                if prop.name == properties.MAPI_RTF_COMPRESSED and prop.raw_data:
                    return bytes(prop.raw_data[0])
    return b""


def _name(attachment: TNEFAttachment, number: int) -> str:
    try:
        name = str(attachment.long_filename() or "")
    except UnicodeDecodeError:  # tnefparse decodes 8-bit titles as UTF-8
        raw = attachment._name
        name = decode_text(raw) if isinstance(raw, bytes) else ""
    name = name.strip("\x00").strip() or f"attachment-{number}"
    return name.replace("/", "_").replace("\\", "_")[:200]


def _mime_tag(attachment: TNEFAttachment) -> str:
    for prop in attachment.mapi_attrs:
        if prop.name == properties.MAPI_ATTACH_MIME_TAG:
            return _text(prop.data)
    return ""


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return decode_text(value.rstrip(b"\x00")).strip()
    if isinstance(value, str):
        return value.rstrip("\x00").strip()
    return ""


class _Errors(logging.Handler):
    def __init__(self, found: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.found = found

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append(record.getMessage()[:200])


@contextmanager
def _errors_logged() -> Iterator[list[str]]:
    """The errors tnefparse logs (and swallows) while parsing."""
    found: list[str] = []
    handler = _Errors(found)
    _logger.addHandler(handler)
    try:
        yield found
    finally:
        _logger.removeHandler(handler)
