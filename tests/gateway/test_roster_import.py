"""Reading MIS exports: header variants, encodings, bad files and bad rows, 50,000 rows,
the staff directory, and data minimisation (nothing but names, year and group kept)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from gateway.directory.importer import (
    ROSTER_FIELDS,
    STAFF_FIELDS,
    RosterFileError,
    parse_map,
    read_roster,
    read_staff,
)
from models import Pupil, StaffMember
from tests.support import corpus


def write(tmp_path: Path, text: str, name: str = "roster.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


HEADER_VARIANTS = [
    # SIMS: legal and preferred columns, reg group
    pytest.param(
        "Legal Surname,Legal Forename,Preferred Forename,Preferred Surname,Year,Reg Group\n"
        "Jones,Amelia,Millie,,Year 5,5B\n",
        Pupil(("Amelia", "Millie"), ("Jones",), (), "Year 5", "5B"),
        id="sims",
    ),
    # Arbor: first/last name wording, year group, registration form
    pytest.param(
        "Legal First Name,Preferred First Name,Legal Last Name,Year Group,Registration Form\n"
        "Amelia,Amelia,Jones,5,5B\n",
        Pupil(("Amelia",), ("Jones",), (), "5", "5B"),
        id="arbor",
    ),
    # Bromcom: Forename, Surname, Preferred Name, Tutor Group
    pytest.param(
        "Surname,Forename,Preferred Name,Middle Names,NC Year,Tutor Group\n"
        "O'Neill,Siobhan,Shiv,Mary Kate,6,6A\n",
        Pupil(("Siobhan", "Shiv"), ("O'Neill",), ("Mary", "Kate"), "6", "6A"),
        id="bromcom",
    ),
    # Wonde: snake_case, forename is the preferred one when legal_forename is present
    pytest.param(
        "id,upn,forename,surname,legal_forename,legal_surname,middle_names,year_name,"
        "registration_name,date_of_birth\n"
        "A1,A123456789012,Millie,Jones,Amelia,Jones,Rose,Year 5,5B,2015-03-01\n",
        Pupil(("Amelia", "Millie"), ("Jones",), ("Rose",), "Year 5", "5B"),
        id="wonde",
    ),
    # DfE census: LEA, Estab, UPN, Surname, Forename, Middlenames, Sex, DOB
    pytest.param(
        "LEA,Estab,UPN,Surname,Forename,Middlenames,Sex,DOB,NCyearActual\n"
        "999,1001,A999999609170,Smith-Jones,Zoë, ,F,01/01/2015,4\n",
        Pupil(("Zoë",), ("Smith-Jones",), (), "4", None),
        id="dfe-census",
    ),
    # DfE template: Middle name(s), Date of birth
    pytest.param(
        "Surname,Forename,Middle name(s),Date of birth,Sex,UPN\n"
        "Jones,Amelia,Rose Anne,01/03/2015,F,A123456789012\n",
        Pupil(("Amelia",), ("Jones",), ("Rose", "Anne")),
        id="dfe-template",
    ),
    # "hypothetical MIS API" style, LegalForename/LegalSurname
    pytest.param(
        "LearnerId,Forename,LegalForename,MiddleName,Surname,LegalSurname,Year,UPN\n"
        "7,Millie,Amelia,,Jones,Jones,5,A123\n",
        Pupil(("Amelia", "Millie"), ("Jones",), (), "5", None),
        id="mis-api",
    ),
    # prefixed column names: Pupil Forename / Student Surname
    pytest.param(
        "Pupil Forename,Pupil Surname,Form\nAmelia,Jones,5B\n",
        Pupil(("Amelia",), ("Jones",), (), None, "5B"),
        id="prefixed",
    ),
    # one name column, register style
    pytest.param(
        'Name,Year\n"Jones, Amelia Rose",5\n',
        Pupil(("Amelia",), ("Jones",), ("Rose",), "5"),
        id="one-name-column",
    ),
    # semicolon-separated (European Excel), with a title line above the header
    pytest.param(
        "Class list 5B exported 01/09/2025\n\nForename;Surname;Class\nAmelia;Jones;5B\n",
        Pupil(("Amelia",), ("Jones",), (), None, "5B"),
        id="semicolons-title-line",
    ),
    # tab-separated, extra spaces around values
    pytest.param(
        "First Name\tLast Name\n  Amelia \t  Jones  \n",
        Pupil(("Amelia",), ("Jones",)),
        id="tabs-spaces",
    ),
]


@pytest.mark.parametrize(("text", "expected"), HEADER_VARIANTS)
def test_header_variants(tmp_path: Path, text: str, expected: Pupil):
    result = read_roster(write(tmp_path, text))
    assert result.pupils == [expected]
    assert result.report.rows == 1
    assert result.report.problems == ()


def test_the_dfe_census_fixture_from_the_corpus():
    result = read_roster(corpus("mis", "dfe_mtc_pupil_census_fixture_synthetic.csv"))
    assert len(result.pupils) == 79
    assert result.report.columns == {
        "forename": "Forename",
        "surname": "Surname",
        "middle_names": "Middlenames",
        "year": "NCyearActual",
    }
    assert result.pupils[0] == Pupil(("Mohsen",), ("Surname9991001",), (), "6", None)


def test_only_names_year_and_group_are_kept(tmp_path: Path):
    path = write(
        tmp_path,
        "UPN,Surname,Forename,DOB,FSMeligible,SENProvision,Year\n"
        "A999999609170,Jones,Amelia,01/01/2015,1,K,5\n",
    )
    result = read_roster(path)
    assert "A999999609170" not in repr(result)
    assert "01/01/2015" not in repr(result)
    assert set(result.report.columns) == {"forename", "surname", "year"}


ENCODINGS = [
    # UTF-8 without a BOM
    pytest.param("utf-8", b"", "UTF-8", id="utf-8"),
    # UTF-8 with a BOM (Excel "CSV UTF-8")
    pytest.param("utf-8", codecs.BOM_UTF8, "UTF-8 with BOM", id="utf-8-bom"),
    # Windows-1252 (Excel "CSV (Comma delimited)", SIMS reports)
    pytest.param("cp1252", b"", "Windows-1252", id="windows-1252"),
    # UTF-16 with BOM (Excel "Unicode Text")
    pytest.param("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16", id="utf-16"),
]


@pytest.mark.parametrize(("encoding", "bom", "label"), ENCODINGS)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes, label: str):
    path = tmp_path / "roster.csv"
    path.write_bytes(bom + "Forename,Surname\nZoë,Smith-Jones\nSiobhan,O’Neill\n".encode(encoding))
    result = read_roster(path)
    assert result.report.encoding == label
    assert [p.forenames[0] + " " + p.surnames[0] for p in result.pupils] == [
        "Zoë Smith-Jones",
        "Siobhan O’Neill",
    ]


def test_a_file_mixing_utf8_and_windows_1252_lines(tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_bytes(
        b"Forename,Surname\n"
        + "Zoë,Smith-Jones\n".encode()
        + "Chloé,Dubois\n".encode("cp1252")
        + "Renée,Martin\n".encode()
    )
    result = read_roster(path)
    assert [p.forenames[0] for p in result.pupils] == ["Zoë", "Chloé", "Renée"]
    assert result.report.encoding == "mixed UTF-8 and Windows-1252"
    assert result.report.notes == ("lines 3 are not UTF-8 and were read as Windows-1252",)


BAD_FILES = [
    # an empty file
    pytest.param(b"", "is empty", id="empty"),
    # only blank lines and a BOM
    pytest.param(codecs.BOM_UTF8 + b"\r\n\r\n", "is empty", id="blank-lines"),
    # a header and nothing else
    pytest.param(b"Forename,Surname\r\n", "no rows of data", id="header-only"),
    # columns that are not names: the error lists the headers found
    pytest.param(
        b"Colour,Size,Price\nred,L,10\n",
        "no pupil name column found; the headers are: 'Colour', 'Size', 'Price'",
        id="wrong-columns",
    ),
    # a forename column but no surname
    pytest.param(b"Forename,Class\nAmelia,5B\n", "no surname column found", id="no-surname"),
    # not text at all
    pytest.param(b"PK\x03\x04\x00\x00binary", "no pupil name column found", id="binary"),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_bad_files_are_refused_with_a_clear_message(tmp_path: Path, data: bytes, message: str):
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    with pytest.raises(RosterFileError, match=message.replace("(", r"\(")) as caught:
        read_roster(path)
    assert str(path) in str(caught.value)


def test_a_missing_file(tmp_path: Path):
    with pytest.raises(RosterFileError, match="cannot read"):
        read_roster(tmp_path / "nope.csv")


def test_bad_rows_are_reported_by_row_number_not_dropped(tmp_path: Path):
    path = write(
        tmp_path,
        "Forename,Surname,Year\n"  # row 1
        "Amelia,Jones,5\n"  # row 2
        ",Brown,5\n"  # row 3: no forename
        "Will,,5\n"  # row 4: no surname
        "\n"  # row 5: blank, not data
        f"{'X' * 201},Long,5\n"  # row 6: too long
        'Harry,"Thomas\nJunior",5\n'  # row 7: a quoted line break inside a field
        "Grace,May,5\n",  # row 8
    )
    result = read_roster(path)
    assert [p.forenames[0] for p in result.pupils] == ["Amelia", "Harry", "Grace"]
    assert result.pupils[1].surnames == ("Thomas Junior",)
    assert [str(p) for p in result.report.problems] == [
        "row 3: no forename",
        "row 4: no surname",
        "row 6: the forename is longer than 200 characters",
    ]
    assert result.report.rows == 6


def test_a_name_column_that_is_not_a_full_name(tmp_path: Path):
    result = read_roster(write(tmp_path, 'Name\n"Jones, Amelia"\nAmelia\nMrs Grace May\n'))
    assert [p.surnames[0] for p in result.pupils] == ["Jones", "May"]
    assert [str(p) for p in result.report.problems] == [
        "row 3: 'Amelia' is not a full name (expected 'Surname, Forename')"
    ]


def test_fifty_thousand_rows(tmp_path: Path):
    lines = ["UPN,Legal Surname,Legal Forename,Preferred Forename,Year,Reg Group"]
    for n in range(50_000):
        surname = "" if n == 25_000 else f"Surname{n}"
        lines.append(f"A{n:012d},{surname},Forename{n},,{7 + n % 5},{n % 30}")
    result = read_roster(write(tmp_path, "\r\n".join(lines) + "\r\n", encoding="cp1252"))
    assert len(result.pupils) == 49_999
    assert result.report.rows == 50_000
    assert [str(p) for p in result.report.problems] == ["row 25002: no surname"]
    assert result.pupils[-1] == Pupil(("Forename49999",), ("Surname49999",), (), "11", "19")


MAPS = [
    # names the MIS invented, mapped by hand
    pytest.param(
        "Given,Family,Tutor\nAmelia,Jones,5B\n",
        "forename=Given,surname=Family,reg_group=Tutor",
        Pupil(("Amelia",), ("Jones",), (), None, "5B"),
        id="custom-names",
    ),
    # the map wins over a column the automatic matching would pick
    pytest.param(
        "Forename,Known As,Surname\nAmelia,Millie,Jones\n",
        "forename=Known As,surname=Surname",
        Pupil(("Millie",), ("Jones",)),
        id="map-overrides",
    ),
    # header names are matched loosely (case, spaces, punctuation)
    pytest.param(
        "GIVEN NAME(S),FAMILY_NAME\nAmelia,Jones\n",
        "forename=given names,surname=family name",
        Pupil(("Amelia",), ("Jones",)),
        id="loose-header-match",
    ),
]


@pytest.mark.parametrize(("text", "mapping", "expected"), MAPS)
def test_an_explicit_column_map(tmp_path: Path, text: str, mapping: str, expected: Pupil):
    result = read_roster(write(tmp_path, text), parse_map(mapping, ROSTER_FIELDS))
    assert result.pupils == [expected]


BAD_MAPS = [
    # a field that does not exist
    pytest.param("firstname=Given", "field 'firstname' is unknown; the fields are: forename"),
    # no '='
    pytest.param("forename", "is not of the form FIELD=COLUMN"),
    # nothing at all
    pytest.param(" , ", "--map is empty"),
]


@pytest.mark.parametrize(("mapping", "message"), BAD_MAPS)
def test_bad_maps(mapping: str, message: str):
    with pytest.raises(RosterFileError, match=message):
        parse_map(mapping, ROSTER_FIELDS)


def test_a_map_naming_a_missing_column_lists_the_headers(tmp_path: Path):
    path = write(tmp_path, "Given,Family\nAmelia,Jones\n")
    with pytest.raises(
        RosterFileError, match=r"no such column; the headers are: 'Given', 'Family'"
    ):
        read_roster(path, parse_map("forename=First,surname=Family", ROSTER_FIELDS))


# --- staff ------------------------------------------------------------------------------------

STAFF_FILES = [
    # forename, surname, school address and personal addresses
    pytest.param(
        "Forename,Surname,Email,Personal Email\n"
        "Sarah,Collins,S.Collins@School.Example,sarah.c@gmail.com; sc@hotmail.co.uk\n",
        StaffMember(
            "Sarah",
            "Collins",
            "S.Collins@school.example",
            ("sarah.c@gmail.com", "sc@hotmail.co.uk"),
        ),
        id="split-name",
    ),
    # one name column with a title, register-style
    pytest.param(
        "Staff Name,Work Email\nMrs Sarah Collins,s.collins@school.example\n",
        StaffMember("Sarah", "Collins", "s.collins@school.example"),
        id="one-name-column",
    ),
    pytest.param(
        'Name,Email Address\n"Collins, Sarah",s.collins@school.example\n',
        StaffMember("Sarah", "Collins", "s.collins@school.example"),
        id="surname-comma",
    ),
]


@pytest.mark.parametrize(("text", "expected"), STAFF_FILES)
def test_staff_files(tmp_path: Path, text: str, expected: StaffMember):
    result = read_staff(write(tmp_path, text, "staff.csv"))
    assert result.members == [expected]
    assert result.report.problems == ()


def test_staff_rows_with_bad_addresses(tmp_path: Path):
    path = write(
        tmp_path,
        "Forename,Surname,Email,Personal Email\n"
        "Sarah,Collins,s.collins@school.example,not-an-address\n"  # row 2: personal left out
        "Daniel,Hughes,d.hughes@,\n"  # row 3: bad school address
        "Dan,Hughes,,\n"  # row 4: no school address
        ",,x@school.example,\n"  # row 5: no name
        "Sally,Collins,S.COLLINS@school.example,\n",  # row 6: same address as row 2
        "staff.csv",
    )
    result = read_staff(path)
    assert result.members == [StaffMember("Sarah", "Collins", "s.collins@school.example")]
    problems = [str(p) for p in result.report.problems]
    assert problems[0].startswith("row 2: personal address 'not-an-address' left out: ")
    assert problems[1].startswith("row 3: 'd.hughes@' is not a valid email address: ")
    assert problems[2:] == [
        "row 4: no school email address",
        "row 5: no name (forename and surname)",
        "row 6: S.COLLINS@school.example is already on row 2",
    ]


def test_a_staff_file_without_addresses_is_refused(tmp_path: Path):
    with pytest.raises(RosterFileError, match="no staff school email address column found"):
        read_staff(write(tmp_path, "Forename,Surname\nSarah,Collins\n", "staff.csv"))


def test_staff_map(tmp_path: Path):
    path = write(tmp_path, "Who,Mailbox\nSarah Collins,s.collins@school.example\n", "staff.csv")
    result = read_staff(path, parse_map("name=Who,email=Mailbox", STAFF_FIELDS))
    assert result.members == [StaffMember("Sarah", "Collins", "s.collins@school.example")]


NAME_ORDERS = [
    # a "Name Order" column saying the family name comes first
    pytest.param("Family name first", True, id="family-name-first"),
    # other wordings of the same
    pytest.param("surname-first", True, id="surname-first"),
    pytest.param("Yes", True, id="yes"),
    # the usual order, or nothing said
    pytest.param("Given name first", False, id="given-first"),
    pytest.param("", False, id="blank"),
]


@pytest.mark.parametrize(("cell", "family_first"), NAME_ORDERS)
def test_a_name_order_column_marks_family_name_first_pupils(
    tmp_path: Path, cell: str, family_first: bool
):
    path = write(tmp_path, f"Surname,Forename,Name Order,Year\nWang,Xiaoming,{cell},8\n")
    [pupil] = read_roster(path).pupils
    assert pupil == Pupil(("Xiaoming",), ("Wang",), (), "8", None, family_name_first=family_first)


def test_a_family_name_first_pupil_survives_the_worker_snapshot(tmp_path: Path):
    from gateway.directory.snapshot import read_snapshot, write_snapshot
    from models import Directory

    directory = Directory(
        pupils=(Pupil(("Xiaoming",), ("Wang",), family_name_first=True), Pupil(("A",), ("B",))),
        version="v1",
    )
    assert read_snapshot(write_snapshot(directory, tmp_path / "snap")) == directory
