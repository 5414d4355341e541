"""The sensitive_data detector: personal and special category data that must not leave
the school unprotected.

The AUPs: "Any electronic communication which contains ... sensitive or personal
information will only be sent using secure and encrypted email or password protection."
This detector only reports what is there; the rules decide, using the facts the parser
recorded (encryption, internal or secure-partner recipients), whether that is a problem.

Text blocks are scanned as prose; table blocks (spreadsheets, CSV, HTML and Word tables)
row by row, with each cell labelled by its column header so "DOB" or "ULN" columns give
their values the context a label gives in prose. Many rows of personal data, in a table
or as lines of text, are reported once as BULK_PERSONAL_DATA with the row count.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from email.utils import parsedate_to_datetime
from itertools import accumulate
from typing import ClassVar

from pydantic import Field, field_validator

from detectors.base import Detector, DetectorSettings
from detectors.bulk import (
    BULK_PERSONAL_DATA,
    Header,
    Role,
    bulk_kind,
    column_role,
    describe,
    find_header,
    is_filled,
    is_person_row,
    row_roles,
    special_kind,
)
from detectors.cell_roles import VALUE_ROLES, TableValueRoles, value_role
from detectors.identifiers import IDENTIFIER_TYPES, find_identifiers
from detectors.pasted_tables import blank_tables, find_tables
from detectors.personal_details import (
    DATE_OF_BIRTH,
    HOME_ADDRESS,
    PHONE_NUMBER,
    UK_POSTCODE,
    find_addresses,
    find_dates_of_birth,
    find_phone_numbers,
    is_postcode,
    normalise_postcode,
)
from detectors.protective_marking import PROTECTIVE_MARKING, find_markings
from detectors.search_windows import digit_clusters
from detectors.sensitive_explanations import explain
from detectors.special_category import (
    SPECIAL_CATEGORY,
    PhraseMatcher,
    default_vocabulary,
    parse_phrase,
)
from detectors.table_text import (
    RowText,
    block_span,
    cell_starts,
    has_text_outside_cells,
    outside_cells,
    rows_text,
)
from detectors.textmatch import Match, keep_best
from models import Basis, Directory, Finding, Message, Row, School, TextBlock

_PRIORITY = {t: rank for rank, t in enumerate((*IDENTIFIER_TYPES, DATE_OF_BIRTH, PHONE_NUMBER))}
"""Which of two overlapping digit matches is kept (an IBAN's digits are not a phone number)."""

_PERSON_TYPES = frozenset((*IDENTIFIER_TYPES, DATE_OF_BIRTH, HOME_ADDRESS))
"""Findings that mark a line or row as a record about one person (for bulk counting)."""

_DOCUMENT_TYPES = frozenset((SPECIAL_CATEGORY, PROTECTIVE_MARKING))
"""Findings about the document as a whole, kept beside a bulk finding."""

_ROLE_OF_TYPE = {DATE_OF_BIRTH: Role.DOB, HOME_ADDRESS: Role.ADDRESS}


class SensitiveDataSettings(DetectorSettings):
    """`[detectors.sensitive_data]` in the config file."""

    special_category_phrases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Extra phrases by kind, added to the default vocabulary, e.g.
    {"health" = ["=PKU", "~phenylketonuria"]}; "=" exact capitals, "~" only in a sentence
    about someone, "^" only after "is"/"a"/"her"..., "word*" with its inflections (see
    detectors/data/special_category.txt)."""
    ignored_phrases: tuple[str, ...] = ()
    """Default phrases this school does not want matched, e.g. ["pregnancy"]."""
    use_default_vocabulary: bool = True
    bulk_min_rows: int = Field(default=10, ge=2, le=1_000_000)
    """Rows (or lines) of personal data from which a table is one BULK_PERSONAL_DATA finding."""
    ignored_postcodes: tuple[str, ...] = ()
    """More postcodes never reported as someone's home address (the school's own, from
    [school] postcodes, always are not)."""

    @field_validator("special_category_phrases")
    @classmethod
    def _phrases_usable(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for kind, phrases in value.items():
            for phrase in phrases:
                parse_phrase(kind, phrase)  # raises VocabularyError (a ValueError) naming it
        return value

    @field_validator("ignored_postcodes")
    @classmethod
    def _postcodes_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for postcode in value:
            if not is_postcode(postcode):
                raise ValueError(f"{postcode!r} is not a UK postcode like 'AB1 2DE'")
        return tuple(normalise_postcode(p) for p in value)


class SensitiveDataDetector(Detector):
    """Identifiers, personal details, special category data, markings and bulk data."""

    name: ClassVar[str] = "sensitive_data"
    finding_types: ClassVar[frozenset[str]] = frozenset(
        (
            *IDENTIFIER_TYPES,
            DATE_OF_BIRTH,
            HOME_ADDRESS,
            UK_POSTCODE,
            PHONE_NUMBER,
            SPECIAL_CATEGORY,
            PROTECTIVE_MARKING,
            BULK_PERSONAL_DATA,
        )
    )
    Settings: ClassVar[type[DetectorSettings]] = SensitiveDataSettings

    def __init__(
        self, settings: DetectorSettings, directory: Directory, school: School | None = None
    ) -> None:
        super().__init__(settings, directory, school)
        if not isinstance(settings, SensitiveDataSettings):
            settings = SensitiveDataSettings.model_validate(settings.model_dump())
        self.options = settings
        vocabulary = default_vocabulary() if settings.use_default_vocabulary else {}
        for kind, phrases in settings.special_category_phrases.items():
            vocabulary.setdefault(kind, []).extend(phrases)
        self._phrases = PhraseMatcher(vocabulary, frozenset(settings.ignored_phrases))
        school_postcodes = (normalise_postcode(p) for p in self.school.postcodes)
        self._ignored_postcodes = frozenset((*settings.ignored_postcodes, *school_postcodes))

    def detect(self, message: Message) -> list[Finding]:
        reference = written_on(message)
        per_block = [
            self._scan_table(block, reference)
            if block.is_table
            else self._scan_text(block, block.text, reference)
            for block in message.texts
        ]
        return one_bulk_per_location(message.texts, per_block)

    # --- what is in a string -----------------------------------------------------------

    def _matches(self, text: str) -> list[Match]:
        """Every match in prose."""
        return [*self._personal_details(text), *self._phrases_and_markings(text)]

    def _personal_details(self, text: str) -> list[Match]:
        """Identifiers, dates of birth, addresses, phone numbers: where two overlap (an
        IBAN's digits are not also a phone number), the more specific is kept."""
        clusters = digit_clusters(text)
        points: list[Match] = [*find_identifiers(text, clusters), *find_dates_of_birth(text)]
        points.extend(find_phone_numbers(text, clusters))
        addresses = list(find_addresses(text, self._ignored_postcodes))
        points.extend(m for m in addresses if m.type == UK_POSTCODE)
        kept = keep_best(points, _PRIORITY)
        kept.extend(m for m in addresses if m.type == HOME_ADDRESS)
        return kept

    def _phrases_and_markings(self, text: str) -> list[Match]:
        return [*self._phrases.find(text), *find_markings(text)]

    # --- prose ---------------------------------------------------------------------------

    def _scan_text(self, block: TextBlock, text: str, reference: date) -> list[Finding]:
        """Prose: `text` is the block's text, or that text with its table cells blanked.

        A table pasted into it is read as rows first; when they are bulk personal data
        they are one finding and only the prose around them is scanned further.
        """
        tables = find_tables(text, self.options.bulk_min_rows)
        people = [
            roles
            for table in tables
            for roles in self._person_rows(table.rows, reference, count_only=True)[0]
        ]
        if len(people) < self.options.bulk_min_rows:
            return self._scan_prose(block, text)
        span = (tables[0].start, tables[-1].end)
        bulk = self._bulk(block, len(people), set().union(*people), "rows", span)
        return [*self._scan_prose(block, blank_tables(text, tables)), bulk]

    def _scan_prose(self, block: TextBlock, text: str) -> list[Finding]:
        """Matches in prose, or one bulk finding for many lines about people."""
        matches = self._matches(text)
        people = [m for m in matches if m.type in _PERSON_TYPES]
        if len(people) < self.options.bulk_min_rows:
            return [self._finding(block, m, span=(m.start, m.end)) for m in matches]
        line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

        def line_of(match: Match) -> int:
            return bisect_right(line_starts, match.start) - 1

        person_lines = sorted({line_of(m) for m in people})
        if len(person_lines) < self.options.bulk_min_rows:
            return [self._finding(block, m, span=(m.start, m.end)) for m in matches]
        counted = set(person_lines)
        last_line_end = text.find("\n", line_starts[person_lines[-1]])
        span = (line_starts[person_lines[0]], last_line_end if last_line_end >= 0 else len(text))
        roles = {_ROLE_OF_TYPE.get(m.type, Role.IDENTIFIER) for m in people}
        findings = [self._bulk(block, len(person_lines), roles, "lines", span)]
        findings.extend(
            self._finding(block, m, span=(m.start, m.end))
            for m in matches
            if m.type in _DOCUMENT_TYPES or line_of(m) not in counted
        )
        return findings

    # --- tables --------------------------------------------------------------------------

    def _scan_table(self, block: TextBlock, reference: date) -> list[Finding]:
        """The rows, one by one or as bulk data, and any prose around the tables."""
        cells: list[list[int]] | None = None
        findings: list[Finding] = []
        if has_text_outside_cells(block.text, block.rows):  # an HTML page with a table in it
            cells = cell_starts(block.text, block.rows)
            prose = outside_cells(block.text, block.rows, cells)
            findings = self._scan_text(block, prose, reference)
        people, header, by_row = self._person_rows(block.rows, reference)
        if len(people) >= self.options.bulk_min_rows:
            span = (0, len(block.text)) if block.text else None
            roles = set().union(*people)
            return [*findings, self._bulk(block, len(people), roles, "rows", span)]
        if any(matches for _, matches in by_row):
            first = header.index + 1 if header else 0
            cells = cells or cell_starts(block.text, block.rows)
            findings.extend(self._row_findings(block, by_row, cells[first:]))
        return findings

    def _person_rows(
        self, table: Sequence[Row], reference: date, *, count_only: bool = False
    ) -> tuple[list[set[Role]], Header | None, list[tuple[RowText, list[Match]]]]:
        """The roles of each row that is a record about someone, the table's header, and
        each data row's matches (none when the header alone showed enough people, or
        with `count_only` when too few rows could be people).

        Cells under no recognised header are judged by their values (cell_roles), so a
        name beside a date of birth makes a person row without a "DOB" column. A row that
        is a person row without its values is not asked about roles earlier person rows
        already showed: the rows' count and their roles together are what is reported.
        """
        header = find_header(table)
        rows = table[header.index + 1 :] if header else table
        if header is not None:
            # Fast path for MIS exports: the headers alone show the rows are people.
            people = [roles for row in rows if is_person_row(roles := row_roles(row, header))]
            if len(people) >= self.options.bulk_min_rows:
                return people, header, []
        elif count_only and _rows_with_digits(rows) < self.options.bulk_min_rows:
            return [], None, []  # without a header, a person row has a date, ID or house number
        by_row = self._row_matches(rows, header)
        labels = header.row.cells if header is not None else _plain_header(table, reference)
        values = TableValueRoles(labels, reference)
        person_rows: list[set[Role]] = []
        seen: set[Role] = set()  # the roles of the person rows so far
        for line, matches in by_row:
            roles = row_roles(line.row, header) if header is not None else set()
            person = {
                _ROLE_OF_TYPE.get(m.type, Role.IDENTIFIER)
                for m in matches
                if m.type in _PERSON_TYPES
            }
            roles |= person
            if person or is_person_row(roles):
                # A person row already: its values matter only for roles no row has shown.
                roles |= values.roles(line.row.cells, VALUE_ROLES - seen - roles)
            else:
                roles |= values.roles(line.row.cells, VALUE_ROLES - roles)
                if not is_person_row(roles):
                    continue
            person_rows.append(roles)
            seen |= roles
        return person_rows, header, by_row

    def _row_matches(
        self, rows: Sequence[Row], header: Header | None
    ) -> list[tuple[RowText, list[Match]]]:
        """Scan all rows as one string (one pass per pattern), then split matches by row.

        Identifiers and dates are read with each cell after its column header, so a
        "DOB" or "ULN" column labels its values; phrases are read from the cells alone,
        so a "SEN status" header is not itself reported on every row. Match positions
        are relative to the row's labelled string.
        """
        labels = header.row.cells if header is not None else ()
        labelled = rows_text(rows, labels)
        plain = rows_text(rows) if labels else labelled
        per_row: list[list[Match]] = [[] for _ in rows]
        for lines, scanner in (
            (labelled, self._personal_details),
            (plain, self._phrases_and_markings),
        ):
            starts = list(accumulate((len(line.text) + 1 for line in lines[:-1]), initial=0))
            for match in scanner("\n".join(line.text for line in lines)):
                index = bisect_right(starts, match.start) - 1
                start, end = match.start - starts[index], match.end - starts[index]
                if lines is plain and plain is not labelled:
                    start, end = _to_labelled(plain[index], labelled[index], start, end)
                per_row[index].append(replace(match, start=start, end=end))
        if header is not None:
            for index, line in enumerate(labelled):
                per_row[index].extend(_special_columns(line, header))
        return list(zip(labelled, per_row, strict=True))

    def _row_findings(
        self,
        block: TextBlock,
        by_row: Sequence[tuple[RowText, list[Match]]],
        cells: Sequence[Sequence[int]],
    ) -> list[Finding]:
        """One finding per match, with its row number, highlighted in the block's text."""
        return [
            self._finding(
                block,
                match,
                span=block_span(line, cells[index], match.start, match.end),
                row=line.row.number,
            )
            for index, (line, matches) in enumerate(by_row)
            for match in matches
        ]

    # --- findings ------------------------------------------------------------------------

    def _finding(
        self,
        block: TextBlock,
        match: Match,
        *,
        span: tuple[int, int] | None,
        row: int | None = None,
    ) -> Finding:
        return Finding(
            detector=self.name,
            type=match.type,
            location=block.location,
            score=match.score,
            evidence=match.evidence,
            explanation=explain(
                match.type,
                match.kind,
                encrypt_tag=self.school.encrypt_tag,
                evidence=match.evidence,
            ),
            row=row,
            kind=match.kind,
            span=span,
            basis=match.basis,
        )

    def _bulk(
        self,
        block: TextBlock,
        count: int,
        roles: set[Role],
        unit: str,
        span: tuple[int, int] | None,
    ) -> Finding:
        contents = describe(roles)
        return Finding(
            detector=self.name,
            type=BULK_PERSONAL_DATA,
            location=block.location,
            score=0.95,
            evidence=f"{count} {unit} with {contents}",
            basis=Basis(f"{count} {unit} of personal data about people", 0.95),
            explanation=explain(
                BULK_PERSONAL_DATA,
                None,
                encrypt_tag=self.school.encrypt_tag,
                count=count,
                contents=contents,
            ),
            kind=bulk_kind(roles),
            count=count,
            span=span,
        )


def written_on(message: Message) -> date:
    """The day the message was written (its Date header), or today: dates of birth are
    told from other dates by how long before it they are."""
    for value in message.header("Date"):
        try:
            return parsedate_to_datetime(value).date()
        except (TypeError, ValueError, IndexError):
            continue
    return date.today()


def one_bulk_per_location(
    blocks: Sequence[TextBlock], per_block: Sequence[list[Finding]]
) -> list[Finding]:
    """The findings of all blocks, with one bulk finding per location.

    The text and HTML alternatives of a body are two blocks at one location holding the
    same table: the larger bulk finding is kept, and the other alternative's findings
    about the same rows are dropped (findings about the document as a whole stay).
    """
    best: dict[str, tuple[int, Finding]] = {}
    for index, (block, found) in enumerate(zip(blocks, per_block, strict=True)):
        for finding in found:
            kept = best.get(block.location)
            if finding.type == BULK_PERSONAL_DATA and (
                kept is None or (finding.count or 0) > (kept[1].count or 0)
            ):
                best[block.location] = (index, finding)
    findings: list[Finding] = []
    for index, (block, found) in enumerate(zip(blocks, per_block, strict=True)):
        kept = best.get(block.location)
        if kept is None:
            findings.extend(found)
            continue
        keeper, bulk = kept
        findings.extend(
            f
            for f in found
            if f is bulk
            or f.type in _DOCUMENT_TYPES
            or (index == keeper and f.type != BULK_PERSONAL_DATA)
        )
    return findings


def _plain_header(rows: Sequence[Row], reference: date) -> tuple[str, ...]:
    """The first row's cells when it reads as a header too thin for `find_header`
    ("Event", "Date", "Venue"): columns it names as something else are not guessed at."""
    if not rows:
        return ()
    cells = rows[0].cells
    filled = [cell for cell in cells if cell.strip()]
    if len(filled) < 2 or any(ch.isdigit() for cell in filled for ch in cell):
        return ()
    if any(column_role(cell) is not None for cell in filled):
        return cells
    return () if any(value_role(cell, reference) is not None for cell in filled) else cells


def _rows_with_digits(rows: Sequence[Row]) -> int:
    return sum(any(ch.isdigit() for cell in row.cells for ch in cell) for row in rows)


def _to_labelled(plain: RowText, labelled: RowText, start: int, end: int) -> tuple[int, int]:
    """A position in a row's plain string, moved to the same characters in its labelled one."""
    cell = bisect_right(plain.value_starts, start) - 1
    shift = labelled.value_starts[cell] - plain.value_starts[cell] if cell >= 0 else 0
    last = bisect_right(plain.value_starts, max(start, end - 1)) - 1
    end_shift = labelled.value_starts[last] - plain.value_starts[last] if last >= 0 else 0
    return start + shift, end + end_shift


def _special_columns(line: RowText, header: Header) -> Iterable[Match]:
    """A filled-in special-category column ("FSMeligible: 1") is special category data."""
    cells = line.row.cells
    for column, role in header.roles.items():
        if role is Role.SPECIAL and column < len(cells) and is_filled(role, cells[column]):
            name = header.row.cells[column].strip()
            start = line.value_starts[column]
            yield Match(
                type=SPECIAL_CATEGORY,
                start=start,
                end=start + len(cells[column]),
                evidence=f'"{name}" column',
                score=0.85,
                kind=special_kind(name),
                basis=Basis("a filled cell under a special category column heading", 0.85),
            )
