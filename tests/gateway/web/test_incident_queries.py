"""The incident log's filters, search and reviews, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.storage.engine import Store
from gateway.storage.journal import JournalEntry, Outcome, insert_entries
from gateway.web.incident_store import IncidentFilters, IncidentStore

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
DSL = Actor("dsl@school.example", "dsl", "127.0.0.1")


def _entry(n: int, **values: Any) -> JournalEntry:
    defaults: dict[str, Any] = {
        "id": f"{n:026d}",
        "outcome": Outcome.HELD,
        "smtp_reply": "250",
        "received_at": NOW - timedelta(days=n),
        "mail_from": "teacher@school.example",
        "recipients": ["parent@example.org"],
        "subject": "Class news",
        "action": "quarantine",
        "rules": ["pupil-name-subject"],
        "findings": [
            {
                "type": "PUPIL_FULL_NAME",
                "evidence": "A**** J****",
                "explanation": "A pupil's full name is in the subject line.",
            }
        ],
    }
    defaults.update(values)
    return JournalEntry(**defaults)


ENTRIES = [
    _entry(1),
    _entry(
        2,
        action="confirm",
        rules=["sensitive-external"],
        subject="Medical form 100%_done",
        findings=[
            {
                "type": "NHS_NUMBER",
                "evidence": "********19",
                "explanation": "An NHS number is going outside the school.",
            }
        ],
    ),
    _entry(
        3,
        action="reject",
        mail_from="head@school.example",
        recipients=["x@gmail.com"],
        rules=["chain-letter"],
        subject="Fwd: forward this to 10 friends",
        findings=[],
    ),
    _entry(4, action="notify", rules=["personal-address"]),
    _entry(5, action="deliver", outcome=Outcome.DELIVERED, subject="Clean mail"),  # not an incident
    _entry(40, subject="Old news"),  # a long time ago
]


def _run(db_url: str, work: Callable[[IncidentStore], Awaitable[Any]]) -> Any:
    async def scenario() -> Any:
        store = await Store.open(db_url)
        try:
            async with store.begin() as conn:
                await insert_entries(conn, ENTRIES)
                await audit.record(
                    conn,
                    Actor("teacher@school.example", "sender"),
                    "override",
                    hold_id="H" * 26,
                    journal_id=ENTRIES[1].id,
                    detail="Parents asked for it",
                )
            return await work(IncidentStore(store))
        finally:
            await store.close()

    return asyncio.run(scenario())


FILTERS = [
    # (filters, the entries (by number) listed, newest first)
    (IncidentFilters(), [1, 2, 3, 4, 40]),  # every non-deliver verdict; delivered mail is not
    (IncidentFilters(action="reject"), [3]),  # by outcome
    (IncidentFilters(rule="chain-letter"), [3]),  # by rule name
    (IncidentFilters(rule="chain"), []),  # a rule name is matched whole, not in part
    (IncidentFilters(sender="HEAD@"), [3]),  # sender, ignoring case
    (IncidentFilters(recipient="gmail"), [3]),  # recipients (a JSON list) as text
    (IncidentFilters(q="nhs number"), [2]),  # search: finding explanations, every word
    (IncidentFilters(q="friends forward"), [3]),  # search: words of the subject, any order
    (IncidentFilters(q="NHS_NUMBER"), [2]),  # search: finding types
    (IncidentFilters(q="personal-address"), [4]),  # search: rule names
    (IncidentFilters(q="100%_"), [2]),  # % and _ are literal characters, not wildcards
    (IncidentFilters(q="%"), [2]),  # ... so "%" alone does not match everything
    (IncidentFilters(q="nothing like this"), []),
    (IncidentFilters(date_from="2026-03-01", date_to="2026-03-02"), [2, 3]),  # whole days
    (IncidentFilters(date_from="not a date"), [1, 2, 3, 4, 40]),  # a bad date is ignored
    (IncidentFilters(overrides=True), [2]),  # "Send anyway" only
]


@pytest.mark.parametrize(
    ("filters", "expected"), FILTERS, ids=[str(i) for i in range(len(FILTERS))]
)
def test_filters_and_search(db_url: str, filters: IncidentFilters, expected: list[int]):
    async def work(store: IncidentStore) -> tuple[list[str], int]:
        return [i.id for i in await store.page(filters, 50, 0)], await store.count(filters)

    ids, count = _run(db_url, work)
    assert ids == [f"{n:026d}" for n in expected]
    assert count == len(expected)


def test_reviews_keep_their_history_and_filter_the_log(db_url: str):
    async def work(store: IncidentStore) -> dict[str, Any]:
        first = ENTRIES[0].id
        changed = [
            await store.review(first, DSL, grade="high", marking="true-positive"),
            await store.review(first, DSL, grade="high", marking="false-positive"),
            await store.review(first, DSL, grade="high", marking="false-positive"),
        ]
        await store.add_note(first, DSL, "Spoke to the teacher: it was a different Amelia.")
        return {
            "changed": changed,
            "false": [
                i.id for i in await store.page(IncidentFilters(marking="false-positive"), 50, 0)
            ],
            "unreviewed": await store.count(IncidentFilters(marking="unreviewed")),
            "graded": await store.count(IncidentFilters(grade="high")),
            "history": [(e.kind, e.text) for e in await store.history(first, with_notes=True)],
            "no_notes": [e.kind for e in await store.history(first, with_notes=False)],
            "override": (await store.get(ENTRIES[1].id)).override,  # type: ignore[union-attr]
        }

    result = _run(db_url, work)
    assert result["changed"] == [["grade", "marking"], ["marking"], []]
    assert result["false"] == [ENTRIES[0].id]
    assert result["unreviewed"] == 4
    assert result["graded"] == 1
    assert sorted(result["history"]) == sorted(
        [
            ("grade", "high"),
            ("marking", "true-positive"),
            ("marking", "false-positive"),
            ("note", "Spoke to the teacher: it was a different Amelia."),
        ]
    )
    assert "note" not in result["no_notes"]
    assert (result["override"].by, result["override"].reason) == (
        "teacher@school.example",
        "Parents asked for it",
    )


def test_the_export_streams_every_match_in_batches(db_url: str):
    async def work(store: IncidentStore) -> list[str]:
        return [i.id async for i in store.stream(IncidentFilters(), batch=2)]

    assert _run(db_url, work) == [f"{n:026d}" for n in (1, 2, 3, 4, 40)]
