"""The DSL's incident log: filter and search, review (grade, true/false positive, notes),
and export as CSV. Auditors see the list's metadata only."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse

from gateway.policy.titles import RuleTitles
from gateway.storage import audit
from gateway.web import csrf
from gateway.web.auth import Viewer, require
from gateway.web.incident_store import (
    GRADES,
    MARKINGS,
    NON_DELIVER,
    Incident,
    IncidentFilters,
    IncidentStore,
)
from gateway.web.pages import ctx, redirect, render
from gateway.web.roles import Permission

router = APIRouter()
PAGE_SIZE = 50
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _store(request: Request) -> IncidentStore:
    return IncidentStore(ctx(request).store)


def _filters(
    q: str = "",
    action: str = "",
    rule: str = "",
    sender: str = "",
    recipient: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    marking: str = "",
    grade: str = "",
    overrides: str = "",
    page: int = 1,
) -> IncidentFilters:
    return IncidentFilters(
        q=q[:200],
        action=action,
        rule=rule[:80],
        sender=sender[:200],
        recipient=recipient[:200],
        date_from=date_from,
        date_to=date_to,
        marking=marking,
        grade=grade,
        overrides=overrides == "only",
        page=max(1, min(page, 10_000)),
    )


def _query_string(filters: IncidentFilters, **change: object) -> str:
    values: dict[str, object] = {
        "q": filters.q,
        "action": filters.action,
        "rule": filters.rule,
        "sender": filters.sender,
        "recipient": filters.recipient,
        "from": filters.date_from,
        "to": filters.date_to,
        "marking": filters.marking,
        "grade": filters.grade,
        "overrides": "only" if filters.overrides else "",
        "page": filters.page,
    }
    values.update(change)
    return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


@router.get("/incidents")
async def incident_log(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.METADATA))],
    filters: Annotated[IncidentFilters, Depends(_filters)],
) -> Response:
    store = _store(request)
    incidents = await store.page(filters, PAGE_SIZE + 1, (filters.page - 1) * PAGE_SIZE)
    values = {
        "title": "Incident log",
        "incidents": incidents[:PAGE_SIZE],
        "total": await store.count(filters),
        "more": len(incidents) > PAGE_SIZE,
        "filters": filters,
        "query": _query_string(filters, page=""),
        "next_query": _query_string(filters, page=filters.page + 1),
        "prev_query": _query_string(filters, page=filters.page - 1),
        "actions": NON_DELIVER,
        "rules": ctx(request).rule_titles.options(
            r.name for r in ctx(request).config.effective_rules()
        ),
        "grades": GRADES,
        "markings": MARKINGS,
    }
    return render(request, "incidents.html", values)


def _cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: make them text."""
    text = str(value if value is not None else "")
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_HEAD = [
    "received_at",
    "id",
    "action",
    "outcome",
    "audit_only",
    "sender",
    "recipients",
    "subject",
    "rules",
    "rule_titles",
    "finding_types",
    "grade",
    "marking",
    "sent_anyway_by",
    "sent_anyway_reason",
    "hold_status",
]


def _csv_row(i: Incident, titles: RuleTitles) -> list[str]:
    """One incident; its rules by name (for a script) and by title (as the console shows
    them, for the DSL reading it in a spreadsheet)."""
    values: list[object] = [
        i.received_at.isoformat(timespec="seconds"),
        i.id,
        i.action,
        i.outcome,
        "yes" if i.audit_only else "no",
        i.mail_from,
        "; ".join(i.recipients),
        i.subject,
        "; ".join(i.rules),
        "; ".join(titles.many(i.rules)),
        "; ".join(i.finding_types),
        i.grade or "",
        i.marking or "",
        i.override.by if i.override else "",
        i.override.reason if i.override else "",
        i.hold_status or "",
    ]
    return [_cell(v) for v in values]


@router.get("/incidents/export.csv")
async def export(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.EXPORT))],
    filters: Annotated[IncidentFilters, Depends(_filters)],
) -> Response:
    store = _store(request)
    described = _query_string(filters, page="") or "all incidents"
    await audit.log(
        ctx(request).store, viewer.actor, "export", detail=f"incidents CSV: {described}"
    )

    titles = ctx(request).rule_titles

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # so Excel reads UTF-8
        writer.writerow(CSV_HEAD)
        async for incident in store.stream(filters):
            writer.writerow(_csv_row(incident, titles))
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"schoolgate-incidents-{datetime.now(UTC):%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _incident_or_404(request: Request, journal_id: str) -> Incident:
    incident = await _store(request).get(journal_id)
    if incident is None:
        raise HTTPException(status_code=404, detail="There is no incident with that id.")
    return incident


@router.get("/incidents/{journal_id}")
async def incident_page(
    request: Request,
    journal_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CONTENT))],
) -> Response:
    incident = await _incident_or_404(request, journal_id)
    history = await _store(request).history(journal_id, with_notes=viewer.can(Permission.NOTES))
    rules = {r.name: r for r in ctx(request).config.effective_rules()}
    values = {
        "title": "Incident",
        "incident": incident,
        "history": history,
        "rules": [(name, rules.get(name)) for name in incident.rules],
        "grades": GRADES,
        "markings": MARKINGS,
    }
    return render(request, "incident.html", values)


@router.post("/incidents/{journal_id}/review", dependencies=[Depends(csrf.verify)])
async def review(
    request: Request,
    journal_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.ANNOTATE))],
    grade: Annotated[str, Form()] = "",
    marking: Annotated[str, Form()] = "",
) -> Response:
    await _incident_or_404(request, journal_id)
    if (grade and grade not in GRADES) or (marking and marking not in MARKINGS):
        return redirect(request, f"/incidents/{journal_id}", "Choose from the lists.", "error")
    changed = await _store(request).review(journal_id, viewer.actor, grade=grade, marking=marking)
    text = "Review saved." if changed else "Nothing changed."
    return redirect(request, f"/incidents/{journal_id}#review", text, "ok")


@router.post("/incidents/{journal_id}/notes", dependencies=[Depends(csrf.verify)])
async def add_note(
    request: Request,
    journal_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.ANNOTATE))],
    text: Annotated[str, Form()] = "",
) -> Response:
    await _incident_or_404(request, journal_id)
    text = text.strip()
    if not text:
        return redirect(request, f"/incidents/{journal_id}#notes", "Write the note first.", "error")
    await _store(request).add_note(journal_id, viewer.actor, text)
    return redirect(request, f"/incidents/{journal_id}#history", "Note added.", "ok")
