"""A held message made safe to show: text only, with each finding's match marked.

The message is re-parsed exactly as the scanner parsed it, so the stored finding spans
index into the same TextBlock texts. Nothing here produces HTML: the template escapes
every segment, and HTML bodies were already turned into text by the parser.

Several blocks can share a location (a text and an HTML version of the same body; an
attached message's subject and body), so a finding is marked in the block whose text at
its span agrees with the finding's redacted evidence, else in the first block it fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.hold.notices import where
from gateway.web.finding_groups import FindingGroup, group_findings
from models import Message, PartInfo
from models.location import ATTACHMENT, BODY, SUBJECT, Location
from models.redact import redact_digits, redact_words

MAX_SHOWN_CHARS = 200_000
"""Longest text shown per block; the rest is summarised (the findings are all listed)."""


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mark: int | None = None
    """The finding number this run of text matched, or None for plain text."""


@dataclass
class ShownBlock:
    location: str
    label: str
    segments: list[Segment]
    hidden_chars: int = 0


@dataclass
class ShownFinding:
    number: int
    type: str
    where: str
    evidence: str
    explanation: str
    score: float
    marked: bool = False
    location: str = ""
    """The stored location ("attachment:list.xlsx#Sheet1"): findings are grouped by it."""
    place: str = ""
    """Where, without the row, for the group's line."""
    basis: dict[str, Any] | None = None
    """Why it has its score (models.Basis.to_json), when the detector said."""


@dataclass
class ShownAttachment:
    part: PartInfo
    findings: list[int] = field(default_factory=list)


@dataclass
class MessageView:
    headers: list[tuple[str, str]]
    blocks: list[ShownBlock]
    findings: list[ShownFinding]
    attachments: list[ShownAttachment]
    unscanned: tuple[str, ...]

    @property
    def groups(self) -> list[FindingGroup[ShownFinding]]:
        return group_findings(self.findings)


def highlight(text: str, marks: Sequence[tuple[int, int, int]]) -> list[Segment]:
    """Split text into plain and marked runs; `marks` are (start, end, finding number).

    Overlapping marks are clipped so that every character appears exactly once.
    """
    segments: list[Segment] = []
    cursor = 0
    for start, end, number in sorted(marks):
        start = max(start, cursor)
        end = min(end, len(text))
        if start >= end:
            continue
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], number))
        cursor = end
    if cursor < len(text) or not segments:
        segments.append(Segment(text[cursor:]))
    return segments


def _agrees(evidence: str, matched: str) -> bool:
    if evidence in (redact_words(matched), redact_digits(matched), matched):
        return True
    first = next((c for c in evidence if c.isalnum()), "")
    return bool(first) and matched.lstrip()[:1].lower() == first.lower()


def label_for(location: str, occurrence: int) -> str:
    place = Location.parse(location)
    if place.area == SUBJECT:
        text = "Subject"
    elif place.area == BODY:
        text = "Message"
    elif place.area == ATTACHMENT:
        text = f"Attachment {place.path}" + (f"#{place.section}" if place.section else "")
    else:
        text = location
    return text if occurrence == 1 else f"{text} (part {occurrence})"


def _attachment_path(location: str) -> str | None:
    return Location.parse(location).file


def build_view(message: Message, findings: Sequence[dict[str, Any]]) -> MessageView:
    texts = list(message.texts)
    marks: list[list[tuple[int, int, int]]] = [[] for _ in texts]
    shown: list[ShownFinding] = []
    for number, finding in enumerate(findings, start=1):
        item = ShownFinding(
            number=number,
            type=str(finding.get("type", "")),
            where=where(finding),
            evidence=str(finding.get("evidence", "")),
            explanation=str(finding.get("explanation", "")),
            score=float(finding.get("score", 0) or 0),
            location=str(finding.get("location", "")),
            place=where({**finding, "row": None}),
            basis=finding.get("basis") if isinstance(finding.get("basis"), dict) else None,
        )
        shown.append(item)
        span = finding.get("span")
        if not (isinstance(span, list | tuple) and len(span) == 2):
            continue
        start, end = int(span[0]), int(span[1])
        fits = [
            i
            for i, block in enumerate(texts)
            if block.location == finding.get("location") and 0 <= start < end <= len(block.text)
        ]
        agreeing = [i for i in fits if _agrees(item.evidence, texts[i].text[start:end])]
        candidates = agreeing or fits
        if candidates and start < MAX_SHOWN_CHARS:
            chosen = candidates[0]
            marks[chosen].append((start, end, number))
            item.marked = True
    blocks: list[ShownBlock] = []
    seen: dict[str, int] = {}
    for block, block_marks in zip(texts, marks, strict=True):
        seen[block.location] = seen.get(block.location, 0) + 1
        text = block.text[:MAX_SHOWN_CHARS]
        blocks.append(
            ShownBlock(
                location=block.location,
                label=label_for(block.location, seen[block.location]),
                segments=highlight(text, block_marks),
                hidden_chars=len(block.text) - len(text),
            )
        )
    attachments = [ShownAttachment(part) for part in message.facts.attachments]
    for item, finding in zip(shown, findings, strict=True):
        path = _attachment_path(str(finding.get("location", "")))
        for attachment in attachments:
            if path is not None and attachment.part.path == path:
                attachment.findings.append(item.number)
    return MessageView(
        headers=list(message.headers),
        blocks=blocks,
        findings=shown,
        attachments=attachments,
        unscanned=message.facts.unscanned,
    )
