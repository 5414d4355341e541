"""Protected attachments built here (the corpus has more): recognised without a password,
with the right kind; and their unprotected look-alikes read normally."""

from __future__ import annotations

import base64
import io
import os
import zipfile
from collections.abc import Callable

import msoffcrypto
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from tests.gateway.extract import files
from tests.gateway.extract.mail import block, parse_attached, part
from tests.support import corpus
from tests.tlsutil import rsa_certificate

SECRET_TEXT = b"Content-Type: text/plain\r\n\r\nAmelia Jones, DOB 14/05/2012\r\n"


CERTIFICATE, KEY = rsa_certificate()


def enveloped_der() -> bytes:
    builder = pkcs7.PKCS7EnvelopeBuilder().set_data(SECRET_TEXT).add_recipient(CERTIFICATE)
    return builder.encrypt(serialization.Encoding.DER, [])


def opaque_signed_der() -> bytes:
    builder = pkcs7.PKCS7SignatureBuilder().set_data(SECRET_TEXT)
    builder = builder.add_signer(CERTIFICATE, KEY, hashes.SHA256())
    return builder.sign(serialization.Encoding.DER, [])


def encrypted_docx() -> bytes:
    office = msoffcrypto.OfficeFile(io.BytesIO(files.docx()))
    encrypted = io.BytesIO()
    office.encrypt("Password1234_", encrypted)
    return encrypted.getvalue()


def pdf_with(encryption: StandardEncryption | str) -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4, encrypt=encryption)
    document.drawString(72, 770, "Amelia Jones")
    document.showPage()
    document.save()
    return buffer.getvalue()


def encrypted_odt() -> bytes:
    """An ODF package as LibreOffice writes it with a password: the manifest lists
    content.xml with manifest:encryption-data, and content.xml is ciphertext."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
        ' manifest:size="2048"><manifest:encryption-data manifest:checksum-type="SHA1/1K"'
        ' manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name='
        '"http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32"'
        ' manifest:iteration-count="100000" manifest:salt="AAAA"/>'
        "</manifest:encryption-data></manifest:file-entry></manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", os.urandom(2048))
    return buffer.getvalue()


def pgp_packet(tag: int) -> bytes:
    """An OpenPGP packet header (new format) and a body of ciphertext-like bytes."""
    return bytes((0xC0 | tag, 200)) + bytes((i * 151 + 7) % 256 for i in range(200))


def armoured(packet: bytes) -> bytes:
    body = base64.encodebytes(packet).decode()
    return f"-----BEGIN PGP MESSAGE-----\n\n{body}=AAAA\n-----END PGP MESSAGE-----\n".encode()


PROTECTED = [
    pytest.param("report.docx", encrypted_docx, "office", id="docx encrypted by msoffcrypto"),
    pytest.param(
        "class.7z",
        lambda: files.seven_zip({"list.csv": b"Amelia,Jones"}, password="pw"),
        "7z",
        id="7z with encrypted streams (names listed)",
    ),
    pytest.param(
        "class.7z",
        lambda: files.seven_zip({"list.csv": b"a"}, password="pw", header_encryption=True),
        "7z",
        id="7z with encrypted headers (nothing listed)",
    ),
    pytest.param("letter.odt", encrypted_odt, "odf", id="odt with an encrypted content.xml"),
    pytest.param("letter.pdf", lambda: pdf_with("user-pw"), "pdf", id="pdf with a user password"),
    pytest.param("secret.p7m", enveloped_der, "smime", id="S/MIME enveloped .p7m file"),
    pytest.param("notes.gpg", lambda: pgp_packet(1), "pgp", id="binary OpenPGP, PKESK first"),
    pytest.param("notes.asc", lambda: armoured(pgp_packet(18)), "pgp", id="armoured, SEIPD first"),
    pytest.param("notes.txt", lambda: armoured(pgp_packet(3)), "pgp", id="armour in a .txt"),
]


@pytest.mark.parametrize(("name", "build", "kind"), PROTECTED)
def test_protected_file_is_recognised(name: str, build: Callable[[], bytes], kind: str) -> None:
    message = parse_attached(name, build())
    assert part(message, name).encryption == kind
    assert part(message, name).unscannable is None
    assert not [t for t in message.texts if t.location.startswith("attachment:")]


READABLE = [
    pytest.param(
        "letter.pdf",
        lambda: pdf_with(StandardEncryption("", ownerPassword="owner-pw", canPrint=0)),
        "attachment:letter.pdf",
        "Amelia Jones",
        id="owner-password-only pdf opens for anyone: read, not encrypted",
    ),
    pytest.param(
        "signed.p7m",
        opaque_signed_der,
        "attachment:signed.p7m",
        "Amelia Jones, DOB 14/05/2012",
        id="opaque-signed .p7m file: the signed content is read",
    ),
]


@pytest.mark.parametrize(("name", "build", "location", "text"), READABLE)
def test_look_alike_is_read(
    name: str, build: Callable[[], bytes], location: str, text: str
) -> None:
    message = parse_attached(name, build())
    assert part(message, name).encryption is None
    assert text in block(message, location).text


def test_signed_only_armour_is_not_encrypted_and_is_flagged() -> None:
    compressed_packet = bytes((0xC8, 10)) + b"\x01" + bytes(9)  # tag 8: compressed data
    message = parse_attached("notes.asc", armoured(compressed_packet))
    assert part(message, "notes.asc").encryption is None
    assert "not encrypted is not read" in (part(message, "notes.asc").unscannable or "")


def test_zip_with_encrypted_and_plain_members() -> None:
    """A corpus ZipCrypto zip with a plain member added: the plain member is read, the
    encrypted one recorded, and the archive as a whole is not encrypted."""
    buffer = io.BytesIO(corpus("mime", "attachments", "aesop_win_7z.old.zip").read_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("plain.txt", "Oliver O'Neill")
    message = parse_attached("mixed.zip", buffer.getvalue())
    assert part(message, "mixed.zip").encryption is None
    assert part(message, "mixed.zip/encrypted.md").encryption == "zip-crypto"
    assert "Oliver O'Neill" in block(message, "attachment:mixed.zip/plain.txt").text


def test_encrypted_office_file_inside_a_zip() -> None:
    data = corpus("mime", "attachments", "example_password.xlsx").read_bytes()
    message = parse_attached("files.zip", files.zip_of({"list.xlsx": data}))
    assert part(message, "files.zip/list.xlsx").encryption == "office"
    assert part(message, "files.zip").encryption is None  # the zip itself has no password
