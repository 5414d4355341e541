"""The incident log as CSV: the filtered rows, safe to open in a spreadsheet, audited."""

from __future__ import annotations

import csv
import io

import pytest

from gateway.web.incidents import CSV_HEAD, _cell
from tests.gateway.web.console import Console, email_for


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Class news", "Class news"),  # ordinary text is left alone
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),  # a formula: made text
        ("+44 1234", "'+44 1234"),  # would be read as a sum
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),  # a leading tab or return also starts formulas in some programs
        ("", ""),
        (None, ""),
        ("a=b", "a=b"),  # only the first character matters
    ],
)
def test_cells_cannot_become_formulas(value: object, expected: str):
    assert _cell(value) == expected


def test_export_has_the_filtered_incidents_and_is_recorded(console: Console):
    console.add_user(email_for("dsl"), "dsl")
    console.send("KEYWORD-QUARANTINE", subject="=cmd|' /C calc'!A0")
    console.send("KEYWORD-CONFIRM", subject="Trip letter")
    console.send("Nothing to see", subject="Clean")
    client = console.sign_in(email_for("dsl"))
    everything = client.get("/incidents/export.csv")
    held_only = client.get("/incidents/export.csv", params={"action": "quarantine"})
    client.close()
    assert everything.status_code == 200
    assert everything.headers["content-type"].startswith("text/csv")
    assert "attachment;" in everything.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(everything.text.lstrip("\ufeff"))))
    assert rows[0] == CSV_HEAD
    assert sorted(r[7] for r in rows[1:]) == ["'=cmd|' /C calc'!A0", "Trip letter"]
    [only] = list(csv.reader(io.StringIO(held_only.text.lstrip("\ufeff"))))[1:]
    assert only[2] == "quarantine"
    # The rule by name for scripts, and by title as the console shows it for the DSL.
    assert only[CSV_HEAD.index("rules")] == "keyword-quarantine"
    assert only[CSV_HEAD.index("rule_titles")] == "Keyword quarantine"
    exports = [a.detail for a in console.audit() if a.action == "export"]
    assert exports == ["incidents CSV: all incidents", "incidents CSV: action=quarantine"]
