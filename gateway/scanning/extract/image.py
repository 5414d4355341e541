"""Images: the text hidden in them or after them, not the pixels (OCR is a separate matter).

A picture can carry text three ways: in its metadata (PNG tEXt/zTXt/iTXt chunks, JPEG
comments, EXIF descriptions and comments, XMP captions, GIF comments), after the end of
the image data (viewers ignore anything past PNG's IEND, JPEG's EOI, GIF's trailer or
the sizes that BMP, WebP, TIFF and HEIF declare), or anywhere at all in a file that only
starts like an image. So the structure is walked to where the image ends: metadata text
is read, bytes after the end go through `Collector.extract_nested` as a part of their own (a zip or
a text file appended to a photo is read as one), and a file whose structure cannot be
walked is read for printable runs like an unknown binary. None of this makes an image
unscannable: a photo with no hidden text is recorded, not flagged.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.scanning.extract.binary import add_printable_text
from gateway.scanning.extract.context import Collector, LimitExceeded
from gateway.scanning.extract.inflate import ZLIB, inflate
from gateway.textfiles.encoding import decode_text
from models.location import attachment


@dataclass
class Walk:
    """What walking an image found: its format, where its data ends, its text."""

    format: str
    end: int = 0
    texts: list[str] = field(default_factory=list)


class Unwalkable(ValueError):
    """The file does not have the structure its signature promises."""


_HEIF_BRANDS = frozenset((b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"))
_BMP_HEADERS = frozenset((12, 16, 40, 52, 56, 64, 108, 124))
_IGNORABLE = b"\x00\xff \t\r\n"
"""Padding some writers leave after an image; nothing to read."""


def image_format(data: bytes) -> str | None:
    """PNG JPEG GIF BMP WEBP TIFF HEIF, by signature; None for anything else."""
    if data.startswith(b"\x89PNG"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    if (
        data[:2] == b"BM"
        and len(data) >= 26
        and data[6:10] == bytes(4)
        and struct.unpack_from("<I", data, 14)[0] in _BMP_HEADERS
    ):
        return "BMP"
    return None


def extract_image(collector: Collector, data: bytes, path: str, depth: int) -> str | None:

    kind = image_format(data) or ""
    try:
        walk = _WALKERS[kind](collector, data)
    except LimitExceeded:
        raise
    except Exception:  # a broken or hostile structure: read it like an unknown binary
        add_printable_text(collector, data, path)
        return None
    texts = (" ".join(text.split()) for text in walk.texts)
    collector.add_text(attachment(path), "\n".join(t for t in texts if t))
    trailer = data[walk.end :]
    if trailer.strip(_IGNORABLE):
        name = f"data after the {walk.format} image"
        collector.extract_nested(
            trailer,
            name=name,
            content_type="application/octet-stream",
            path=f"{path}/{name}",
            depth=depth + 1,
        )
    return None


def _png(collector: Collector, data: bytes) -> Walk:
    walk = Walk("PNG")
    pos = 8
    while True:
        if pos + 12 > len(data):
            raise Unwalkable("a PNG chunk runs past the end")
        length, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        if not kind.isalpha() or len(body) != length or pos + 12 + length > len(data):
            raise Unwalkable("not a PNG chunk")
        pos += 12 + length
        if kind == b"IEND":
            walk.end = pos
            return walk
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            walk.texts.append(_png_text(collector, kind, body))
        elif kind == b"eXIf":
            walk.texts.extend(_tiff(body).texts)


def _png_text(collector: Collector, kind: bytes, body: bytes) -> str:
    keyword, _, rest = body.partition(b"\0")
    label = keyword.decode("latin-1")
    if label.startswith("Raw profile type"):  # ImageMagick's hex dump of EXIF or ICC data
        return ""
    if kind == b"tEXt":
        return f"{label}: {rest.decode('latin-1')}"
    if kind == b"zTXt":
        return f"{label}: {_inflate(collector, rest[1:]).decode('latin-1')}"
    compressed = rest[:1] == b"\x01"
    _language, _, rest = rest[2:].partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    value = (_inflate(collector, text) if compressed else text).decode("utf-8", "replace")
    if keyword == b"XML:com.adobe.xmp":
        return _xmp(value)
    return f"{label}: {value}"


def _inflate(collector: Collector, data: bytes) -> bytes:
    try:
        return inflate(collector, data, ZLIB)
    except (ValueError, zlib.error) as exc:
        raise Unwalkable(str(exc)) from exc


def _jpeg(collector: Collector, data: bytes) -> Walk:
    walk = Walk("JPEG")
    pos = 2
    while True:
        if data[pos] != 0xFF:
            raise Unwalkable("expected a JPEG marker")
        while data[pos] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            walk.end = pos
            return walk
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            continue
        if marker < 0xC0:
            raise Unwalkable(f"not a JPEG marker: {marker:#04x}")
        length = struct.unpack_from(">H", data, pos)[0]
        if length < 2 or pos + length > len(data):
            raise Unwalkable("a JPEG segment runs past the end")
        segment = data[pos + 2 : pos + length]
        pos += length
        if marker == 0xFE:  # COM
            walk.texts.append(decode_text(segment))
        elif marker == 0xE1 and segment.startswith(b"Exif\0"):
            walk.texts.extend(_tiff(segment[6:]).texts)
        elif marker == 0xE1 and segment.startswith(b"http://ns.adobe.com/xap/1.0/\0"):
            walk.texts.append(_xmp(segment.partition(b"\0")[2].decode("utf-8", "replace")))
        elif marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            pos = _end_of_scan(data, pos)


def _end_of_scan(data: bytes, pos: int) -> int:
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise Unwalkable("the JPEG has no end-of-image marker")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffing, restart markers
            pos = found + 2
        elif following == 0xFF:
            pos = found + 1
        else:
            return found


def _gif(collector: Collector, data: bytes) -> Walk:
    walk = Walk("GIF")
    pos = 13 + _colour_table(data[10])
    while True:
        block = data[pos]
        pos += 1
        if block == 0x3B:  # trailer
            walk.end = pos
            return walk
        if block == 0x21:  # extension
            label = data[pos]
            content, pos = _sub_blocks(data, pos + 1)
            if label == 0xFE:  # comment
                walk.texts.append(decode_text(content))
            elif label == 0x01:  # plain text: a 12-byte header, then the text
                walk.texts.append(decode_text(content[12:]))
        elif block == 0x2C:  # image: descriptor, local colour table, LZW code size, data
            if pos + 9 > len(data):
                raise Unwalkable("a GIF image descriptor runs past the end")
            pos += 9 + _colour_table(data[pos + 8]) + 1
            _, pos = _sub_blocks(data, pos)
        else:
            raise Unwalkable(f"not a GIF block: {block:#04x}")


def _colour_table(flags: int) -> int:
    return 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0


def _sub_blocks(data: bytes, pos: int) -> tuple[bytes, int]:
    chunks: list[bytes] = []
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return b"".join(chunks), pos
        if pos + size > len(data):
            raise Unwalkable("a GIF block runs past the end")
        chunks.append(data[pos : pos + size])
        pos += size


def _bmp(collector: Collector, data: bytes) -> Walk:
    end = struct.unpack_from("<I", data, 2)[0]
    if not 26 <= end <= len(data):
        raise Unwalkable("the BMP's declared size does not fit the file")
    return Walk("BMP", end)


def _webp(collector: Collector, data: bytes) -> Walk:
    size = struct.unpack_from("<I", data, 4)[0]
    walk = Walk("WEBP", 8 + size + (size & 1))
    if walk.end > len(data):
        raise Unwalkable("the WebP's declared size does not fit the file")
    pos = 12
    while pos + 8 <= walk.end:
        kind, length = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"EXIF":
            walk.texts.extend(_tiff(body.removeprefix(b"Exif\0\0")).texts)
        elif kind == b"XMP ":
            walk.texts.append(_xmp(body.decode("utf-8", "replace")))
        pos += 8 + length + (length & 1)
    return walk


def _heif(collector: Collector, data: bytes) -> Walk:
    """ISO base media boxes, top level only: the image ends where they stop fitting."""
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        if size == 1 and pos + 16 <= len(data):
            size = struct.unpack_from(">Q", data, pos + 8)[0]
        elif size == 0:
            size = len(data) - pos
        if size < 8 or pos + size > len(data) or not kind.isascii() or not kind.isalnum():
            break
        pos += size
    if pos == 0:
        raise Unwalkable("no HEIF box")
    return Walk("HEIF", pos)


def _tiff_file(collector: Collector, data: bytes) -> Walk:
    return _tiff(data)


_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_ASCII_TAGS = frozenset((0x010D, 0x010E, 0x013B, 0x8298))
"""DocumentName, ImageDescription, Artist, Copyright."""
_XP_TAGS = frozenset((0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F))
"""Windows' XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject (UTF-16LE)."""
_USER_COMMENT = 0x9286
_POINTERS = frozenset((0x8769, 0x8825, 0xA005, 0x014A))
"""Exif, GPS, interoperability and sub-image IFDs."""
_OFFSETS = {0x0111: 0x0117, 0x0144: 0x0145, 0x0201: 0x0202}
"""Strip, tile and JPEG-thumbnail offsets, each with the tag holding their lengths."""
_LINKED = frozenset((*_OFFSETS, *_OFFSETS.values()))
_MAX_IFDS = 64
_MAX_VALUES = 1_000_000
"""More strips or pointers than any real TIFF has: the file is not walked."""


def _tiff(data: bytes) -> Walk:
    """A TIFF file, or the TIFF structure inside EXIF: its text tags, and the end of
    the furthest thing it points to."""
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        raise Unwalkable("not a TIFF header")
    order = "<" if data[:2] == b"II" else ">"
    walk = Walk("TIFF", 8)
    queue = [struct.unpack_from(order + "I", data, 4)[0]]
    seen: set[int] = set()
    while queue:
        ifd = queue.pop()
        if ifd == 0 or ifd in seen:
            continue
        if len(seen) >= _MAX_IFDS:
            raise Unwalkable("too many TIFF directories")
        seen.add(ifd)
        count = struct.unpack_from(order + "H", data, ifd)[0]
        walk.end = max(walk.end, ifd + 6 + 12 * count)
        if walk.end > len(data):
            raise Unwalkable("a TIFF directory runs past the end")
        values: dict[int, tuple[int, ...]] = {}
        for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
            tag, kind, number = struct.unpack_from(order + "HHI", data, entry)
            size = _TYPE_SIZES.get(kind, 1) * number
            start = entry + 8 if size <= 4 else struct.unpack_from(order + "I", data, entry + 8)[0]
            if start + size > len(data):
                raise Unwalkable("a TIFF value runs past the end")
            walk.end = max(walk.end, start + size)
            value = data[start : start + size]
            if tag in _ASCII_TAGS and kind == 2:
                walk.texts.append(decode_text(value.rstrip(b"\0")))
            elif tag in _XP_TAGS:
                walk.texts.append(value.decode("utf-16-le", "replace").rstrip("\0"))
            elif tag == _USER_COMMENT:
                walk.texts.append(_user_comment(value, order))
            elif kind in (3, 4, 13) and (tag in _POINTERS or tag in _LINKED):
                if number > _MAX_VALUES:
                    raise Unwalkable("too many TIFF values")
                values[tag] = struct.unpack_from(
                    f"{order}{number}{'H' if kind == 3 else 'I'}", value
                )
        for tag in _POINTERS:
            queue.extend(values.get(tag, ()))
        for offsets, lengths in _OFFSETS.items():
            for offset, length in zip(
                values.get(offsets, ()), values.get(lengths, ()), strict=False
            ):
                if offset + length > len(data):
                    raise Unwalkable("TIFF image data runs past the end")
                walk.end = max(walk.end, offset + length)
        queue.append(struct.unpack_from(order + "I", data, ifd + 2 + 12 * count)[0])
    return walk


def _user_comment(value: bytes, order: str) -> str:
    """EXIF UserComment: an 8-byte character code, then the text."""
    code, text = value[:8], value[8:]
    if code.startswith(b"UNICODE"):
        return text.decode("utf-16-le" if order == "<" else "utf-16-be", "replace").rstrip("\0")
    return decode_text(text.rstrip(b"\0 "))


_XMP_TEXT = re.compile(
    r"<(dc:(?:title|description|subject|creator|rights)|photoshop:(?:Headline|Caption))\b[^>]*>"
    r"(.*?)</\1>",
    re.S,
)
_TAG = re.compile(r"<[^>]*>")


def _xmp(xml: str) -> str:
    """The captions people write in XMP (title, description, keywords, creator,
    rights, headline), not its identifiers and tool names."""
    return "\n".join(_TAG.sub(" ", m.group(2)) for m in _XMP_TEXT.finditer(xml))


_WALKERS: dict[str, Callable[[Collector, bytes], Walk]] = {
    "PNG": _png,
    "JPEG": _jpeg,
    "GIF": _gif,
    "BMP": _bmp,
    "WEBP": _webp,
    "TIFF": _tiff_file,
    "HEIF": _heif,
}
