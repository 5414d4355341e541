"""The sender's choice for a confirm hold: "Send anyway" (with a reason) or "Don't send".

Following a link only shows a page; the choice is made by posting that page's form, so
link scanners cannot act on a message by fetching the URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response

from gateway.hold.flow import Result
from gateway.hold.links import LinkError
from gateway.hold.notices import where
from gateway.hold.status import HoldStatus
from gateway.hold.store import HeldMessage
from gateway.storage.audit import Actor
from gateway.web import csrf
from gateway.web.context import WebContext

router = APIRouter()
CHOICES = ("send", "cancel")


def _ctx(request: Request) -> WebContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


async def _held_for(request: Request, token: str) -> HeldMessage:
    ctx = _ctx(request)
    try:
        link = ctx.signer.verify(token)
    except LinkError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    held = await ctx.flow.holds.get(link.hold_id)
    if held is None:
        raise HTTPException(status_code=404, detail="This message is no longer held.")
    return held


def _page(request: Request, template: str, values: dict[str, Any], status: int = 200) -> Response:
    ctx = _ctx(request)
    values["csrf_token"] = csrf.token_for(request)
    response = ctx.templates.TemplateResponse(request, template, values, status_code=status)
    csrf.set_cookie(request, response)
    return response


def _summary(held: HeldMessage) -> dict[str, Any]:
    return {
        "held": held,
        "findings": [{**f, "where": where(f)} for f in held.findings],
        "deadline": held.confirm_by.astimezone() if held.confirm_by else None,
    }


STATUS_TEXT = {
    HoldStatus.RELEASED: "This email has already been sent.",
    HoldStatus.RELEASING: "This email has been released and is on its way.",
    HoldStatus.CANCELLED: "You chose not to send this email. You can correct it and send it again.",
    HoldStatus.EXPIRED: "The time to choose has passed, so this email was not sent.",
    HoldStatus.REJECTED: "This email was reviewed and will not be sent.",
    HoldStatus.DELETED: "This email was deleted.",
    HoldStatus.FAILED: "This email was released but could not be delivered.",
}


@router.get("/confirm/{token}/{choice}")
async def show(request: Request, token: str, choice: str) -> Response:
    if choice not in CHOICES:
        raise HTTPException(status_code=404, detail="There is no such page.")
    held = await _held_for(request, token)
    if held.status != HoldStatus.HELD:
        return _page(
            request,
            "message.html",
            {"title": "Already decided", "message": STATUS_TEXT.get(held.status, held.status)},
        )
    return _page(request, "confirm.html", {"choice": choice, "token": token, **_summary(held)})


@router.post("/confirm/{token}/{choice}", dependencies=[Depends(csrf.verify)])
async def decide(request: Request, token: str, choice: str, reason: str = Form("")) -> Response:
    if choice not in CHOICES:
        raise HTTPException(status_code=404, detail="There is no such page.")
    held = await _held_for(request, token)
    ctx = _ctx(request)
    client = request.client.host if request.client else None
    actor = Actor(held.mail_from, "sender", client)
    if held.status == HoldStatus.HELD and held.confirm_by and held.confirm_by <= datetime.now(UTC):
        return _page(
            request,
            "message.html",
            {"title": "Too late", "message": STATUS_TEXT[HoldStatus.EXPIRED]},
        )
    if choice == "cancel":
        result = await ctx.flow.cancel(held.id, actor)
        title = "Not sent" if result.ok else "Could not cancel"
        message = (
            "The email has not been sent. You can correct it and send it again."
            if result.ok
            else result.message
        )
        return _page(request, "message.html", {"title": title, "message": message})
    reason = reason.strip()[:500]
    if not reason:
        values = {
            "choice": choice,
            "token": token,
            "error": "Please give a short reason.",
            **_summary(held),
        }
        return _page(request, "confirm.html", values, status=400)
    result = await ctx.flow.send_anyway(held.id, actor, reason)
    if not result.ok or held.status != HoldStatus.HELD:  # refused, or decided before this
        title = "Sent" if result.ok else "Not sent"
        return _page(request, "message.html", {"title": title, "message": result.message})
    return _page(request, "message.html", _sent(ctx, held, result, reason))


def _sent(ctx: WebContext, held: HeldMessage, result: Result, reason: str) -> dict[str, Any]:
    """What "Send anyway" did, in a teacher's words: to whom and when, that the reason is
    on record for the reviewer, and what to do if it should not have gone."""
    to = _names(held.recipients)
    subject = f"“{held.subject}”" if held.subject else "with no subject"
    now = datetime.now(ctx.config.notices.zone)
    at = f"{now:%H:%M} on {now:%A} {now.day} {now:%B}"
    if result.status == HoldStatus.RELEASED:
        message = f"Sent. Your email {subject} went to {to} at {at}."
    else:  # handed to the delivery queue: the next mail server asked it to try again
        message = (
            f"Your email {subject} is on its way to {to}: it left schoolgate at {at}, and "
            "the school's mail system will keep trying until it is delivered."
        )
    role = ctx.config.notices.reviewer_role
    return {
        "title": "Sent",
        "message": message,
        "details": [
            f"The reason you gave (“{reason}”) is recorded with the email, and the school's "
            f"{role} can see it.",
            f"If it should not have gone (the wrong person, or details that should have "
            f"been left out), tell the {role} straight away. An email cannot be called "
            "back once it has been delivered, but they can help put it right, for "
            "example by asking the recipient to delete it.",
        ],
    }


def _names(recipients: Sequence[str]) -> str:
    shown = list(recipients[:5]) or ["its recipients"]
    if len(recipients) > 5:
        shown.append(f"{len(recipients) - 5} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
