"""When an OOXML part may be read with regular expressions instead of an XML tree.

The parts Office and the libraries that write spreadsheets produce are plain: one
default namespace, no DTD, comments, CDATA or processing instructions, elements in a
fixed form. Such a part can be read with a few regular expressions over its bytes, at
a fraction of the cost of building an element for every cell. `plain_part` says whether
a part is one of them: it must be well-formed by libxml2's own reading (with the same
limits as lxml.etree.iterparse, which reads every other part) and use only the features
the expressions handle. Any other part is read with lxml as before, so the two readings
agree on every part, including the ones libxml2 refuses.
"""

from __future__ import annotations

import re
from typing import cast

import lxml.etree

_DECLARATION = re.compile(
    rb'<\?xml version="1\.0"(?: encoding="(?i:utf-8)")?(?: standalone="(?:yes|no)")?\s*\?>'
)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.-]*)[\s/>]")
_NAMESPACE = re.compile(rb"xmlns(:[^\s=]*)?\s*=\s*(\"[^\"]*\"|'[^']*')")
"""A namespace declaration (or text that looks like one: then the part is not plain)."""
_LONGEST_TEXT = 9_000_000
"""libxml2 refuses a text node over 10,000,000 characters (lxml's huge_tree=False)."""
_LONG_TEXT = re.compile(b"<[^<]{%d}" % _LONGEST_TEXT)
"""A tag and the text after it, longer than that (tried only where a tag starts)."""


class _Checker:
    """A parser target that builds nothing: libxml2 only checks the document. It has no
    start, end or data method on purpose (lxml then calls no Python per element), only
    the ones that note what the regular expressions do not read."""

    def __init__(self) -> None:
        self.plain = True

    def doctype(self, *_: object) -> None:
        self.plain = False

    def comment(self, _: object) -> None:
        self.plain = False

    def pi(self, *_: object) -> None:
        self.plain = False

    def close(self) -> None:
        return None


def plain_part(data: bytes, namespace: str) -> int | None:
    """Where the root element of `data` starts when the regular-expression readers may
    read it (its elements are unprefixed and in `namespace`), else None. The part is
    not copied (a sheet can be tens of megabytes), except once to check it."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    declaration = _DECLARATION.match(data, start)
    if declaration:
        start = declaration.end()
    root = _ROOT.match(data, start)
    if root is None:
        return None
    name = root.group(1)
    start = root.start(1) - 1  # (Excel writes "\r\n" after the declaration)
    if data.find(b"\r", start) >= 0 or b"<![CDATA[" in data or b"xml:id" in data:
        return None  # (a DTD, comments and processing instructions: _Checker)
    end = len(data)
    while end > start and data[end - 1] in b" \t\n":
        end -= 1
    if not data.endswith(b"</" + name + b">", start, end):
        return None  # the root element ends the part...
    if len(re.compile(b"<" + name + rb"[\s/>]").findall(data, start, end)) != 1:
        return None  # ... and is the only element of its name
    declarations = _NAMESPACE.findall(data, start)
    main = b'"' + namespace.encode() + b'"'
    if [value for prefix, value in declarations if not prefix] != [main]:
        return None  # the main namespace declared once, by default, and nothing else
    if not _NAMESPACE.search(data, start, data.index(b">", start)):
        return None  # on the root element, so every unprefixed element is in it
    for prefix, value in declarations:
        if prefix and (b"&" in value or value[1:-1] == namespace.encode()):
            return None
    if len(data) > _LONGEST_TEXT and _LONG_TEXT.search(data, start):
        return None
    # Read inside an element of its own, so that libxml2's depth limit falls where it
    # does for iterparse (which counts one level more than a parser target does).
    checker = _Checker()
    parser = lxml.etree.XMLParser(
        target=cast("lxml.etree.ParserTarget", checker),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        lxml.etree.fromstring(b"".join((b"<w>", memoryview(data)[start:], b"</w>")), parser)
    except lxml.etree.XMLSyntaxError:
        return None
    if len(parser.error_log) or not checker.plain:
        return None  # namespace errors: a parser target does not raise them, iterparse does
    return start


_REFERENCE = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _replace(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _NAMED[name]
    return chr(int(decimal) if decimal else int(hexadecimal, 16))


def text_of(raw: bytes) -> str:
    """The text of a plain part's character data (its references resolved)."""
    text = raw.decode("utf-8")
    return _REFERENCE.sub(_replace, text) if "&" in text else text
