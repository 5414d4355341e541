"""Outlook messages (.msg): subject, body and attachments, read with olefile.

A .msg is an OLE file of MAPI property streams ("__substg1.0_<property><type>"):
the subject (0x0037), the plain body (0x1000) or, lacking it, the HTML body (0x1013),
the compressed RTF body (0x1009: all that many Outlook messages have, and it may hold
text the plain body lacks, so what it adds is read too), and one
"__attach_version1.0_#n" storage per attachment holding its file name (0x3707, 0x3704)
and bytes (0x3701), or a whole embedded message under 0x3701 of type object.
extract-msg would add half a dozen dependencies (RTF, EBCDIC, HTML parsers) for the
same few streams, so olefile alone is used.
"""

from __future__ import annotations

import io

import olefile

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.rtf import compressed_rtf_text, lines_not_in
from gateway.scanning.htmltext import html_to_text
from gateway.textfiles.encoding import decode_text
from models import PartInfo
from models.location import attachment

_SUBJECT = 0x0037
_BODY = 0x1000
_HTML = 0x1013
_RTF_COMPRESSED = "10090102"
_LONG_FILENAME = 0x3707
_FILENAME = 0x3704
_DISPLAY_NAME = 0x3001
_MIME_TAG = 0x370E
_ATTACH_DATA = 0x3701
_ATTACHMENT = "__attach_version1.0_#"
_EMBEDDED = "__substg1.0_3701000D"

Path = list[str]


def extract_msg(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        _read_message(collector, ole, [], path, depth)
    return None


def _read_message(
    collector: Collector, ole: olefile.OleFileIO, prefix: Path, path: str, depth: int
) -> None:

    texts = [_string(collector, ole, prefix, _SUBJECT), _string(collector, ole, prefix, _BODY)]
    if not texts[1]:
        texts.append(html_to_text(_string(collector, ole, prefix, _HTML)))
    rtf = _stream(collector, ole, prefix, _RTF_COMPRESSED)
    if rtf is not None:
        try:
            texts.append(lines_not_in(compressed_rtf_text(collector, rtf), "\n".join(texts[1:])))
        except ValueError as exc:  # the rest of the message is still read
            collector.not_scanned(f"{path}: the RTF body could not be read ({exc})"[:300])
    collector.add_text(attachment(path), "\n".join(t for t in texts if t))
    storages = sorted(
        entry
        for entry in ole.listdir(streams=False, storages=True)
        if len(entry) == len(prefix) + 1
        and entry[: len(prefix)] == prefix
        and entry[-1].startswith(_ATTACHMENT)
    )
    for number, storage in enumerate(storages, start=1):
        if not collector.has_room_for_part():
            collector.not_scanned(f"{path}: attachments from {number} on not read")
            break
        name = (
            (
                _string(collector, ole, storage, _LONG_FILENAME)
                or _string(collector, ole, storage, _FILENAME)
                or _string(collector, ole, storage, _DISPLAY_NAME)
                or f"attachment-{number}"
            )
            .replace("/", "_")
            .replace("\\", "_")[:200]
        )
        inner_path = f"{path}/{name}"
        collector.check_depth(depth + 1)
        if ole.exists("/".join([*storage, _EMBEDDED])):
            collector.add_part(
                PartInfo(
                    path=inner_path,
                    content_type="application/vnd.ms-outlook",
                    size=0,
                    filename=name,
                    is_attachment=True,
                    depth=depth + 1,
                )
            )
            _read_message(collector, ole, [*storage, _EMBEDDED], inner_path, depth + 1)
            continue
        blob = _stream(collector, ole, storage, f"{_ATTACH_DATA:04X}0102")
        if blob is None:
            continue
        collector.extract_nested(
            blob,
            name=name,
            content_type=_string(collector, ole, storage, _MIME_TAG),
            path=inner_path,
            depth=depth + 1,
        )


def _stream(collector: Collector, ole: olefile.OleFileIO, prefix: Path, tag: str) -> bytes | None:
    name = "/".join([*prefix, f"__substg1.0_{tag}"])
    if not ole.exists(name):
        return None
    collector.take_bytes(ole.get_size(name))  # streams may share sectors: count each read
    with ole.openstream(name) as stream:
        return bytes(stream.read())


def _string(collector: Collector, ole: olefile.OleFileIO, prefix: Path, prop: int) -> str:
    """A string property, Unicode (001F), 8-bit (001E) or, for HTML bodies, binary (0102)."""
    unicode = _stream(collector, ole, prefix, f"{prop:04X}001F")
    if unicode is not None:
        return unicode.decode("utf-16-le", "replace").rstrip("\x00").strip()
    for kind in ("001E", "0102"):
        data = _stream(collector, ole, prefix, f"{prop:04X}{kind}")
        if data is not None:
            return decode_text(data.rstrip(b"\x00")).strip()
    return ""
