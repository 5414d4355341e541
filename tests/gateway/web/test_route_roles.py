"""Every route of the web app against every role: allowed or denied.

The route list comes from the running app, so a route added without a row in ACCESS
fails `test_every_route_has_an_access_rule` until someone decides who may use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from tests.gateway.web.console import ROLES, Console, csrf_from, email_for

PUBLIC = "public"
ALL = frozenset(ROLES)
ADMIN_DSL = frozenset({"admin", "dsl"})

ACCESS: dict[tuple[str, str], str | frozenset[str]] = {
    ("GET", "/healthz"): PUBLIC,  # load balancer probe
    ("GET", "/confirm/{token}/{choice}"): PUBLIC,  # the sender's signed link is the key
    ("POST", "/confirm/{token}/{choice}"): PUBLIC,
    ("GET", "/signin"): PUBLIC,
    ("POST", "/signin"): PUBLIC,
    ("GET", "/signin/code"): PUBLIC,  # needs a half-finished sign-in, else back to /signin
    ("POST", "/signin/code"): PUBLIC,
    ("POST", "/signout"): PUBLIC,
    ("GET", "/signin/oidc"): PUBLIC,  # 404 here: single sign-on is not configured
    ("GET", "/signin/oidc/callback"): PUBLIC,
    ("GET", "/"): ALL,  # dashboard: counts and trends only
    ("GET", "/reports"): ALL,  # charts: counts only
    ("GET", "/held"): ALL,  # the queue: metadata
    ("POST", "/held/bulk"): frozenset({"admin"}),  # only admins act on held mail
    ("GET", "/held/{hold_id}"): ADMIN_DSL,  # message content: never auditors
    ("POST", "/held/{hold_id}/{action}"): frozenset({"admin"}),
    ("GET", "/incidents"): ALL,  # the log's rows: metadata
    ("GET", "/incidents/export.csv"): ADMIN_DSL,
    ("GET", "/incidents/{journal_id}"): ADMIN_DSL,  # findings' evidence
    ("POST", "/incidents/{journal_id}/review"): frozenset({"dsl"}),  # DSLs annotate
    ("POST", "/incidents/{journal_id}/notes"): frozenset({"dsl"}),
    ("GET", "/audit"): ALL,  # auditors see who/what/when, not the detail column
}

SECRET_BODY = "Body text only reviewers may read KEYWORD-QUARANTINE"


@pytest.fixture(scope="module")
def world(module_console: Console) -> Iterator[dict[str, Any]]:
    console = module_console
    console.add_role_users()
    console.send(SECRET_BODY, subject="Table test")
    console.send("Warn KEYWORD-CONFIRM", subject="Warning test")
    hold = console.hold_with("Table test")
    warning = console.hold_with("Warning test")
    flow = console.runner.gateway.flow
    assert flow is not None
    clients = {role: console.sign_in(email_for(role)) for role in ROLES}
    anonymous = console.client()
    clients["anonymous"] = anonymous
    # each client's CSRF token, from a page's form, so a refusal is about who, not the form
    tokens = {
        role: csrf_from(client, "/") for role, client in clients.items() if role != "anonymous"
    }
    tokens["anonymous"] = csrf_from(anonymous, "/signin")
    yield {
        "console": console,
        "clients": clients,
        "tokens": tokens,
        "params": {
            "hold_id": hold.id,
            "journal_id": hold.journal_id,
            "token": flow.signer.token(warning.id),
            "choice": "send",
            "action": "reject",
        },
    }
    for client in clients.values():
        client.close()


def _routes(routes: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every endpoint, including those of included routers."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included router
        if included is not None:
            found += _routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            assert route.path == "/static", f"unexpected mount {route.path}"
        else:
            assert isinstance(route, APIRoute), route
            found += [(method, prefix + route.path) for method in sorted(route.methods)]
    return found


def test_every_route_has_an_access_rule(world: dict[str, Any]):
    routes = set(_routes(world["console"].app.routes))
    assert routes - set(ACCESS) == set(), "new routes need a row in ACCESS"
    assert set(ACCESS) - routes == set(), "ACCESS lists routes that no longer exist"


def _request(
    client: httpx.Client, method: str, path: str, params: dict[str, str], token: str
) -> Any:
    url = path.format(**params)
    if method == "GET":
        return client.get(url)
    fields = {"csrf_token": token, "reason": "", "text": "x"}
    return client.post(url, data=fields)


CASES = [(method, path, who) for (method, path) in ACCESS for who in (*ROLES, "anonymous")]


@pytest.mark.parametrize(("method", "path", "who"), CASES, ids=[" ".join(c) for c in CASES])
def test_route_access(world: dict[str, Any], method: str, path: str, who: str):
    rule = ACCESS[(method, path)]
    client, token = world["clients"][who], world["tokens"][who]
    if path == "/signout" and who != "anonymous":  # keep the shared sessions signed in
        client = world["console"].sign_in(email_for(who))
        token = csrf_from(client, "/")
    response = _request(client, method, path, world["params"], token)
    assert response.status_code < 500, response.text
    location = response.headers.get("location", "")
    sent_to_sign_in = response.status_code == 303 and location.split("?")[0] == "/signin"
    if rule == PUBLIC:
        assert response.status_code not in (401, 403), response.text
    elif who in rule:
        assert response.status_code not in (401, 403), response.text
        assert not sent_to_sign_in
    elif who == "anonymous":
        assert sent_to_sign_in, (response.status_code, location)
    else:
        assert response.status_code == 403
    if rule != PUBLIC and who not in rule:
        assert "only reviewers may read" not in response.text
