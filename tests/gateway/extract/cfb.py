"""A minimal writer of OLE compound files (MS-CFB version 3), for building test .msg files.

No installed library writes compound files (olefile only reads them), and Outlook
cannot run here, so tests build .msg files from their MAPI property streams with this.
Small streams go to the mini stream as the format requires, so readers take the same
paths as with real Outlook files.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF

Tree = dict[str, "bytes | Tree"]
"""A storage: names mapped to stream bytes or to nested storages."""


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NO_STREAM
    right: int = NO_STREAM
    child: int = NO_STREAM
    start: int = END_OF_CHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def write_cfb(tree: Tree) -> bytes:
    entries = [_Entry("Root Entry", 5)]
    _add_children(entries, 0, tree)
    for entry in entries:
        if entry.children:
            ordered = sorted(entry.children, key=lambda i: _sort_key(entries[i].name))
            entry.child = _balance(entries, ordered)

    sectors: list[bytes] = []
    fat: list[int] = []

    def allocate(data: bytes) -> int:
        count = max(1, -(-len(data) // SECTOR))
        first = len(sectors)
        for index in range(count):
            chunk = data[index * SECTOR : (index + 1) * SECTOR]
            sectors.append(chunk.ljust(SECTOR, b"\0"))
            fat.append(first + index + 1 if index < count - 1 else END_OF_CHAIN)
        return first

    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if not entry.data:
            entry.start = END_OF_CHAIN
        elif len(entry.data) < MINI_CUTOFF:
            count = -(-len(entry.data) // MINI_SECTOR)
            first = len(mini_fat)
            mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\0")
            mini_fat.extend(first + i + 1 if i < count - 1 else END_OF_CHAIN for i in range(count))
            entry.start = first
        else:
            entry.start = allocate(entry.data)
    root = entries[0]
    if mini_stream:
        root.start = allocate(bytes(mini_stream))
        root.size = len(mini_stream)
    mini_fat_start = (
        allocate(b"".join(struct.pack("<I", v) for v in mini_fat)) if mini_fat else END_OF_CHAIN
    )
    directory = b"".join(_directory_entry(e) for e in entries)
    directory_start = allocate(directory)

    fat_count = 1
    while (len(sectors) + fat_count) * 4 > fat_count * SECTOR:
        fat_count += 1
    fat_start = len(sectors)
    fat.extend([FAT_SECTOR] * fat_count)
    fat.extend([FREE] * (fat_count * SECTOR // 4 - len(fat)))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    for index in range(fat_count):
        sectors.append(fat_bytes[index * SECTOR : (index + 1) * SECTOR])

    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_count,
        directory_start,
        0,
        MINI_CUTOFF,
        mini_fat_start,
        -(-len(mini_fat) * 4 // SECTOR) if mini_fat else 0,
        END_OF_CHAIN,
        0,
    ) + b"".join(struct.pack("<I", v) for v in difat)
    return header + b"".join(sectors)


def _add_children(entries: list[_Entry], parent: int, tree: Tree) -> None:
    for name, value in tree.items():
        index = len(entries)
        if isinstance(value, dict):
            entries.append(_Entry(name, 1))
            entries[parent].children.append(index)
            _add_children(entries, index, value)
        else:
            entries.append(_Entry(name, 2, data=value))
            entries[parent].children.append(index)


def _balance(entries: list[_Entry], ordered: list[int]) -> int:
    if not ordered:
        return NO_STREAM
    middle = len(ordered) // 2
    node = entries[ordered[middle]]
    node.left = _balance(entries, ordered[:middle])
    node.right = _balance(entries, ordered[middle + 1 :])
    return ordered[middle]


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\0\0"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        1,  # black: a valid (if unbalanced-looking) red-black tree
        entry.left,
        entry.right,
        entry.child,
        b"\0" * 16,
        0,
        0,
        0,
        entry.start,
        entry.size,
    )
