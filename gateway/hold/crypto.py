"""Encryption at rest for held messages (AES-256-GCM).

The key comes from an environment variable (base64) or a key file; a first run with
neither creates the key file (mode 0600) so the embedded defaults work. Older keys
stay readable through `hold.previous_key_files`, which is how keys are rotated.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.security.keyfiles import KeyFileError, load_secret, new_secret, read_secret_file

HoldKeyError = KeyFileError
generate_key = new_secret


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"schoolgate-hold-key" + key).hexdigest()[:16]


class HoldCipher:
    """Encrypts with the current key; decrypts with any key it has been given."""

    def __init__(self, current: bytes, previous: tuple[bytes, ...] = ()) -> None:
        self.current_id = key_id(current)
        self._keys = {key_id(k): AESGCM(k) for k in (*previous, current)}

    @classmethod
    def load(
        cls, key_env: str, key_file: Path, previous_files: tuple[Path, ...] = ()
    ) -> HoldCipher:
        current = load_secret(key_env, key_file)
        previous = tuple(read_secret_file(p, create=False) for p in previous_files)
        return cls(current, previous)

    def encrypt(self, plaintext: bytes, context: str) -> tuple[str, bytes, bytes]:
        """Return (key id, nonce, ciphertext); `context` (the hold id) is authenticated."""
        nonce = os.urandom(12)
        sealed = self._keys[self.current_id].encrypt(nonce, plaintext, context.encode())
        return self.current_id, nonce, sealed

    def decrypt(self, kid: str, nonce: bytes, ciphertext: bytes, context: str) -> bytes:
        aead = self._keys.get(kid)
        if aead is None:
            raise HoldKeyError(
                f"held message was encrypted with key {kid}, which is not configured "
                "(add its file to hold.previous_key_files)"
            )
        return aead.decrypt(nonce, ciphertext, context.encode())
