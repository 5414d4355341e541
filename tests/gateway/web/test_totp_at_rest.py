"""TOTP keys are stored sealed with the web secret, and a key that cannot be opened
keeps the account out (with a log message saying how to fix it) rather than crashing or
letting it in on its password alone."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from gateway.security.keyfiles import new_secret, parse_secret
from gateway.storage.engine import Store
from gateway.web import totp
from gateway.web.users_store import UserStore
from models.schema import console_users
from tests.gateway.web.console import PASSWORD, Console, email_for, post_form

ADMIN = email_for("admin")
WEB_SECRET = parse_secret(new_secret(), "test secret")
OTHER_SECRET = parse_secret(new_secret(), "another test secret")
KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
"""A base32 TOTP key, as `totp.new_secret()` makes them."""


async def _raw_key(store: Store) -> str | None:
    """The totp_secret column as stored."""
    async with store.connect() as conn:
        return (await conn.execute(sa.select(console_users.c.totp_secret))).scalar_one()


async def _write_raw(store: Store, email: str, stored: str) -> None:
    async with store.begin() as conn:
        await conn.execute(
            console_users.update().where(console_users.c.email == email).values(totp_secret=stored)
        )


def test_a_key_is_stored_sealed_and_opens_only_through_the_store(db_url: str):
    async def scenario() -> tuple[list[str | None], list[str | None]]:
        store = await Store.open(db_url)
        try:
            users = UserStore(store, WEB_SECRET)
            user = await users.add(ADMIN, "admin", None)
            stored, read = [], []
            for _ in range(2):  # enrolling again seals afresh
                await users.set_totp(user.id, KEY)
                stored.append(await _raw_key(store))
                read.append((await users.require(ADMIN)).totp_secret)
            await users.set_totp(user.id, None)  # `users totp --off`
            stored.append(await _raw_key(store))
            read.append((await users.require(ADMIN)).totp_secret)
            return stored, read
        finally:
            await store.close()

    (first, second, removed), read = asyncio.run(scenario())
    assert read == [KEY, KEY, None]
    assert first and second and removed is None
    for sealed in (first, second):
        assert KEY not in sealed and KEY.lower() not in sealed
        assert sealed.startswith(totp.SEALED_PREFIX)
    assert first != second  # a fresh nonce each time: equal keys do not look equal


def _sealed_elsewhere(user_id: int) -> str:
    return totp.SecretBox(OTHER_SECRET).seal(KEY, user_id)


def _sealed_for_another_account(user_id: int) -> str:
    return totp.SecretBox(WEB_SECRET).seal(KEY, user_id + 1)


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        # the web secret was changed (or the key was enrolled against another one)
        (_sealed_elsewhere, "sealed with another web secret"),
        # a sealed key copied from another account's row: bound to that account's id
        (_sealed_for_another_account, "or for another account"),
        # a key an earlier version stored in the clear
        (lambda user_id: KEY, "is not sealed"),
        # a sealed key cut short
        (lambda user_id: totp.SecretBox(WEB_SECRET).seal(KEY, user_id)[:20], "is damaged"),
        # not base64 at all
        (lambda user_id: totp.SEALED_PREFIX + "%%%", "is damaged"),
    ],
)
def test_a_key_that_cannot_be_opened_is_refused_with_the_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, stored: Callable[[int], str], reason: str
):
    async def scenario() -> str | None:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'schoolgate.db'}")
        try:
            users = UserStore(store, WEB_SECRET)
            user = await users.add(ADMIN, "admin", None)
            await _write_raw(store, ADMIN, stored(user.id))
            return (await users.require(ADMIN)).totp_secret
        finally:
            await store.close()

    with caplog.at_level(logging.ERROR, logger="gateway.web.users_store"):
        secret = asyncio.run(scenario())
    assert secret == totp.UNREADABLE  # still enrolled: the code is still asked for
    assert totp.matching_step(secret, pyotp.TOTP(KEY).now()) is None  # and never matches
    assert reason in caplog.text
    assert f"schoolgate users totp {ADMIN}" in caplog.text  # how to fix it


def _enrol(console: Console) -> tuple[str, pyotp.TOTP]:
    result = console.cli("users", "totp", ADMIN)
    assert result.exit_code == 0, result.output
    key = re.search(r"key \(type into the app\): ([A-Z2-7]+)", result.output)
    assert key, result.output
    return key.group(1), pyotp.TOTP(key.group(1))


def test_a_key_enrolled_with_the_cli_is_sealed_and_signs_in(console: Console):
    console.add_user(ADMIN, "admin")
    key, codes = _enrol(console)
    [stored] = console.query(sa.select(console_users.c.totp_secret))
    assert key not in stored.totp_secret and key.lower() not in stored.totp_secret
    with console.client() as client:
        post_form(client, "/signin", "/signin", email=ADMIN, password=PASSWORD)
        signed_in = post_form(client, "/signin/code", "/signin/code", code=codes.now())
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"


def test_after_the_web_secret_changes_an_enrolled_account_is_kept_out_with_a_clear_log(
    console: Console, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    console.add_user(ADMIN, "admin")
    # the key is sealed with another web secret than the running gateway has
    monkeypatch.setenv(console.runner.config.web.secret_key_env, new_secret())
    _, codes = _enrol(console)
    monkeypatch.undo()
    with caplog.at_level(logging.ERROR), console.client() as client:
        password = post_form(client, "/signin", "/signin", email=ADMIN, password=PASSWORD)
        assert password.headers["location"] == "/signin/code"  # the code is still asked for
        assert client.get("/held").headers["location"].startswith("/signin")
        code = post_form(client, "/signin/code", "/signin/code", code=codes.now())
        assert code.status_code == 400  # a refusal, not a server error
        assert "That code did not work" in code.text
        assert client.get("/held").headers["location"].startswith("/signin")
    assert "one-time code key of console account admin@school.example cannot be read" in (
        caplog.text
    )
    assert "sealed with another web secret" in caplog.text
    listed = console.cli("users", "list")
    assert "totp key unreadable: enrol again" in listed.output
    # enrolling again with the gateway's own secret lets the account back in
    _, codes = _enrol(console)
    with console.client() as client:
        post_form(client, "/signin", "/signin", email=ADMIN, password=PASSWORD)
        signed_in = post_form(client, "/signin/code", "/signin/code", code=codes.now())
        assert signed_in.status_code == 303
