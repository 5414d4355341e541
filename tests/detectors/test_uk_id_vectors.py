"""Every row of the reference corpus's UK identifier test vectors, classified as its
source expects (../shared/corpus/ids/uk_id_test_vectors.csv, described in SOURCES.md).

How each row is fed to the detector follows what its source tested:
- Presidio rows test a text recognizer: the value is the exact text, fed verbatim
  (some rows carry their own words, e.g. "nino: PR 123612C").
- The other sources (python-stdnum, DfE MTC, ESFA ILR, DWP, uk_account_validator,
  nhs_number_generator) test a field validator: their value is what a field called UPN,
  ULN, NHS number... holds, so it is fed after that field's label ("ULN: 1000000043").
- LUHN rows (python-stdnum) test the bare Luhn checksum: they are checked against the
  checksum function the PAYMENT_CARD scanner uses, as they are not card-shaped numbers.

Where our stricter or looser semantics differ from a source, the row is listed in
DEVIATIONS with the reason, and the test checks we really do classify it that way.
"""

from __future__ import annotations

import csv

import pytest

from detectors.identifiers import luhn_ok
from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from models import Directory, Envelope, Message, MessageFacts, TextBlock
from tests.support import corpus

VECTORS = ("ids", "uk_id_test_vectors.csv")

FOUND_AS: dict[str, frozenset[str]] = {
    "UK_UPN": frozenset({"UK_UPN"}),
    "UK_ULN": frozenset({"UK_ULN"}),
    "UK_NHS": frozenset({"UK_NHS"}),
    "UK_NINO": frozenset({"UK_NINO"}),
    # "My address is SW1A 1AA in London" is a home address: the postcode is still found.
    "UK_POSTCODE": frozenset({"UK_POSTCODE", "HOME_ADDRESS"}),
    "UK_SORTCODE_ACCOUNT": frozenset({"UK_BANK_ACCOUNT"}),
    "CREDIT_CARD": frozenset({"PAYMENT_CARD"}),
    "IBAN_GB": frozenset({"UK_IBAN"}),
}
"""Vector type -> the finding types that count as "found"."""

FIELD_LABELS = {
    "UK_UPN": "UPN: ",
    "UK_ULN": "ULN: ",
    "UK_NHS": "NHS number: ",
    "UK_NINO": "NI number: ",
    "UK_SORTCODE_ACCOUNT": "Sort code and account number: ",
    "IBAN_GB": "IBAN: ",
}

_NO_MODULUS = (
    "reported: Vocalink's modulus tables are licensed and not shipped, so a sort code and "
    "an 8-digit account number together under a bank label count (a mistyped real "
    "account is still bank details); the source applies Vocalink modulus checking"
)
DEVIATIONS: dict[tuple[str, str], str] = {
    ("0032698674", "UK_NHS"): (
        "not reported: a bare 10-digit number with no NHS label, outside every range the "
        "NHS issues (400-499 and 600-799 million, NI 320-399 million); Presidio reports any "
        "mod-11-valid 10 digits. With a label it is found (test_sensitive_data.py)"
    ),
    ("9999999999", "UK_ULN"): (
        "not reported: ESFA's placeholder for an unknown learner, not anyone's ULN; it fails "
        "the ULN check digit, and ESFA accepts it only as a special case"
    ),
    ("938063 15764273", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("938063 15764264", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("938063 15763217", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("118765 64371388", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("089999 66374959", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("107999 88837493", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("203099 66831036", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
    ("203099 58716970", "UK_SORTCODE_ACCOUNT"): _NO_MODULUS,
}
"""(value, type) -> why our classification differs from the source's `valid` column."""


def _vector_params() -> list[object]:
    try:
        path = corpus(*VECTORS)
    except (pytest.skip.Exception, pytest.fail.Exception):
        return [pytest.param(None, id="corpus-missing")]  # the test skips, or fails in CI
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        pytest.param(row, id=f"line{line}-{row['type']}-{row['value'].strip()[:28]}")
        for line, row in enumerate(rows, 2)
    ]


@pytest.fixture(scope="module")
def detector() -> SensitiveDataDetector:
    return SensitiveDataDetector(SensitiveDataSettings(), Directory())


def _found(detector: SensitiveDataDetector, text: str, types: frozenset[str]) -> bool:
    message = Message(
        facts=MessageFacts(envelope=Envelope("staff@school.example", ()), recipients=()),
        texts=(TextBlock("body", text),),
    )
    return any(f.type in types for f in detector.detect(message))


@pytest.mark.parametrize("row", _vector_params())
def test_vector_classified_as_its_source_expects(
    row: dict[str, str] | None, detector: SensitiveDataDetector
) -> None:
    if row is None:
        corpus(*VECTORS)  # skips locally, fails under CI=true
        return
    value, vector_type, source = row["value"], row["type"], row["source"]
    expected = row["valid"] == "true"
    if (value, vector_type) in DEVIATIONS:
        expected = not expected
    if vector_type == "LUHN":
        assert luhn_ok(value) is expected
        return
    recognizer_source = source.startswith("microsoft/presidio")
    text = value if recognizer_source else FIELD_LABELS[vector_type] + value
    assert _found(detector, text, FOUND_AS[vector_type]) is expected, (
        f"{text!r}: expected {'found' if expected else 'not reported'} ({source})"
    )


def test_every_deviation_is_a_row_of_the_corpus() -> None:
    """A deviation that no longer matches a row would silently stop applying."""
    with corpus(*VECTORS).open(newline="", encoding="utf-8") as handle:
        keys = {(row["value"], row["type"]) for row in csv.DictReader(handle)}
    assert set(DEVIATIONS) <= keys
