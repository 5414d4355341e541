"""PowerPoint presentations (.pptx) with python-pptx: slide text, speaker notes, tables.

Each slide is a text block ("attachment:deck.pptx#slide 3"); each table on it is a
block of its own ("#slide 3 table 1") with rows numbered from 1.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from pptx import Presentation
from pptx.shapes.autoshape import Shape
from pptx.shapes.base import BaseShape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.shapes.group import GroupShape

from gateway.scanning.extract.context import Collector
from gateway.scanning.extract.tables import TableText
from gateway.scanning.extract.ziparchive import open_container

_MAX_GROUP_NESTING = 20


def extract_pptx(collector: Collector, data: bytes, path: str, depth: int) -> str | None:
    open_container(collector, data).close()  # reserve sizes, refuse unsafe members
    presentation = Presentation(io.BytesIO(data))
    for number, slide in enumerate(presentation.slides, start=1):
        texts: list[str] = []
        tables: list[list[list[str]]] = []
        _read_shapes(slide.shapes, texts, tables, 0)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                texts.append(notes.text.strip())
        location = f"attachment:{path}#slide {number}"
        collector.add_text(location, "\n".join(texts))
        for table_number, rows in enumerate(tables, start=1):
            table = TableText(collector, f"{location} table {table_number}")
            for row_number, cells in enumerate(rows, start=1):
                if not table.add(row_number, cells):
                    break
            table.finish()
    return None


def _read_shapes(
    shapes: Iterable[BaseShape], texts: list[str], tables: list[list[list[str]]], nesting: int
) -> None:
    if nesting > _MAX_GROUP_NESTING:
        return
    for shape in shapes:
        if isinstance(shape, GroupShape):
            _read_shapes(shape.shapes, texts, tables, nesting + 1)
            continue
        if isinstance(shape, Shape) and shape.has_text_frame and shape.text_frame.text.strip():
            texts.append(shape.text_frame.text.strip())
        if isinstance(shape, GraphicFrame) and shape.has_table:
            tables.append([[cell.text for cell in row.cells] for row in shape.table.rows])
