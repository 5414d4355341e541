"""HTML files: the visible text, and the rows of their data tables."""

from __future__ import annotations

from gateway.scanning.extract.context import Collector
from gateway.scanning.htmltext import Table, html_text_and_tables
from gateway.textfiles.encoding import decode_text
from models import Row
from models.location import attachment


def table_rows(tables: tuple[Table, ...]) -> tuple[Row, ...]:
    """All data-table rows of a page, numbered from 1 in reading order.

    HTML tables are mostly layout, so the page stays one text block (its text already
    holds the cells, tab-separated) and the rows are an extra, per-cell view of it.
    """
    rows: list[Row] = []
    for table in tables:
        for cells in table:
            rows.append(Row(number=len(rows) + 1, cells=cells))
    return tuple(rows)


def extract_html(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    text, tables = html_text_and_tables(decode_text(data))
    collector.add_text(attachment(path), text, table_rows(tables))
    return None
