"""Signing in and out: email and password, then a one-time code when the account has one.

Every failure gets the same message, whether the email is unknown, the password wrong,
or the account disabled or locked, so the page never tells a guesser which accounts
exist. Failures count towards a lockout per (account, network address), with a much
higher account-wide limit that never shuts out addresses the account has signed in from
(lockout.py); one network address may only try web.sign_in_rate times a minute.
Sign-ins, failures, lockouts and sign-outs go to the audit log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response

from gateway.security import passwords
from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.web import csrf, totp
from gateway.web.auth import current_session, current_viewer, safe_next
from gateway.web.lockout import COUNTED, REFUSED
from gateway.web.pages import client_address, ctx, redirect, render
from gateway.web.sessions import clear_cookie, set_cookie, token_from
from gateway.web.users_store import ConsoleUser

router = APIRouter()

FAILED = (
    "That email address and password did not work. After {n} failed attempts in a row "
    "an account is locked for {m} minutes for the network address they came from."
)
TOO_MANY = "Too many sign-in attempts from your network address. Please wait a minute."


def _failed_text(request: Request) -> str:
    web = ctx(request).config.web
    return FAILED.format(n=web.lockout_after, m=f"{web.lockout_minutes:g}")


def _rate_limited(request: Request) -> bool:
    return not ctx(request).sign_in_limiter.allow(client_address(request) or "unknown")


async def _why_refused(
    request: Request, user: ConsoleUser | None, good: bool, wrong: str = "password"
) -> str | None:
    """Why this sign-in step fails (the audit log's detail), or None when it passes."""
    if user is None:
        return "unknown account"
    if user.disabled:
        return "account disabled"
    if await ctx(request).lockout.refused(user, client_address(request)):
        return REFUSED
    return None if good else wrong


async def _failure(request: Request, user: ConsoleUser | None, name: str, how: str) -> None:
    """Record the failure; a wrong password or code may lock the account for this address."""
    actor = Actor(name[:320] or "(blank)", user.role if user else None, client_address(request))
    await audit.log(ctx(request).store, actor, "sign-in-failed", detail=how)
    if user is not None and how in COUNTED:
        await ctx(request).lockout.failed(user, actor)


async def complete(request: Request, user: ConsoleUser, method: str, next_url: str) -> Response:
    """A full sign-in: a fresh session (never the pre-sign-in one), recorded."""
    context = ctx(request)
    await context.users.record_success(user)
    await context.sessions.purge_expired()
    token = await context.sessions.create(
        user, method, client_address(request), second_factor_due=False
    )
    await audit.log(
        context.store,
        Actor(user.email, user.role, client_address(request)),
        "sign-in",
        detail=method,
    )
    response = redirect(request, safe_next(next_url))
    set_cookie(request, response, token)
    return response


@router.get("/signin")
async def sign_in_page(request: Request, next: str = "/") -> Response:
    if await current_viewer(request) is not None:
        return redirect(request, safe_next(next))
    return render(request, "signin.html", {"title": "Sign in", "next": safe_next(next)})


@router.post("/signin", dependencies=[Depends(csrf.verify)])
async def sign_in(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    values = {"title": "Sign in", "next": safe_next(next), "email": email[:320]}
    if _rate_limited(request):
        return render(request, "signin.html", {**values, "error": TOO_MANY}, status=429)
    context = ctx(request)
    user = await context.users.by_email(email)
    good = await passwords.verify(user.password_hash if user else None, password)
    how = await _why_refused(request, user, good)
    if user is None or how is not None:
        await _failure(request, user, email.strip().lower(), how or "unknown account")
        return render(request, "signin.html", {**values, "error": _failed_text(request)}, 400)
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        await context.users.set_password(user.id, passwords.hash_password(password))
    if user.totp_secret:
        token = await context.sessions.create(
            user, "password", client_address(request), second_factor_due=True
        )
        target = safe_next(next)
        query = f"?{urlencode({'next': target})}" if target != "/" else ""
        response = redirect(request, f"/signin/code{query}")
        set_cookie(request, response, token)
        return response
    return await complete(request, user, "password", next)


@router.get("/signin/code")
async def code_page(request: Request, next: str = "/") -> Response:
    session = await current_session(request)
    if session is None or not session.second_factor_due:
        return redirect(request, "/signin")
    return render(
        request, "signin_code.html", {"title": "Enter your code", "next": safe_next(next)}
    )


@router.post("/signin/code", dependencies=[Depends(csrf.verify)])
async def code(request: Request, code: str = Form(""), next: str = Form("/")) -> Response:
    values = {"title": "Enter your code", "next": safe_next(next)}
    if _rate_limited(request):
        return render(request, "signin_code.html", {**values, "error": TOO_MANY}, status=429)
    session = await current_session(request)
    if session is None or not session.second_factor_due:
        return redirect(request, "/signin")
    context = ctx(request)
    user = await context.users.by_id(session.user.id)
    step = totp.matching_step(user.totp_secret, code) if user and user.totp_secret else None
    how = await _why_refused(request, user, step is not None, wrong="one-time code")
    if user is None or step is None or how is not None:
        await _failure(request, user, session.user.email, how or "unknown account")
        if user is None or await _why_refused(request, user, good=True) is not None:
            await context.sessions.end(token_from(request) or "")
            response = redirect(request, "/signin", _failed_text(request), "error")
            clear_cookie(request, response)
            return response
        error = "That code did not work. Enter the 6 digits your authenticator app shows now."
        return render(request, "signin_code.html", {**values, "error": error}, status=400)
    if not await context.users.claim_totp_step(user.id, step):
        error = "That code was already used. Wait for the next one and enter it."
        return render(request, "signin_code.html", {**values, "error": error}, status=400)
    await context.sessions.end(token_from(request) or "")
    return await complete(request, user, "password+totp", next)


@router.post("/signout", dependencies=[Depends(csrf.verify)])
async def sign_out(request: Request) -> Response:
    session = await current_session(request)
    if session is not None:
        await ctx(request).sessions.end(token_from(request) or "")
        actor = Actor(session.user.email, session.user.role, client_address(request))
        await audit.log(ctx(request).store, actor, "sign-out")
    response = redirect(request, "/signin", "You have signed out.")
    clear_cookie(request, response)
    return response
