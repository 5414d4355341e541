"""Optional sign-in through the school's identity provider (OpenID Connect).

Microsoft Entra ID and Google Workspace both speak OIDC: the provider proves who the
person is (with its own MFA), and schoolgate maps the verified email address to a
local console account, which gives the role. No account, no entry: signing in with
the provider never creates one. Authorisation-code flow with PKCE, state and nonce
(Authlib), the ID token checked against the provider's published keys.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from types import ModuleType
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from joserfc.errors import JoseError
from starlette.middleware.sessions import SessionMiddleware

from gateway.config.settings import OidcSettings
from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.web.auth import safe_next
from gateway.web.context import WebContext
from gateway.web.pages import client_address, ctx, render
from gateway.web.signin import complete

log = logging.getLogger(__name__)
router = APIRouter()
STATE_COOKIE = "sg_oidc"
CALLBACK = "/signin/oidc/callback"
NAME = "school"


def _authlib() -> ModuleType:
    """Authlib's Starlette client, imported only when single sign-on is configured (it
    warns at import time about its httpx back-end, which would clutter every CLI run)."""
    with warnings.catch_warnings():
        import authlib.deprecate  # type: ignore[import-untyped]  # sets an "always" filter

        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        from authlib.integrations import starlette_client  # type: ignore[import-untyped]
    module: ModuleType = starlette_client
    return module


def install(app: FastAPI, context: WebContext) -> None:
    """Register the provider and the short-lived cookie that carries state, nonce and
    PKCE verifier between the redirect and the callback (only sent to /signin/oidc)."""
    settings = context.config.web.oidc
    if not settings.issuer:
        app.state.oidc = None
        return
    oauth = _authlib().OAuth()
    oauth.register(
        name=NAME,
        client_id=settings.client_id,
        client_secret=os.environ.get(settings.client_secret_env, ""),
        server_metadata_url=f"{settings.issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.state.oidc = oauth.create_client(NAME)
    app.add_middleware(
        SessionMiddleware,
        secret_key=hashlib.sha256(b"schoolgate-oidc-state" + context.secret).hexdigest(),
        session_cookie=STATE_COOKIE,
        path="/signin/oidc",
        max_age=600,
        same_site="lax",  # the callback is a top-level navigation from the provider
        https_only=context.config.public_url.startswith("https://"),
    )


def _client(request: Request) -> Any:
    client = getattr(request.app.state, "oidc", None)
    if client is None:
        raise HTTPException(status_code=404, detail="Single sign-on is not set up here.")
    return client


def _refuse(request: Request, message: str, status: int = 400) -> Response:
    values = {"title": "Sign in", "next": "/", "error": message}
    return render(request, "signin.html", values, status=status)


@router.get("/signin/oidc")
async def start(request: Request, next: str = "/") -> Response:
    client = _client(request)
    request.session.clear()
    request.session["next"] = safe_next(next)
    redirect_uri = f"{ctx(request).flow.public_url}{CALLBACK}"
    try:
        response: Response = await client.authorize_redirect(request, redirect_uri)
    except httpx.HTTPError as exc:
        log.warning("OIDC provider unreachable: %s", exc)
        return _refuse(request, "The sign-in service cannot be reached just now.", 502)
    return response


def email_from(claims: dict[str, Any], settings: OidcSettings) -> str | None:
    """The verified email address in the ID token, or None when it cannot be trusted."""
    email = claims.get(settings.email_claim)
    if not isinstance(email, str) or "@" not in email:
        return None
    if claims.get("email_verified") is False:
        return None
    if settings.hosted_domain and claims.get("hd") != settings.hosted_domain:
        return None
    return email.strip().lower()


@router.get(CALLBACK)
async def callback(request: Request) -> Response:
    client = _client(request)
    context = ctx(request)
    next_url = safe_next(request.session.get("next"))
    try:
        token = await client.authorize_access_token(request)
    except (_authlib().OAuthError, JoseError, httpx.HTTPError, ValueError, KeyError) as exc:
        log.warning("OIDC sign-in failed: %s", exc)
        return _refuse(request, "Signing in with your school account did not work. Try again.")
    finally:
        request.session.clear()
    claims = dict(token.get("userinfo") or {})
    email = email_from(claims, context.config.web.oidc)
    user = await context.users.by_email(email) if email else None
    if user is None or user.disabled:  # a password lockout does not stop the provider's proof
        name = email or str(claims.get("sub", "unknown"))
        actor = Actor(name[:320], user.role if user else None, client_address(request))
        await audit.log(context.store, actor, "sign-in-failed", detail="oidc: no usable account")
        return _refuse(
            request,
            "You signed in with your school account, but it has no access to this console. "
            "Ask the person who runs schoolgate to add you.",
            403,
        )
    return await complete(request, user, "oidc", next_url)
