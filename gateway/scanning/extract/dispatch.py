"""The one entry point for attached files: sniff, record, extract, contain failures."""

from __future__ import annotations

import logging
from collections.abc import Callable

from gateway.scanning.extract.binary import extract_binary, extract_media, extract_ole
from gateway.scanning.extract.context import Collector, LimitExceeded, NotRead
from gateway.scanning.extract.csvfile import extract_csv
from gateway.scanning.extract.gzipfile import extract_gzip
from gateway.scanning.extract.html import extract_html
from gateway.scanning.extract.image import extract_image
from gateway.scanning.extract.legacy_sheet import extract_xls
from gateway.scanning.extract.legacy_slides import extract_ppt
from gateway.scanning.extract.legacy_word import extract_doc
from gateway.scanning.extract.msg import extract_msg
from gateway.scanning.extract.odf import extract_odf
from gateway.scanning.extract.office_crypto import extract_encrypted_package
from gateway.scanning.extract.ooxml_sheet import extract_xlsx
from gateway.scanning.extract.ooxml_slides import extract_pptx
from gateway.scanning.extract.ooxml_word import extract_docx
from gateway.scanning.extract.pdf import extract_pdf
from gateway.scanning.extract.pgp import extract_pgp
from gateway.scanning.extract.rtf import extract_rtf
from gateway.scanning.extract.sevenzip import extract_7z
from gateway.scanning.extract.smime import extract_pkcs7
from gateway.scanning.extract.sniff import sniff
from gateway.scanning.extract.tararchive import extract_tar
from gateway.scanning.extract.text import extract_plain_text
from gateway.scanning.extract.tnef import extract_tnef
from gateway.scanning.extract.ziparchive import extract_zip
from models import PartInfo

log = logging.getLogger(__name__)

Extractor = Callable[[Collector, bytes, str, int], "str | None"]
"""(collector, data, path, depth) -> the encryption kind when the file is protected."""


def _eml(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    if collector.nested_parser is not None:
        collector.nested_parser(data, path, depth + 1, collector)
    return None


EXTRACTORS: dict[str, Extractor] = {
    "text": extract_plain_text,
    "html": extract_html,
    "csv": extract_csv,
    "rtf": extract_rtf,
    "eml": _eml,
    "msg": extract_msg,
    "pgp": extract_pgp,
    "pkcs7": extract_pkcs7,
    "pdf": extract_pdf,
    "docx": extract_docx,
    "xlsx": extract_xlsx,
    "pptx": extract_pptx,
    "odt": extract_odf,
    "ods": extract_odf,
    "odp": extract_odf,
    "odf": extract_odf,
    "doc": extract_doc,
    "xls": extract_xls,
    "ppt": extract_ppt,
    "office-encrypted": extract_encrypted_package,
    "zip": extract_zip,
    "7z": extract_7z,
    "gzip": extract_gzip,
    "tar": extract_tar,
    "tnef": extract_tnef,
    "image": extract_image,
    "media": extract_media,
    "ole": extract_ole,
    "binary": extract_binary,
}
"""Format name (from sniff) -> extractor. A format missing here is unscannable: nothing
is recorded as "binary, nothing to see" (see `binary` for what stays merely recorded)."""

_NAMES = {
    "office-encrypted": "encrypted Office",
    "pkcs7": "S/MIME",
    "pgp": "OpenPGP",
    "tnef": "TNEF (winmail.dat)",
}


def extract_file(
    collector: Collector,
    data: bytes,
    *,
    name: str,
    content_type: str,
    path: str,
    depth: int,
    is_attachment: bool = True,
) -> PartInfo:
    """Record one file, add its text to the collector, and return its PartInfo.

    The file's PartInfo is listed before the files found inside it (archives, attached
    messages), and is recorded even when those fill the message's part limit.
    """
    kind = sniff(data, name, content_type)
    encryption: str | None = None
    unscannable: str | None = None
    slot: int | None = None
    try:
        collector.check_depth(depth)
        if not collector.has_room_for_part():
            raise LimitExceeded(f"more than {collector.limits.max_parts} parts")
        slot = collector.start_part()
        extractor = EXTRACTORS.get(kind)
        if extractor is not None:
            encryption = extractor(collector, data, path, depth)
        else:
            unscannable = f"{kind} files are not read"
    except LimitExceeded as exc:
        unscannable = f"limit reached: {exc}"
    except NotRead as exc:
        unscannable = str(exc)
    except Exception as exc:  # a hostile or corrupt file must not fail the whole scan
        log.debug("extracting %s failed", path, exc_info=True)
        label = _NAMES.get(kind, kind.upper() if len(kind) <= 4 else kind)
        unscannable = f"could not read this {label} file ({type(exc).__name__}: {exc})"[:300]
    part = PartInfo(
        path=path,
        content_type=content_type or "application/octet-stream",
        size=len(data),
        filename=name or None,
        is_attachment=is_attachment,
        depth=depth,
        encryption=encryption,
        unscannable=unscannable,
    )
    if slot is None:
        return collector.add_part(part)
    return collector.finish_part(slot, part)
