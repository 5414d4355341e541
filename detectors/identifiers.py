"""UK identifiers in text, each judged by its own check digits or format rules.

A regular expression only proposes candidates; validity is decided by the identifier's
algorithm (python-stdnum where it has one), so a 10-digit number failing mod 11 is never
reported as an NHS number. Where an identifier has no check digit at all, or where its
check is too weak on its own to tell it from an order number or a timestamp, the
candidate also needs a label just before it ("ULN:", "sort code", "passport no").

How UK bank details are judged: the Vocalink modulus-checking tables that decide whether
a sort code and account number pair exists are licensed data that change monthly, so
they are not shipped. A sort code and an 8-digit account number count when they appear
together under a bank label. That also catches mistyped but real-looking details, which
are just as sensitive to send.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator

from stdnum import iban, luhn
from stdnum.gb import nhs, upn

from detectors.search_windows import (
    DigitCluster,
    Window,
    around_clusters,
    around_labels,
    digit_clusters,
)
from detectors.textmatch import LABEL_WINDOW, Match, labelled, lowered, window_before
from models.finding import Basis
from models.redact import redact_digits

UK_UPN = "UK_UPN"
UK_ULN = "UK_ULN"
UK_NHS = "UK_NHS"
UK_NINO = "UK_NINO"
PAYMENT_CARD = "PAYMENT_CARD"
UK_BANK_ACCOUNT = "UK_BANK_ACCOUNT"
UK_IBAN = "UK_IBAN"
PASSPORT = "PASSPORT"

IDENTIFIER_TYPES = (
    UK_IBAN,
    PAYMENT_CARD,
    UK_BANK_ACCOUNT,
    UK_UPN,
    UK_NINO,
    UK_NHS,
    UK_ULN,
    PASSPORT,
)
"""Most specific first: when candidates overlap, the earlier type wins."""

LABELLED_SCORE = 0.95
"""A valid identifier with its label just before it."""

# Boundaries: not part of a longer word, number, URL query or e-mail address.
_NOT_AFTER = r"(?<![\w/=&?#@+.\-])"
_NOT_BEFORE = r"(?![\w/=&@\-]|\.\d)"

_UPN = re.compile(_NOT_AFTER + r"[A-Za-z]\d{11}[A-Za-z0-9]" + _NOT_BEFORE)
_UPN_LABEL = re.compile(r"(?i)\b(?:upn|unique\s+pupil\s+(?:number|no))\b")

_TEN_DIGITS = re.compile(_NOT_AFTER + r"[1-9]\d{9}" + _NOT_BEFORE)
_ULN_LABEL = re.compile(r"(?:uln|(?:unique\s+)?learner\s+(?:number|no|ref))(?![a-z])")
_ULN_STARTS = ("uln", "unique", "learner")
"""What every match of _ULN_LABEL begins with."""

_NHS = re.compile(_NOT_AFTER + r"(\d{3})([ -]?)(\d{3})\2(\d{4})" + _NOT_BEFORE)
_NHS_LABEL = re.compile(r"(?i)\b(?:nhs|chi\s+(?:number|no)|h\s?&\s?c\s+(?:number|no))")
_PHONE_CUE = re.compile(r"(?i)\b(?:tel|telephone|phone|fax|call|mobile|cell|ph|ext)\b|\+\s*1\b")

_NINO = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-Da-d])(?![A-Za-z0-9])"
)
_NINO_LABEL = re.compile(r"(?i)\b(?:nino|ni\s*(?:number|no)|national\s+insurance)\b")
_NINO_BAD_FIRST = frozenset("DFIQUV")
_NINO_BAD_SECOND = frozenset("DFIOQUV")
_NINO_BAD_PREFIXES = frozenset(("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"))

_CARD = re.compile(_NOT_AFTER + r"\d(?:[ -]?\d){11,18}" + _NOT_BEFORE)
_CARD_LABEL = re.compile(
    r"(?i)\b(?:card|visa|master\s?card|amex|american\s+express|maestro|debit|credit"
    r"|cvv|cvc|expiry|long\s+number)\b"
)
_CARD_GROUPINGS = frozenset(((4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1)))

_IBAN_START = re.compile(r"gb[0-9]{2}")
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])GB\d{2}(?: ?[A-Za-z0-9]{4}){4} ?[A-Za-z0-9]{2}(?![A-Za-z0-9])", re.I
)

_SORT_CODE = re.compile(r"(?<![\d\-/.])(\d{2})([- ]?)(\d{2})\2(\d{2})(?![\d\-/])")
_ACCOUNT = re.compile(r"(?<![\d\-/.])\d{8}(?![\d\-/])")
_BANK_LABEL = re.compile(
    r"(?i)\b(?:sort[\s-]*code|s/c|bank|account|acc(?:t)?\s*(?:no|number)|a/c)\b"
)
_BANK_WORDS = ("sort", "s/c", "bank", "acc", "a/c")
_BANK_WORD = re.compile("|".join(map(re.escape, _BANK_WORDS)))
"""Starts every bank label: where bank details are looked for."""
_PAIR_GAP = 60
"""Most characters between a sort code and its account number."""

_PASSPORT_WORD = re.compile(r"passport")
_PASSPORT = re.compile(
    r"(?i)\bpassport\b[^\n\d]{0,30}?(?<![A-Za-z0-9])([A-Za-z]{0,2}\d{7,9})(?![A-Za-z0-9])"
)

# Card issuers: (name, prefix ranges as (digits, low, high), allowed lengths). First wins.
_ISSUERS: tuple[tuple[str, tuple[tuple[int, int, int], ...], frozenset[int]], ...] = (
    ("amex", ((2, 34, 34), (2, 37, 37)), frozenset({15})),
    ("visa", ((1, 4, 4),), frozenset({13, 16, 19})),
    ("mastercard", ((2, 51, 55), (4, 2221, 2720)), frozenset({16})),
    (
        "discover",
        ((4, 6011, 6011), (3, 644, 649), (2, 65, 65), (6, 622126, 622925)),
        frozenset(range(16, 20)),
    ),
    ("jcb", ((4, 3528, 3589),), frozenset(range(16, 20))),
    (
        "diners",
        ((3, 300, 305), (4, 3095, 3095), (2, 36, 36), (2, 38, 39)),
        frozenset(range(14, 20)),
    ),
    ("unionpay", ((2, 62, 62),), frozenset(range(16, 20))),
    ("maestro", ((2, 50, 50), (2, 56, 69)), frozenset(range(12, 20))),
    ("uatp", ((1, 1, 1),), frozenset({15})),
)


def uln_is_valid(number: str) -> bool:
    """Unique Learner Number: 10 digits, the last a check digit (ESFA's mod 11 scheme).

    ESFA's placeholder for an unknown learner, 9999999999, fails the check (ESFA's own
    rules special-case it), so it is never reported: it is nobody's number.
    """
    if len(number) != 10 or not number.isdigit() or number[0] == "0":
        return False
    remainder = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    return remainder != 0 and 10 - remainder == int(number[9])


def nhs_in_issued_range(number: str) -> bool:
    """True when a 10-digit NHS number falls in a range the NHS actually issues.

    England, Wales and the Isle of Man issue 400–499 and 600–799 million; Northern
    Ireland's Health and Care numbers are 320–399 million. Scottish CHI numbers start
    with a date, which a Unix timestamp can imitate, so they count only with a label.
    """
    prefix = int(number[:3])
    return 400 <= prefix <= 499 or 600 <= prefix <= 799 or 320 <= prefix <= 399


def nino_is_valid(value: str) -> bool:
    """National Insurance number format: HMRC's prefix rules and an A–D suffix (NIM39110)."""
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
        return False
    first, second = compact[0], compact[1]
    return (
        first not in _NINO_BAD_FIRST
        and second not in _NINO_BAD_SECOND
        and compact[:2] not in _NINO_BAD_PREFIXES
    )


def card_issuer(digits: str) -> str | None:
    """The card scheme whose number range and length fit, or None."""
    for name, ranges, lengths in _ISSUERS:
        if len(digits) not in lengths:
            continue
        for width, low, high in ranges:
            if low <= int(digits[:width]) <= high:
                return name
    return None


def luhn_ok(digits: str) -> bool:
    """The Luhn check every payment card number passes (python-stdnum)."""
    return digits.isdigit() and luhn.is_valid(digits)


def find_identifiers(text: str, clusters: list[DigitCluster] | None = None) -> list[Match]:
    """Every valid identifier in `text` (overlaps are resolved by the caller).

    Each pattern searches only where it could match (see search_windows): near digit
    clusters long enough for it, or near its label. `clusters` may be passed in when
    the caller has already found them.
    """
    clusters = digit_clusters(text) if clusters is None else clusters
    if not clusters:
        return []  # every identifier has six digits in a row
    lower = lowered(text)
    reach = LABEL_WINDOW + _PAIR_GAP + 12
    plan: tuple[tuple[Finder, list[Window]], ...] = (
        (_find_ibans, around_labels(text, lower, _IBAN_START, 0, 40)),
        (_find_cards, around_clusters(clusters, 12)),
        (_find_bank_accounts, around_labels(text, lower, _BANK_WORD, reach, reach, _BANK_WORDS)),
        (_find_upns, around_clusters(clusters, 11)),
        (_find_ninos, around_clusters(clusters, 6)),
        (_find_nhs_numbers, around_clusters(clusters, 10)),
        (_find_ulns, around_labels(text, lower, _ULN_LABEL, 0, LABEL_WINDOW + 12, _ULN_STARTS)),
        (_find_passports, around_labels(text, lower, _PASSPORT_WORD, 0, 50)),
    )
    found: list[Match] = []
    for finder, windows in plan:
        for lo, hi in windows:
            found.extend(finder(text, lo, hi))
    return found


Finder = Callable[[str, int, int], Iterator[Match]]
"""Finds one type of identifier in text[lo:hi] (looking outside it for labels)."""


def _identifier(
    type_: str,
    m: re.Match[str],
    value: str,
    basis: Basis,
    kind: str | None = None,
) -> Match:
    score = basis.base + sum(change for _, change in basis.context)
    return Match(
        type=type_,
        start=m.start(),
        end=m.end(),
        evidence=redact_digits(value),
        score=round(score, 6),
        kind=kind,
        basis=basis,
    )


def _labelled(matched: str, base: float, label: str, is_labelled: bool) -> Basis:
    """The basis of an identifier whose label ("UPN:", "NHS number") makes it surer."""
    context = ((f"labelled as {label}", LABELLED_SCORE - base),) if is_labelled else ()
    return Basis(matched, base, context)


def _find_upns(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _UPN.finditer(text, lo, hi):
        if upn.is_valid(m.group()):
            basis = _labelled(
                "a UPN with a valid check letter",
                0.9,
                "a UPN",
                labelled(text, m.start(), _UPN_LABEL),
            )
            yield _identifier(UK_UPN, m, m.group().upper(), basis)


def _find_ulns(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _TEN_DIGITS.finditer(text, lo, hi):
        if uln_is_valid(m.group()) and labelled(text, m.start(), _ULN_LABEL):
            basis = Basis("a ULN with a valid check digit, labelled as one", LABELLED_SCORE)
            yield _identifier(UK_ULN, m, m.group(), basis)


def _find_nhs_numbers(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _NHS.finditer(text, lo, hi):
        digits = m.group(1) + m.group(3) + m.group(4)
        if not nhs.is_valid(digits):
            continue
        matched = "a 10-digit number with a valid NHS check digit"
        if labelled(text, m.start(), _NHS_LABEL):
            basis = _labelled(matched, 0.7, "an NHS number", True)
        elif labelled(text, m.start(), _PHONE_CUE):
            continue  # "Tel 401-023-2137": a phone number that happens to pass mod 11
        elif m.group(2) == " ":  # the NHS's own display format, "943 476 5870"
            basis = Basis(matched, 0.7, (("written 3-3-4, as the NHS writes them", 0.1),))
        elif nhs_in_issued_range(digits):
            basis = Basis(matched + ", in the range NHS numbers are issued from", 0.7)
        else:
            continue
        yield _identifier(UK_NHS, m, digits, basis)


def _find_ninos(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _NINO.finditer(text, lo, hi):
        if nino_is_valid(m.group()):
            basis = _labelled(
                "a National Insurance number with valid prefix letters",
                0.85,
                "a National Insurance number",
                labelled(text, m.start(), _NINO_LABEL),
            )
            yield _identifier(UK_NINO, m, re.sub(r"\s", "", m.group()).upper(), basis)


def _find_cards(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _CARD.finditer(text, lo, hi):
        raw = m.group()
        groups = tuple(len(g) for g in re.split(r"[ -]", raw))
        if len(groups) > 1 and groups not in _CARD_GROUPINGS:
            continue
        digits = re.sub(r"\D", "", raw)
        issuer = card_issuer(digits)
        if issuer is None or not luhn_ok(digits):
            continue
        basis = _labelled(
            f"a {issuer} card number that passes the Luhn check",
            0.85,
            "a card number",
            labelled(text, m.start(), _CARD_LABEL),
        )
        yield _identifier(PAYMENT_CARD, m, digits, basis, kind=issuer)


def _find_ibans(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _IBAN.finditer(text, lo, hi):
        if iban.is_valid(m.group()):
            basis = Basis("an IBAN with valid check digits", LABELLED_SCORE)
            yield _identifier(UK_IBAN, m, iban.compact(m.group()), basis)


def _find_bank_accounts(text: str, lo: int, hi: int) -> Iterator[Match]:
    """A sort code and an account number close together, under a bank label."""
    accounts = list(_ACCOUNT.finditer(text, lo, hi))
    if not accounts:
        return
    starts = [a.start() for a in accounts]
    for sort in _SORT_CODE.finditer(text, lo, hi):
        account = _nearest_account(sort, accounts, starts)
        if account is None:
            continue
        start, end = min(sort.start(), account.start()), max(sort.end(), account.end())
        between = text[start:end]
        if not (_BANK_LABEL.search(window_before(text, start)) or _BANK_LABEL.search(between)):
            continue
        sort_digits = sort.group(1) + sort.group(3) + sort.group(4)
        yield Match(
            type=UK_BANK_ACCOUNT,
            start=start,
            end=end,
            evidence=f"{redact_digits(sort_digits)} {redact_digits(account.group())}",
            score=0.9,
            basis=Basis("a sort code and an account number together, by a bank label", 0.9),
        )


def _nearest_account(
    sort: re.Match[str], accounts: list[re.Match[str]], starts: list[int]
) -> re.Match[str] | None:
    """The account number closest to a sort code, before or after it, within _PAIR_GAP."""
    best: re.Match[str] | None = None
    best_gap = _PAIR_GAP + 1
    first = bisect_left(starts, sort.start() - _PAIR_GAP - 8)
    for account in accounts[first:]:
        if account.start() > sort.end() + _PAIR_GAP:
            break
        if account.start() >= sort.end():
            gap = account.start() - sort.end()
        elif account.end() <= sort.start():
            gap = sort.start() - account.end()
        else:
            continue  # the same digits
        if gap < best_gap:
            best, best_gap = account, gap
    return best


def _find_passports(text: str, lo: int, hi: int) -> Iterator[Match]:
    for m in _PASSPORT.finditer(text, lo, hi):
        number = m.group(1)
        yield Match(
            type=PASSPORT,
            start=m.start(1),
            end=m.end(1),
            evidence=redact_digits(number.upper()),
            score=0.85,
            basis=Basis("a passport number after a passport label", 0.85),
        )
