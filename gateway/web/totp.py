"""Time-based one-time codes (RFC 6238) for console accounts that enrol them.

A code is accepted for the current 30-second step and one step either side (clock
drift), and each step only once, so a code seen over someone's shoulder cannot be
replayed.

The keys are stored sealed (`SecretBox`): someone holding a copy of the database (a
backup, a PostgreSQL dump) must not be able to make codes, since that would turn the
second factor into a copy of the first.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import time

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ISSUER = "schoolgate"
KEY_INFO = b"schoolgate totp"
"""HKDF `info`: the key sealing TOTP keys differs from every other use of the web secret."""
SEALED_PREFIX = "v1:"
NONCE_BYTES = 12
UNREADABLE = "(unreadable)"
"""Stands for an enrolled key that cannot be opened (see ConsoleUser.totp_secret). It is
not base32, so it can never be a real key; no code matches it, so such an account still
has to give a code and cannot sign in with a password alone."""


class UnreadableSecret(Exception):
    """A stored TOTP key cannot be opened; the message says why, for the log."""


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, school: str) -> str:
    """The otpauth:// address an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{ISSUER} ({school})")


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step the code belongs to, or None when it matches none of them."""
    code = "".join(code.split())
    if secret == UNREADABLE or not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    for offset in (0, -1, 1):
        moment = now + offset * totp.interval
        if hmac.compare_digest(totp.at(moment), code):
            return int(moment) // totp.interval
    return None


def _account(user_id: int) -> bytes:
    """Associated data: a sealed key opens only for the account it was sealed for."""
    return f"console_users.totp_secret:{user_id}".encode()


class SecretBox:
    """Seals TOTP keys with AES-256-GCM under a key derived (HKDF-SHA256) from the web
    secret, bound to the account id."""

    def __init__(self, web_secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
            web_secret
        )
        self._aead = AESGCM(key)

    def seal(self, secret: str, user_id: int) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), _account(user_id))
        return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str, user_id: int) -> str:
        if not stored.startswith(SEALED_PREFIX):
            raise UnreadableSecret("it is not sealed (enrolled before keys were encrypted)")
        try:
            raw = base64.urlsafe_b64decode(stored[len(SEALED_PREFIX) :].encode())
            if len(raw) <= NONCE_BYTES:
                raise ValueError("too short")
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _account(user_id))
        except (binascii.Error, ValueError):
            raise UnreadableSecret("it is damaged") from None
        except InvalidTag:
            raise UnreadableSecret(
                "it was sealed with another web secret (web.secret_key_env or the web key "
                "file changed) or for another account"
            ) from None
        return plain.decode()
