"""Search and filter conditions that mean the same on SQLite and PostgreSQL.

Text matching is case-insensitive substring matching (LOWER(...) LIKE), and JSON
columns (recipients, rules, findings) are searched as their text, which both engines
can do without extensions or a separate search index.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa


def like_pattern(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column: Any, term: str) -> Any:
    """`column` contains `term`, ignoring case (JSON columns are matched as text)."""
    if isinstance(column.type, sa.JSON):
        column = sa.cast(column, sa.Text)
    return sa.func.lower(column).like(like_pattern(term), escape="\\")


def json_has_string(column: Any, value: str) -> Any:
    """A JSON list column holds exactly this string (e.g. one rule name)."""
    return contains(column, f'"{value}"')


def any_contains(columns: list[Any], text: str) -> list[Any]:
    """Every word of `text` appears in at least one of the columns."""
    return [sa.or_(*(contains(c, word) for c in columns)) for word in text.split()[:8]]


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The end of `day` (exclusive), so "to 3 March" includes all of 3 March."""
    return day_start(day) + timedelta(days=1)
