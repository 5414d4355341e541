"""Secrets from an environment variable or a key file created on first run.

Used for the held-message encryption key and the web signing secret, so a first run
needs no set-up while a production install can supply both from its secret store.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path


class KeyFileError(Exception):
    """A secret is missing or malformed; the message names where it came from."""


def new_secret() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def parse_secret(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"{source} is not base64") from None
    if len(key) != 32:
        raise KeyFileError(f"{source} must hold 32 bytes (base64-encoded), not {len(key)}")
    return key


def read_secret_file(path: Path, create: bool) -> bytes:
    """Read a base64 secret; with create=True, make the file (mode 0600) when missing."""
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_secret() + "\n")
    try:
        return parse_secret(path.read_text(), f"key file {path}")
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror or exc}") from None


def load_secret(env: str, path: Path) -> bytes:
    """The environment variable when set, else the key file (created if missing)."""
    if os.environ.get(env):
        return parse_secret(os.environ[env], f"environment variable {env}")
    return read_secret_file(path, create=True)
