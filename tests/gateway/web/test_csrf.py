"""CSRF tokens bound to the session, and `__Host-` cookies on an https console.

A plain double-submit cookie accepted any cookie plus the same value as the token, so
whoever could plant a cookie (a sibling host, a network attacker) could post any form.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from models.schema import console_sessions
from tests.gateway.web.console import (
    PASSWORD,
    Console,
    csrf_from,
    email_for,
    post_form,
    running_console,
    token_in,
)

ADMIN = email_for("admin")
PLANTED = "p" * 43


def _sign_ins(console: Console) -> list[Any]:
    return [a for a in console.audit() if a.action == "sign-in"]


def test_a_planted_cookie_and_matching_token_cannot_sign_a_visitor_in(console: Console):
    """Login CSRF: the attacker's own account, signed in to in the victim's browser."""
    console.add_user(ADMIN, "admin")
    with console.client() as victim:
        victim.cookies.set("sg_csrf", PLANTED)
        response = victim.post(
            "/signin", data={"csrf_token": PLANTED, "email": ADMIN, "password": PASSWORD}
        )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "sg_session" not in response.headers.get("set-cookie", "")
    assert _sign_ins(console) == []


def test_a_planted_cookie_and_matching_token_cannot_act_in_a_session(console: Console):
    console.add_user(ADMIN, "admin")
    console.send("One KEYWORD-QUARANTINE", subject="First")
    hold = console.hold_with("First")
    admin = console.sign_in(ADMIN)
    admin.cookies.set("sg_csrf", PLANTED)
    forged = {"csrf_token": PLANTED, "action": "reject", "ids": hold.id, "reason": "forged"}
    assert admin.post("/held/bulk", data=forged).status_code == 403
    assert console.hold_with("First").status == "held"
    # the token the page itself carries still works in the same session
    fields = {"action": "reject", "ids": hold.id, "reason": "ok"}
    done = admin.post("/held/bulk", data={"csrf_token": csrf_from(admin, "/held"), **fields})
    assert done.status_code == 303
    assert console.hold_with("First").status == "rejected"


def test_a_token_belongs_to_one_session(console: Console):
    console.add_user(ADMIN, "admin")
    first, second = console.sign_in(ADMIN), console.sign_in(ADMIN)
    token = csrf_from(first, "/")
    assert first.post("/signout", data={"csrf_token": token}).status_code == 303
    assert second.post("/signout", data={"csrf_token": token}).status_code == 403
    assert len(console.query(sa.select(console_sessions))) == 1  # only the first ended
    # signing in starts a new binding: the form loaded before it has expired
    with console.client() as client:
        before = csrf_from(client, "/signin")
        post_form(client, "/signin", "/signin", email=ADMIN, password=PASSWORD)
        assert client.post("/signout", data={"csrf_token": before}).status_code == 403


HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS reverse proxy in front says


def _set_cookies(response: httpx.Response) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


def _over_https(
    client: httpx.Client, method: str, url: str, cookies: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """A request as the proxy forwards it, with the cookies a browser would send: httpx
    keeps Secure cookies from a plain-http connection to itself, so they go by hand."""
    client.cookies.clear()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return client.request(method, url, headers={**HTTPS, "Cookie": cookie}, **kwargs)


def _host_cookie(response: httpx.Response, name: str) -> str:
    morsel = _set_cookies(response)[name]
    assert morsel["secure"] and morsel["httponly"]
    assert morsel["path"] == "/" and not morsel["domain"]  # as `__Host-` requires
    return str(morsel.value)


def test_an_https_console_uses_host_prefixed_secure_cookies(tmp_path: Path):
    settings = {
        "web.public_url": "https://console.school.example",
        "web.trusted_proxies": ["127.0.0.1/32"],
    }
    with running_console(tmp_path, **settings) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            page = _over_https(client, "GET", "/signin", {})
            assert set(_set_cookies(page)) == {"__Host-sg_csrf"}
            visitor = _host_cookie(page, "__Host-sg_csrf")
            token = token_in(page.text)
            assert token
            # the bare names are not read: a planted `sg_csrf` is no use
            planted = _over_https(
                client,
                "POST",
                "/signin",
                {"sg_csrf": PLANTED},
                data={"csrf_token": PLANTED, "email": ADMIN, "password": PASSWORD},
            )
            assert planted.status_code == 403
            fields = {"csrf_token": token, "email": ADMIN, "password": PASSWORD}
            signed_in = _over_https(
                client, "POST", "/signin", {"__Host-sg_csrf": visitor}, data=fields
            )
            assert signed_in.status_code == 303, signed_in.text
            session = _host_cookie(signed_in, "__Host-sg_session")
            home = _over_https(client, "GET", "/", {"__Host-sg_session": session})
            assert home.status_code == 200
            bare = _over_https(client, "GET", "/", {"sg_session": session})
            assert bare.status_code == 303  # the unprefixed name is not a session
