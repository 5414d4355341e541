"""Hostile and broken attachments: bounded by the limits, recorded as unscannable with a
clear reason, never an exception out of parse_message.

The timeouts are guards against a hang, not speed targets (those are in bench/).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import openpyxl
import pytest

from gateway.scanning.extract import Limits
from tests.gateway.extract import files
from tests.gateway.extract.mail import block, parse, parse_attached, part
from tests.support import corpus

pytestmark = pytest.mark.timeout(60)

GIGABYTE = 1024**3
MEGABYTE = 1024**2


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """1 GB of zeros in one zip member (about 4.5 MB compressed)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        chunk = bytes(MEGABYTE)
        for _ in range(GIGABYTE // MEGABYTE):
            member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """1 GB of zeros gzipped (about 4.5 MB)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MEGABYTE)
    return b"".join(
        [compressor.compress(chunk) for _ in range(GIGABYTE // MEGABYTE)] + [compressor.flush()]
    )


def test_zip_bomb_stops_at_the_file_size_limit(zip_bomb: bytes) -> None:
    message = parse_attached("photos.zip", zip_bomb)
    assert part(message, "photos.zip").unscannable is None  # the archive itself was listed
    member = part(message, "photos.zip/zeros.bin")
    assert member.unscannable == f"limit reached: a file larger than {Limits().max_file_size} bytes"
    assert any("zeros.bin" in reason for reason in message.facts.unscanned)


def test_gzip_bomb_stops_at_the_file_size_limit(gzip_bomb: bytes) -> None:
    message = parse_attached("notes.txt.gz", gzip_bomb)
    reason = part(message, "notes.txt.gz").unscannable or ""
    assert reason.startswith("limit reached: a file larger than")


def test_7z_holding_a_file_over_the_limit_is_not_decompressed() -> None:
    """In a solid 7z the big file would be decompressed (in one block) to reach the
    note after it, so the archive is refused before any decompression."""
    data = files.seven_zip({"zeros.bin": bytes(60 * MEGABYTE), "note.txt": b"Amelia Jones"})
    message = parse_attached("photos.7z", data)
    reason = part(message, "photos.7z").unscannable or ""
    assert reason == f"limit reached: zeros.bin is larger than {Limits().max_file_size} bytes"


def test_zip_member_lying_about_its_size_is_cut_off_and_reported() -> None:
    """Declares 1,000 bytes but inflates to 20 MB: zipfile stops at the declared size,
    so the bytes reserved are the bytes produced, and the CRC check then fails."""
    data = bytearray(files.zip_of({"zeros.bin": bytes(20 * MEGABYTE)}))
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the directory
    message = parse_attached("small.zip", bytes(data))
    reason = part(message, "small.zip/zeros.bin").unscannable or ""
    assert "could not read this file from the zip" in reason
    assert "CRC" in reason


def test_many_large_members_stop_at_the_message_total() -> None:
    """Eight members of 30 MB each: the message's decompressed total (200 MB) stops them."""
    members = {f"copy{n}.txt": b"x" * (30 * MEGABYTE) for n in range(8)}
    message = parse_attached("copies.zip", files.zip_of(members))
    reasons = [p.unscannable for p in message.facts.parts if p.path.startswith("copies.zip/")]
    assert f"limit reached: more than {Limits().max_expanded_size} bytes after decompression" in (
        reasons
    )


def test_ten_thousand_member_zip_is_cut_at_the_part_limit() -> None:
    members = {f"pupil{n:05d}.txt": f"Pupil number {n}".encode() for n in range(10_000)}
    message = parse_attached("many.zip", files.zip_of(members))
    assert len(message.facts.parts) == Limits().max_parts
    assert message.facts.parts[1].path == "many.zip"  # the archive itself is always listed
    assert any("files not read (more than 500 parts)" in r for r in message.facts.unscanned)


def test_deeply_nested_zips_stop_at_the_depth_limit() -> None:
    inner = b"the innermost secret"
    for level in range(30):
        inner = files.zip_of({f"level{level}.txt": f"level {level}".encode(), "inner.zip": inner})
    message = parse_attached("deep.zip", inner)
    assert "level 28" in block(message, "attachment:deep.zip/inner.zip/level28.txt").text
    assert not any("innermost" in t.text for t in message.texts)
    assert any("nested deeper than 8 levels" in r for r in message.facts.unscanned)


def test_file_embedded_in_a_pdf_over_the_limit_is_not_read() -> None:
    data = files.pdf_with_files({"big.txt": b"Amelia Jones " * 10_000, "note.txt": b"small"})
    message = parse_attached("letter.pdf", data, limits=Limits(max_file_size=50_000))
    assert part(message, "letter.pdf").unscannable is None
    reason = part(message, "letter.pdf/big.txt").unscannable or ""
    assert reason == "limit reached: a file larger than 50000 bytes"
    assert not any("Amelia" in t.text for t in message.texts)
    assert "small" in block(message, "attachment:letter.pdf/note.txt").text


def test_pdfs_embedded_in_pdfs_stop_at_the_depth_limit() -> None:
    inner = b"the innermost secret"
    for level in range(12):
        inner = files.pdf_with_files({f"level{level}.txt": b"level", "inner.pdf": inner})
    message = parse_attached("deep.pdf", inner)
    assert not any("innermost" in t.text for t in message.texts)
    assert any("nested deeper than 8 levels" in r for r in message.facts.unscanned)


def test_password_protected_zip_embedded_in_a_pdf_is_recorded_as_encrypted() -> None:
    protected = corpus("mime", "attachments", "aesop_win_7z.aes256.zip").read_bytes()
    message = parse_attached("letter.pdf", files.pdf_with_files({"pupils.zip": protected}))
    assert part(message, "letter.pdf/pupils.zip").encryption == "zip-aes"


def test_sheet_declaring_every_possible_cell_is_read_by_its_real_cells() -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "Amelia"
    book.active["XFD1048576"] = "Jones"  # dimension A1:XFD1048576
    buffer = io.BytesIO()
    book.save(buffer)
    table = block(parse_attached("wide.xlsx", buffer.getvalue()), "attachment:wide.xlsx#Sheet")
    assert [row.number for row in table.rows] == [1, 1_048_576]
    assert table.rows[1].cells[-1] == "Jones"


def test_ods_with_a_million_repeated_rows_and_cells() -> None:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell'
        ' table:number-columns-repeated="1000000"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    data = files.zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": content.encode(),
        }
    )
    table = block(parse_attached("big.ods", data), "attachment:big.ods#S")
    assert table.rows[0].number == 1_048_576
    assert len(table.rows) == 100  # a repeated row holding text is copied at most 100 times
    assert len(table.rows[0].cells) == 100


def test_text_limit_cuts_a_long_pdf_and_says_so() -> None:
    message = parse_attached("long.pdf", files.big_pdf(20), limits=Limits(max_text_chars=5000))
    assert sum(len(t.text) for t in message.texts) <= 5000
    assert any("text limit reached" in r or "5000 characters" in r for r in message.facts.unscanned)


def test_text_limit_cuts_a_long_sheet_by_whole_rows() -> None:
    message = parse_attached("big.xlsx", files.big_xlsx(2000), limits=Limits(max_text_chars=20_000))
    table = block(message, "attachment:big.xlsx#Pupils")
    assert 0 < len(table.rows) < 2001
    assert table.text.count("\n") == len(table.rows) - 1
    assert any("not read (text limit reached)" in r for r in message.facts.unscanned)


def _truncated(build: Callable[[], bytes]) -> Callable[[], bytes]:
    return lambda: build()[: len(build()) // 2]


def _zip_with_broken_xml(kind: str) -> bytes:
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
    return files.zip_of({"[Content_Types].xml": b"<Types/>", main[kind]: b"<not xml"})


CORRUPT = [
    pytest.param(
        "report.docx", _truncated(files.docx), "could not read this DOCX file", id="truncated docx"
    ),
    pytest.param(
        "list.xlsx", _truncated(files.xlsx), "could not read this XLSX file", id="truncated xlsx"
    ),
    pytest.param(
        "letter.pdf", _truncated(files.pdf), "could not read this PDF file", id="truncated pdf"
    ),
    pytest.param(
        "trip.pptx", _truncated(files.pptx), "could not read this PPTX file", id="truncated pptx"
    ),
    pytest.param(
        "list.ods", _truncated(files.ods), "could not read this ODS file", id="truncated ods"
    ),
    pytest.param(
        "class.7z",
        _truncated(lambda: files.seven_zip({"a.txt": b"a" * 5000})),
        "could not read this 7Z file",
        id="truncated 7z",
    ),
    pytest.param(
        "notes.gz",
        _truncated(lambda: files.gzipped(b"a" * 5000)),
        "could not read this GZIP file",
        id="truncated gzip",
    ),
    pytest.param(
        "meeting.msg",
        _truncated(lambda: files.msg("s", "b", {"a.txt": b"a" * 9000})),
        "could not read this MSG file",
        id="truncated msg",
    ),
    pytest.param(
        "report.docx",
        lambda: _zip_with_broken_xml("docx"),
        "could not read this DOCX file",
        id="docx with broken XML",
    ),
    pytest.param(
        "list.xlsx",
        lambda: _zip_with_broken_xml("xlsx"),
        "could not read this XLSX file",
        id="xlsx with broken XML",
    ),
    pytest.param(
        "trip.pptx",
        lambda: _zip_with_broken_xml("pptx"),
        "could not read this PPTX file",
        id="pptx with broken XML",
    ),
    pytest.param(
        "signed.p7m",
        lambda: b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80",
        "could not read this S/MIME file",
        id="truncated S/MIME blob",
    ),
    pytest.param(
        "photo.rar",
        lambda: b"Rar!\x1a\x07\x01\x00" + bytes(100),
        "rar files are not read",
        id="rar is recorded, not read",
    ),
]


@pytest.mark.parametrize(("name", "build", "reason"), CORRUPT)
def test_corrupt_file_is_unscannable_with_a_reason(
    name: str, build: Callable[[], bytes], reason: str
) -> None:
    message = parse_attached(name, build())
    unscannable = part(message, name).unscannable or ""
    assert unscannable.startswith(reason)
    assert f"{name}: {unscannable}" in message.facts.unscanned


UNREADABLE = [
    pytest.param("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), id="image"),
    pytest.param("setup.bin", bytes(range(256)) * 4, id="unknown binary"),
]


@pytest.mark.parametrize(("name", "data"), UNREADABLE)
def test_images_and_unknown_binaries_are_recorded_not_flagged(name: str, data: bytes) -> None:
    message = parse_attached(name, data)
    assert part(message, name).unscannable is None
    assert not message.facts.unscanned


def test_smime_blob_nested_too_deeply_is_unscannable() -> None:
    blob = b"\x30\x80" * 5000 + b"\x00\x00" * 5000
    raw = (
        b"From: a@school.example\r\nTo: b@example.net\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + _base64(blob)
    )
    message = parse(raw)
    assert message.facts.encryption is None  # a label is not trusted without the content
    assert "S/MIME content could not be read" in (message.facts.parts[0].unscannable or "")


def _base64(data: bytes) -> bytes:
    import base64

    return base64.encodebytes(data)
