"""Encryption facts against the reference corpus (../shared/corpus/mime, MANIFEST.csv).

Every encrypted attachment must be recognised with the right kind and every
unencrypted control must not; every S/MIME and PGP sample must be classified; every
message in the corpus must parse without an exception.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from models import Message
from tests.gateway.extract.mail import block, parse, parse_attached, part
from tests.support import corpus

OWNER_PASSWORD_ONLY = {
    # Decision (gateway/scanning/extract/pdf.py): a PDF that opens without a password does not
    # protect its content, so it is NOT encrypted and its text is scanned.
    "attachments/r4-owner-password.pdf": "owner password only, empty user password",
    "attachments/r6-owner-password.pdf": "owner password only, empty user password",
    "attachments/r6-empty-password.pdf": "encrypted with an empty user password",
}

PARTLY_ENCRYPTED = {
    # Rows the manifest files as encrypted whose message is only partly encrypted: the
    # encrypted part is recorded, but the message as a whole is not protected because
    # readable content travels beside it. (file: (part kind, text that must be scanned))
    "thunderbird_smime/alice.env.mixed.dsig.SHA256.multipart.eml": (
        "smime",
        "bodyOfAttachedMessagePlain",  # a plaintext message attached beside the enveloped part
    ),
    "thunderbird_openpgp/fwd-unsigned-encrypted.eml": (
        "pgp",
        "wrapper message with plain text",  # plain wrapper forwarding an encrypted message
    ),
    "thunderbird_openpgp/partial-encrypt-for-alice-plaintext.eml": (
        "pgp",
        "suffix",  # inline PGP block with plain text before and after it
    ),
    "thunderbird/msg-with-enc-openpgp-attachment.eml": (
        "pgp",
        "the encrypted file is attached",  # plain body beside an encrypted .asc attachment
    ),
}

SPOOFED_SHELL = {
    # Filed as pgp-signed: a multipart/encrypted shell around cleartext-signed text. It is
    # not encrypted (anyone can read it), so its text must be scanned.
    "thunderbird_openpgp/sigspoof-git-commit.eml": "dispense of your services",
}


def _manifest() -> list[dict[str, str]]:
    try:
        path = corpus("mime", "MANIFEST.csv")
    except pytest.skip.Exception:
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


MANIFEST = _manifest()


def _rows(*prefixes: str) -> list[object]:
    rows = [
        pytest.param(row, id=row["file"])
        for row in MANIFEST
        if row["category"].startswith(prefixes)
    ]
    return rows or [pytest.param(None, id="corpus-missing")]


def _file(row: dict[str, str] | None) -> Path:
    if row is None:
        return corpus("mime", "MANIFEST.csv")  # skips locally, fails in CI
    return corpus("mime", row["file"])


def _expected_attachment_kind(row: dict[str, str]) -> str | None:
    category, note = row["category"], row["note"]
    if not category.endswith("-encrypted") or row["file"] in OWNER_PASSWORD_ONLY:
        return None
    if category == "attachment-zip-encrypted":
        return "zip-aes" if "AES" in note else "zip-crypto"
    return {"attachment-office-encrypted": "office", "attachment-pdf-encrypted": "pdf"}[category]


@pytest.mark.parametrize("row", _rows("attachment-"))
def test_attachment_encryption_from_manifest(row: dict[str, str] | None) -> None:
    path = _file(row)
    assert row is not None
    expected = _expected_attachment_kind(row)
    message = parse_attached(path.name, path.read_bytes())
    attachment = part(message, path.name)
    assert attachment.encryption == expected
    assert attachment.unscannable is None
    assert message.facts.encryption is None  # the body is plain text
    if expected and expected.startswith("zip"):
        members = [p for p in message.facts.parts if p.path.startswith(f"{path.name}/")]
        assert members
        assert all(m.encryption == expected for m in members)
    if expected is None and row["file"] != "attachments/plain.doc":  # plain.doc is empty
        assert any(t.location.startswith(f"attachment:{path.name}") for t in message.texts)


def _expected_message_kind(category: str) -> str | None:
    return {"smime-encrypted": "smime", "pgp-encrypted": "pgp"}.get(category)


@pytest.mark.parametrize("row", _rows("smime-", "pgp-"))
def test_smime_and_pgp_messages_from_manifest(row: dict[str, str] | None) -> None:
    path = _file(row)
    assert row is not None
    message = parse(path.read_bytes())
    kinds = {p.encryption for p in message.facts.parts if p.encrypted}
    if row["file"] in PARTLY_ENCRYPTED:
        kind, visible = PARTLY_ENCRYPTED[row["file"]]
        assert message.facts.encryption is None
        assert kind in kinds
        assert _readable(message, visible)
    elif row["file"] in SPOOFED_SHELL:
        assert message.facts.encryption is None
        assert not kinds
        assert _readable(message, SPOOFED_SHELL[row["file"]])
    elif (expected := _expected_message_kind(row["category"])) is not None:
        assert message.facts.encryption == expected
        assert kinds == {expected}
        assert not [t for t in message.texts if t.location != "subject" and t.text.strip()]
    else:  # signed only: not encrypted, and its text (even inside an opaque signature) read
        assert message.facts.encryption is None
        assert not kinds
        assert [t for t in message.texts if t.location != "subject" and t.text.strip()]


def test_opaque_signed_smime_body_is_unwrapped_and_scanned() -> None:
    message = parse(corpus("mime", "thunderbird_smime", "alice.sig.SHA256.opaque.eml").read_bytes())
    assert "This is a test message from Alice to Bob" in block(message, "body").text


def _readable(message: Message, text: str) -> bool:
    return any(text in t.text for t in message.texts)


def _all_messages() -> list[object]:
    try:
        root = corpus("mime")
    except pytest.skip.Exception:
        return [pytest.param(None, id="corpus-missing")]
    return [
        pytest.param(path, id=str(path.relative_to(root))) for path in sorted(root.rglob("*.eml"))
    ]


@pytest.mark.parametrize("path", _all_messages())
def test_every_corpus_message_parses(path: Path | None) -> None:
    if path is None:
        corpus("mime")  # skips locally, fails in CI
    assert path is not None
    raw = path.read_bytes()
    message = parse(raw)
    assert message.facts.size == len(raw)
    assert all(t.location.partition(":")[0] in _LOCATION_KINDS for t in message.texts)
    assert all(p.unscannable is None or p.unscannable.strip() for p in message.facts.parts)


_LOCATION_KINDS = {"subject", "body", "attachment"}
