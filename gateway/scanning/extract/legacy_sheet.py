"""Excel 97-2003 (.xls) workbooks with xlrd: every sheet, rows as Excel numbers them."""

from __future__ import annotations

import xlrd

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.office_crypto import office_is_encrypted
from gateway.scanning.extract.tables import TableText
from models.location import attachment


def extract_xls(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    if office_is_encrypted(data):
        return "office"
    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Silent())
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            table = TableText(collector, attachment(path, sheet.name))
            for row in range(sheet.nrows):
                cells = [_value(book, cell) for cell in sheet.row(row)]
                if not table.add(row + 1, cells):
                    break
            table.finish()
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return None


def _value(book: xlrd.book.Book, cell: xlrd.sheet.Cell) -> object:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(float(cell.value), book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return ""
    return cell.value


class _Silent:
    """xlrd writes warnings to a log file object; a scan has no use for them."""

    def write(self, text: str) -> int:
        return len(text)
