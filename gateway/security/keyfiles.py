"""Secrets from an environment variable or a key file created on first run.

Used for the held-message encryption key and the web signing secret, so a first run
needs no set-up while a production install can supply both from its secret store.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import tempfile
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
        _create_secret_file(path)
    try:
        return parse_secret(path.read_text(), f"key file {path}")
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror or exc}") from None


def _create_secret_file(path: Path) -> None:
    """Write a new secret beside `path`, then link it into place: a reader sees either no
    file or the whole key (never an empty one), and when several processes start at once
    the first link wins and the others read its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp makes it 0600
            handle.write(new_secret() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def load_secret(env: str, path: Path) -> bytes:
    """The environment variable when set, else the key file (created if missing)."""
    if os.environ.get(env):
        return parse_secret(os.environ[env], f"environment variable {env}")
    return read_secret_file(path, create=True)
