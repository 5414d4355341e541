"""The audit log, read-only: who viewed or did what, when, from where.

The console only ever reads this table (gateway/storage/audit.py only appends to it). Auditors
see who/what/when; the free-text detail (reasons people gave) needs AUDIT_DETAIL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request, Response

from gateway.storage.engine import aware
from gateway.web.auth import Viewer, require
from gateway.web.filters import contains, day_end, day_start, parse_day
from gateway.web.pages import ctx, render
from gateway.web.roles import Permission
from models.schema import audit_log

router = APIRouter()
PAGE_SIZE = 100


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    hold: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.action:
            found.append(audit_log.c.action == self.action)
        if self.actor:
            found.append(contains(audit_log.c.actor, self.actor))
        if self.hold:
            found.append(
                sa.or_(audit_log.c.hold_id == self.hold, audit_log.c.journal_id == self.hold)
            )
        if day := parse_day(self.date_from):
            found.append(audit_log.c.at >= day_start(day))
        if day := parse_day(self.date_to):
            found.append(audit_log.c.at < day_end(day))
        return found

    def query(self, **change: object) -> str:
        values: dict[str, object] = {
            "action": self.action,
            "actor": self.actor,
            "hold": self.hold,
            "from": self.date_from,
            "to": self.date_to,
            "page": self.page,
        }
        values.update(change)
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


def _filters(
    action: str = "",
    actor: str = "",
    hold: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    page: int = 1,
) -> AuditFilters:
    return AuditFilters(
        action[:32], actor[:320], hold[:26], date_from, date_to, max(1, min(page, 10_000))
    )


@router.get("/audit")
async def audit_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.METADATA))],
    filters: Annotated[AuditFilters, Depends(_filters)],
) -> Response:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc())
    for condition in filters.conditions():
        query = query.where(condition)
    query = query.limit(PAGE_SIZE + 1).offset((filters.page - 1) * PAGE_SIZE)
    async with ctx(request).store.connect() as conn:
        rows = list(await conn.execute(query))
        actions = [
            r.action
            for r in await conn.execute(
                sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)
            )
        ]
    entries = [{**r._mapping, "at": aware(r.at)} for r in rows[:PAGE_SIZE]]
    values = {
        "title": "Audit log",
        "entries": entries,
        "more": len(rows) > PAGE_SIZE,
        "filters": filters,
        "actions": actions,
        "show_detail": viewer.can(Permission.AUDIT_DETAIL),
    }
    return render(request, "audit.html", values)
