"""Signing in and out: email and password, then a one-time code when the account has one.

Every failure gets the same message, whether the email is unknown, the password wrong,
or the account disabled or locked, so the page never tells a guesser which accounts
exist. Failures count towards a lockout (web.lockout_after, web.lockout_minutes), and
one network address may only try web.sign_in_rate times a minute. Sign-ins, failures,
lockouts and sign-outs go to the audit log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response

from gateway import audit, passwords
from gateway.audit import Actor
from gateway.web import csrf, totp
from gateway.web.auth import current_session, current_viewer, safe_next
from gateway.web.pages import client_address, ctx, redirect, render
from gateway.web.sessions import COOKIE, clear_cookie, set_cookie
from gateway.web.users_store import ConsoleUser

router = APIRouter()

FAILED = (
    "That email address and password did not work. After {n} failed attempts in a row "
    "an account is locked for {m} minutes."
)
TOO_MANY = "Too many sign-in attempts from your network address. Please wait a minute."


def _failed_text(request: Request) -> str:
    web = ctx(request).config.web
    return FAILED.format(n=web.lockout_after, m=f"{web.lockout_minutes:g}")


def _rate_limited(request: Request) -> bool:
    return not ctx(request).sign_in_limiter.allow(client_address(request) or "unknown")


async def _failure(request: Request, user: ConsoleUser | None, name: str, how: str) -> None:
    """Count the failure against the account (if usable) and record it."""
    web = ctx(request).config.web
    actor = Actor(name[:320] or "(blank)", user.role if user else None, client_address(request))
    await audit.log(ctx(request).store, actor, "sign-in-failed", detail=how)
    if user is None or user.disabled or user.locked():
        return
    if await ctx(request).users.record_failure(user, web.lockout_after, web.lockout_minutes):
        await audit.log(
            ctx(request).store,
            actor,
            "account-locked",
            detail=f"{web.lockout_after} failed sign-ins; locked {web.lockout_minutes:g} min",
        )


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
    if user is None or user.disabled or user.locked() or not good:
        how = "unknown account" if user is None else "password"
        await _failure(request, user, email.strip().lower(), how)
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
    if user is None or user.disabled or user.locked() or step is None:
        await _failure(request, user, session.user.email, "one-time code")
        user = await context.users.by_id(session.user.id)
        if user is None or user.locked() or user.disabled:
            await context.sessions.end(request.cookies.get(COOKIE, ""))
            response = redirect(request, "/signin", _failed_text(request), "error")
            clear_cookie(request, response)
            return response
        error = "That code did not work. Enter the 6 digits your authenticator app shows now."
        return render(request, "signin_code.html", {**values, "error": error}, status=400)
    if not await context.users.claim_totp_step(user.id, step):
        error = "That code was already used. Wait for the next one and enter it."
        return render(request, "signin_code.html", {**values, "error": error}, status=400)
    await context.sessions.end(request.cookies.get(COOKIE, ""))
    return await complete(request, user, "password+totp", next)


@router.post("/signout", dependencies=[Depends(csrf.verify)])
async def sign_out(request: Request) -> Response:
    session = await current_session(request)
    if session is not None:
        await ctx(request).sessions.end(request.cookies.get(COOKIE, ""))
        actor = Actor(session.user.email, session.user.role, client_address(request))
        await audit.log(ctx(request).store, actor, "sign-out")
    response = redirect(request, "/signin", "You have signed out.")
    clear_cookie(request, response)
    return response
