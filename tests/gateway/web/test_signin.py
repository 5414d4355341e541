"""Signing in to the console: passwords, lockout, rate limit, TOTP, session lifetime."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from models.schema import console_sessions
from tests.gateway.web.console import (
    PASSWORD,
    Console,
    csrf_from,
    email_for,
    post_form,
    running_console,
)

ADMIN = email_for("admin")


def _sign_in(client, email: str, password: str, next_url: str = "/"):  # type: ignore[no-untyped-def]
    return post_form(client, "/signin", "/signin", email=email, password=password, next=next_url)


def _error(page: str) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]+)<', page)
    assert found, page
    return found.group(1)


def test_sign_in_sets_a_safe_session_cookie_and_opens_the_console(console: Console):
    console.add_user(ADMIN, "admin")
    with console.client() as client:
        assert client.get("/held").headers["location"] == "/signin?next=%2Fheld"
        response = _sign_in(client, ADMIN, PASSWORD, next_url="/held")
        assert response.status_code == 303
        assert response.headers["location"] == "/held"
        cookie = response.headers["set-cookie"]
        assert "sg_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain http here; see the https test below
        assert client.get("/held").status_code == 200
        token = client.cookies["sg_session"]
    [stored] = console.query(sa.select(console_sessions.c.id))
    assert stored.id != token and token not in stored.id  # only a hash is kept
    assert ("sign-in", ADMIN, "password") in [
        (a.action, a.actor, a.detail) for a in console.audit()
    ]


def test_the_session_cookie_is_secure_when_the_page_came_over_https(tmp_path: Path):
    """Behind a TLS reverse proxy on this machine, listed in web.trusted_proxies."""
    proxy = {"web.trusted_proxies": ["127.0.0.1/32"]}
    with running_console(tmp_path, **proxy) as console:
        console.add_user(ADMIN, "admin")
        https = {"X-Forwarded-Proto": "https"}  # as the TLS reverse proxy in front says
        with console.client() as client:
            token = csrf_from(client, "/signin")
            response = client.post(
                "/signin",
                data={"csrf_token": token, "email": ADMIN, "password": PASSWORD},
                headers=https,
            )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_forwarded_headers_from_an_untrusted_client_are_ignored(tmp_path: Path):
    """With no trusted proxies (the default), a client that rotates X-Forwarded-For
    neither dodges the sign-in limit nor writes a made-up address in the audit log."""
    with running_console(tmp_path, **{"web.sign_in_rate": 3}) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            codes = []
            for n in range(4):
                forged = {"X-Forwarded-For": f"203.0.113.{n}"}
                client.headers.update(forged)
                codes.append(_sign_in(client, ADMIN, "guess").status_code)
        assert codes == [400, 400, 400, 429]
        recorded = {a.client_address for a in console.audit() if a.action == "sign-in-failed"}
        assert recorded == {"127.0.0.1"}


def test_a_trusted_proxy_names_the_real_client(tmp_path: Path):
    with running_console(tmp_path, **{"web.trusted_proxies": ["127.0.0.1/32"]}) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            client.headers.update({"X-Forwarded-For": "198.51.100.7"})
            _sign_in(client, ADMIN, "guess")
        recorded = {a.client_address for a in console.audit() if a.action == "sign-in-failed"}
        assert recorded == {"198.51.100.7"}


def test_wrong_password_and_unknown_account_look_the_same(console: Console):
    console.add_user(ADMIN, "admin")
    with console.client() as client:
        wrong = _sign_in(client, ADMIN, "not the password at all")
        unknown = _sign_in(client, "nobody@school.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert _error(wrong.text) == _error(unknown.text)
    assert "sg_session" not in wrong.headers.get("set-cookie", "")
    failures = [(a.actor, a.detail) for a in console.audit() if a.action == "sign-in-failed"]
    assert failures == [(ADMIN, "password"), ("nobody@school.example", "unknown account")]


def test_repeated_failures_lock_the_account_for_a_while(tmp_path: Path):
    overrides = {"web.lockout_after": 3, "web.lockout_minutes": 0.03}
    with running_console(tmp_path, **overrides) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            for _ in range(3):
                assert _sign_in(client, ADMIN, "guess").status_code == 400
            # locked: even the right password is refused, with the same message
            locked = _sign_in(client, ADMIN, PASSWORD)
            assert locked.status_code == 400
            assert "locked for 0.03 minutes" in _error(locked.text)
            assert "account-locked" in [a.action for a in console.audit()]
            time.sleep(2.0)  # the lock has run out
            assert _sign_in(client, ADMIN, PASSWORD).status_code == 303


def test_an_admin_can_lift_a_lockout_with_users_enable(tmp_path: Path):
    with running_console(tmp_path, **{"web.lockout_after": 2}) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            for _ in range(2):
                _sign_in(client, ADMIN, "guess")
            assert _sign_in(client, ADMIN, PASSWORD).status_code == 400
            listed = console.cli("users", "list")
            assert re.search(rf"{re.escape(ADMIN)}\s+admin\s+locked", listed.output)
            assert console.cli("users", "enable", ADMIN).exit_code == 0
            assert _sign_in(client, ADMIN, PASSWORD).status_code == 303


def test_one_address_may_only_try_so_often(tmp_path: Path):
    with running_console(tmp_path, **{"web.sign_in_rate": 3}) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            codes = [
                _sign_in(client, f"guess{n}@school.example", "x").status_code for n in range(3)
            ]
            assert codes == [400, 400, 400]
            limited = _sign_in(client, ADMIN, PASSWORD)
        assert limited.status_code == 429
        assert "Too many sign-in attempts" in limited.text


def _enrol(console: Console) -> pyotp.TOTP:
    result = console.cli("users", "totp", ADMIN)
    assert result.exit_code == 0, result.output
    key = re.search(r"key \(type into the app\): ([A-Z2-7]+)", result.output)
    assert key and "otpauth://totp/" in result.output
    return pyotp.TOTP(key.group(1))


def test_totp_is_asked_for_after_the_password_and_each_code_works_once(console: Console):
    console.add_user(ADMIN, "admin")
    codes = _enrol(console)
    with console.client() as client:
        first = _sign_in(client, ADMIN, PASSWORD, next_url="/audit")
        assert first.headers["location"] == "/signin/code?next=%2Faudit"
        # half signed in: the console is still closed
        assert client.get("/audit").headers["location"].startswith("/signin")
        wrong = post_form(client, "/signin/code", "/signin/code", code="000000", next="/audit")
        assert wrong.status_code == 400
        code = codes.now()
        right = post_form(client, "/signin/code", "/signin/code", code=code, next="/audit")
        assert right.status_code == 303 and right.headers["location"] == "/audit"
        assert client.get("/audit").status_code == 200
    with console.client() as replay:
        _sign_in(replay, ADMIN, PASSWORD)
        again = post_form(replay, "/signin/code", "/signin/code", code=code)
        assert again.status_code == 400
        assert "already used" in again.text
    assert ("sign-in", "password+totp") in [(a.action, a.detail) for a in console.audit()]


def test_wrong_codes_count_towards_the_lockout(tmp_path: Path):
    with running_console(tmp_path, **{"web.lockout_after": 2}) as console:
        console.add_user(ADMIN, "admin")
        _enrol(console)
        with console.client() as client:
            _sign_in(client, ADMIN, PASSWORD)
            assert (
                post_form(client, "/signin/code", "/signin/code", code="111111").status_code == 400
            )
            locked = post_form(client, "/signin/code", "/signin/code", code="222222")
            assert locked.status_code == 303 and locked.headers["location"] == "/signin"
        assert "account-locked" in [a.action for a in console.audit()]


@pytest.mark.parametrize(
    "how",
    [
        "signout",  # the user signs out
        "disable",  # an admin disables the account
        "set-password",  # a new password signs the account out everywhere
    ],
)
def test_sessions_end(console: Console, how: str):
    console.add_user(ADMIN, "admin")
    with console.client() as client:
        _sign_in(client, ADMIN, PASSWORD)
        assert client.get("/").status_code == 200
        if how == "signout":
            assert post_form(client, "/", "/signout").headers["location"] == "/signin"
            client.cookies.clear()
        elif how == "disable":
            assert console.cli("users", "disable", ADMIN).exit_code == 0
        else:
            result = console.cli(
                "users", "set-password", ADMIN, "--password-stdin", input="a new long password\n"
            )
            assert result.exit_code == 0, result.output
        assert client.get("/").status_code == 303
    assert console.query(sa.select(console_sessions)) == []


def test_an_idle_session_ends(tmp_path: Path):
    with running_console(tmp_path, **{"web.idle_minutes": 0.02}) as console:
        console.add_user(ADMIN, "admin")
        with console.client() as client:
            _sign_in(client, ADMIN, PASSWORD)
            assert client.get("/").status_code == 200
            time.sleep(1.6)
            assert client.get("/").status_code == 303


def test_a_stolen_cookie_value_from_the_database_does_not_sign_in(console: Console):
    console.add_user(ADMIN, "admin")
    with console.client() as client:
        _sign_in(client, ADMIN, PASSWORD)
    [stored] = console.query(sa.select(console_sessions.c.id))
    with console.client() as thief:
        thief.cookies.set("sg_session", stored.id)
        assert thief.get("/").status_code == 303
