"""The console's cookie names and flags: `__Host-` and Secure whenever the console is https.

With `web.public_url` https, the session and CSRF cookies are named `__Host-...` and set
Secure, Path=/ and without Domain, as that prefix requires. A browser then accepts them
only from this exact host over https, so another host under the school's domain (or a
network attacker on plain http) cannot plant one. Browsers refuse Secure cookies over
plain http, so a console without https (local use, tests) keeps the bare names; a page
that still came over https there (a TLS proxy, `web.public_url` unset) is sent Secure.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response

HOST_PREFIX = "__Host-"


def https_console(request: Request) -> bool:
    """Whether the console's configured address is https (then every cookie is Secure)."""
    public_url: str = request.app.state.ctx.config.web.public_url
    return public_url.strip().lower().startswith("https://")


def name(request: Request, base: str) -> str:
    return f"{HOST_PREFIX}{base}" if https_console(request) else base


def secure(request: Request) -> bool:
    return https_console(request) or request.url.scheme == "https"


def get(request: Request, base: str) -> str | None:
    return request.cookies.get(name(request, base))


def put(
    request: Request,
    response: Response,
    base: str,
    value: str,
    samesite: Literal["lax", "strict"],
) -> None:
    """Set an HttpOnly cookie for the whole console (Path=/, never a Domain)."""
    response.set_cookie(
        name(request, base),
        value,
        httponly=True,
        samesite=samesite,
        secure=secure(request),
        path="/",
    )


def remove(
    request: Request, response: Response, base: str, samesite: Literal["lax", "strict"]
) -> None:
    response.delete_cookie(
        name(request, base), httponly=True, samesite=samesite, secure=secure(request), path="/"
    )
