"""The DSL's incident log: every non-deliver verdict in the journal, with its review.

An incident is a journal row whose verdict was notify, confirm, quarantine or reject
(also in audit-only mode, where it records what would have happened). A confirm hold
the sender released with "Send anyway" is an override (audit_log action "override").
Reviews (grade, true/false positive) are one row per incident; every change and every
note is also appended to incident_events, which is the incident's history.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.storage.engine import Store, aware
from gateway.web.filters import any_contains, day_end, day_start, json_has_string, parse_day
from models.schema import audit_log, held_messages, incident_events, incident_reviews, journal

NON_DELIVER = ("notify", "confirm", "quarantine", "reject")
GRADES = {
    "none": "No concern",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "serious": "Serious",
}
MARKINGS = {"true-positive": "True positive", "false-positive": "False positive"}
SEARCHED = [
    journal.c.subject,
    journal.c.mail_from,
    journal.c.header_from,
    journal.c.recipients,
    journal.c.rules,
    journal.c.findings,
]
"""What full-text search looks in: only the journal's redacted fields."""


@dataclass
class IncidentFilters:
    q: str = ""
    action: str = ""
    rule: str = ""
    sender: str = ""
    recipient: str = ""
    date_from: str = ""
    date_to: str = ""
    marking: str = ""
    grade: str = ""
    overrides: bool = False
    page: int = 1

    def conditions(self) -> list[Any]:
        c = journal.c
        found: list[Any] = [c.action.in_(NON_DELIVER)]
        if self.action in NON_DELIVER:
            found.append(c.action == self.action)
        if self.rule:
            found.append(json_has_string(c.rules, self.rule))
        if self.sender:
            found += any_contains([c.mail_from, c.header_from], self.sender)
        if self.recipient:
            found += any_contains([c.recipients], self.recipient)
        if self.q:
            found += any_contains(SEARCHED, self.q)
        if day := parse_day(self.date_from):
            found.append(c.received_at >= day_start(day))
        if day := parse_day(self.date_to):
            found.append(c.received_at < day_end(day))
        if self.marking in MARKINGS:
            found.append(incident_reviews.c.marking == self.marking)
        elif self.marking == "unreviewed":
            found.append(incident_reviews.c.marking.is_(None))
        if self.grade in GRADES:
            found.append(incident_reviews.c.grade == self.grade)
        if self.overrides:
            found.append(_overridden())
        return found


def _overridden() -> Any:
    return (
        sa.select(audit_log.c.id)
        .where(audit_log.c.action == "override")
        .where(audit_log.c.journal_id == journal.c.id)
        .exists()
    )


@dataclass(frozen=True, slots=True)
class Override:
    by: str
    reason: str
    at: datetime


@dataclass
class Incident:
    id: str
    received_at: datetime
    action: str
    outcome: str
    audit_only: bool
    mail_from: str
    header_from: str
    recipients: list[str]
    subject: str
    rules: list[str]
    findings: list[dict[str, Any]]
    hold_id: str | None
    hold_status: str | None
    grade: str | None
    marking: str | None
    override: Override | None = None

    @property
    def finding_types(self) -> list[str]:
        return sorted({str(f.get("type", "")) for f in self.findings})


@dataclass(frozen=True, slots=True)
class Activity:
    """One incident as the charts see it."""

    id: str
    received_at: datetime
    rules: list[str]
    mail_from: str
    action: str


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str
    kind: str
    text: str


_COLUMNS = [
    journal.c.id,
    journal.c.received_at,
    journal.c.action,
    journal.c.outcome,
    journal.c.audit_only,
    journal.c.mail_from,
    journal.c.header_from,
    journal.c.recipients,
    journal.c.subject,
    journal.c.rules,
    journal.c.findings,
    journal.c.hold_id,
    held_messages.c.status.label("hold_status"),
    incident_reviews.c.grade,
    incident_reviews.c.marking,
]


def _select(filters: IncidentFilters) -> Any:
    query = (
        sa.select(*_COLUMNS)
        .select_from(
            journal.outerjoin(
                incident_reviews, incident_reviews.c.journal_id == journal.c.id
            ).outerjoin(held_messages, held_messages.c.id == journal.c.hold_id)
        )
        .order_by(journal.c.received_at.desc(), journal.c.id.desc())
    )
    for condition in filters.conditions():
        query = query.where(condition)
    return query


def _incident(row: Any) -> Incident:
    return Incident(
        id=row.id,
        received_at=aware(row.received_at),  # type: ignore[arg-type]
        action=row.action,
        outcome=row.outcome,
        audit_only=bool(row.audit_only),
        mail_from=row.mail_from,
        header_from=row.header_from,
        recipients=list(row.recipients or []),
        subject=row.subject,
        rules=list(row.rules or []),
        findings=list(row.findings or []),
        hold_id=row.hold_id,
        hold_status=row.hold_status,
        grade=row.grade,
        marking=row.marking,
    )


class IncidentStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def _attach_overrides(self, incidents: list[Incident]) -> None:
        by_id = {i.id: i for i in incidents}
        if not by_id:
            return
        query = (
            sa.select(audit_log.c.journal_id, audit_log.c.actor, audit_log.c.detail, audit_log.c.at)
            .where(audit_log.c.action == "override")
            .where(audit_log.c.journal_id.in_(list(by_id)))
        )
        async with self.store.connect() as conn:
            for row in await conn.execute(query):
                by_id[row.journal_id].override = Override(row.actor, row.detail, aware(row.at))  # type: ignore[arg-type]

    async def page(self, filters: IncidentFilters, limit: int, offset: int) -> list[Incident]:
        async with self.store.connect() as conn:
            rows = await conn.execute(_select(filters).limit(limit).offset(offset))
            incidents = [_incident(r) for r in rows]
        await self._attach_overrides(incidents)
        return incidents

    async def count(self, filters: IncidentFilters) -> int:
        query = sa.select(sa.func.count()).select_from(_select(filters).order_by(None).subquery())
        async with self.store.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def stream(self, filters: IncidentFilters, batch: int = 500) -> AsyncIterator[Incident]:
        """Every matching incident, newest first, a batch at a time (for the CSV export)."""
        offset = 0
        while True:
            incidents = await self.page(filters, batch, offset)
            for incident in incidents:
                yield incident
            if len(incidents) < batch:
                return
            offset += batch

    async def get(self, journal_id: str) -> Incident | None:
        query = _select(IncidentFilters()).where(journal.c.id == journal_id)
        async with self.store.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        incident = _incident(row)
        await self._attach_overrides([incident])
        return incident

    async def history(self, journal_id: str, *, with_notes: bool) -> list[Event]:
        query = (
            sa.select(incident_events)
            .where(incident_events.c.journal_id == journal_id)
            .order_by(incident_events.c.at.desc(), incident_events.c.id.desc())
        )
        if not with_notes:
            query = query.where(incident_events.c.kind != "note")
        async with self.store.connect() as conn:
            rows = await conn.execute(query)
        return [Event(aware(r.at), r.actor, r.kind, r.text) for r in rows]  # type: ignore[arg-type]

    async def review(
        self, journal_id: str, actor: Actor, *, grade: str | None, marking: str | None
    ) -> list[str]:
        """Set the grade and marking (None: leave as is); returns what changed."""
        current = await self.get(journal_id)
        if current is None:
            raise LookupError(journal_id)
        changes: dict[str, str] = {}
        if grade is not None and grade != (current.grade or ""):
            changes["grade"] = grade
        if marking is not None and marking != (current.marking or ""):
            changes["marking"] = marking
        if not changes:
            return []
        now = datetime.now(UTC)
        values = {k: (v or None) for k, v in changes.items()}
        async with self.store.begin() as conn:
            updated = await conn.execute(
                incident_reviews.update()
                .where(incident_reviews.c.journal_id == journal_id)
                .values(**values, updated_at=now, updated_by=actor.name)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    incident_reviews.insert().values(
                        journal_id=journal_id, **values, updated_at=now, updated_by=actor.name
                    )
                )
            for kind, value in changes.items():
                await conn.execute(
                    incident_events.insert().values(
                        journal_id=journal_id, at=now, actor=actor.name, kind=kind, text=value
                    )
                )
            detail = "; ".join(f"{k}: {v or 'cleared'}" for k, v in changes.items())
            await audit.record(conn, actor, "incident-review", journal_id=journal_id, detail=detail)
        return list(changes)

    async def add_note(self, journal_id: str, actor: Actor, text: str) -> None:
        async with self.store.begin() as conn:
            await conn.execute(
                incident_events.insert().values(
                    journal_id=journal_id,
                    at=datetime.now(UTC),
                    actor=actor.name,
                    kind="note",
                    text=text[:4000],
                )
            )
            # The note itself is a safeguarding record for DSLs only: the audit log,
            # which admins also read, says that a note was added, not what it says.
            await audit.record(
                conn, actor, "incident-note", journal_id=journal_id, detail="note added"
            )

    async def since(self, start: datetime) -> list[Activity]:
        """Rows for the charts: when, which rules, who, which action (no content)."""
        query = (
            sa.select(
                journal.c.id,
                journal.c.received_at,
                journal.c.rules,
                journal.c.mail_from,
                journal.c.action,
            )
            .where(journal.c.action.in_(NON_DELIVER))
            .where(journal.c.received_at >= start)
        )
        async with self.store.connect() as conn:
            rows = await conn.execute(query)
            return [
                Activity(r.id, aware(r.received_at), list(r.rules or []), r.mail_from, r.action)  # type: ignore[arg-type]
                for r in rows
            ]

    async def overrides_since(self, start: datetime) -> set[str]:
        query = (
            sa.select(audit_log.c.journal_id)
            .where(audit_log.c.action == "override")
            .where(audit_log.c.at >= start)
        )
        async with self.store.connect() as conn:
            return {r.journal_id for r in await conn.execute(query) if r.journal_id}
