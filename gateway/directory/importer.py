"""Reading the school's MIS exports (CSV): the pupil roster and the staff directory.

Every MIS names its columns differently ("Forename", "Legal Forename", "First Name",
"legal_forename"; "Reg Group", "Form/Tutor Group", "registration_name"), schools add a
title line above the header, and exports come as UTF-8, UTF-8 with a BOM or
Windows-1252 (sometimes a mixture, when two exports were pasted together). This module
finds the columns it needs, reads the rows it can, and says which rows it could not read
and why, instead of dropping them silently.

Only what the detectors need is kept: names, year and registration group for pupils
(and whether the family name is written first, from a "Name Order" column, so that
"Wang Xiaoming" is matched in that order); names and addresses for staff. UPN, date
of birth and everything else stay in the file (data minimisation).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from gateway.textfiles.delimited import sniff
from gateway.textfiles.encoding import decode
from models import Pupil, StaffMember

MAX_FILE_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
_SNIFF_SAMPLE = 64 * 1024
"""A header may follow a few title lines ("Student list, exported 01/09/2025")."""
MAX_NAME_CHARS = 200
MAX_MIDDLE_CHARS = 400
MAX_YEAR_CHARS = 32
MAX_GROUP_CHARS = 64
MAX_REPORTED_PROBLEMS = 1000

HONORIFICS = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"))


class RosterFileError(ValueError):
    """The file cannot be imported at all; the message says what is wrong and how to fix it."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was not imported (or only in part), numbered as a spreadsheet shows it."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What happened to a file: the columns used, its encoding, rows read, rows refused."""

    path: str
    encoding: str
    columns: Mapping[str, str]
    """Field -> the header it was read from."""
    rows: int
    """Data rows in the file (blank rows not counted)."""
    problems: tuple[RowProblem, ...] = ()
    notes: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    """Headers of columns that were not read (kept out on purpose, or not recognised)."""


@dataclass(frozen=True, slots=True)
class RosterImport:
    pupils: list[Pupil]
    report: ImportReport


@dataclass(frozen=True, slots=True)
class StaffImport:
    members: list[StaffMember]
    report: ImportReport


# --- columns ------------------------------------------------------------------------------

ROSTER_FIELDS = (
    "forename",
    "legal_forename",
    "preferred_forename",
    "surname",
    "legal_surname",
    "preferred_surname",
    "middle_names",
    "name",
    "year",
    "reg_group",
    "name_order",
)
STAFF_FIELDS = ("forename", "surname", "name", "email", "personal_emails")
NAME_FIELDS = frozenset(ROSTER_FIELDS) - {"year", "reg_group", "name_order"}

_ALIASES: dict[str, tuple[str, ...]] = {
    "forename": ("forename", "forenames", "firstname", "firstnames", "givenname", "givennames"),
    "legal_forename": ("legalforename", "legalforenames", "legalfirstname", "legalgivenname"),
    "preferred_forename": (
        "preferredforename",
        "preferredname",
        "preferredfirstname",
        "preferredgivenname",
        "knownas",
        "chosenname",
        "chosenforename",
    ),
    "surname": ("surname", "lastname", "familyname"),
    "legal_surname": ("legalsurname", "legallastname", "legalfamilyname"),
    "preferred_surname": ("preferredsurname", "preferredlastname", "preferredfamilyname"),
    "middle_names": ("middlenames", "middlename", "middle"),
    "name": ("name", "fullname", "legalname", "displayname", "surnameforename"),
    "year": (
        "year",
        "yeargroup",
        "ncyear",
        "ncyearactual",
        "currentncyear",
        "nationalcurriculumyear",
        "curriculumyear",
        "yearname",
        "yearcode",
    ),
    "reg_group": (
        "reg",
        "reggroup",
        "registrationgroup",
        "regform",
        "form",
        "formgroup",
        "tutorgroup",
        "formtutorgroup",
        "registrationname",
        "registrationcode",
        "registrationform",
        "class",
        "classname",
    ),
    "name_order": (
        "nameorder",
        "namingorder",
        "familynamefirst",
        "surnamefirst",
        "familyfirst",
        "nameformat",
    ),
    "email": (
        "email",
        "emailaddress",
        "schoolemail",
        "schoolemailaddress",
        "workemail",
        "workemailaddress",
        "primaryemail",
        "mail",
    ),
    "personal_emails": (
        "personalemail",
        "personalemails",
        "personalemailaddress",
        "personalemailaddresses",
        "personaladdress",
        "personaladdresses",
        "homeemail",
        "homeemailaddress",
        "privateemail",
        "otheremail",
        "otheremails",
    ),
}
_PREFIXES = ("pupil", "student", "child", "learner", "staff", "employee", "teacher", "member")


def normalise_header(header: str) -> str:
    """ "Legal Forename", "legal_forename", "LEGAL FORENAME" -> "legalforename"."""
    key = re.sub(r"[^0-9a-z]", "", header.lower())
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def parse_map(text: str, allowed: Iterable[str]) -> dict[str, str]:
    """ "forename=First Name,surname=Last Name" -> {"forename": "First Name", ...}."""
    allowed = tuple(allowed)
    mapping: dict[str, str] = {}
    for item in (part for part in text.split(",") if part.strip()):
        key, sep, column = item.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise RosterFileError(f"--map entry {item.strip()!r} is not of the form FIELD=COLUMN")
        if key not in allowed:
            raise RosterFileError(
                f"--map field {key!r} is unknown; the fields are: {', '.join(allowed)}"
            )
        mapping[key] = column.strip()
    if not mapping:
        raise RosterFileError("--map is empty; give FIELD=COLUMN pairs, e.g. forename=First Name")
    return mapping


def _find_columns(
    headers: list[str], fields: Iterable[str], mapping: Mapping[str, str]
) -> dict[str, int]:
    """Field -> column index: from the explicit map, else from the known header names."""
    by_key: dict[str, int] = {}
    for position, header in enumerate(headers):
        by_key.setdefault(normalise_header(header), position)
    columns: dict[str, int] = {}
    for name, column in mapping.items():
        if column in headers:
            columns[name] = headers.index(column)
        elif normalise_header(column) in by_key:
            columns[name] = by_key[normalise_header(column)]
        else:
            raise RosterFileError(
                f"--map names column {column!r} for {name}, but the file has no such column; "
                f"the headers are: {_list(headers)}"
            )
    mapped_names = any(name in NAME_FIELDS for name in mapping)
    for name in fields:
        if name in columns or (mapped_names and name in NAME_FIELDS):
            continue
        for alias in _ALIASES[name]:
            if alias in by_key:
                columns[name] = by_key[alias]
                break
    return columns


def _list(headers: Iterable[str]) -> str:
    shown = [h for h in headers if h.strip()]
    return ", ".join(repr(h) for h in shown) if shown else "(none)"


# --- reading a CSV file ---------------------------------------------------------------------


@dataclass(slots=True)
class _Table:
    path: Path
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    notes: list[str] = field(default_factory=list)

    def require_rows(self) -> None:
        """Called once the columns are known good: a header alone is not a list."""
        if not self.rows:
            raise RosterFileError(f"{self.path} has a header row but no rows of data below it")


def _delimiter(text: str, aliases: set[str]) -> str:
    """The delimiter under which one of the first lines reads as a header we know."""
    return sniff(text[:_SNIFF_SAMPLE], lambda cell: normalise_header(cell) in aliases)[1]


def _read_table(path: Path, wanted: Iterable[str], required: str) -> _Table:
    """The header row (the first of the first rows that names a wanted column) and the rows."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RosterFileError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise RosterFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    decoded = decode(data)
    text, encoding, notes = decoded.text, decoded.encoding, list(decoded.notes)
    if not text.strip():
        raise RosterFileError(f"{path} is empty: export the {required} from the MIS as CSV")
    aliases = {alias for name in wanted for alias in _ALIASES[name]}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, aliases))
    records: list[list[str]] = []
    try:
        records = list(reader)
    except csv.Error as exc:
        raise RosterFileError(
            f"{path} is not a readable CSV file (row {reader.line_num}: {exc})"
        ) from None
    header_at = 0
    for position, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        if any(normalise_header(cell) in aliases for cell in record):
            header_at = position
            break
    else:
        header_at = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), 0)
    if header_at:
        notes.append(f"the first {header_at} row(s) above the header were ignored")
    headers = [h.strip() for h in records[header_at]] if records else []
    rows = [
        (number, record)
        for number, record in enumerate(records[header_at + 1 :], start=header_at + 2)
        if any(cell.strip() for cell in record)
    ]
    return _Table(path, headers, rows, encoding, notes)


def _cell(record: list[str], columns: Mapping[str, int], name: str) -> str:
    position = columns.get(name)
    if position is None or position >= len(record):
        return ""
    return " ".join(record[position].replace("\x00", "").split())


def _too_long(values: Mapping[str, str], limits: Mapping[str, int]) -> str | None:
    for name, limit in limits.items():
        if len(values.get(name, "")) > limit:
            return f"the {name.replace('_', ' ')} is longer than {limit} characters"
    return None


def _column_names(headers: list[str], columns: Mapping[str, int]) -> dict[str, str]:
    """Field -> header, in the file's column order."""
    ordered = sorted(columns.items(), key=lambda item: item[1])
    return {name: headers[position] for name, position in ordered}


# --- names in one column ----------------------------------------------------------------------


def split_full_name(value: str) -> tuple[str, str, str] | None:
    """ "Jones, Amelia Rose" or "Amelia Rose Jones" -> (forename, middle names, surname)."""
    if "," in value:
        surname, _, rest = value.partition(",")
        given = rest.split()
        surname = surname.strip()
    else:
        words = value.split()
        while words and words[0].lower().rstrip(".") in HONORIFICS:
            words = words[1:]
        if len(words) < 2:
            return None
        given, surname = words[:-1], words[-1]
    while given and given[0].lower().rstrip(".") in HONORIFICS:
        given = given[1:]
    if not given or not surname:
        return None
    return given[0], " ".join(given[1:]), surname


FAMILY_FIRST_VALUES = frozenset(
    ("y", "yes", "true", "1", "familyfirst", "familynamefirst", "surnamefirst", "familygiven",
     "surnameforename", "eastern", "fg", "sf")
)  # fmt: skip
"""Name-order cells meaning the family name is written first ("Family first", "Yes")."""


def family_name_first(value: str) -> bool:
    """ "Family name first", "surname-first", "Yes" -> True; "Given first", "" -> False."""
    return re.sub(r"[^0-9a-z]", "", value.lower()) in FAMILY_FIRST_VALUES


# --- the roster -----------------------------------------------------------------------------


def read_roster(path: Path | str, mapping: Mapping[str, str] | None = None) -> RosterImport:
    """The pupils in an MIS export; raises RosterFileError when the file is unusable."""
    path = Path(path)
    table = _read_table(path, ROSTER_FIELDS, "pupil list")
    columns = _find_columns(table.headers, ROSTER_FIELDS, mapping or {})
    has_forename = any(n in columns for n in ("forename", "legal_forename", "preferred_forename"))
    has_surname = any(n in columns for n in ("surname", "legal_surname", "preferred_surname"))
    if not (has_forename and has_surname) and "name" not in columns:
        missing = "surname" if has_forename else "forename" if has_surname else "pupil name"
        raise RosterFileError(
            f"{path}: no {missing} column found; the headers are: {_list(table.headers)}. "
            "Name the columns yourself: schoolgate roster import FILE "
            "--map 'forename=First Name,surname=Last Name'"
        )
    table.require_rows()
    pupils: list[Pupil] = []
    problems: list[RowProblem] = []
    for number, record in table.rows:
        pupil = _pupil(record, columns)
        if isinstance(pupil, str):
            problems.append(RowProblem(number, pupil))
        else:
            pupils.append(pupil)
    report = _report(path, table, columns, problems)
    return RosterImport(pupils=pupils, report=report)


def _report(
    path: Path, table: _Table, columns: Mapping[str, int], problems: list[RowProblem]
) -> ImportReport:
    used = set(columns.values())
    return ImportReport(
        path=str(path),
        encoding=table.encoding,
        columns=_column_names(table.headers, columns),
        rows=len(table.rows),
        problems=tuple(problems[:MAX_REPORTED_PROBLEMS]),
        notes=tuple(table.notes),
        unused=tuple(
            header
            for position, header in enumerate(table.headers)
            if header.strip() and position not in used
        ),
    )


def _pupil(record: list[str], columns: Mapping[str, int]) -> Pupil | str:
    """A Pupil, or what is wrong with the row."""
    values = {name: _cell(record, columns, name) for name in columns}
    legal_forename = values.get("legal_forename") or values.get("forename", "")
    preferred_forename = values.get("preferred_forename", "")
    if values.get("legal_forename") and not preferred_forename:
        preferred_forename = values.get("forename", "")  # Wonde: forename is the preferred one
    legal_surname = values.get("legal_surname") or values.get("surname", "")
    preferred_surname = values.get("preferred_surname", "")
    if values.get("legal_surname") and not preferred_surname:
        preferred_surname = values.get("surname", "")
    middle = values.get("middle_names", "")
    given = legal_forename or preferred_forename
    if not given and not (legal_surname or preferred_surname) and values.get("name"):
        parsed = split_full_name(values["name"])
        if parsed is None:
            return f"{values['name'][:60]!r} is not a full name (expected 'Surname, Forename')"
        legal_forename, parsed_middle, legal_surname = parsed
        middle = middle or parsed_middle
    if not (legal_forename or preferred_forename):
        return "no forename"
    if not (legal_surname or preferred_surname):
        return "no surname"
    problem = _too_long(
        {
            "forename": max(legal_forename, preferred_forename, key=len),
            "surname": max(legal_surname, preferred_surname, key=len),
            "middle_names": middle,
            "year": values.get("year", ""),
            "reg_group": values.get("reg_group", ""),
        },
        {
            "forename": MAX_NAME_CHARS,
            "surname": MAX_NAME_CHARS,
            "middle_names": MAX_MIDDLE_CHARS,
            "year": MAX_YEAR_CHARS,
            "reg_group": MAX_GROUP_CHARS,
        },
    )
    if problem:
        return problem
    return Pupil(
        forenames=_distinct(legal_forename, preferred_forename),
        surnames=_distinct(legal_surname, preferred_surname),
        middle_names=tuple(middle.split()),
        year=values.get("year") or None,
        reg_group=values.get("reg_group") or None,
        family_name_first=family_name_first(values.get("name_order", "")),
    )


def _distinct(legal: str, preferred: str) -> tuple[str, ...]:
    """Legal first, then the preferred form when it differs (ignoring case)."""
    if legal and preferred and legal.casefold() != preferred.casefold():
        return (legal, preferred)
    return (legal or preferred,)


# --- the staff directory --------------------------------------------------------------------


def read_staff(path: Path | str, mapping: Mapping[str, str] | None = None) -> StaffImport:
    """The staff in a CSV export; raises RosterFileError when the file is unusable."""
    path = Path(path)
    table = _read_table(path, STAFF_FIELDS, "staff list")
    columns = _find_columns(table.headers, STAFF_FIELDS, mapping or {})
    named = ("forename" in columns and "surname" in columns) or "name" in columns
    if not named or "email" not in columns:
        missing = "name (forename and surname, or name)" if not named else "school email address"
        raise RosterFileError(
            f"{path}: no staff {missing} column found; the headers are: {_list(table.headers)}"
        )
    table.require_rows()
    members: list[StaffMember] = []
    problems: list[RowProblem] = []
    first_row_of: dict[str, int] = {}
    for number, record in table.rows:
        member, row_problems = _staff_member(record, columns)
        problems.extend(RowProblem(number, p) for p in row_problems)
        if member is None:
            continue
        seen = first_row_of.setdefault(member.email.lower(), number)
        if seen != number:
            problems.append(RowProblem(number, f"{member.email} is already on row {seen}"))
            continue
        members.append(member)
    report = _report(path, table, columns, problems)
    return StaffImport(members=members, report=report)


def _address(value: str) -> str:
    """The normalised address; raises EmailNotValidError with the reason."""
    return validate_email(value, check_deliverability=False).normalized


def _staff_member(
    record: list[str], columns: Mapping[str, int]
) -> tuple[StaffMember | None, list[str]]:
    values = {name: _cell(record, columns, name) for name in columns}
    forename, surname = values.get("forename", ""), values.get("surname", "")
    if not (forename and surname) and values.get("name"):
        parsed = split_full_name(values["name"])
        if parsed is not None:
            forename, _, surname = parsed
    if not (forename and surname):
        return None, ["no name (forename and surname)"]
    if problem := _too_long(
        {"forename": forename, "surname": surname},
        {"forename": MAX_NAME_CHARS, "surname": MAX_NAME_CHARS},
    ):
        return None, [problem]
    if not values.get("email"):
        return None, ["no school email address"]
    try:
        email = _address(values["email"])
    except EmailNotValidError as exc:
        return None, [f"{values['email'][:80]!r} is not a valid email address: {exc}"]
    personal: list[str] = []
    problems: list[str] = []
    for value in re.split(r"[;,\s]+", values.get("personal_emails", "")):
        if not value:
            continue
        try:
            personal.append(_address(value))
        except EmailNotValidError as exc:
            problems.append(f"personal address {value[:80]!r} left out: {exc}")
    member = StaffMember(
        forename=forename, surname=surname, email=email, personal_emails=tuple(personal)
    )
    return member, problems
