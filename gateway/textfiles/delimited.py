"""Which CSV dialect a file is in: MIS exports and attached spreadsheets use commas,
semicolons (European Excel), tabs or pipes, and a header row may sit below a title."""

from __future__ import annotations

import csv
from collections.abc import Callable

DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_LINES = 20

Dialect = type[csv.Dialect] | csv.Dialect


def sniff(sample: str, is_header: Callable[[str], bool] | None = None) -> tuple[Dialect, str]:
    """The dialect and delimiter of `sample` (the start of the file).

    With `is_header` (a cell that names a column we know), the delimiter under which
    one of the first lines reads as such a header wins. Else the csv module's sniffer,
    on the sample without blank lines (they defeat its consistency check) and without
    its last line (it may be cut short). Failing that, the first line's commonest
    delimiter, comma on a tie."""
    lines = [line for line in sample.splitlines() if line.strip()]
    if is_header is not None:
        head = lines[:HEADER_SEARCH_LINES]
        for delimiter in DELIMITERS:
            for record in csv.reader(head, delimiter=delimiter):
                if len(record) > 1 and any(is_header(cell) for cell in record):
                    return csv.excel, delimiter
    try:
        dialect = csv.Sniffer().sniff(
            "\n".join(lines[:-1] or lines), delimiters="".join(DELIMITERS)
        )
        return dialect, dialect.delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        delimiter = max(DELIMITERS, key=lambda d: (first.count(d), d == ","))
        return csv.excel, delimiter if first.count(delimiter) else ","
