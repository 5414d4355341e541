"""Tables (spreadsheets, CSV, HTML and Word tables) and bulk personal data.

All people here are made up: "Pupil 7 Test", generated UPNs and NHS numbers.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from stdnum.gb import nhs, upn

from detectors.bulk import Role, column_role, find_header
from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from models import Directory, Envelope, Finding, Message, MessageFacts, Row, TextBlock

LOCATION = "attachment:class.xlsx#Sheet1"


def make_upn(serial: int) -> str:
    """A valid UPN for LA 801, school 2000, year 15 (generated, nobody's)."""
    body = f"801200015{serial:03d}"
    return upn.calc_check_digit(body) + body


def make_nhs(serial: int) -> str:
    """A valid NHS number in England's issued range (generated, nobody's)."""
    for base in range(serial * 10, serial * 10 + 10):
        stem = f"{450000000 + base:09d}"
        for check in "0123456789":
            if nhs.is_valid(stem + check):
                return stem + check
    raise AssertionError("no valid NHS number near this serial")


def table(*rows: tuple[str, ...]) -> TextBlock:
    """A table block whose text is its rows, tab-separated, as an extractor would give."""
    numbered = tuple(Row(number=i, cells=cells) for i, cells in enumerate(rows, 1))
    text = "\n".join("\t".join(cells) for cells in rows)
    return TextBlock(LOCATION, text, rows=numbered)


def scan(*blocks: TextBlock, **settings: object) -> list[Finding]:
    detector = SensitiveDataDetector(SensitiveDataSettings(**settings), Directory())
    message = Message(
        facts=MessageFacts(envelope=Envelope("staff@school.example", ()), recipients=()),
        texts=blocks,
    )
    return detector.detect(message)


def pupils(count: int) -> list[tuple[str, str, str, str]]:
    return [
        (f"Test{i}", f"Pupil{i}", f"0{1 + i % 9}/0{1 + i % 9}/2015", make_upn(i))
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("rows", "count", "kind"),
    [
        # an MIS export: names, DOB and UPN on every row -> one finding for 12 rows
        (
            [("Surname", "Forename", "DOB", "UPN"), *pupils(12)],
            12,
            "identifiers",
        ),
        # DfE census layout with an FSM column: special category outranks identifiers
        (
            [
                ("UPN", "Surname", "Forename", "DOB", "FSMeligible"),
                *[(u, s, f, d, "1" if i % 2 else "0") for i, (s, f, d, u) in enumerate(pupils(10))],
            ],
            10,
            "special-category",
        ),
        # names with home addresses (header row below a title row)
        (
            [
                ("Year 6 contacts", "", ""),
                ("Pupil name", "Address", "Postcode"),
                *[(f"Pupil{i} Test", f"{i} Acacia Avenue", "LS1 4AB") for i in range(15)],
            ],
            15,
            "addresses",
        ),
        # no header at all: every row still carries a valid NHS number
        ([(f"row {i}", make_nhs(i)) for i in range(11)], 11, "identifiers"),
        # no recognised header; each Notes cell holds a labelled UPN
        (
            [("Child", "Notes"), *[(f"C{i}", f"UPN {make_upn(i)}") for i in range(10)]],
            10,
            "identifiers",
        ),
    ],
)
def test_many_rows_of_personal_data_are_one_bulk_finding(
    rows: list[tuple[str, ...]], count: int, kind: str
) -> None:
    findings = scan(table(*rows))
    assert [(f.type, f.count, f.kind) for f in findings] == [("BULK_PERSONAL_DATA", count, kind)]
    (bulk,) = findings
    assert bulk.score >= 0.9
    assert bulk.evidence.startswith(f"{count} rows with ")
    assert bulk.location == LOCATION
    assert "password-protected" in bulk.explanation
    assert f"for {count} people" in bulk.explanation


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        # a register of names and year groups: names alone are the pupil_name detector's job
        (
            [("Surname", "Forename", "Year"), *[(f"P{i}", f"T{i}", "6") for i in range(30)]],
            "names only",
        ),
        # FSM column present but every value says "no"
        # FSM all 'N'
        ([("Surname", "FSM"), *[(f"P{i}", "N") for i in range(30)]], "negative values"),
        # a price list: numbers, no people
        # prices
        ([("Item", "Price"), *[(f"Item {i}", f"£{i}.50") for i in range(30)]], "no people"),
    ],
)
def test_tables_without_personal_rows_are_not_bulk(
    rows: list[tuple[str, ...]], reason: str
) -> None:
    assert "BULK_PERSONAL_DATA" not in {f.type for f in scan(table(*rows))}, reason


def test_below_the_threshold_each_row_is_reported_with_its_row_number() -> None:
    rows = [
        ("Surname", "Forename", "DOB", "UPN", "SEN status"),
        *[(s, f, d, u, "K") for s, f, d, u in pupils(3)],
    ]
    block = table(*rows)
    findings = scan(block)
    assert {(f.type, f.row) for f in findings} == {
        (t, r) for r in (2, 3, 4) for t in ("DATE_OF_BIRTH", "UK_UPN", "SPECIAL_CATEGORY")
    }
    for finding in findings:
        assert finding.span is not None
        cell = block.text[finding.span[0] : finding.span[1]]
        assert cell in block.rows[(finding.row or 0) - 1].cells  # highlights the cell itself
    special = next(f for f in findings if f.type == "SPECIAL_CATEGORY")
    assert (special.kind, special.evidence) == ("send", '"SEN status" column')


@pytest.mark.parametrize(
    ("finding_type", "highlighted"),
    [
        ("SPECIAL_CATEGORY", "EHCP"),  # a phrase inside a notes cell
        ("DATE_OF_BIRTH", "01/02/2015"),  # a value in a labelled column
    ],
)
def test_spans_highlight_the_matched_characters_in_their_cell(
    finding_type: str, highlighted: str
) -> None:
    block = table(("Name", "DOB", "Notes"), ("Kate Test", "01/02/2015", "She has an EHCP"))
    (finding,) = [f for f in scan(block) if f.type == finding_type]
    assert finding.span is not None
    assert block.text[finding.span[0] : finding.span[1]] == highlighted


def test_a_special_column_highlights_its_own_cell_not_an_earlier_letter() -> None:
    block = table(("Name", "SEN"), ("Kate Test", "K"))
    (finding,) = scan(block)
    assert finding.span is not None
    assert finding.span[0] == block.text.rindex("K")  # not the K of "Kate"


def test_a_dob_column_makes_its_dates_dates_of_birth_but_other_dates_stay_dates() -> None:
    findings = scan(table(("Name", "DOB", "Trip date"), ("P1 Test", "01/02/2015", "03/04/2025")))
    assert [(f.type, f.evidence) for f in findings] == [("DATE_OF_BIRTH", "********15")]


@pytest.mark.parametrize(
    ("rows", "finding_type"),
    [
        # a form laid out as a table: the label in one cell, the value in the next
        ((("Date of birth:", "12/03/2015"),), "DATE_OF_BIRTH"),
        ((("NHS number", "943 476 5870"),), "UK_NHS"),  # label cell, value cell
        ((("ULN", "1000000043"),), "UK_ULN"),  # an abbreviation as the label
    ],
)
def test_a_label_cell_labels_the_value_in_the_next_cell(
    rows: tuple[tuple[str, ...], ...], finding_type: str
) -> None:
    assert finding_type in {f.type for f in scan(table(*rows))}


def test_prose_around_a_table_is_scanned_and_cells_are_reported_once() -> None:
    # an HTML e-mail: the block's text is the whole page, its rows the data table
    rows = (("Name", "DOB"), ("Kate Test", "12/03/2015"))
    text = "Dear Sir,\nShe has an EHCP.\nName\tDOB\nKate Test\t12/03/2015\nThanks"
    block = TextBlock("body", text, rows=tuple(Row(i, r) for i, r in enumerate(rows, 1)))
    findings = scan(block)
    assert sorted((f.type, f.row) for f in findings) == [
        ("DATE_OF_BIRTH", 2),  # from the table, with its row number
        ("SPECIAL_CATEGORY", None),  # from the prose around it
    ]
    for finding in findings:
        assert finding.span is not None
    dob = next(f for f in findings if f.type == "DATE_OF_BIRTH")
    assert dob.span is not None
    assert text[dob.span[0] : dob.span[1]] == "12/03/2015"


def test_bulk_threshold_is_a_setting() -> None:
    rows = [("Surname", "DOB"), *[(f"P{i}", "01/02/2015") for i in range(4)]]
    assert [f.type for f in scan(table(*rows), bulk_min_rows=4)] == ["BULK_PERSONAL_DATA"]
    assert {f.type for f in scan(table(*rows), bulk_min_rows=5)} == {"DATE_OF_BIRTH"}


def test_lines_of_personal_data_in_prose_are_one_bulk_finding() -> None:
    lines = [f"Pupil{i} Test, DOB {1 + i % 28:02d}/03/2015, UPN {make_upn(i)}" for i in range(12)]
    text = "Dear colleague,\nHere is the list:\n" + "\n".join(lines) + "\nShe has an EHCP.\n"
    findings = scan(TextBlock("body", text))
    assert sorted((f.type, f.count) for f in findings) == [
        ("BULK_PERSONAL_DATA", 12),
        ("SPECIAL_CATEGORY", 1),  # about the document as a whole: kept beside the bulk
    ]
    bulk = next(f for f in findings if f.type == "BULK_PERSONAL_DATA")
    assert bulk.evidence == "12 lines with dates of birth and pupil or personal identifiers"
    assert bulk.span is not None
    assert text[bulk.span[0] : bulk.span[1]] == "\n".join(lines)


def test_values_do_not_run_across_cells() -> None:
    # "943 476" and "5870" in neighbouring cells are not one NHS number
    findings = scan(table(("Ref", "A", "B"), ("x", "943 476", "5870")))
    assert "UK_NHS" not in {f.type for f in findings}


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Surname", Role.NAME),  # MIS export
        ("Legal Forename", Role.NAME),  # MIS legal name
        ("DateOfBirth", Role.DOB),  # camel case
        ("date_of_birth", Role.DOB),  # snake case
        ("Former UPN", Role.IDENTIFIER),  # UPN at the end
        ("ULN", Role.IDENTIFIER),  # exact abbreviation
        ("NHS Number", Role.IDENTIFIER),  # words with a space
        ("AddressDetails.PostCode", Role.ADDRESS),  # dotted JSON path
        ("parent_email1", Role.CONTACT),  # an e-mail address is contact, not address
        ("Mobile Number", Role.CONTACT),  # phone column
        ("SENProvision", Role.SPECIAL),  # DfE census
        ("FSMeligible", Role.SPECIAL),  # DfE census
        ("Ethnic Group", Role.SPECIAL),  # MIS template
        ("IsLookedAfterorAdoptedFromCare", Role.SPECIAL),  # MIS API field
        ("Tutor group name", None),  # "groupname" contains "upn" but is not a UPN
        ("Year", None),  # not personal
        ("Sex", None),  # personal, but not enough to make a row a record about someone
        ("", None),  # an empty header cell
    ],
)
def test_column_roles_from_headers(header: str, role: Role | None) -> None:
    assert column_role(header) is role


def test_header_is_found_below_a_title_row() -> None:
    rows = (Row(1, ("Class list",)), Row(2, ("Surname", "DOB")), Row(3, ("P", "01/02/2015")))
    header = find_header(rows)
    assert header is not None
    assert (header.index, header.roles) == (1, {0: Role.NAME, 1: Role.DOB})


@pytest.mark.parametrize(
    ("rows", "count", "kind"),
    [
        # a spreadsheet saved without its header: names beside dates of birth
        (
            [(f"Kate{chr(97 + i)} Sample", f"{1 + i}/03/2014") for i in range(12)],
            12,
            "dates-of-birth",
        ),
        # surname first, then a home address with its postcode
        (
            [(f"SAMPLE Kate{chr(97 + i)}", f"{i + 1} Mill Lane, Leeds LS6 2AB") for i in range(11)],
            11,
            "addresses",
        ),
        # a header naming only one personal column: the other columns are read by value
        (
            [
                ("Pupil", "", ""),
                *[(f"Kate{chr(97 + i)} Sample", "", f"2014-03-{i + 1:02d}") for i in range(10)],
            ],
            10,
            "dates-of-birth",
        ),
    ],
)
def test_rows_without_a_personal_header_are_read_by_their_values(
    rows: list[tuple[str, ...]], count: int, kind: str
) -> None:
    (finding,) = [f for f in scan(table(*rows)) if f.type == "BULK_PERSONAL_DATA"]
    assert (finding.count, finding.kind) == (count, kind)


@pytest.mark.parametrize(
    "rows",
    [
        # an events list: its header says the dates are event dates, not birthdays
        [
            ("Event", "Date", "Venue"),
            *[(f"Kate{chr(97 + i)} Sample", f"{1 + i}/07/2019", "Hall") for i in range(12)],
        ],
        # staff with this term's dates: too recent to be dates of birth
        [
            (f"Kate{chr(97 + i)} Sample", f"{date.today() - timedelta(days=i):%d/%m/%Y}", "P3")
            for i in range(12)
        ],
    ],
)
def test_values_under_other_headers_or_too_recent_are_not_dates_of_birth(
    rows: list[tuple[str, ...]],
) -> None:
    assert "BULK_PERSONAL_DATA" not in {f.type for f in scan(table(*rows))}
