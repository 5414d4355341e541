"""The FastAPI application: server-rendered pages that work without JavaScript (HTMX,
vendored, only makes filtering and reviewing quicker)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway import __version__
from gateway.web import (
    audit_pages,
    confirm,
    dashboard,
    held_pages,
    incidents,
    oidc,
    signin,
)
from gateway.web.auth import SignInRequired, sign_in_url
from gateway.web.context import STATIC, WebContext
from gateway.web.pages import redirect, render

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(ctx: WebContext) -> FastAPI:
    app = FastAPI(
        title="schoolgate", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (confirm, signin, oidc, dashboard, held_pages, incidents, audit_pages):
        app.include_router(module.router)
    oidc.install(app, ctx)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/static/"):
            # Style sheet and scripts: kept, but checked (ETag) on every use, so an
            # upgrade is seen at once. Pages themselves are never stored.
            response.headers.setdefault("Cache-Control", "no-cache")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.headers.get("HX-Request"):  # HTMX: reload the whole page, not a fragment
            return Response(status_code=204, headers={"HX-Redirect": sign_in_url(exc.next_url)})
        return redirect(request, sign_in_url(exc.next_url))

    @app.exception_handler(StarletteHTTPException)
    async def friendly_errors(request: Request, exc: StarletteHTTPException) -> Response:
        if "text/html" not in request.headers.get("accept", "text/html"):
            return await http_exception_handler(request, exc)
        return render(
            request,
            "message.html",
            {"title": "Sorry", "message": str(exc.detail)},
            status=exc.status_code,
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
