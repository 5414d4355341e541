"""ZIP archives: every member is extracted through the same entry point, within limits.

Sizes: Python's zipfile never returns more than a member's declared size (it cuts the
output there and then fails the CRC check), so reserving the declared size with
`Collector.take_bytes` before opening a member bounds what decompression can produce,
whatever the compression ratio. A member that lies about its size gets cut off and
reported as corrupt. Only stored and deflated members are read: zipfile's bzip2 and
LZMA readers decompress a whole input block at once, which a bomb can abuse.

Encryption is read from each member's header, without the password: general-purpose
flag bit 0 is set for every encrypted member; WinZip AES members also carry the 0x9901
extra field (and compression method 99); bit 6 marks PKWARE strong encryption.
"""

from __future__ import annotations

import io
import mimetypes
import struct
import zipfile

from gateway.scanning.extract.context import Collector, LimitExceeded
from models import PartInfo

READABLE_METHODS = frozenset((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED))
_AES_EXTRA = 0x9901
_AES_METHOD = 99
_FLAG_ENCRYPTED = 0x0001
_FLAG_STRONG = 0x0040


class UnreadableMember(ValueError):
    """A member this reader will not decompress (unsupported or unsafe method)."""


def member_encryption(info: zipfile.ZipInfo) -> str | None:
    """ "zip-aes" or "zip-crypto" for an encrypted member, else None."""
    if not info.flag_bits & _FLAG_ENCRYPTED:
        return None
    if (
        info.compress_type == _AES_METHOD
        or _AES_EXTRA in _extra_ids(info.extra)
        or info.flag_bits & _FLAG_STRONG
    ):
        return "zip-aes"
    return "zip-crypto"


def _extra_ids(extra: bytes) -> set[int]:
    ids: set[int] = set()
    position = 0
    while position + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, position)
        ids.add(header_id)
        position += 4 + size
    return ids


def read_member(collector: Collector, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, its declared size reserved first (see the module docstring)."""
    if info.compress_type not in READABLE_METHODS:
        raise UnreadableMember(f"compression method {info.compress_type} is not read")
    collector.take_bytes(info.file_size)
    with archive.open(info) as member:
        return member.read()


def open_container(collector: Collector, data: bytes) -> zipfile.ZipFile:
    """A zip-based document (DOCX, XLSX, PPTX, ODF) about to be read by a library.

    The library decompresses members itself, so every member's declared size is
    reserved up front and unsafe compression methods are refused.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.compress_type not in READABLE_METHODS:
            raise UnreadableMember(
                f"{info.filename}: compression method {info.compress_type} is not read"
            )
        collector.take_bytes(info.file_size)
    return archive


def extract_zip(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    """Every member through `Collector.extract_nested`; the archive counts as encrypted when every
    file in it is."""

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        kinds: list[str | None] = []
        for number, info in enumerate(members):
            if not collector.has_room_for_part():
                collector.not_scanned(
                    f"{path}: {len(members) - number} files not read "
                    f"(more than {collector.limits.max_parts} parts)"
                )
                break
            name = member_name(info.filename)
            member_path = f"{path}/{name}"
            base = name.rpartition("/")[2]
            content_type = mimetypes.guess_type(base)[0] or ""
            kind = member_encryption(info)
            kinds.append(kind)
            if kind is not None:
                collector.add_part(member_part(member_path, info.file_size, depth, encryption=kind))
                continue
            try:
                collector.check_depth(depth + 1)
                member = read_member(collector, archive, info)
            except LimitExceeded as exc:
                member, reason = None, f"limit reached: {exc}"
            except (zipfile.BadZipFile, UnreadableMember, OSError, EOFError, ValueError) as exc:
                member, reason = None, f"could not read this file from the zip ({exc})"[:300]
            if member is None:
                collector.add_part(
                    member_part(member_path, info.file_size, depth, unscannable=reason)
                )
                continue
            collector.extract_nested(
                member,
                name=base,
                content_type=content_type,
                path=member_path,
                depth=depth + 1,
            )
    if kinds and all(kinds):
        return kinds[0]
    return None


def member_name(filename: str) -> str:
    """A member's name as a readable, bounded path (never absolute, no "..")."""
    parts = [p for p in filename.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts)[-200:] or "unnamed"


def member_part(
    path: str,
    size: int,
    depth: int,
    *,
    encryption: str | None = None,
    unscannable: str | None = None,
) -> PartInfo:
    """The PartInfo of an archive member (or embedded file) that was not opened: it is
    encrypted, or the reason it could not be read is given."""
    name = path.rpartition("/")[2]
    return PartInfo(
        path=path,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=size,
        filename=name,
        is_attachment=True,
        depth=depth + 1,
        encryption=encryption,
        unscannable=unscannable,
    )
