"""What a file really is, from its content (names and declared types lie).

Zip and OLE containers hold many formats (DOCX, XLSX, ODT...; DOC, XLS, MSG, encrypted
OOXML), so their directory is read to tell them apart. When the directory cannot be
read (a truncated file), the extension decides, so a corrupt "report.docx" is reported
as a DOCX that could not be read rather than as an unknown binary.
"""

from __future__ import annotations

import io
import zipfile

import olefile

from gateway.scanning.extract.binary import is_media
from gateway.scanning.extract.image import image_format
from gateway.scanning.extract.pgp import looks_like_openpgp_encrypted
from gateway.scanning.extract.text import looks_binary
from gateway.scanning.extract.tnef import SIGNATURE

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "rar"),
    (SIGNATURE, "tnef"),
    (b"-----BEGIN PGP MESSAGE-----", "pgp"),
)

_EXTENSIONS = {
    "csv": "csv",
    "tsv": "csv",
    "htm": "html",
    "html": "html",
    "eml": "eml",
    "txt": "text",
}

_ZIP_EXTENSIONS = {
    "docx": "docx",
    "docm": "docx",
    "dotx": "docx",
    "dotm": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xltx": "xlsx",
    "xltm": "xlsx",
    "pptx": "pptx",
    "pptm": "pptx",
    "ppsx": "pptx",
    "potx": "pptx",
    "odt": "odt",
    "ott": "odt",
    "ods": "ods",
    "ots": "ods",
    "odp": "odp",
    "otp": "odp",
}

_OLE_EXTENSIONS = {"doc": "doc", "dot": "doc", "xls": "xls", "ppt": "ppt", "msg": "msg"}

_TNEF_TYPES = frozenset(("application/ms-tnef", "application/vnd.ms-tnef"))

_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.presentation-template": "odp",
}

_CMS_OIDS = (
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07",  # 1.2.840.113549.1.7.* (signed, enveloped)
    b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01",  # 1.2.840.113549.1.9.16.1.*
)


def sniff(data: bytes, name: str = "", content_type: str = "") -> str:
    """One of: pdf docx xlsx xlsb pptx odt ods odp odf zip doc xls ppt msg
    office-encrypted ole tnef rtf 7z gzip tar rar image media pgp pkcs7 html csv eml
    text binary.

    A file declared as TNEF or named winmail.dat is "tnef" whatever it starts with, so
    one that is not TNEF after all is reported as a TNEF file that could not be read.
    """
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    head = data[:64].lstrip(b"\xef\xbb\xbf")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return _zip_kind(data, extension)
            if kind == "ole":
                return _ole_kind(data, extension)
            return kind
    if image_format(data) is not None:
        return "image"
    if content_type.lower() in _TNEF_TYPES or name.lower().endswith("winmail.dat"):
        return "tnef"
    if is_media(data) and looks_binary(data):  # "ID3 report.txt" is text
        return "media"
    if _is_cms(data):
        return "pkcs7"
    if data[257:262] == b"ustar":
        return "tar"
    if extension in ("gpg", "pgp") and looks_like_openpgp_encrypted(data):
        return "pgp"
    content_type = content_type.lower()
    if looks_binary(data):
        return "binary"
    if content_type == "message/rfc822" or extension == "eml":
        return "eml"
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if content_type in ("text/html", "application/xhtml+xml"):
        return "html"
    if content_type in ("text/csv", "text/tab-separated-values"):
        return "csv"
    lowered = data[:512].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "html"
    return "text"


def _is_cms(data: bytes) -> bool:
    """A DER/BER PKCS#7 (CMS) blob: a SEQUENCE whose first element is a CMS content OID."""
    if not data.startswith(b"\x30"):
        return False
    head = data[:24]
    return any(oid in head for oid in _CMS_OIDS)


def _zip_kind(data: bytes, extension: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = (
                archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if "mimetype" in names and archive.getinfo("mimetype").file_size < 100
                else ""
            )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return _ZIP_EXTENSIONS.get(extension, "zip")
    if mimetype in _ODF_TYPES:
        return _ODF_TYPES[mimetype]
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        return "odf"
    if "[Content_Types].xml" in names:
        tops = {n.partition("/")[0] for n in names}
        if "word" in tops:
            return "docx"
        if "xl" in tops:
            return "xlsb" if "xl/workbook.bin" in names else "xlsx"
        if "ppt" in tops:
            return "pptx"
    return "zip"


def _ole_kind(data: bytes, extension: str) -> str:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            tops = {entry[0] for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises many types on corrupt input
        return _OLE_EXTENSIONS.get(extension, "ole")
    if "EncryptedPackage" in tops:
        return "office-encrypted"
    if "WordDocument" in tops:
        return "doc"
    if "Workbook" in tops or "Book" in tops:
        return "xls"
    if "PowerPoint Document" in tops:
        return "ppt"
    if "__properties_version1.0" in tops or any(t.startswith("__substg1.0_") for t in tops):
        return "msg"
    return "ole"
