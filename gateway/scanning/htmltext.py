"""HTML to readable text: the words a recipient sees, never the markup."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "title",
    ]
)
_CELL = frozenset(("td", "th"))
_SKIP = frozenset(("script", "style", "head", "noscript", "template"))
_BLANK_LINES = re.compile(r"\n[ \t]*\n[\s]*")
_SPACES = re.compile(r"[ \u00a0]+")


Table = tuple[tuple[str, ...], ...]
"""A table's rows, each a tuple of cell texts."""


def html_to_text(html: str) -> str:
    """Visible text of an HTML document or fragment, one block per line, cells tab-separated.

    Hidden text (display:none) is kept on purpose: it is still sent to the recipient.
    """
    if not html.strip():
        return ""
    root = _document(html)
    return html if root is None else _text(root)


def html_tables(html: str) -> tuple[Table, ...]:
    """The data tables of an HTML document, as rows of cell texts.

    Only innermost tables count: mail is laid out with tables around tables, and the
    outer ones are layout, not data. Empty rows are left out.
    """
    root = _document(html) if html.strip() else None
    return () if root is None else _tables(root)


def html_text_and_tables(html: str) -> tuple[str, tuple[Table, ...]]:
    """`html_to_text` and `html_tables` from one parse."""
    if not html.strip():
        return "", ()
    root = _document(html)
    if root is None:
        return html, ()
    return _text(root), _tables(root)


def _document(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _text(root: lxml.html.HtmlElement) -> str:
    out: list[str] = []
    _walk(root, out)
    text = _SPACES.sub(" ", "".join(out))
    text = "\n".join(line.strip(" ").strip("\t") for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _tables(root: lxml.html.HtmlElement) -> tuple[Table, ...]:
    tables: list[Table] = []
    for table in root.iter("table"):
        if next(table.iterdescendants("table"), None) is not None:
            continue
        rows: list[tuple[str, ...]] = []
        for row in table.iter("tr"):
            cells = tuple(_cell_text(cell) for cell in row if cell.tag in _CELL)
            if any(cells):
                rows.append(cells)
        if rows:
            tables.append(tuple(rows))
    return tuple(tables)


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    """A cell's visible words on one line (blocks and line breaks become spaces)."""
    parts: list[str] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(cell, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        tail = node.tail if node is not cell else None
        if closing or not tag or tag in _SKIP:
            if closing and (tag in _BLOCK or tag in _CELL):
                parts.append(" ")
            if tail:
                parts.append(tail)
            continue
        if tag in _BLOCK or tag in _CELL or tag == "br":
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return " ".join("".join(parts).split())


def _walk(element: lxml.html.HtmlElement, out: list[str]) -> None:
    stack: list[tuple[object, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else ""  # type: ignore[attr-defined]
        tag = tag.lower()
        if closing:
            if tag in _BLOCK:
                out.append("\n")
            elif tag == "br":
                pass  # a <br> is one line break (like a line wrap), not a paragraph
            elif tag in _CELL:
                out.append("\t")
            if node.tail:  # type: ignore[attr-defined]
                out.append(node.tail)  # type: ignore[attr-defined]
            continue
        if tag in _SKIP or not tag:
            if node.tail:  # type: ignore[attr-defined]
                out.append(node.tail)  # type: ignore[attr-defined]
            continue
        if tag in _BLOCK or tag == "br":
            out.append("\n")
        if node.text:  # type: ignore[attr-defined]
            out.append(node.text)  # type: ignore[attr-defined]
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node)))  # type: ignore[call-overload]
