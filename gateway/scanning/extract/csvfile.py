"""CSV and TSV files (MIS exports): rows numbered as a spreadsheet shows them."""

from __future__ import annotations

import csv
import io

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.tables import TableText
from gateway.textfiles.delimited import sniff
from gateway.textfiles.encoding import decode_text
from models.location import attachment

_SAMPLE = 8192


def extract_csv(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    text = decode_text(data)
    dialect, delimiter = sniff(text[:_SAMPLE])
    table = TableText(collector, attachment(path))
    reader = csv.reader(io.StringIO(text, newline=""), dialect, delimiter=delimiter)
    for number, cells in enumerate(reader, start=1):
        if not table.add(number, cells):
            break
    table.finish()
    return None
