"""HTML bodies become the text a reader sees, with line structure kept."""

from __future__ import annotations

import pytest

from gateway.scanning.htmltext import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        # a <br> is a line break, like a wrapped line: names split by it stay adjacent
        ("<p>Amelia<br>Jones did well</p>", "Amelia\nJones did well"),
        # paragraphs are separated by a blank line
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        # markup, scripts and styles are not text; entities are decoded
        ("<style>p{}</style><p>A &amp; <b>B</b><script>alert(1)</script></p>", "A & B"),
        # table cells are tab-separated, rows on their own lines
        ("<table><tr><td>Amelia</td><td>Jones</td></tr></table>", "Amelia\tJones"),
        # hidden text is still sent to the recipient, so it is kept
        ('<p>Seen</p><div style="display:none">Hidden note</div>', "Seen\n\nHidden note"),
        # empty input
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str):
    assert html_to_text(html) == text
