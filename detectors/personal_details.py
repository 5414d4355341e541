"""Personal details that identify someone only with context: dates of birth, home
addresses, postcodes and phone numbers.

A date is everywhere in mail; a date just after "DOB" is a date of birth. A postcode is
in every signature; a postcode under a street line or an "address:" label, and not a
school's or an office's, is someone's home address. Phone numbers are recognised with
Google's libphonenumber rules (the `phonenumbers` package) for the GB region.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import date
from functools import lru_cache

import phonenumbers

from detectors.search_windows import (
    DigitCluster,
    around_clusters,
    digit_clusters,
    literal_finditer,
)
from detectors.textmatch import (
    LABEL_WINDOW,
    Match,
    label_reaches,
    labelled,
    lowered,
    lowered_as_ignorecase,
)
from models import Basis
from models.redact import redact_digits, redact_words

DATE_OF_BIRTH = "DATE_OF_BIRTH"
HOME_ADDRESS = "HOME_ADDRESS"
UK_POSTCODE = "UK_POSTCODE"
PHONE_NUMBER = "PHONE_NUMBER"

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-]|\.\d)"
)
_ISO_DATE = re.compile(r"(?<![\d\-])(\d{4})-(\d{2})-(\d{2})(?![\d\-])")
_DAY_MONTH_YEAR = re.compile(
    r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\.?,?\s+(\d{4})\b"
)
_MONTH_DAY_YEAR = re.compile(r"(?i)\b" + _MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DOB_LABEL = re.compile(r"(?:d\.?\s?o\.?\s?b|date\s+of\s+birth|birth\s*date|born)(?![a-z0-9])")
"""Searched in lower-cased text; the word boundary before it is checked in code."""
_LONGEST_DATE = 30
_UNLESS_AFTER = {
    _NUMERIC_DATE: (
        re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-]|\.\d)"),
        re.compile(r"[\d/.\-]"),
    ),
    _ISO_DATE: (re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d\-])"), re.compile(r"[\d\-]")),
}
"""The digit date patterns without their look-behind, and the character it rules out
before a date: a pattern that starts with a digit is searched fast, one that starts with
a look-behind is tried at every character (`_dates` checks the look-behind itself)."""
_WORDED_DATES = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR)
_DATES_TO_TRY = {
    (worded, hyphen): (_NUMERIC_DATE, *((_ISO_DATE,) if hyphen else ()))
    + (_WORDED_DATES if worded else ())
    for worded in (False, True)
    for hyphen in (False, True)
}
"""The date patterns to try after a label, in order, by whether a month name and a
hyphen (which every ISO date has) are in reach."""
_MONTH_START = re.compile("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")
"""What every month name the worded date patterns read begins with, in lower case."""
_DOB_BASIS = Basis("a date after a date-of-birth label", 0.85)

_POSTCODE = re.compile(
    r"(?i)(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})"
)
"""The Royal Mail format (as in the government's bulk-data standard), outward then inward."""
_INWARD = re.compile(r"[0-9][abd-hjlnp-uw-z]{2}(?![a-z0-9])")
"""The inward code ("1AA"), searched in lower-cased text: a postcode is found from its end."""
_OUTWARD_MAX = 5
"""Most characters of outward code and space before the inward code ("EC1A ")."""
_STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'’\-]+\s+){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Court|Ct|Crescent|Cres"
    r"|Place|Pl|Gardens|Gdns|Grove|Terrace|Hill|Rise|View|Walk|Mews|Park|Square|Sq|Row"
    r"|Green|Parade|Vale|Meadows?|Fields|Croft|Chase|Wharf|Yard|Gate)\b\.?"
)
_ADDRESS_LABEL = re.compile(
    r"(?<!e-mail )(?<!email )(?<!web )(?<!ip )"
    r"\b(?:home\s+address|address|lives\s+at|living\s+at|resides\s+at|moved\s+to)\b"
)
_ADDRESS_STARTS = ("home", "address", "lives", "living", "resides", "moved")
"""What every match of _ADDRESS_LABEL begins with: it is tried only where they are."""
_ORGANISATION = re.compile(
    r"(?i)\b(?:school|academy|college|university|council|trust|ltd|limited|plc|llp|inc"
    r"|office|offices|centre|center|hospital|surgery|church|hall|civic|federation|nursery"
    r"|headquarters|hq|police|station|library|clinic|house of)\b"
)
_STREET_LOOKBACK = 120
"""How far before a postcode its street line may start."""

_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"
    r"(?![\w])"
)
_PHONE_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
}


def _date_from(pattern: re.Pattern[str], m: re.Match[str]) -> date | None:
    """The calendar date a match of one of the date patterns means, if it is one.

    Numbers are read the British way ("03/12/2015" is 3 December); a date that is only
    valid month first ("12/31/2015") is accepted too.
    """
    if pattern is _NUMERIC_DATE:
        day, month, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        return _make_date(year, month, day) or _make_date(year, day, month)
    if pattern is _ISO_DATE:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if pattern is _DAY_MONTH_YEAR:
        named = _month(m.group(2))
        return _make_date(int(m.group(3)), named, int(m.group(1))) if named else None
    named = _month(m.group(1))
    return _make_date(int(m.group(3)), named, int(m.group(2))) if named else None


def _month(word: str) -> int | None:
    """The month a month word names. Case-folded, not lowered: the patterns are (?i),
    which also matches a long s ("\u017fep") as "s"."""
    return _MONTHS.get(word.casefold()[:3])


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _make_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates_of_birth(text: str) -> Iterator[Match]:
    """Dates with "DOB", "date of birth" or "born" just before them.

    The labels are rare and dates common, so labels are found first (in lower-cased
    text, which the regex engine searches fast) and dates only looked for after them.
    The worded date patterns are tried only after a label with a month name's first
    letters in reach (looked for in the text as a (?i) pattern sees it, see
    `lowered_as_ignorecase`; where that differs, always), ISO dates only with a hyphen.
    """
    lower = lowered(text)
    months = lowered_as_ignorecase(text)
    seen: set[int] = set()
    size = len(text)
    for label in _DOB_LABEL.finditer(lower):
        begin, lo = label.span()
        if begin and lower[begin - 1].isalnum():
            continue  # "adob", "reborn"
        hi = min(size, lo + LABEL_WINDOW + _LONGEST_DATE)
        worded = months is None or _MONTH_START.search(months, lo, hi) is not None
        for pattern in _DATES_TO_TRY[worded, text.find("-", lo, hi) >= 0]:
            for m in _dates(pattern, text, lo, hi):
                at = m.start()
                if at in seen or not label_reaches(text[lo:at]):
                    continue
                if _date_from(pattern, m) is not None:
                    seen.add(at)
                    yield _date_of_birth(at, m.end(), m.group())


def _dates(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, lo, hi)`: for a digit date pattern, its form without the
    look-behind is searched and a match it rules out tried again one character on."""
    if pattern not in _UNLESS_AFTER:
        yield from pattern.finditer(text, lo, hi)
        return
    bare, before = _UNLESS_AFTER[pattern]
    while (m := bare.search(text, lo, hi)) is not None:
        at = m.start()
        if at and before.match(text, at - 1):
            lo = at + 1  # the look-behind fails here: finditer tries the next character
            continue
        yield m
        lo = m.end()


def _date_of_birth(start: int, end: int, raw: str) -> Match:
    return Match(
        type=DATE_OF_BIRTH,
        start=start,
        end=end,
        evidence=_redacted_date(raw),
        score=0.85,
        basis=_DOB_BASIS,
    )


@lru_cache(maxsize=1024)
def _redacted_date(raw: str) -> str:
    return redact_digits(raw.strip())


def normalise_postcode(value: str) -> str:
    """ "sw1a1aa" -> "SW1A 1AA"."""
    compact = re.sub(r"\s", "", value).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def is_postcode(value: str) -> bool:
    return _POSTCODE.fullmatch(value.strip()) is not None


def find_postcodes(text: str) -> Iterator[tuple[int, int]]:
    """Where UK postcodes are in `text`.

    Found from their inward code ("1AA", a digit and two letters), which the regex
    engine finds quickly, then the outward code before it. Without its space a
    postcode must be in capitals ("M11AA"), so lower-case codes are not mistaken for one.
    """
    lower = lowered(text)
    for inward in _INWARD.finditer(lower):
        end = inward.end()
        for start in range(max(0, inward.start() - _OUTWARD_MAX), inward.start()):
            if start and lower[start - 1].isalnum():
                continue
            if _POSTCODE.fullmatch(text, start, end):
                raw = text[start:end]
                if " " in raw or raw.isupper():
                    yield start, end
                break


def find_addresses(text: str, ignored_postcodes: Collection[str] = ()) -> Iterator[Match]:
    """Home addresses (a street line or address label with a postcode), and bare postcodes."""
    used_streets: set[int] = set()
    for pc_start, pc_end in find_postcodes(text):
        postcode = normalise_postcode(text[pc_start:pc_end])
        street = _street_before(text, pc_start)
        start = street.start() if street else pc_start
        around = (
            text[max(0, start - 60) : start] + text[street.end() if street else start : pc_start]
        )
        home = (street is not None or labelled(text, start, _ADDRESS_LABEL, 60)) and not (
            postcode in ignored_postcodes or _ORGANISATION.search(around)
        )
        if street is not None:
            used_streets.add(street.start())  # judged with its postcode, not again alone
        if home:
            yield Match(
                type=HOME_ADDRESS,
                start=start,
                end=pc_end,
                evidence=redact_words(text[start:pc_end]),
                score=0.85,
                kind="home",
                basis=Basis("a street line and a postcode together, not an organisation's", 0.85),
            )
        else:
            yield Match(
                type=UK_POSTCODE,
                start=pc_start,
                end=pc_end,
                evidence=redact_words(postcode),
                score=0.4,
                basis=Basis("a postcode on its own", 0.4),
            )
    yield from _labelled_streets(text, used_streets)


def _labelled_streets(text: str, used_streets: set[int]) -> Iterator[Match]:
    """ "lives at 4 Acacia Avenue": a street just after an address label, without a postcode."""
    for label in literal_finditer(_ADDRESS_LABEL, lowered(text), _ADDRESS_STARTS):
        street = _STREET.search(text, label.end(), label.end() + 30 + 80)
        if street is None or street.start() in used_streets or street.start() > label.end() + 30:
            continue
        used_streets.add(street.start())
        if _ORGANISATION.search(text[max(0, street.start() - 60) : street.start()]):
            continue
        yield Match(
            type=HOME_ADDRESS,
            start=street.start(),
            end=street.end(),
            evidence=redact_words(street.group()),
            score=0.8,
            kind="home",
            basis=Basis("a street line just after an address label", 0.8),
        )


def _street_before(text: str, postcode_start: int) -> re.Match[str] | None:
    """The last street line that ends shortly before a postcode, if any."""
    lo = max(0, postcode_start - _STREET_LOOKBACK)
    last: re.Match[str] | None = None
    for street in _STREET.finditer(text, lo, postcode_start):
        last = street
    return last


def find_phone_numbers(text: str, clusters: list[DigitCluster] | None = None) -> Iterator[Match]:
    """UK (+44) phone numbers that libphonenumber considers valid, read with region GB.

    Only searched near clusters of six or more digits (see search_windows).
    """
    clusters = digit_clusters(text) if clusters is None else clusters
    for lo, hi in around_clusters(clusters, 6):
        yield from _phone_numbers(text, lo, hi)


@lru_cache(maxsize=4096)
def _uk_phone_kind(written: str) -> str | None:
    """The kind of UK number `written` is ("mobile", "landline", "other"), or None when
    libphonenumber does not take it for a valid one. Remembered: the same numbers (the
    school's own, in every signature) come back in message after message."""
    try:
        number = phonenumbers.parse(written, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        return None  # +44 also covers the Channel Islands and the Isle of Man
    return _PHONE_KINDS.get(phonenumbers.number_type(number), "other")


def _phone_numbers(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _PHONE.finditer(text, lo, hi):
        kind = _uk_phone_kind(m.group())
        if kind is None:
            continue
        yield Match(
            type=PHONE_NUMBER,
            start=m.start(),
            end=m.end(),
            evidence=redact_digits(re.sub(r"\D", "", m.group())),
            score=0.5,
            kind=kind,
            basis=Basis(f"a UK phone number ({kind})", 0.5),
        )
