"""Bulk personal data: a table whose rows are people (names with dates of birth, UPNs,
addresses, SEN or FSM status...).

A class list exported from the MIS is one risk, not five hundred: it is reported once,
with the number of rows, instead of once per date of birth or UPN in it. Columns are
recognised by their header (MIS exports name them: "Surname", "DOB", "UPN",
"FSMeligible", "AddressDetails.PostCode"); headers are compared with case, spaces and
punctuation removed so "Date of Birth", "date_of_birth" and "DateOfBirth" are one name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from models import Row

BULK_PERSONAL_DATA = "BULK_PERSONAL_DATA"


class Role(StrEnum):
    """What a column holds, in the words shown to staff."""

    NAME = "names"
    DOB = "dates of birth"
    IDENTIFIER = "pupil or personal identifiers"
    ADDRESS = "addresses"
    CONTACT = "contact details"
    SPECIAL = "special category details (SEN, FSM, health, ethnicity...)"


_EXACT: dict[str, Role] = {
    "name": Role.NAME,
    "fullname": Role.NAME,
    "pupil": Role.NAME,
    "child": Role.NAME,
    "learner": Role.NAME,
    "parent": Role.NAME,
    "carer": Role.NAME,
    "pupilname": Role.NAME,
    "student": Role.NAME,
    "studentname": Role.NAME,
    "childname": Role.NAME,
    "childsname": Role.NAME,
    "learnername": Role.NAME,
    "legalname": Role.NAME,
    "initials": Role.NAME,
    "dob": Role.DOB,
    "born": Role.DOB,
    "upn": Role.IDENTIFIER,
    "uln": Role.IDENTIFIER,
    "nino": Role.IDENTIFIER,
    "upi": Role.IDENTIFIER,
    "town": Role.ADDRESS,
    "sen": Role.SPECIAL,
    "send": Role.SPECIAL,
    "fsm": Role.SPECIAL,
    "pp": Role.SPECIAL,
    "lac": Role.SPECIAL,
    "cla": Role.SPECIAL,
    "cin": Role.SPECIAL,
    "cp": Role.SPECIAL,
}
_CONTAINS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    (Role.DOB, ("dateofbirth", "birthdate", "birthday", "dobddmm")),
    (Role.CONTACT, ("email", "phone", "mobile", "telephone", "contactnumber")),
    (
        Role.NAME,
        (
            "forename",
            "surname",
            "firstname",
            "lastname",
            "givenname",
            "familyname",
            "middlename",
            "preferredname",
            "parentname",
            "carername",
            "contactname",
        ),
    ),
    (
        Role.IDENTIFIER,
        (
            "uniquepupilnumber",
            "uniquelearnernumber",
            "learnernumber",
            "nhsnumber",
            "nhsno",
            "ninumber",
            "nationalinsurance",
            "passport",
        ),
    ),
    (Role.ADDRESS, ("address", "street", "postcode", "housenumber")),
    (
        Role.SPECIAL,
        (
            "senprovision",
            "senstatus",
            "senneed",
            "sendstatus",
            "ehcp",
            "fsm",
            "freeschoolmeal",
            "pupilpremium",
            "ethnic",
            "religion",
            "medical",
            "allerg",
            "medication",
            "disabilit",
            "childprotection",
            "lookedafter",
            "childinneed",
            "exclusion",
            "safeguarding",
            "health",
            "eypp",
            "youngcarer",
            "socialworker",
        ),
    ),
)
_SPECIAL_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("send", ("sen", "ehcp")),
    ("free-school-meals", ("fsm", "freeschoolmeal", "pupilpremium", "pp", "eypp")),
    ("ethnicity", ("ethnic",)),
    ("religion", ("religion",)),
    ("exclusion", ("exclusion",)),
    ("health", ("medical", "allerg", "medication", "health", "disabilit")),
)
"""Special-category column -> the SPECIAL_CATEGORY kind; anything else is safeguarding."""
_ID_AFFIXES = ("upn", "uln")
"""Identifier abbreviations matched only at either end ("FormerUPN"): "groupname" has "upn"."""
_NEGATIVE = frozenset(("", "n", "no", "0", "false", "none", "n/a", "na", "-", "nil", "not"))
"""Cell values that say a pupil does NOT have a special-category status."""
_HEADER_SEARCH_ROWS = 5
_MIN_HEADER_ROLES = 2
_NOT_KEY = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def column_role(header: str) -> Role | None:
    """The role of a column from its header text, or None for other columns.

    Remembered: a table asks about each of its few headers once per row and cell."""
    key = _NOT_KEY.sub("", header.lower())
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    if key.startswith(_ID_AFFIXES) or key.endswith(_ID_AFFIXES):
        return Role.IDENTIFIER
    for role, fragments in _CONTAINS:
        if any(fragment in key for fragment in fragments):
            return role
    return None


def special_kind(header: str) -> str:
    """The SPECIAL_CATEGORY kind of a special-category column ("FSMeligible" -> FSM)."""
    key = _NOT_KEY.sub("", header.lower())
    for kind, prefixes in _SPECIAL_KINDS:
        if key.startswith(prefixes) or any(len(p) > 3 and p in key for p in prefixes):
            return kind
    return "safeguarding"


@dataclass(frozen=True, slots=True)
class Header:
    """The header row of a table and the role of each of its columns."""

    index: int
    """Position of the header in the block's rows (data rows follow it)."""
    row: Row
    roles: dict[int, Role]


def find_header(rows: Sequence[Row]) -> Header | None:
    """The first of the top rows naming at least two kinds of personal column."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        roles = {i: r for i, cell in enumerate(row.cells) if (r := column_role(cell)) is not None}
        if len(set(roles.values())) >= _MIN_HEADER_ROLES:
            return Header(index=index, row=row, roles=roles)
    return None


def is_filled(role: Role, value: str) -> bool:
    """A cell that holds data: for special-category columns, a "yes" rather than "N" or 0."""
    value = value.strip()
    if role is Role.SPECIAL:
        return value.lower() not in _NEGATIVE
    return bool(value)


def row_roles(row: Row, header: Header) -> set[Role]:
    """The personal-data roles this row actually fills in."""
    return {
        role
        for column, role in header.roles.items()
        if column < len(row.cells) and is_filled(role, row.cells[column])
    }


def is_person_row(roles: set[Role]) -> bool:
    """A name together with something else personal, or an identifier on its own."""
    return Role.IDENTIFIER in roles or (Role.NAME in roles and len(roles) > 1)


def describe(roles: set[Role]) -> str:
    """ "names, dates of birth and addresses" in a fixed, readable order."""
    ordered = [role.value for role in Role if role in roles]
    if len(ordered) <= 1:
        return "".join(ordered) or "personal details"
    return ", ".join(ordered[:-1]) + " and " + ordered[-1]


def bulk_kind(roles: set[Role]) -> str:
    """The most sensitive thing in the table, for rules that filter on kind."""
    if Role.SPECIAL in roles:
        return "special-category"
    if Role.IDENTIFIER in roles:
        return "identifiers"
    if Role.DOB in roles:
        return "dates-of-birth"
    if Role.ADDRESS in roles:
        return "addresses"
    return "contact-details"
