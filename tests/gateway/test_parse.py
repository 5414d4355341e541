"""Encryption and MIME structure in gateway.scanning.parse: which parts and which messages are
protected, and that content hidden inside signatures is still scanned.

The S/MIME samples are made here with `cryptography` (real enveloped and signed CMS);
the OpenPGP ones carry real packet headers (the corpus tests use real OpenPGP mail).
"""

from __future__ import annotations

import base64
import zlib
from email import message_from_string
from email.message import Message as MimeMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from gateway.scanning.extract import Limits
from gateway.scanning.parse import parse_message
from gateway.scanning.settings import ParseSettings
from models import Envelope, Message, School
from tests.tlsutil import rsa_certificate

SECRET = "Amelia Jones, DOB 14/05/2012"
INNER = f"Content-Type: text/plain; charset=utf-8\r\n\r\n{SECRET}\r\n".encode()


CERTIFICATE, KEY = rsa_certificate()


def enveloped(content: bytes = INNER) -> bytes:
    builder = pkcs7.PKCS7EnvelopeBuilder().set_data(content).add_recipient(CERTIFICATE)
    return builder.encrypt(serialization.Encoding.DER, [])


def signed(content: bytes = INNER, *, detached: bool = False) -> bytes:
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content)
    builder = builder.add_signer(CERTIFICATE, KEY, hashes.SHA256())
    options = [pkcs7.PKCS7Options.DetachedSignature] if detached else []
    return builder.sign(serialization.Encoding.DER, options)


def _der(tag: int, body: bytes) -> bytes:
    if len(body) < 0x80:
        return bytes((tag, len(body))) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + body


def compressed(content: bytes) -> bytes:
    """RFC 3274 CompressedData (zlib), which `cryptography` does not write."""
    oid = bytes.fromhex("06092a864886f70d010701")  # id-data
    zlib_alg = _der(0x30, bytes.fromhex("060b2a864886f70d0109100308"))
    encap = _der(0x30, oid + _der(0xA0, _der(0x04, zlib.compress(content))))
    body = _der(0x30, bytes.fromhex("020100") + zlib_alg + encap)
    return _der(0x30, bytes.fromhex("060b2a864886f70d0109100109") + _der(0xA0, body))


def smime_part(der: bytes, smime_type: str) -> MIMEApplication:
    part = MIMEApplication(der, "pkcs7-mime", name="smime.p7m")
    part.set_param("smime-type", smime_type)
    part.add_header("Content-Disposition", "attachment", filename="smime.p7m")
    return part


def detached_signed(inner: MIMEApplication | MIMEText | MIMEMultipart) -> MIMEMultipart:
    outer = MIMEMultipart("signed", protocol="application/pkcs7-signature", micalg="sha-256")
    outer.attach(inner)
    signature = MIMEApplication(signed(inner.as_bytes(), detached=True), "pkcs7-signature")
    outer.attach(signature)
    return outer


def pgp_packet(tag: int) -> bytes:
    return bytes((0xC0 | tag, 100)) + bytes((i * 151 + 7) % 256 for i in range(100))


def armour(packet: bytes) -> str:
    encoded = base64.encodebytes(packet).decode()
    return f"-----BEGIN PGP MESSAGE-----\n\n{encoded}=AAAA\n-----END PGP MESSAGE-----\n"


def pgp_mime(payload: str) -> MIMEMultipart:
    outer = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
    outer.attach(MIMEApplication(b"Version: 1\n", "pgp-encrypted", _encoder=_seven_bit))
    outer.attach(MIMEApplication(payload.encode(), "octet-stream", _encoder=_seven_bit))
    return outer


def _seven_bit(part: MIMEApplication) -> None:
    part["Content-Transfer-Encoding"] = "7bit"


def mixed(*parts: MIMEApplication | MIMEText | MIMEMultipart) -> MIMEMultipart:
    outer = MIMEMultipart("mixed")
    for item in parts:
        outer.attach(item)
    return outer


def parse(entity: MimeMessage) -> Message:
    entity["From"] = "teacher@school.example"
    entity["To"] = "parent@example.net"
    entity["Subject"] = "Report"
    envelope = Envelope(mail_from="teacher@school.example", rcpt_tos=("parent@example.net",))
    return parse_message(entity.as_bytes(), envelope, ParseSettings(limits=Limits()))


def readable(message: Message) -> str:
    return "\n".join(t.text for t in message.texts if t.location != "subject")


CASES = [
    # (entity builder, message-level encryption, encrypted part kinds, SECRET readable?)
    pytest.param(
        lambda: smime_part(enveloped(), "enveloped-data"),
        "smime",
        {"smime"},
        False,
        id="S/MIME enveloped message",
    ),
    pytest.param(
        lambda: smime_part(signed(), "signed-data"),
        None,
        set(),
        True,
        id="opaque-signed S/MIME: unwrapped, body scanned",
    ),
    pytest.param(
        lambda: smime_part(
            signed(smime_part(enveloped(), "enveloped-data").as_bytes()), "signed-data"
        ),
        "smime",
        {"smime"},
        False,
        id="opaque signature around enveloped data",
    ),
    pytest.param(
        lambda: detached_signed(smime_part(enveloped(), "enveloped-data")),
        "smime",
        {"smime"},
        False,
        id="detached signature around enveloped data",
    ),
    pytest.param(
        lambda: detached_signed(MIMEText(SECRET)),
        None,
        set(),
        True,
        id="detached signature around plain text",
    ),
    pytest.param(
        lambda: smime_part(signed(), "enveloped-data"),
        None,
        set(),
        True,
        id="smime-type says enveloped but the blob is signed: the blob decides",
    ),
    pytest.param(
        lambda: smime_part(compressed(INNER), "compressed-data"),
        None,
        set(),
        True,
        id="S/MIME compressed data: inflated and scanned",
    ),
    pytest.param(
        lambda: mixed(smime_part(enveloped(), "enveloped-data"), MIMEText(SECRET)),
        None,
        {"smime"},
        True,
        id="enveloped part beside plain text: the message is not protected",
    ),
    pytest.param(
        lambda: pgp_mime(armour(pgp_packet(1))),
        "pgp",
        {"pgp"},
        False,
        id="PGP/MIME with an encrypted payload",
    ),
    pytest.param(
        lambda: detached_signed(pgp_mime(armour(pgp_packet(1)))),
        "pgp",
        {"pgp"},
        False,
        id="signature around PGP/MIME",
    ),
    pytest.param(
        lambda: pgp_mime(f"-----BEGIN PGP SIGNED MESSAGE-----\n\n{SECRET}\n"),
        None,
        set(),
        True,
        id="multipart/encrypted shell around readable text: scanned, not protected",
    ),
    pytest.param(
        lambda: message_from_string(
            f'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"\n\n{SECRET}\n'
        ),
        None,
        set(),
        True,
        id="multipart/encrypted without a boundary: read as text",
    ),
    pytest.param(
        lambda: MIMEText(armour(pgp_packet(18))),
        "pgp",
        {"pgp"},
        False,
        id="inline PGP body",
    ),
    pytest.param(
        lambda: MIMEText(f"{SECRET}\n\n{armour(pgp_packet(1))}"),
        None,
        {"pgp"},
        True,
        id="inline PGP block after plain text: the text is scanned",
    ),
    pytest.param(
        lambda: MIMEText(f"<p>{armour(pgp_packet(3))}</p>".replace("\n", "<br>"), "html"),
        "pgp",
        {"pgp"},
        False,
        id="inline PGP in an HTML body",
    ),
    pytest.param(
        lambda: mixed(
            MIMEText("\n"),
            MIMEApplication(b"Version: 1\n", "pgp-encrypted"),
            MIMEApplication(armour(pgp_packet(1)).encode(), "octet-stream", Name="encrypted.asc"),
        ),
        "pgp",
        {"pgp"},
        False,
        id="PGP/MIME flattened by Exchange into multipart/mixed",
    ),
    pytest.param(
        lambda: MIMEText(armour(bytes((0xC8, 5, 1, 0, 0, 0, 0)))),
        None,
        set(),
        False,
        id="armour around a compressed (signed-only) packet is not encrypted",
    ),
]


@pytest.mark.parametrize(("build", "message_kind", "part_kinds", "secret_readable"), CASES)
def test_protection_facts(
    build: object, message_kind: str | None, part_kinds: set[str], secret_readable: bool
) -> None:
    message = parse(build())  # type: ignore[operator]
    assert message.facts.encryption == message_kind
    assert {p.encryption for p in message.facts.parts if p.encrypted} == part_kinds
    assert (SECRET in readable(message)) is secret_readable


def test_opaque_signed_body_is_scanned_as_the_body() -> None:
    message = parse(smime_part(signed(), "signed-data"))
    assert [t.location for t in message.texts if SECRET in t.text] == ["body"]


def test_s_mime_compression_bomb_stops_at_the_limit() -> None:
    message = parse(smime_part(compressed(bytes(60 * 1024 * 1024)), "compressed-data"))
    assert message.facts.encryption is None
    reason = message.facts.parts[0].unscannable or ""
    assert reason.startswith("limit reached: a file larger than")


def test_unparseable_smime_is_unscannable_not_encrypted() -> None:
    message = parse(smime_part(b"this is not a CMS structure", "enveloped-data"))
    assert message.facts.encryption is None
    assert "S/MIME content could not be read" in (message.facts.parts[0].unscannable or "")


def test_subject_tag_counts_as_protection_only_without_real_encryption() -> None:
    entity = MIMEText(SECRET)
    entity["Subject"] = "[secure] Report"
    raw = entity.as_bytes()
    envelope = Envelope(mail_from="teacher@school.example", rcpt_tos=("parent@example.net",))
    settings = ParseSettings(school=School(encrypt_subject_tags=("[secure]",)))
    assert parse_message(raw, envelope, settings).facts.encryption == "subject-tag"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # an encoded "Surname, Forename" (Outlook writes names so): one person, not two
        ("=?utf-8?q?Wi=C5=9Bniewska=2C_Ma=C5=82gorzata?= <m.w@school.example>",
         [("Wiśniewska, Małgorzata", "m.w@school.example")]),
        # the same in base64, beside a second address
        ("=?utf-8?b?Tm93YWssIEphbg==?= <jan@example.org>, other@example.net",
         [("Nowak, Jan", "jan@example.org"), ("", "other@example.net")]),
        # a quoted plain name with a comma, as before
        ('"Smith, Jane" <jane@example.org>', [("Smith, Jane", "jane@example.org")]),
    ],
)  # fmt: skip
def test_encoded_display_names_are_decoded_after_the_addresses_are_split(
    header: str, expected: list[tuple[str, str]]
) -> None:
    raw = f"From: {header}\r\nTo: {header}\r\nSubject: s\r\n\r\nhello\r\n".encode()
    envelope = Envelope(mail_from="m.w@school.example", rcpt_tos=("jan@example.org",))
    facts = parse_message(raw, envelope, ParseSettings()).facts
    assert [(a.name, a.addr) for a in facts.to] == expected
    assert (facts.header_from[0].name, facts.header_from[0].addr) == expected[0]


def _alternative(plain: str, html: str) -> MimeMessage:
    entity = MIMEMultipart("alternative")
    entity["Subject"] = "Trip"
    entity.attach(MIMEText(plain, "plain", "utf-8"))
    entity.attach(MIMEText(html, "html", "utf-8"))
    return entity


def test_an_html_alternative_with_the_text_copy_s_words_is_kept_once():
    """Every detector would otherwise read the same words twice (and report twice)."""
    message = parse(
        _alternative(
            "Dear parents,\nthe trip is on Friday.",
            "<p>Dear parents,</p><p>the trip is on <b>Friday</b>.</p>",
        )
    )
    assert [t.text for t in message.texts if t.location == "body"] == [
        "Dear parents,\nthe trip is on Friday."
    ]


def test_an_html_alternative_with_other_words_is_read_too():
    """Text that only the HTML copy has (hidden text, a different draft) is scanned."""
    html = "<p>Dear parents, the trip is on Friday.</p><p style='display:none'>NHS 943 476 5919</p>"
    message = parse(_alternative("Dear parents, the trip is on Friday.", html))
    bodies = [t.text for t in message.texts if t.location == "body"]
    assert len(bodies) == 2 and "943 476 5919" in bodies[1]
