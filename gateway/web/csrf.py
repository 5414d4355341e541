"""CSRF protection for every form: a token bound to the visitor's session.

The token is an HMAC, under a key derived from the web secret, of the session id (the
SHA-256 of the session cookie) or, before signing in, of a random pre-session cookie.
A plain double-submit cookie let anyone who could plant a cookie (a sibling host under
the school's domain, a network attacker on http) post any form with a token of their
choosing; a planted cookie is of no use here without the token the server made for it,
and that cannot be made without the secret. Once signed in, the token follows the
session, which an attacker can neither read nor choose. With `web.public_url` https,
both cookies carry the `__Host-` prefix (see cookies.py), so neither can be planted.

The pre-session cookie is HttpOnly and SameSite=Strict. A form loaded before signing in
(or out) expires with that change: the page says so and a reload gives a fresh one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, Response

from gateway.web import cookies, sessions

COOKIE = "sg_csrf"
"""The pre-session cookie's name (prefixed `__Host-` on an https console)."""
FIELD = "csrf_token"


def _binding(request: Request) -> str | None:
    """What this visitor's forms are bound to: their session, else their pre-session cookie."""
    session_token = sessions.token_from(request)
    if session_token:
        return "session:" + sessions.session_id(session_token)
    visitor = cookies.get(request, COOKIE)
    if visitor and 32 <= len(visitor) <= 100:
        return "visitor:" + visitor
    return None


def _token(request: Request, binding: str) -> str:
    secret: bytes = request.app.state.ctx.secret
    key = hashlib.sha256(b"schoolgate-csrf\x00" + secret).digest()
    mac = hmac.new(key, binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_for(request: Request) -> str:
    """The page's CSRF token (starting a pre-session cookie when there is nothing to bind)."""
    binding = _binding(request)
    if binding is None:
        visitor = secrets.token_urlsafe(32)
        request.state.csrf_visitor = visitor
        binding = "visitor:" + visitor
    return _token(request, binding)


def set_cookie(request: Request, response: Response) -> None:
    """Send the pre-session cookie `token_for` started, if it started one."""
    visitor = getattr(request.state, "csrf_visitor", None)
    if visitor:
        cookies.put(request, response, COOKIE, visitor, samesite="strict")


async def verify(request: Request) -> None:
    """FastAPI dependency for every POST handler."""
    form = await request.form()
    sent = form.get(FIELD)
    binding = _binding(request)
    if not (
        isinstance(sent, str)
        and binding
        and hmac.compare_digest(sent.encode(), _token(request, binding).encode())
    ):
        raise HTTPException(
            status_code=403, detail="This form has expired. Please reload the page."
        )
