"""Excel workbooks (.xlsx, .xlsm) with openpyxl in read-only mode: every sheet (hidden
ones too: they are sent), rows numbered as Excel shows them.

`reset_dimensions` makes openpyxl ignore the sheet's declared size, which a file can
set to a million rows by 16,384 columns; rows then only span their real cells.
"""

from __future__ import annotations

import io
import warnings

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.tables import TableText
from gateway.scanning.extract.ziparchive import open_container
from models.location import attachment


def extract_xlsx(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    open_container(collector, data).close()  # reserve sizes, refuse unsafe members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
        try:
            for sheet in book.worksheets:
                if isinstance(sheet, ReadOnlyWorksheet):
                    _read_sheet(collector, sheet, attachment(path, sheet.title))
        finally:
            book.close()
    return None


def _read_sheet(collector: Collector, sheet: ReadOnlyWorksheet, location: str) -> None:
    sheet.reset_dimensions()
    table = TableText(collector, location)
    # types-openpyxl gives ReadOnlyWorksheet the Worksheet's iter_rows, self type included.
    rows = sheet.iter_rows(values_only=True)  # type: ignore[misc]
    for number, row in enumerate(rows, start=1):
        if not table.add(number, row):
            break
    table.finish()
