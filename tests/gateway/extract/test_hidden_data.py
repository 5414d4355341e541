"""Data behind an image, OLE or TNEF header is read or flagged, never waved through.

The red-team run delivered a PNG or JPEG header followed by a card number and an NHS
number, an OLE file olefile cannot open named secret.docx, and Outlook's winmail.dat,
none of them read or flagged. The images here are made by Pillow, the TNEF streams are
built attribute by attribute as MS-OXTNEF lays them out (nothing here writes TNEF), and
the compressed RTF bodies are made by compressed_rtf.
"""

from __future__ import annotations

import io
import json
import struct
from email.message import EmailMessage
from pathlib import Path

import pytest
from compressed_rtf import compress
from PIL import Image, PngImagePlugin

from tests.gateway.extract import files
from tests.gateway.extract.cfb import write_cfb
from tests.gateway.extract.mail import RECIPIENT, SENDER, block, parse, parse_attached, part
from tests.gateway.test_scan_cli import run_scan
from tests.support import corpus

CARD = "4111 1111 1111 1111"
NHS = "943 476 5919"
SECRET = f"Card {CARD} NHS number {NHS}"


def _picture(kind: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 90)).save(buffer, kind, **options)
    return buffer.getvalue()


IMAGE_KINDS = ["PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"]


# --- images -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "magic"),
    [("photo.png", b"\x89PNG\r\n\x1a\n"), ("photo.jpg", b"\xff\xd8\xff\xe0")],
    ids=["png", "jpeg"],
)
def test_image_magic_followed_by_text_is_read(name: str, magic: bytes) -> None:
    """The red-team file: a bare image signature, then the data."""
    message = parse_attached(name, magic + SECRET.encode() + b"\r\n")
    text = block(message, f"attachment:{name}").text
    assert CARD in text and NHS in text
    assert part(message, name).unscannable is None


@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_text_after_a_real_image_is_read_as_a_part_of_its_own(kind: str) -> None:
    name = f"photo.{kind.lower()}"
    message = parse_attached(name, _picture(kind) + SECRET.encode())
    inner = f"{name}/data after the {kind} image"
    assert block(message, f"attachment:{inner}").text == SECRET
    assert part(message, inner).unscannable is None
    assert part(message, name).unscannable is None
    assert not message.facts.unscanned


@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_a_plain_photo_has_no_text_and_is_not_unscannable(kind: str) -> None:
    name = f"photo.{kind.lower()}"
    message = parse_attached(name, _picture(kind))
    assert part(message, name).unscannable is None
    assert [p.path for p in message.facts.parts if p.path.startswith(name)] == [name]
    assert not [t for t in message.texts if t.location.startswith(f"attachment:{name}")]
    assert not message.facts.unscanned


def test_a_real_photo_from_a_camera_layout_is_quiet() -> None:
    """EXIF with camera make and dates, and a progressive scan: no text, no flag."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0132] = "2024:05:14 10:22:33"
    photo = _picture("JPEG", exif=exif.tobytes(), progressive=True, quality=70)
    message = parse_attached("trip.jpg", photo)
    assert not [t for t in message.texts if t.location.startswith("attachment:trip.jpg")]
    assert part(message, "trip.jpg").unscannable is None


def test_png_text_chunks_are_read() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"Amelia Jones {NHS}")
    info.add_text("Description", "Referred to CAMHS", zip=True)
    info.add_itxt("Title", "Zoë Smith-Patel", zip=True)
    message = parse_attached("chart.png", _picture("PNG", pnginfo=info))
    text = block(message, "attachment:chart.png").text
    assert f"Comment: Amelia Jones {NHS}" in text
    assert "Description: Referred to CAMHS" in text
    assert "Title: Zoë Smith-Patel" in text


def test_jpeg_comment_and_exif_descriptions_are_read() -> None:
    exif = Image.Exif()
    exif[0x010E] = f"Amelia Jones NHS {NHS}"  # ImageDescription
    exif[0x9C9C] = "Oliver O'Neill".encode("utf-16-le") + b"\0\0"  # XPComment
    photo = _picture("JPEG", exif=exif.tobytes(), comment=f"Card {CARD}")
    text = block(parse_attached("p.jpg", photo), "attachment:p.jpg").text
    assert f"Card {CARD}" in text
    assert f"Amelia Jones NHS {NHS}" in text
    assert "Oliver O'Neill" in text


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-'
    b'rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:'
    b'xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmpMM:DocumentID="xmp.did:01801174072068118">'
    b'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Amelia Jones at sports day'
    b"</rdf:li></rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"
)


@pytest.mark.parametrize("kind", ["JPEG", "WEBP"])
def test_xmp_captions_are_read_and_its_identifiers_are_not(kind: str) -> None:
    message = parse_attached("day.img", _picture(kind, xmp=XMP))
    assert block(message, "attachment:day.img").text == "Amelia Jones at sports day"


def test_gif_comment_is_read() -> None:
    text = block(
        parse_attached("a.gif", _picture("GIF", comment=SECRET.encode())), "attachment:a.gif"
    ).text
    assert text == SECRET


def test_a_zip_appended_to_a_photo_is_read_as_a_zip() -> None:
    archive = files.zip_of({"list.txt": SECRET.encode()})
    message = parse_attached("cat.jpg", _picture("JPEG") + archive)
    inner = "cat.jpg/data after the JPEG image"
    assert block(message, f"attachment:{inner}/list.txt").text == SECRET


def test_a_truncated_png_is_read_for_printable_text() -> None:
    data = _picture("PNG")
    broken = data[: len(data) - 12] + b"\0" * 40 + SECRET.encode()  # no IEND
    message = parse_attached("cut.png", broken)
    assert SECRET in block(message, "attachment:cut.png").text
    assert part(message, "cut.png").unscannable is None


# --- OLE and unknown binaries -------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_ole_file_olefile_cannot_read_named_docx_is_unscannable() -> None:
    data = OLE_MAGIC + bytes(200) + SECRET.encode() + bytes(300)
    message = parse_attached("secret.docx", data)
    reason = part(message, "secret.docx").unscannable or ""
    assert reason.startswith("could not read this OLE file")
    assert f"secret.docx: {reason}" in message.facts.unscanned
    assert SECRET in block(message, "attachment:secret.docx").text  # what can be seen is


def test_readable_ole_of_an_unknown_kind_has_its_streams_read() -> None:
    data = write_cfb({"Contents": "Newsletter for Amelia Jones".encode("utf-16-le")})
    message = parse_attached("newsletter.pub", data)
    assert "Newsletter for Amelia Jones" in block(message, "attachment:newsletter.pub").text
    assert part(message, "newsletter.pub").unscannable is None


def test_readable_ole_of_another_kind_named_docx_is_unscannable() -> None:
    data = write_cfb({"Contents": b"nothing a reader knows"})
    reason = part(parse_attached("secret.docx", data), "secret.docx").unscannable or ""
    assert reason.startswith("named .docx but an OLE file of another kind")


def test_binary_named_as_a_document_is_unscannable_and_its_text_scanned() -> None:
    data = bytes(range(1, 9)) * 50 + SECRET.encode() + bytes(64)
    message = parse_attached("report.pdf", data)
    reason = part(message, "report.pdf").unscannable or ""
    assert reason.startswith("named .pdf but not a file of that kind")
    assert SECRET in block(message, "attachment:report.pdf").text


def test_unknown_binary_has_its_printable_runs_scanned() -> None:
    data = bytes(range(1, 9)) * 50 + SECRET.encode() + bytes(64)
    data += "Oliver O'Neill".encode("utf-16-le") + bytes(8)
    message = parse_attached("setup.bin", data)
    text = block(message, "attachment:setup.bin").text
    assert SECRET in text and "Oliver O'Neill" in text
    assert part(message, "setup.bin").unscannable is None


def test_video_is_recorded_not_unscannable_and_hidden_text_found() -> None:
    video = struct.pack(">I", 24) + b"ftypmp42" + bytes(12) + bytes(range(256)) * 40
    message = parse_attached("assembly.mp4", video + SECRET.encode())
    assert part(message, "assembly.mp4").unscannable is None
    assert SECRET in block(message, "attachment:assembly.mp4").text


# --- TNEF (winmail.dat) -------------------------------------------------------------


def _attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
    """One TNEF attribute: level, id (name, type), length, data, checksum."""
    header = struct.pack("<BHHI", level, name, kind, len(data))
    return header + data + struct.pack("<H", sum(data) & 0xFFFF)


def _mapi(*props: tuple[int, int, bytes]) -> bytes:
    """A MAPI property list of (type, id, value) with one value each (strings, binary)."""
    out = struct.pack("<I", len(props))
    for kind, prop, value in props:
        out += struct.pack("<HHII", kind, prop, 1, len(value)) + value + b"\0" * (-len(value) % 4)
    return out


def tnef(
    subject: str,
    rtf: bytes | None,
    attachments: dict[str, bytes],
    embedded: tuple[str, bytes] | None = None,
) -> bytes:
    """A TNEF stream as Outlook writes one: version, code page, class, subject, the
    message's MAPI properties (the compressed RTF body), then each attachment, and an
    attached message (itself a TNEF stream) when given."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _attribute(1, 0x9006, 8, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += _attribute(1, 0x9007, 6, struct.pack("<II", 1252, 0))  # attOemCodepage
    out += _attribute(1, 0x8008, 7, b"IPM.Microsoft Mail.Note\0")  # attMessageClass
    out += _attribute(1, 0x8004, 1, subject.encode("cp1252") + b"\0")  # attSubject
    if rtf is not None:
        out += _attribute(1, 0x9003, 6, _mapi((0x0102, 0x1009, compress(rtf))))  # attMsgProps
    for name, data in attachments.items():
        out += _attribute(2, 0x9002, 6, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
        out += _attribute(2, 0x8010, 1, name.encode("cp1252") + b"\0")  # attAttachTitle
        out += _attribute(2, 0x800F, 6, data)  # attAttachData
        long_name = name.encode("cp1252") + b"\0"
        out += _attribute(2, 0x9005, 6, _mapi((0x001E, 0x3707, long_name)))  # attAttachment
    if embedded is not None:
        name, stream = embedded
        out += _attribute(2, 0x9002, 6, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
        props = ((0x001E, 0x3707, name.encode() + b"\0"), (0x000D, 0x3701, IMESSAGE + stream))
        out += _attribute(2, 0x9005, 6, _mapi(*props))
    return out


IMESSAGE = b"\x07\x03\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"
"""IID_IMessage: how an attachment says it is a whole message."""


def _rtf(text: str) -> bytes:
    return (
        b"{\\rtf1\\ansi\\ansicpg1252\\fromtext\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
        b"\\f0\\fs20 " + text.encode("cp1252") + b"\\par\n}"
    )


def _tnef_mail(data: bytes, name: str = "winmail.dat") -> bytes:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = RECIPIENT
    message["Subject"] = "Referral"
    message.set_content("See attached.")
    message.add_attachment(data, maintype="application", subtype="ms-tnef", filename=name)
    return message.as_bytes()


def test_winmail_dat_body_and_attachments_are_read() -> None:
    data = tnef(
        "Referral for Amelia Jones",
        _rtf(f"Her NHS number is {NHS}."),
        {"notes.txt": f"Card {CARD}".encode(), "list.csv": b"Forename,Surname\nZo\xeb,Smith\n"},
    )
    message = parse(_tnef_mail(data))
    body = block(message, "attachment:winmail.dat").text
    assert body == f"Referral for Amelia Jones\nHer NHS number is {NHS}."
    assert block(message, "attachment:winmail.dat/notes.txt").text == f"Card {CARD}"
    assert "Zoë" in block(message, "attachment:winmail.dat/list.csv").text
    assert part(message, "winmail.dat").unscannable is None
    assert part(message, "winmail.dat/notes.txt").depth == part(message, "winmail.dat").depth + 1
    assert not message.facts.unscanned


def test_a_message_attached_inside_winmail_dat_is_read() -> None:
    inner = tnef("Fwd: Oliver O'Neill", _rtf(f"NHS {NHS}"), {"plan.txt": b"Care plan"})
    message = parse(_tnef_mail(tnef("Cover", None, {}, embedded=("Fwd.msg", inner))))
    text = block(message, "attachment:winmail.dat/Fwd.msg").text
    assert text == f"Fwd: Oliver O'Neill\nNHS {NHS}"
    assert block(message, "attachment:winmail.dat/Fwd.msg/plan.txt").text == "Care plan"


def test_hostile_counts_in_winmail_dat_are_refused_not_looped_over() -> None:
    """A property count of four billion in a 300-byte file: tnefparse would loop over
    it for hours; the stream is refused at once."""
    data = bytearray(tnef("Subject", _rtf("Body"), {"a.txt": b"text"}))
    props = data.index(struct.pack("<BH", 1, 0x9003)) + 9  # attMsgProps' data
    data[props : props + 4] = b"\xff\xff\xff\xff"
    message = parse(_tnef_mail(_fix_checksums(bytes(data))))
    reason = part(message, "winmail.dat").unscannable or ""
    assert reason.startswith("could not read this TNEF (winmail.dat) file")
    assert "a MAPI count of 4294967295" in reason


def test_a_real_outlook_winmail_dat_with_only_a_compressed_rtf_body_is_read() -> None:
    """Sent by Outlook in 2002 (SpamAssassin's ham corpus): subject and RTF body only."""
    raw = corpus("benign_more", "spamassassin_easy_ham_1", _OUTLOOK_TNEF).read_bytes()
    message = parse(raw)
    text = block(message, "attachment:part-1").text
    assert "Don\u2019t get ripped off by expensive hotel, payphone and mobile charges." in text
    assert part(message, "part-1").content_type == "application/ms-tnef"
    assert not message.facts.unscanned


_OUTLOOK_TNEF = "00067.23813c5ac6ce66fd892ee5501fd5dbd2.eml"


def test_winmail_dat_attachments_obey_the_nesting_limit() -> None:
    inner: bytes = f"Card {CARD}".encode()
    for _ in range(12):
        inner = tnef("Fwd", None, {"winmail.dat": inner})
    message = parse(_tnef_mail(inner))
    assert any("nested deeper than" in r for r in message.facts.unscanned)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"\x00\x01\x02\x03" + bytes(200), "Wrong TNEF signature"),
        (tnef("Subject", _rtf("Body"), {"a.txt": b"x" * 200})[:60], ""),
    ],
    ids=["not TNEF at all", "truncated"],
)
def test_winmail_dat_that_cannot_be_parsed_is_unscannable(data: bytes, detail: str) -> None:
    message = parse(_tnef_mail(data))
    reason = part(message, "winmail.dat").unscannable or ""
    assert reason.startswith("could not read this TNEF (winmail.dat) file")
    assert detail in reason


def test_winmail_dat_with_a_corrupt_rtf_body_is_not_fully_scanned() -> None:
    good = tnef("Subject", _rtf("Body text"), {"a.txt": b"attachment text"})
    rtf = compress(_rtf("Body text"))
    broken = good.replace(rtf, rtf[:16] + bytes(len(rtf) - 16))  # CRC no longer matches
    broken = _fix_checksums(broken)
    message = parse(_tnef_mail(broken))
    assert any("RTF body could not be read" in r for r in message.facts.unscanned)
    assert block(message, "attachment:winmail.dat/a.txt").text == "attachment text"


def _fix_checksums(data: bytes) -> bytes:
    """Recompute each attribute's checksum (tnefparse ignores them; Outlook does not)."""
    out, pos = bytearray(data[:6]), 6
    while pos < len(data):
        length = struct.unpack_from("<I", data, pos + 5)[0]
        body = data[pos + 9 : pos + 9 + length]
        out += data[pos : pos + 9] + body + struct.pack("<H", sum(body) & 0xFFFF)
        pos += 11 + length
    return bytes(out)


# --- Outlook .msg compressed RTF bodies ---------------------------------------------


def _msg_with_rtf(body: str | None, rtf: bytes) -> bytes:
    tree = files.msg_tree("Meeting notes", body or "", {})
    if body is None:
        del tree["__substg1.0_1000001F"]
    tree["__substg1.0_10090102"] = compress(rtf)
    return write_cfb(tree)


def test_msg_with_only_a_compressed_rtf_body_is_read() -> None:
    data = _msg_with_rtf(None, _rtf(f"Amelia Jones, NHS number {NHS}"))
    text = block(parse_attached("meeting.msg", data), "attachment:meeting.msg").text
    assert text == f"Meeting notes\nAmelia Jones, NHS number {NHS}"


def test_msg_rtf_body_adds_only_what_the_plain_body_lacks() -> None:
    rtf = _rtf("Notes for the meeting.\\par Hidden: card " + CARD)
    data = _msg_with_rtf("Notes for the meeting.", rtf)
    text = block(parse_attached("meeting.msg", data), "attachment:meeting.msg").text
    assert text == f"Meeting notes\nNotes for the meeting.\nHidden: card {CARD}"


# --- end to end through the scan workers --------------------------------------------


def test_scan_finds_the_nhs_number_in_a_winmail_dat(tmp_path: Path) -> None:
    mail = tmp_path / "winmail.eml"
    mail.write_bytes(_tnef_mail(tnef("Referral", _rtf(f"NHS number {NHS}"), {})))
    result = run_scan(str(mail), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    found = [(f["type"], f["location"]) for f in line["findings"]]
    assert ("UK_NHS", "attachment:winmail.dat") in found, line
