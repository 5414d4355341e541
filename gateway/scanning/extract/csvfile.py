"""CSV and TSV files (MIS exports): rows numbered as a spreadsheet shows them."""

from __future__ import annotations

import csv
import io

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.tables import TableText
from gateway.scanning.extract.text import decode_text

_DELIMITERS = ",;\t|"
_SAMPLE = 8192


def _dialect(sample: str) -> tuple[type[csv.Dialect] | csv.Dialect, str]:
    """The sniffed dialect and delimiter. Blank lines are left out of the sample (they
    defeat the sniffer's consistency check) and so is the last line (it may be cut
    short). Failing that: the header line's commonest delimiter."""
    lines = [line for line in sample.splitlines() if line.strip()]
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:-1] or lines), delimiters=_DELIMITERS)
        return dialect, dialect.delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        delimiter = max(_DELIMITERS, key=header.count)
        return csv.excel, delimiter if header.count(delimiter) else ","


def extract_csv(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    text = decode_text(data)
    dialect, delimiter = _dialect(text[:_SAMPLE])
    table = TableText(collector, f"attachment:{path}")
    reader = csv.reader(io.StringIO(text, newline=""), dialect, delimiter=delimiter)
    for number, cells in enumerate(reader, start=1):
        if not table.add(number, cells):
            break
    table.finish()
    return None
