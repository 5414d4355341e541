"""Password hashing for console accounts and SMTP AUTH (argon2id), kept off the loop.

Hashing takes tens of milliseconds and 64 MiB on purpose; the gateway's SMTP sessions
share the event loop, so every hash and check runs in a thread (argon2 releases the GIL).
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_hasher = PasswordHasher()
# Checked against when the account does not exist, so that a wrong email takes as long
# as a wrong password and sign-in timing does not reveal which accounts exist.
_DUMMY = _hasher.hash("schoolgate-no-such-account")


class WeakPassword(ValueError):
    """The password is too short; the message says how long it must be."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must be at least {MIN_LENGTH} characters long")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def _verify(stored: str | None, password: str | bytes) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify(stored: str | None, password: str | bytes) -> bool:
    """True when the password matches; a missing hash always fails (after the same work)."""
    return await asyncio.to_thread(_verify, stored, password)


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
