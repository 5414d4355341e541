"""The pupil_name detector: pupils' full names in the subject, the body and attachments.

The AUPs ask that "Emails should never contain children's full names either in the
subject line or preferably not in the main body of the text. Initials should be used
wherever possible." Generic name recognition would flag every adult and miss unusual
names, so this matches the school's own roster: a pupil's forename (legal or preferred)
with their surname, in any case and accents, in running text, across a table row or
in an attachment's file name (any order and separator: "rahman-aisha-iep.pdf").

It does not report initials, a forename or a surname alone, or the sender's own name;
a full name that also belongs to a member of staff is reported at a low score (kind
"staff_namesake") so that the default rules let it pass while the journal shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from pydantic import Field

from detectors.base import Detector, DetectorSettings
from detectors.names.common_words import shipped_common_words
from detectors.names.file_names import FileNameMatcher
from detectors.names.hits import NameHit, without_overlaps
from detectors.names.roster_index import NameKey, RosterIndex
from detectors.names.table_matcher import CellSpans, RowFinder, TableMatcher, locate_cells
from detectors.names.text_matcher import TextMatcher
from models import Basis, Directory, Finding, Message, Row, School, TextBlock
from models.location import ATTACHMENT, SUBJECT, Location, attachment
from models.redact import redact_spans, redact_words

PUPIL_FULL_NAME = "PUPIL_FULL_NAME"
STAFF_NAMESAKE = "staff_namesake"
PATH_CACHE_SIZE = 256
"""Attachment paths whose name matches are remembered (a worker scans many messages)."""


class PupilNameSettings(DetectorSettings):
    max_middle_names: int = Field(default=3, ge=0, le=6)
    """How many middle names or initials may stand between forename and surname."""
    staff_namesake_score: float = Field(default=0.3, ge=0.0, le=1.0)
    """Score of a full name that is also a member of staff's (rules default to 0.5)."""
    common_words: tuple[str, ...] = ()
    """More names to treat as everyday words, matched only when written as a name."""


class PupilNameDetector(Detector):
    name = "pupil_name"
    finding_types = frozenset({PUPIL_FULL_NAME})
    Settings = PupilNameSettings

    def __init__(
        self, settings: DetectorSettings, directory: Directory, school: School | None = None
    ) -> None:
        super().__init__(settings, directory, school)
        options = (
            settings
            if isinstance(settings, PupilNameSettings)
            else PupilNameSettings.model_validate(settings.model_dump())
        )
        self.options = options
        self.index = RosterIndex(directory, shipped_common_words() | set(options.common_words))
        self.text_matcher = TextMatcher(self.index, options.max_middle_names)
        self.table_matcher = TableMatcher(self.index)
        self.file_matcher = FileNameMatcher(self.index, options.max_middle_names)
        self._path_hits: dict[str, list[NameHit]] = {}

    def detect(self, message: Message) -> list[Finding]:
        if self.index.empty:
            return []
        sender = self.index.sender_words(message.facts)
        findings: list[Finding] = []
        for block in message.texts:
            hits = [h for h in self._hits(block) if not _is_sender(h.key, sender)]
            findings.extend(self._report(block.location, hits))
        seen: set[str] = set()
        for part in message.facts.attachments:
            if not part.filename:
                continue
            for path, name in _new_path_names(part.path, seen):
                hits = self.file_matcher.find(name)
                hits = [replace(h, span=None) for h in hits if not _is_sender(h.key, sender)]
                findings.extend(self._report(attachment(path), hits, file_name=True))
        return findings

    def _hits(self, block: TextBlock) -> list[NameHit]:
        hits = self.text_matcher.find(block.text)
        if block.rows:
            spans = _CellSpans(block.text, block.rows)
            if any(h.span for h in hits):
                rows = RowFinder(block.rows, spans())
                hits = [replace(h, row=rows.row_at(h.span[0])) if h.span else h for h in hits]
            hits.extend(self.table_matcher.find(block.text, block.rows, spans))
        return without_overlaps(hits)

    def _report(
        self, location: str, hits: Iterable[NameHit], *, file_name: bool = False
    ) -> list[Finding]:
        """One finding per pupil name and place (and row), counting repeats."""
        grouped: dict[tuple[NameKey, int | None], list[NameHit]] = {}
        for hit in hits:
            grouped.setdefault((hit.key, hit.row), []).append(hit)
        findings = []
        for (key, row), same in grouped.items():
            first = max(same, key=lambda h: h.score)
            evidence = redact_words(first.text)
            where = self._where(location, row, file_name)
            initials = _initials(key)
            basis = Basis(f"a pupil's full name on the roster, {first.form}", first.score)
            if key in self.index.staff_names:
                kind: str | None = STAFF_NAMESAKE
                value = min(self.options.staff_namesake_score, first.score)
                basis = replace(
                    basis, context=(("also a member of staff's name", value - first.score),)
                )
                explanation = (
                    f"{where} contains {evidence}, a pupil's full name that is also the name "
                    f"of a member of staff; if you mean the pupil, use initials instead, "
                    f"e.g. {initials}"
                )
            else:
                kind, value = None, first.score
                explanation = (
                    f"{where} contains a pupil's full name ({evidence}); "
                    f"use initials instead, e.g. {initials}"
                )
            findings.append(
                Finding(
                    detector=self.name,
                    type=PUPIL_FULL_NAME,
                    location=location,
                    score=value,
                    evidence=evidence,
                    explanation=explanation,
                    row=row,
                    kind=kind,
                    count=len(same),
                    span=first.span,
                    basis=basis,
                )
            )
        return findings

    def _where(self, location: str, row: int | None, file_name: bool) -> str:
        """Where, in words a teacher knows; a pupil's name in a file name stays masked."""
        place = Location.parse(location)
        if place.area == SUBJECT:
            return "The subject line"
        if place.area != ATTACHMENT:
            return "The message"
        path, sheet = place.path, place.section
        masked = redact_spans(path, [h.span for h in self._file_name_hits(path) if h.span])
        if file_name:
            return f"The name of the attachment {masked}"
        where = f"The attachment {masked}"
        if sheet:
            where += f", sheet {sheet}"
        if row is not None:
            where += f", row {row}"
        return where

    def _file_name_hits(self, path: str) -> list[NameHit]:
        """Cached: every finding in an attachment names its (masked) path."""
        if path not in self._path_hits:
            if len(self._path_hits) >= PATH_CACHE_SIZE:
                self._path_hits.clear()
            self._path_hits[path] = self.file_matcher.find(path)
        return self._path_hits[path]


class _CellSpans:
    """Where a table's cells are in its block's text (`locate_cells`), found on the first
    call: a sheet that names no pupil is never searched for them."""

    __slots__ = ("_rows", "_spans", "_text")

    def __init__(self, text: str, rows: Sequence[Row]) -> None:
        self._text, self._rows = text, rows
        self._spans: CellSpans | None = None

    def __call__(self) -> CellSpans:
        if self._spans is None:
            self._spans = locate_cells(self._text, self._rows)
        return self._spans


def _new_path_names(path: str, seen: set[str]) -> list[tuple[str, str]]:
    """(path so far, name) of each file or folder in `path` not yet in `seen`: a folder
    inside a zip ("pupils.zip/Rahman Aisha/plan.docx") is read once, not once per file."""
    names = path.split("/")
    found = []
    for depth, name in enumerate(names, start=1):
        so_far = "/".join(names[:depth])
        if so_far not in seen:
            seen.add(so_far)
            found.append((so_far, name))
    return found


def _is_sender(key: NameKey, sender: frozenset[str]) -> bool:
    return bool(sender) and all(word in sender for phrase in key for word in phrase)


def _initials(key: NameKey) -> str:
    """The initials to suggest, forename first: "Jones, Amelia" -> "A.J."."""
    forename, surname = key
    return f"{forename[0][:1].upper()}.{surname[0][:1].upper()}."
