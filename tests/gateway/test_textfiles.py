"""gateway.textfiles: one decoder and one CSV sniffer for mail parts and MIS exports."""

from __future__ import annotations

import codecs
import csv

import pytest

from gateway.textfiles.delimited import sniff
from gateway.textfiles.encoding import decode, decode_text

TEXT = "Zoë Ní Bhriain, £5 – trip"


@pytest.mark.parametrize(
    ("data", "declared", "encoding"),
    [
        (codecs.BOM_UTF8 + TEXT.encode(), None, "UTF-8 with BOM"),  # Excel's "CSV UTF-8"
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), None, "UTF-16"),  # "Unicode text"
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), None, "UTF-16"),
        # UTF-32 LE's BOM begins with UTF-16 LE's: it must not be read as UTF-16.
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), None, "UTF-32"),
        (TEXT.encode("cp1252"), "windows-1252", "cp1252"),  # a declared charset that fits
        (TEXT.encode(), "unknown-8bit", "UTF-8"),  # a charset that does not exist
        (TEXT.encode(), "us-ascii", "UTF-8"),  # "ASCII" that is not: ignored
        (TEXT.encode(), "iso-8859-1-typo", "UTF-8"),
        (TEXT.encode("cp1252"), None, "Windows-1252"),  # undeclared, not UTF-8
    ],
)
def test_decode_says_what_it_read(data: bytes, declared: str | None, encoding: str):
    decoded = decode(data, declared)
    assert decoded.text == TEXT
    assert decoded.encoding == encoding
    assert decoded.notes == ()


def test_a_declared_charset_that_does_not_fit_falls_back_to_utf8():
    wrong = decode("Zoë!".encode(), "utf-16-le")  # five bytes: cannot be UTF-16
    assert wrong.text == "Zoë!" and wrong.encoding == "UTF-8"


def test_mixed_lines_are_read_each_as_what_it_is_and_named():
    data = "Zoë,Y4\n".encode() + "Siân,Y5\n".encode("cp1252") + "Chloé,Y6\n".encode("cp1252")
    decoded = decode(data)
    assert decoded.text == "Zoë,Y4\nSiân,Y5\nChloé,Y6\n"
    assert decoded.encoding == "mixed UTF-8 and Windows-1252"
    assert decoded.notes == ("lines 2, 3 are not UTF-8 and were read as Windows-1252",)
    assert decode_text(data) == decoded.text


def test_decode_never_raises_on_garbage():
    assert isinstance(decode_text(bytes(range(256)) * 4, "utf-8"), str)


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("Forename,Surname,Year\nAmelia,Jones,4\nOliver,Smith,5\n", ","),
        ("Forename;Surname;Year\nAmelia;Jones;4\nOliver;Smith;5\n", ";"),  # European Excel
        ("Forename\tSurname\tYear\nAmelia\tJones\t4\nOliver\tSmith\t5\n", "\t"),
        ("Forename|Surname|Year\nAmelia|Jones|4\nOliver|Smith|5\n", "|"),
        ("Forename,Surname\n\nAmelia,Jones\n\nOliver,Smith\n", ","),  # blank lines between
        ("Forename;Surname\nAmelia;Jones\nOliver;Sm", ";"),  # the sample cut mid-line
    ],
)
def test_sniff_finds_the_delimiter(sample: str, delimiter: str):
    assert sniff(sample)[1] == delimiter


def test_a_known_header_decides_even_below_a_title_line():
    """An MIS export with a title line above the header: the title has commas, the
    header has semicolons; the header is what we know."""
    sample = "Class list, Year 4, printed 2 Dec\nForename;Surname;UPN\nAmelia;Jones;A1\n"
    known = {"forename", "surname", "upn"}
    assert sniff(sample, lambda cell: cell.strip().lower() in known)[1] == ";"


def test_one_line_without_delimiters_reads_as_comma_separated():
    dialect, delimiter = sniff("just one column")
    assert delimiter == ","
    assert list(csv.reader(["just one column"], dialect, delimiter=delimiter)) == [
        ["just one column"]
    ]
