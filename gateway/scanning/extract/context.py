"""What one message's extraction has produced so far, and the limits it must stay within.

One `Collector` is shared by the MIME walk and every attachment extractor of a message,
so the limits (parts, depth, decompressed bytes, characters of text) hold for the whole
message however its content is nested: a zip bomb or a 1,000-level nesting stops at the
limit and is recorded as unscannable instead of exhausting the scan worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from models import PartInfo, Row, TextBlock


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 8
    max_parts: int = 500
    max_file_size: int = 50 * 1024 * 1024
    max_expanded_size: int = 200 * 1024 * 1024
    max_text_chars: int = 5_000_000


class LimitExceeded(Exception):
    """Extraction stopped at a configured limit; the message says which."""


class NotRead(Exception):
    """A well-formed file this gateway does not read; the message says why, for staff."""


NestedParser = Callable[[bytes, str, int, "Collector"], None]
"""Parses an attached message (raw bytes) found at a path and depth into the collector."""


class FileExtractor(Protocol):
    """The entry point for one file (extract.dispatch.extract_file)."""

    def __call__(
        self,
        collector: Collector,
        data: bytes,
        *,
        name: str,
        content_type: str,
        path: str,
        depth: int,
        is_attachment: bool = True,
    ) -> PartInfo: ...


@dataclass
class Collector:
    limits: Limits
    nested_parser: NestedParser | None = None
    file_extractor: FileExtractor | None = None
    """Reads files found inside files (archive members, embedded files, a TNEF's
    attachments) through the same entry point as attachments. Given by whoever makes
    the collector (parse.py gives extract_file), so an extractor need not import the
    dispatcher that imports it."""
    texts: list[TextBlock] = field(default_factory=list)
    parts: list[PartInfo] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    unscanned: list[str] = field(default_factory=list)
    """Why some content was not scanned: limits reached, files that could not be read."""
    text_chars: int = 0
    expanded_bytes: int = 0
    _first_body: str | None = field(default=None, init=False, repr=False)
    _body_words: set[tuple[str, ...]] = field(default_factory=set, init=False, repr=False)
    """The words of each body seen, split once a second body arrives (most mail has one)."""

    def extract_nested(
        self, data: bytes, *, name: str, content_type: str, path: str, depth: int
    ) -> PartInfo:
        """Read a file found inside another file, with this message's limits."""
        if self.file_extractor is None:
            raise NotRead("files inside files are not read here")
        return self.file_extractor(
            self, data, name=name, content_type=content_type, path=path, depth=depth
        )

    def add_text(self, location: str, text: str, rows: tuple[Row, ...] = ()) -> None:
        """Record readable text; text beyond the message's character budget is cut off.

        Rows are a structured view of the same text, so they are cut off with it.
        """
        if not text and not rows:
            return
        if location == "body" and not rows and self._repeats_a_body(text):
            return
        room = self.text_room()
        if len(text) > room:
            self.not_scanned(f"{location}: text beyond {self.limits.max_text_chars} characters")
            text = text[: max(room, 0)]
            rows = _rows_within(rows, room)
            if not text:
                return
        self.text_chars += len(text)
        self.texts.append(TextBlock(location=location, text=text, rows=rows))

    def _repeats_a_body(self, text: str) -> bool:
        """The HTML copy of a multipart/alternative body, with exactly the words of the
        text copy: every detector would read the same words twice (twice the cost, and
        a finding reported twice), so it is not kept. Copies that differ in any word
        (a link, hidden text) are kept and read. Each body is split at most once."""
        if self._first_body is None:
            self._first_body = text
            return False
        if not self._body_words:
            self._body_words.add(tuple(self._first_body.split()))
        words = tuple(text.split())
        if words in self._body_words:
            return True
        self._body_words.add(words)
        return False

    def text_room(self) -> int:
        """Characters of text the message may still add."""
        return max(self.limits.max_text_chars - self.text_chars, 0)

    def has_room_for_part(self) -> bool:
        return len(self.parts) < self.limits.max_parts

    def start_part(self) -> int:
        """Reserve the next part slot, so a container is listed before (and despite) its
        members; fill it with `finish_part`."""
        self.parts.append(_PENDING)
        return len(self.parts) - 1

    def finish_part(self, index: int, part: PartInfo) -> PartInfo:
        self.parts[index] = part
        if part.unscannable:
            self.not_scanned(f"{part.path}: {part.unscannable}")
        return part

    def add_part(self, part: PartInfo) -> PartInfo:
        """Record a part; past max_parts the part is counted as not scanned instead."""
        if self.has_room_for_part():
            self.parts.append(part)
        else:
            self.not_scanned(f"{part.path}: more than {self.limits.max_parts} parts")
        if part.unscannable:
            self.not_scanned(f"{part.path}: {part.unscannable}")
        return part

    def check_depth(self, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise LimitExceeded(f"nested deeper than {self.limits.max_depth} levels")

    def take_bytes(self, size: int) -> None:
        """Account for decompressed bytes before producing them."""
        if size > self.limits.max_file_size:
            raise LimitExceeded(f"a file larger than {self.limits.max_file_size} bytes")
        if self.expanded_bytes + size > self.limits.max_expanded_size:
            raise LimitExceeded(
                f"more than {self.limits.max_expanded_size} bytes after decompression"
            )
        self.expanded_bytes += size

    def defect(self, text: str) -> None:
        """A structural oddity worth journalling that did not stop the scan."""
        if len(self.defects) < 50:
            self.defects.append(text)

    def not_scanned(self, text: str) -> None:
        if len(self.unscanned) < 50:
            self.unscanned.append(text)


_PENDING = PartInfo(path="", content_type="application/octet-stream", size=0)
"""Placeholder for a part whose extraction is still running (see Collector.start_part)."""


def _rows_within(rows: tuple[Row, ...], room: int) -> tuple[Row, ...]:
    kept: list[Row] = []
    used = 0
    for row in rows:
        used += sum(len(cell) + 1 for cell in row.cells)
        if used > room:
            break
        kept.append(row)
    return tuple(kept)
