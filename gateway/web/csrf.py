"""CSRF protection for every form: a random cookie that each form must echo back.

The cookie is HttpOnly and SameSite=Strict; a form posted from another site carries
neither the cookie nor the matching hidden field, and is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, Response

COOKIE = "sg_csrf"
FIELD = "csrf_token"


def token_for(request: Request) -> str:
    """The page's CSRF token (reusing the visitor's cookie when there is one)."""
    existing = request.cookies.get(COOKIE)
    token = existing if existing and len(existing) >= 32 else secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


def set_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "csrf_token", None)
    if token and request.cookies.get(COOKIE) != token:
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )


async def verify(request: Request) -> None:
    """FastAPI dependency for every POST handler."""
    form = await request.form()
    sent = form.get(FIELD)
    cookie = request.cookies.get(COOKIE)
    if not (isinstance(sent, str) and cookie and hmac.compare_digest(sent, cookie)):
        raise HTTPException(
            status_code=403, detail="This form has expired. Please reload the page."
        )
