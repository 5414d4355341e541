"""Held messages are encrypted at rest; keys rotate without losing old messages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from gateway.hold.crypto import HoldCipher, HoldKeyError, generate_key


def test_first_run_creates_a_private_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SG_TEST_KEY", raising=False)
    key_file = tmp_path / "keys" / "hold.key"
    cipher = HoldCipher.load("SG_TEST_KEY", key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    kid, nonce, sealed = cipher.encrypt(b"secret message", "HOLD1")
    assert b"secret" not in sealed
    assert (
        HoldCipher.load("SG_TEST_KEY", key_file).decrypt(kid, nonce, sealed, "HOLD1")
        == b"secret message"
    )


def test_environment_key_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SG_TEST_KEY", generate_key())
    cipher = HoldCipher.load("SG_TEST_KEY", tmp_path / "unused.key")
    assert not (tmp_path / "unused.key").exists()
    kid, nonce, sealed = cipher.encrypt(b"x", "H")
    assert cipher.decrypt(kid, nonce, sealed, "H") == b"x"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64!!", "is not base64"),  # junk
        ("c2hvcnQ=", "must hold 32 bytes"),  # base64 of "short"
    ],
)
def test_bad_keys_are_named(
    value: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SG_TEST_KEY", value)
    with pytest.raises(HoldKeyError, match=message):
        HoldCipher.load("SG_TEST_KEY", tmp_path / "k")


def test_rotation_keeps_old_messages_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SG_TEST_KEY", raising=False)
    old_file = tmp_path / "old.key"
    old = HoldCipher.load("SG_TEST_KEY", old_file)
    held = old.encrypt(b"held before rotation", "H1")
    monkeypatch.setenv("SG_TEST_KEY", generate_key())
    rotated = HoldCipher.load("SG_TEST_KEY", tmp_path / "unused", previous_files=(old_file,))
    assert rotated.decrypt(*held, "H1") == b"held before rotation"
    assert rotated.encrypt(b"new", "H2")[0] != held[0]
    without_old = HoldCipher.load("SG_TEST_KEY", tmp_path / "unused")
    with pytest.raises(HoldKeyError, match=r"add its file to hold\.previous_key_files"):
        without_old.decrypt(*held, "H1")


def test_ciphertext_is_bound_to_its_hold_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SG_TEST_KEY", generate_key())
    cipher = HoldCipher.load("SG_TEST_KEY", tmp_path / "k")
    kid, nonce, sealed = cipher.encrypt(os.urandom(100), "H1")
    with pytest.raises(InvalidTag):
        cipher.decrypt(kid, nonce, sealed, "H2")  # swapping rows is detected
