"""Files with no text format of their own: read for printable text, never waved through.

A file is never "binary, nothing to see": text can be pasted into any container, or
appended to one, and still travel. What happens to each kind:

- Images (see `image`): their structure is walked; text chunks and data after the
  image are read. They are never unscannable on their own: a photo is not text, and
  flagging every photo would hold every mail that has one (OCR is a separate matter).
- Audio, video and fonts ("media"): compressed samples and glyph outlines, nothing a
  person wrote. Recorded, never unscannable (a class video must not hold the mail),
  and their printable text runs are scanned, so text hidden in one is still found.
- OLE compound files of no kind this gateway reads (Publisher, Visio, installers):
  every stream is read for printable runs, 8-bit and UTF-16 (Office keeps text as
  UTF-16). An OLE file that olefile cannot open is unscannable, its raw bytes still
  read for runs.
- Anything else ("binary"): printable runs are scanned. When its name claims a
  document format (report.docx, list.pdf) its content is not, it is also unscannable:
  the runs cannot be trusted to be all the text there is.

Printable runs are what strings(1) prints (6 characters or more, 8-bit and UTF-16LE),
keeping only runs that look like text (see `_wordy`): random bytes of compressed data
make short runs of punctuation, which would only spend the message's text budget.
"""

from __future__ import annotations

import io
import re

import olefile

from gateway.scanning.extract.context import Collector, LimitExceeded, NotRead
from models.location import attachment

_MIN_RUN = 6
_PRINTABLE = frozenset((*range(0x20, 0x7F), 0x09))
_BYTE_CLASSES = bytes(0x61 if b in _PRINTABLE else 0x2D for b in range(256))
"""Printable bytes as "a", others as "-": a run is then a literal the regex engine
searches for in C, several times faster than a character class on the raw bytes."""
_UTF16_CLASSES = bytes(
    0x61 if b in _PRINTABLE or b >= 0xA0 else 0x7A if b == 0 else 0x2D for b in range(256)
)
"""The same for UTF-16LE: a printable low byte "a" followed by a NUL high byte "z"."""
_BYTE_RUN = re.compile(b"a" * _MIN_RUN + b"+")
_UTF16_RUN = re.compile(b"az" * _MIN_RUN + b"(?:az)*")
_WORD = re.compile(r"[^\W_]{3,}")
_LONG_NUMBER = re.compile(r"\d{8}")

DOCUMENT_EXTENSIONS = frozenset(
    "doc docx docm dot dotx dotm xls xlsx xlsm xlsb xlt xltx xltm ppt pptx pptm pps "  # noqa: SIM905
    "ppsx pot potx odt ott ods ots odp otp pdf rtf msg eml txt csv tsv htm html xml "
    "pub vsd vsdx wpd wps pages numbers key".split()
)
"""Names that promise a document with text in it."""

_OLE_DOCUMENTS = frozenset(("pub", "vsd", "wps"))
"""Document formats that are OLE files of a kind this gateway does not read."""

_MEDIA_MAGIC: tuple[tuple[int, bytes], ...] = (
    (4, b"ftyp"),  # MP4, MOV, M4A, 3GP (HEIF photos are images, tried first)
    (0, b"ID3"),  # MP3
    (0, b"OggS"),
    (0, b"fLaC"),
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (0, b"FLV\x01"),
    (0, b"MThd"),  # MIDI
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),  # ASF: WMA, WMV
    (0, b"\x00\x00\x01\xba"),  # MPEG program stream
    (0, b"\x00\x01\x00\x00\x00"),  # TrueType
    (0, b"OTTO"),
    (0, b"ttcf"),
    (0, b"wOFF"),
    (0, b"wOF2"),
)


def is_media(data: bytes) -> bool:
    """Audio, video or a font, by its signature."""
    if data[:4] == b"RIFF" and data[8:12] != b"WEBP":  # WAV, AVI (WebP is an image)
        return True
    if data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):  # MP3 without a tag
        return True
    return any(data[at : at + len(magic)] == magic for at, magic in _MEDIA_MAGIC)


def printable_text(data: bytes) -> str:
    """The printable runs of `data` in the order they occur, one a line."""
    runs = [
        (m.start(), data[m.start() : m.end()].decode("ascii"))
        for m in _BYTE_RUN.finditer(data.translate(_BYTE_CLASSES))
    ]
    runs += [
        (m.start(), data[m.start() : m.end()].decode("utf-16-le"))
        for m in _UTF16_RUN.finditer(data.translate(_UTF16_CLASSES))
    ]
    runs.sort()
    return "\n".join(run.strip() for _, run in runs if _wordy(run.strip()))


def _wordy(run: str) -> bool:
    """Mostly words or numbers, and like text: with a space, long, or a long number.
    Compressed data makes about one 6-character run every 400 bytes, almost all of
    them short, spaceless and half punctuation."""
    if sum(len(word) for word in _WORD.findall(run)) * 2 < len(run):
        return False
    return " " in run or len(run) >= 2 * _MIN_RUN or _LONG_NUMBER.search(run) is not None


def add_printable_text(collector: Collector, data: bytes, path: str) -> None:
    collector.add_text(attachment(path), printable_text(data))


def extract_media(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    add_printable_text(collector, data, path)
    return None


def extract_binary(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    add_printable_text(collector, data, path)
    extension = _extension(path)
    if extension in DOCUMENT_EXTENSIONS:
        raise NotRead(
            f"named .{extension} but not a file of that kind: its content could not be read"
        )
    return None


def extract_ole(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    """An OLE file of no kind read elsewhere: the printable runs of every stream."""
    try:
        texts = _ole_stream_texts(collector, data)
    except LimitExceeded:
        raise
    except Exception as exc:  # olefile raises many types on corrupt input
        add_printable_text(collector, data, path)
        raise NotRead(f"could not read this OLE file ({type(exc).__name__}: {exc})"[:300]) from exc
    collector.add_text(attachment(path), "\n".join(t for t in texts if t))
    extension = _extension(path)
    if extension in DOCUMENT_EXTENSIONS - _OLE_DOCUMENTS:
        raise NotRead(f"named .{extension} but an OLE file of another kind: not fully read")
    return None


def _ole_stream_texts(collector: Collector, data: bytes) -> list[str]:
    texts = []
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        for entry in ole.listdir(streams=True, storages=False):
            name = "/".join(entry)
            collector.take_bytes(ole.get_size(name))  # streams may share sectors
            with ole.openstream(name) as stream:
                texts.append(printable_text(bytes(stream.read())))
    return texts


def _extension(path: str) -> str:
    name = path.rpartition("/")[2]
    return name.rpartition(".")[2].lower() if "." in name else ""
