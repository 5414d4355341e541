"""Who is looking: the signed-in viewer, and the permission check every console route uses.

`require(Permission.X)` is a FastAPI dependency: no session sends the browser to the
sign-in page (and back afterwards); a session whose role lacks the permission gets 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import HTTPException, Request

from gateway.storage.audit import Actor
from gateway.web.pages import client_address, ctx
from gateway.web.roles import ROLE_NAMES, Permission, Role, allows
from gateway.web.sessions import Session, token_from
from gateway.web.users_store import ConsoleUser


class SignInRequired(Exception):
    """Raised for a console page without a complete sign-in; the app redirects."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True, slots=True)
class Viewer:
    user: ConsoleUser
    session: Session
    client: str | None

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def role_name(self) -> str:
        try:
            return ROLE_NAMES[Role(self.role)]
        except ValueError:
            return self.role

    def can(self, permission: Permission | str) -> bool:
        return allows(self.role, Permission(permission))

    @property
    def actor(self) -> Actor:
        return Actor(self.email, self.role, self.client)


async def current_session(request: Request) -> Session | None:
    """The session behind the cookie, complete or waiting for its second factor."""
    if not hasattr(request.state, "session"):
        request.state.session = await ctx(request).sessions.load(token_from(request))
    session: Session | None = request.state.session
    return session


async def current_viewer(request: Request) -> Viewer | None:
    session = await current_session(request)
    if session is None or session.second_factor_due:
        return None
    viewer = Viewer(session.user, session, client_address(request))
    request.state.viewer = viewer
    return viewer


def safe_next(value: str | None) -> str:
    """Only ever go back to a page of this console (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value


def here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


def sign_in_url(next_url: str) -> str:
    return "/signin" if next_url == "/" else f"/signin?next={quote(next_url, safe='')}"


def require(permission: Permission) -> Callable[[Request], Awaitable[Viewer]]:
    async def dependency(request: Request) -> Viewer:
        viewer = await current_viewer(request)
        if viewer is None:
            raise SignInRequired(here(request) if request.method == "GET" else "/")
        if not viewer.can(permission):
            raise HTTPException(
                status_code=403,
                detail=f"Your role ({viewer.role_name}) does not allow this page.",
            )
        return viewer

    dependency.__name__ = f"require_{permission.value.replace('-', '_')}"
    return dependency
