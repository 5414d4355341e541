"""Held mail for admins: the queue, one message with its findings marked, and decisions.

Every opening of a message's content is written to the audit log before the page is
sent; releases and rejections are recorded by the hold workflow itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response

from gateway.hold.status import HoldStatus
from gateway.hold.store import HeldMessage
from gateway.scanning.pool import ScanFailed
from gateway.storage import audit
from gateway.web import csrf
from gateway.web.auth import Viewer, require
from gateway.web.filters import (
    any_contains,
    day_end,
    day_start,
    json_has_string,
    parse_day,
)
from gateway.web.message_view import MessageView
from gateway.web.pages import ctx, redirect, render
from gateway.web.roles import Permission
from models import Envelope
from models.schema import held_messages

log = logging.getLogger(__name__)
router = APIRouter()
PAGE_SIZE = 50
STATUSES = [*HoldStatus.ORDER, "all"]


@dataclass
class QueueFilters:
    status: str = HoldStatus.HELD
    action: str = ""
    rule: str = ""
    sender: str = ""
    recipient: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1

    def query(self, **change: object) -> str:
        values: dict[str, object] = {
            "status": self.status,
            "action": self.action,
            "rule": self.rule,
            "sender": self.sender,
            "recipient": self.recipient,
            "from": self.date_from,
            "to": self.date_to,
            "page": self.page,
        }
        values.update(change)
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})

    def conditions(self) -> list[Any]:
        c = held_messages.c
        found: list[Any] = []
        if self.action in ("confirm", "quarantine"):
            found.append(c.action == self.action)
        if self.rule:
            found.append(json_has_string(c.rules, self.rule))
        if self.sender:
            found += any_contains([c.mail_from], self.sender)
        if self.recipient:
            found += any_contains([c.recipients], self.recipient)
        if day := parse_day(self.date_from):
            found.append(c.created_at >= day_start(day))
        if day := parse_day(self.date_to):
            found.append(c.created_at < day_end(day))
        return found


def _filters(
    status: str = HoldStatus.HELD,
    action: str = "",
    rule: str = "",
    sender: str = "",
    recipient: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    page: int = 1,
) -> QueueFilters:
    return QueueFilters(
        status=status if status in STATUSES else HoldStatus.HELD,
        action=action,
        rule=rule[:80],
        sender=sender[:200],
        recipient=recipient[:200],
        date_from=date_from,
        date_to=date_to,
        page=max(1, min(page, 10_000)),
    )


def _rule_options(request: Request) -> list[tuple[str, str]]:
    """(name, title) of every configured rule, for the Rule filter."""
    titles = ctx(request).rule_titles
    return titles.options(r.name for r in ctx(request).config.effective_rules())


@router.get("/held")
async def queue(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.METADATA))],
    filters: Annotated[QueueFilters, Depends(_filters)],
) -> Response:
    statuses = None if filters.status == "all" else [filters.status]
    rows = await ctx(request).flow.holds.find(
        statuses=statuses,
        where=filters.conditions(),
        limit=PAGE_SIZE + 1,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    values = {
        "title": "Held mail",
        "rows": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "filters": filters,
        "prev_query": filters.query(page=filters.page - 1),
        "next_query": filters.query(page=filters.page + 1),
        "statuses": STATUSES,
        "rules": _rule_options(request),
    }
    return render(request, "held_list.html", values)


async def _decide(
    request: Request, viewer: Viewer, hold_id: str, action: str, reason: str
) -> tuple[bool, str]:
    flow = ctx(request).flow
    reason = reason.strip()[:1000]
    if action == "reject" and not reason:
        return False, "Give a reason for rejecting: the sender is told it."
    if action == "release":
        result = await flow.release(hold_id, viewer.actor, reason)
    else:
        result = await flow.reject(hold_id, viewer.actor, reason)
    return result.ok, result.message


@router.post("/held/bulk", dependencies=[Depends(csrf.verify)])
async def bulk(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.ACT))],
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    ids: Annotated[list[str] | None, Form()] = None,
    back: Annotated[str, Form()] = "",
) -> Response:
    query = back.lstrip("?")
    target = f"/held?{query}" if query and "/" not in query and "\\" not in query else "/held"
    if action not in ("release", "reject"):
        return redirect(request, target, "Choose Release or Reject.", "error")
    chosen = list(dict.fromkeys(ids or []))[:PAGE_SIZE]
    if not chosen:
        return redirect(request, target, "Tick the messages first.", "error")
    done, problems = 0, []
    for hold_id in chosen:
        ok, message = await _decide(request, viewer, hold_id, action, reason)
        if ok:
            done += 1
        else:
            problems.append(f"{hold_id}: {message}")
    verb = "released" if action == "release" else "rejected"
    text = f"{done} of {len(chosen)} {verb}." + (" " + " ".join(problems[:5]) if problems else "")
    return redirect(request, target, text, "error" if problems else "ok")


async def _view(request: Request, held: HeldMessage) -> tuple[MessageView | None, str]:
    """The message prepared for display (in the scan workers), or why it cannot be shown."""
    views = ctx(request).views
    if not held.content_available:
        views.forget(held.id)
        return None, "The content of this message was erased (retention period or deletion)."
    holds = ctx(request).flow.holds
    envelope = Envelope(mail_from=held.mail_from, rcpt_tos=held.recipients)
    try:
        view = await views.view(
            held.id, lambda: holds.content(held.id), envelope, tuple(held.findings)
        )
    except ScanFailed as exc:
        log.warning("cannot prepare held message %s for display: %s", held.id, exc)
        return None, "This message could not be prepared for display in time."
    except Exception as exc:  # a missing or rotated key must not break the page
        log.error("cannot decrypt held message %s: %s", held.id, exc)
        return None, "The content of this message cannot be read (check the hold key)."
    return view, ""


async def _held_or_404(request: Request, hold_id: str) -> HeldMessage:
    held = await ctx(request).flow.holds.get(hold_id)
    if held is None:
        raise HTTPException(status_code=404, detail="There is no held message with that id.")
    return held


@router.get("/held/{hold_id}")
async def show(
    request: Request,
    hold_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CONTENT))],
) -> Response:
    held = await _held_or_404(request, hold_id)
    view, problem = await _view(request, held)
    if view is not None:
        await audit.log(
            ctx(request).store,
            viewer.actor,
            "view",
            hold_id=held.id,
            journal_id=held.journal_id,
            detail="message content, console",
        )
    rules = {r.name: r for r in ctx(request).config.effective_rules()}
    values = {
        "title": "Held message",
        "held": held,
        "view": view,
        "problem": problem,
        "rules": [(name, rules.get(name)) for name in held.rules],
        "decidable": held.status == HoldStatus.HELD,
    }
    return render(request, "held_view.html", values)


@router.post("/held/{hold_id}/{action}", dependencies=[Depends(csrf.verify)])
async def decide(
    request: Request,
    hold_id: str,
    action: str,
    viewer: Annotated[Viewer, Depends(require(Permission.ACT))],
    reason: Annotated[str, Form()] = "",
) -> Response:
    if action not in ("release", "reject"):
        raise HTTPException(status_code=404, detail="There is no such page.")
    await _held_or_404(request, hold_id)
    ok, message = await _decide(request, viewer, hold_id, action, reason)
    return redirect(request, f"/held/{hold_id}", message, "ok" if ok else "error")
