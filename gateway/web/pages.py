"""Rendering a page: the template plus what every page needs (CSRF token, the signed-in
user for the navigation, a one-time message from the previous action)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.web import csrf
from gateway.web.context import WebContext

FLASH_COOKIE = "sg_flash"
_FLASH_SECONDS = 120


def ctx(request: Request) -> WebContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def _flasher(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ctx(request).secret, salt="schoolgate-flash")


def render(
    request: Request, template: str, values: dict[str, Any] | None = None, status: int = 200
) -> Response:
    values = dict(values or {})
    values["csrf_token"] = csrf.token_for(request)
    values.setdefault("viewer", getattr(request.state, "viewer", None))
    flash = _read_flash(request)
    if flash:
        values.setdefault("flash", flash)
    response = ctx(request).templates.TemplateResponse(
        request, template, values, status_code=status
    )
    csrf.set_cookie(request, response)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _read_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = _flasher(request).loads(raw, max_age=_FLASH_SECONDS)
    except BadSignature:
        return None
    if isinstance(data, dict) and isinstance(data.get("text"), str):
        return {"text": data["text"], "kind": str(data.get("kind", "info"))}
    return None


def redirect(request: Request, url: str, flash: str = "", kind: str = "info") -> Response:
    """Post/redirect/get, with a one-time message for the next page (signed, short-lived)."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            _flasher(request).dumps({"text": flash[:500], "kind": kind}),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
            max_age=_FLASH_SECONDS,
        )
    return response


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
