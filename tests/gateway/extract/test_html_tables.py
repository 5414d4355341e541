"""gateway.scanning.htmltext.html_tables: the data tables of an HTML page as rows of cells."""

from __future__ import annotations

import pytest

from gateway.scanning.htmltext import html_tables, html_to_text

CASES = [
    pytest.param(
        "<table><tr><th>Forename</th><th>Surname</th></tr>"
        "<tr><td>Amelia</td><td>Jones</td></tr></table>",
        ((("Forename", "Surname"), ("Amelia", "Jones")),),
        id="header and data cells",
    ),
    pytest.param(
        "<table><tr><td><p>Intro</p><table><tr><td>Amelia</td><td>Jones</td></tr></table>"
        "</td></tr></table>",
        ((("Amelia", "Jones"),),),
        id="a layout table around a data table: only the inner one is data",
    ),
    pytest.param(
        "<table><tr><td>Ame<b>lia</b> <i>Rose</i><br>Jones<script>var x</script></td></tr></table>",
        ((("Amelia Rose Jones",),),),
        id="inline tags join, line breaks are spaces, scripts are not text",
    ),
    pytest.param(
        "<table><tr><td> </td></tr><tr><td>Oliver</td><!-- note --><td>O'Neill</td></tr></table>",
        ((("Oliver", "O'Neill"),),),
        id="empty rows left out, comments ignored",
    ),
    pytest.param("<p>No tables here</p>", (), id="no table"),
    pytest.param("", (), id="empty document"),
]


@pytest.mark.parametrize(("html", "tables"), CASES)
def test_html_tables(html: str, tables: tuple[object, ...]) -> None:
    assert html_tables(html) == tables


def test_text_keeps_the_cells_tab_separated() -> None:
    html = "<table><tr><td>Amelia</td><td>Jones</td></tr></table>"
    assert html_to_text(html) == "Amelia\tJones"
