"""Password-protected Microsoft Office files (msoffcrypto-tool), without the password.

Legacy binary files (.doc/.xls/.ppt) are encrypted inside their own streams (RC4,
RC4 CryptoAPI, XOR obfuscation); an encrypted .docx/.xlsx/.pptx is not a zip at all
but an OLE file holding EncryptionInfo and EncryptedPackage streams.
"""

from __future__ import annotations

import io
import logging

import msoffcrypto

from gateway.scanning.extract.context import Collector

log = logging.getLogger(__name__)


def office_is_encrypted(data: bytes) -> bool | None:
    """msoffcrypto's answer, or None when it cannot read the file at all."""
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # msoffcrypto raises many types on files it does not understand
        log.debug("msoffcrypto could not read an OLE file", exc_info=True)
        return None


def extract_encrypted_package(
    collector: Collector, data: bytes, path: str, depth: int
) -> str | None:
    """An encrypted (or rights-managed) OOXML document. An encryption scheme msoffcrypto
    does not know (None) still cannot be read without the key, so it counts as encrypted."""
    return None if office_is_encrypted(data) is False else "office"
