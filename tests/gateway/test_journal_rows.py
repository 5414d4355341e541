"""A journal entry's row is what it was when it was made by deep copy and one regex per
string: the quicker row (no `asdict`, ASCII text skipping the regex) changes no value."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.storage.journal import JournalEntry, Outcome, column_length
from models.schema import journal

_SURROGATE = re.compile("[\ud800-\udfff]")


def _reference_value(value: Any, length: int | None = None) -> Any:
    """clean_value as it was written before (kept here as the reference)."""
    if isinstance(value, str):
        cleaned = _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
        return cleaned[:length] if length else cleaned
    if isinstance(value, list | tuple):
        return [_reference_value(v) for v in value]
    if isinstance(value, dict):
        return {str(_reference_value(k)): _reference_value(v) for k, v in value.items()}
    return value


def _reference_row(entry: JournalEntry) -> dict[str, Any]:
    data = asdict(entry)
    data["outcome"] = str(entry.outcome)
    return {c.name: _reference_value(data.get(c.name), column_length(c)) for c in journal.columns}


_TEXT = st.text(
    alphabet=st.sampled_from(["a", "Z", " ", "é", "\x00", "\ud800", "\udfff", "’", "😀", "\n"]),
    max_size=40,
) | st.text(max_size=30)
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_TEXT, min_size=8, max_size=8),
    recipients=st.lists(_TEXT, max_size=3),
    rules=st.lists(_TEXT, max_size=3),
    findings=st.lists(st.dictionaries(_TEXT, _JSONISH, max_size=4), max_size=3),
    long=st.integers(0, 1200),
)
def test_rows_are_unchanged(
    text: list[str],
    recipients: list[str],
    rules: list[str],
    findings: list[dict[str, Any]],
    long: int,
) -> None:
    entry = JournalEntry(
        id="01JZZZZZZZZZZZZZZZZZZZZZZZ",
        outcome=Outcome.HELD,
        smtp_reply=text[0] + "x" * long,
        mail_from=text[1],
        recipients=recipients,
        received_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        client_address=text[2],
        client_helo=text[3] * 10,
        auth_user=text[4] or None,
        header_from=text[5],
        subject=text[6] + "s" * long,
        message_id=text[7] or None,
        size=long,
        action="hold",
        rules=rules,
        findings=findings,
        scan_ms=1.5,
        total_ms=2.5,
        error=("e" * long) or None,
    )
    row = entry.row()
    assert row == _reference_row(entry)
    # The row shares nothing mutable with the entry.
    assert row["findings"] is not entry.findings
    assert row["recipients"] is not entry.recipients
