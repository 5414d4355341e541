"""The at-a-glance dashboard and the reports page (charts): counts and trends only, so
every role may see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response

from gateway.hold.status import HoldStatus
from gateway.web import charts
from gateway.web.auth import Viewer, require
from gateway.web.incident_store import NON_DELIVER, IncidentStore
from gateway.web.pages import ctx, render
from gateway.web.roles import Permission
from models.schema import held_messages, incident_reviews, journal

router = APIRouter()
WEEKS = 12


async def _scalar(request: Request, query: Any) -> int:
    async with ctx(request).store.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def _held_count(action: str) -> Any:
    return (
        sa.select(sa.func.count())
        .select_from(held_messages)
        .where(held_messages.c.status == HoldStatus.HELD)
        .where(held_messages.c.action == action)
    )


def _incidents_since(start: datetime, *, unreviewed: bool = False) -> Any:
    query = (
        sa.select(sa.func.count())
        .select_from(
            journal.outerjoin(incident_reviews, incident_reviews.c.journal_id == journal.c.id)
        )
        .where(journal.c.action.in_(NON_DELIVER))
        .where(journal.c.received_at >= start)
    )
    return query.where(incident_reviews.c.marking.is_(None)) if unreviewed else query


@router.get("/")
async def dashboard(
    request: Request, viewer: Annotated[Viewer, Depends(require(Permission.METADATA))]
) -> Response:
    now = datetime.now(UTC)
    week = datetime.combine(charts.week_start(now), datetime.min.time(), tzinfo=UTC)
    month = now - timedelta(days=30)
    store = IncidentStore(ctx(request).store)
    weeks = charts.recent_weeks(WEEKS)
    start = datetime.combine(weeks[0], datetime.min.time(), tzinfo=UTC)
    rows = await store.since(min(start, month))
    recent = [r for r in rows if r.received_at >= month]
    overridden = await store.overrides_since(month)
    warnings = [r for r in recent if r.action == "confirm"]
    sent_anyway = sum(r.id in overridden for r in warnings)
    values = {
        "title": "Dashboard",
        "quarantined": await _scalar(request, _held_count("quarantine")),
        "awaiting_sender": await _scalar(request, _held_count("confirm")),
        "this_week": await _scalar(request, _incidents_since(week)),
        "unreviewed": await _scalar(request, _incidents_since(month, unreviewed=True)),
        "override_rate": (f"{100 * sent_anyway / len(warnings):.0f}%" if warnings else "–"),
        "override_detail": f"{sent_anyway} of {len(warnings)} warnings in 30 days",
        "recent_held": await ctx(request).flow.holds.find(
            statuses=[HoldStatus.HELD], action="quarantine", limit=5
        ),
        "chart": charts.incidents_by_week(rows, weeks, ctx(request).rule_titles),
    }
    return render(request, "dashboard.html", values)


@router.get("/reports")
async def reports(
    request: Request, viewer: Annotated[Viewer, Depends(require(Permission.METADATA))]
) -> Response:
    store = IncidentStore(ctx(request).store)
    weeks = charts.recent_weeks(WEEKS)
    start = datetime.combine(weeks[0], datetime.min.time(), tzinfo=UTC)
    rows = await store.since(start)
    overridden = await store.overrides_since(start)
    values = {
        "title": "Reports",
        "weeks": WEEKS,
        "charts": [
            charts.incidents_by_week(rows, weeks, ctx(request).rule_titles),
            charts.top_senders(rows),
            charts.override_rate(rows, overridden, weeks),
        ],
    }
    return render(request, "reports.html", values)
