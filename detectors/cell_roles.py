"""What a table cell holds when no header says so: a person's name, a date of birth or
a home address, judged from the value alone.

A class list pasted from Excel, or a spreadsheet saved without its header row, still
pairs a name with a date of birth or an address on every row; that pairing is what
makes a row a record about someone (`bulk.is_person_row`). Each shape is strict: a
name is two to four capitalised words that are not place, school or calendar words; a
date of birth is a whole-cell date at least two years before the message was written
(so a fixture list or a cover rota is not a list of birthdays); an address is what the
address matcher accepts after an "Address:" label, the way a header labels its column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from detectors.bulk import Role, column_role
from detectors.personal_details import HOME_ADDRESS, find_addresses

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {name[:3]: number for number, name in enumerate(_MONTH_NAMES, 1)}
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WORDY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]{3,9})\.?,?[\s\-]+(\d{4}|\d{2})")
_MIN_AGE_DAYS = 730
"""Dates of birth are at least two years old: pupils start nursery at three."""
_MAX_AGE_YEARS = 110

_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*\.?")
_PARTICLES = frozenset(("van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin"))
_NOT_NAME_TEXT = """
    school academy college university council trust ltd limited plc office centre center
    hospital surgery federation nursery primary secondary infant infants junior juniors
    grammar community library clinic police station
    road rd st avenue ave drive crescent gardens terrace mews square parade estate
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur
    thurs fri sat january february april september october november december feb
    mar apr jul aug sep sept oct nov dec
    year reception room class group team form set block period lesson club trip
    week term total subtotal price cost item items fee fees paid due
    maths mathematics english science history geography music pe french spanish
    german computing drama biology chemistry physics pshe rshe re reading writing
    phonics lunch break assembly registration homework exam exams test mock result
    results grade grades score points home away fixture match vs versus
    sports fair fete evening morning afternoon night concert festival disco show nativity
    christmas easter halloween inset training meeting parents leavers celebration party
    service performance sale lab suite
    supplies supplier services solutions catering cleaning hire print printing printers
    coaches travel transport taxis cars motors garage books foods uniforms uniform water
    energy systems design media consulting engineering electrical plumbing builders
    company co sons bros associates partners group
"""
_NOT_NAME_WORDS = frozenset(_NOT_NAME_TEXT.split())
"""Capitalised words that are rarely part of a person's name but common in the short
capitalised cells of timetables, event, fixture, price and supplier lists. Words that
are also common surnames (Hall, Hill, Green, Field, Church, Day, May, June) are left
out: the row must pair the name with a date of birth or an address anyway."""
_TITLES = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev"))
_MAX_NAME_CHARS = 40
_ADDRESS_LABEL = "Address: "


VALUE_ROLES = frozenset((Role.NAME, Role.DOB, Role.ADDRESS))
"""The roles a cell's value alone can show."""
_DIGIT_ROLES = frozenset((Role.DOB, Role.ADDRESS))
_ASCII_DIGIT = re.compile("[0-9]")
_CACHE_LIMIT = 8192
"""Distinct cell values remembered per table: a sheet repeats its postcodes, dates,
year groups and "Y"/"N" flags on many rows."""


def row_value_roles(cells: Sequence[str], labels: Sequence[str], reference: date) -> set[Role]:
    """The roles a row's values show, leaving out columns whose header (`labels`) says
    they hold something else ("Trip date"). Two neighbouring one-word name cells are a
    forename and surname pasted from separate columns."""
    return TableValueRoles(labels, reference).roles(cells)


class TableValueRoles:
    """`row_value_roles` for the rows of one table, remembering what each distinct cell
    value shows (a bounded number of them) and asking only about the roles wanted."""

    def __init__(self, labels: Sequence[str], reference: date) -> None:
        self._reference = reference
        self._skipped = tuple(
            bool(label.strip()) and column_role(label) is None for label in labels
        )
        self._values: dict[str, Role | None] = {}
        self._pairs: dict[str, bool] = {}

    def roles(self, cells: Sequence[str], wanted: frozenset[Role] = VALUE_ROLES) -> set[Role]:
        """The roles in `wanted` that the row's values show (all of them by default)."""
        roles: set[Role] = set()
        if not wanted:
            return roles
        skipped = self._skipped
        want_name = Role.NAME in wanted
        want_digits = not _DIGIT_ROLES.isdisjoint(wanted)
        previous_word = ""
        for column, cell in enumerate(cells):
            if column < len(skipped) and skipped[column]:
                previous_word = ""
                continue
            word = cell.strip()
            if word and (want_digits if _has_digit(word) else want_name):
                role = self._value_role(cell)
                if role is not None and role in wanted:
                    roles.add(role)
            pair = want_name and previous_word and word and " " not in word
            if pair and self._is_pair_name(f"{previous_word} {word}"):
                roles.add(Role.NAME)
            previous_word = word if word and " " not in word else ""
            if len(roles) == len(wanted):
                break  # every wanted role is shown: the rest of the row cannot add one
        return roles

    def _value_role(self, cell: str) -> Role | None:
        values = self._values
        if cell in values:
            return values[cell]
        role = value_role(cell, self._reference)
        if len(values) < _CACHE_LIMIT:
            values[cell] = role
        return role

    def _is_pair_name(self, pair: str) -> bool:
        pairs = self._pairs
        known = pairs.get(pair)
        if known is None:
            known = is_name(pair)
            if len(pairs) < _CACHE_LIMIT:
                pairs[pair] = known
        return known


def _has_digit(value: str) -> bool:
    """`any(ch.isdigit() for ch in value)`, quickly: an ASCII digit is found by a regex,
    and only non-ASCII text can hold other digits ("²")."""
    if _ASCII_DIGIT.search(value):
        return True
    return not value.isascii() and any(ch.isdigit() for ch in value)


def value_role(cell: str, reference: date) -> Role | None:
    """The personal role a cell's value alone shows, if any."""
    value = cell.strip()
    if not value or len(value) > 80:
        return None
    if any(ch.isdigit() for ch in value):
        if is_birth_date(value, reference):
            return Role.DOB
        if is_address(value):
            return Role.ADDRESS
        return None
    return Role.NAME if is_name(value) else None


def is_birth_date(value: str, reference: date) -> bool:
    """A whole-cell date that could be someone's birthday, seen from `reference`."""
    day = cell_date(value.strip())
    if day is None:
        return False
    if day > reference and day.year >= 2000 and _is_two_digit_year(value):
        day = _replace_year(day, day.year - 100)
    if day is None:
        return False
    age = (reference - day).days
    return _MIN_AGE_DAYS <= age <= _MAX_AGE_YEARS * 366


def cell_date(value: str) -> date | None:
    """The date a cell holds as its whole value ("03/04/2015", "2015-04-03", "3 Apr 2015").

    Numbers are read the British way, day first; month first is accepted when only
    that is a valid date.
    """
    if m := _NUMERIC.fullmatch(value):
        day, month, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        return _make(year, month, day) or _make(year, day, month)
    if m := _ISO.fullmatch(value):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _WORDY.fullmatch(value.lower()):
        word = m.group(2)
        month_number = _MONTHS.get(word[:3])
        if month_number is None or not _MONTH_NAMES[month_number - 1].startswith(word):
            return None
        return _make(_year(m.group(3)), month_number, int(m.group(1)))
    return None


def is_address(value: str) -> bool:
    """A street line or postcode the address matcher reads as a home address."""
    return any(m.type == HOME_ADDRESS for m in find_addresses(_ADDRESS_LABEL + value))


def is_name(value: str) -> bool:
    """Two to four capitalised words ("Surname, Forename", a surname in capitals), or a
    title and a surname."""
    if len(value) > _MAX_NAME_CHARS or value.count(",") > 1:
        return False
    words = value.replace(",", " ").split()
    titled = bool(words) and words[0].lower().rstrip(".") in _TITLES
    if titled:
        words = words[1:]  # "Mrs Brown": a title and a surname are a name
    if not (1 if titled else 2) <= len(words) <= 4:
        return False
    names = 0
    for index, word in enumerate(words):
        if not _NAME_WORD.fullmatch(word) or word.lower().strip(".") in _NOT_NAME_WORDS:
            return False
        if word.lower() in _PARTICLES and 0 < index < len(words) - 1:
            continue
        if not word[0].isupper():
            return False
        names += len(word.strip(".")) > 1
    return names >= 1


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _is_two_digit_year(value: str) -> bool:
    return re.search(r"\d{4}", value) is None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _replace_year(day: date, year: int) -> date | None:
    return _make(year, day.month, day.day)
