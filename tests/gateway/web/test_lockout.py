"""Lockout per (account, address): guessing cannot lock the owner out, and admins hear of it.

Addresses are told apart through a trusted proxy (127.0.0.1) and X-Forwarded-For, as a
TLS reverse proxy in front of the console reports them.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from models.schema import notice_outbox
from tests.gateway.web.console import (
    PASSWORD,
    Console,
    email_for,
    post_form,
    running_console,
)

ADMIN = email_for("admin")
DSL = email_for("dsl")
IT_ADMIN = "it.admin@school.example"
USUAL = "192.0.2.10"
"""The DSL's own address (the school's network)."""


def _attempt(console: Console, address: str, password: str, email: str = DSL) -> httpx.Response:
    """One sign-in from `address`, in a browser of its own."""
    with console.client() as client:
        client.headers["X-Forwarded-For"] = address
        return post_form(client, "/signin", "/signin", email=email, password=password)


def _actions(console: Console, action: str) -> list[Any]:
    return [a for a in console.audit() if a.action == action]


def _lockout_alerts(console: Console) -> list[Any]:
    return console.query(sa.select(notice_outbox).where(notice_outbox.c.kind == "lockout"))


@pytest.fixture
def lockable(tmp_path: Path) -> Iterator[Console]:
    settings = {
        "web.trusted_proxies": ["127.0.0.1/32"],
        "web.lockout_after": 3,
        "notices.admin_addresses": [IT_ADMIN],
    }
    with running_console(tmp_path, **settings) as console:
        console.add_user(DSL, "dsl")
        assert _attempt(console, USUAL, PASSWORD).status_code == 303  # signed in here before
        yield console


def test_wrong_passwords_from_rotating_addresses_do_not_lock_the_owner_out(lockable: Console):
    """The reported case: 8 wrong passwords, each from another address."""
    for n in range(8):
        assert _attempt(lockable, f"198.51.100.{n + 1}", "guess").status_code == 400
    assert _attempt(lockable, USUAL, PASSWORD).status_code == 303
    assert _attempt(lockable, "198.51.100.99", PASSWORD).status_code == 303  # a new place too
    assert _actions(lockable, "account-locked") == []


def test_an_address_that_keeps_guessing_is_locked_but_the_owner_is_not(lockable: Console):
    attacker = "203.0.113.9"
    for _ in range(3):
        assert _attempt(lockable, attacker, "guess").status_code == 400
    refused = _attempt(lockable, attacker, PASSWORD)  # even the right password, from there
    assert refused.status_code == 400
    assert "locked for 15 minutes" in refused.text
    assert _attempt(lockable, USUAL, PASSWORD).status_code == 303
    assert _attempt(lockable, attacker, PASSWORD).status_code == 400  # still locked there
    [lock] = _actions(lockable, "account-locked")
    assert (lock.actor, lock.client_address) == (DSL, attacker)
    assert "3 failed sign-ins in a row from 203.0.113.9" in lock.detail
    details = [a.detail for a in _actions(lockable, "sign-in-failed")]
    assert details == ["password"] * 3 + ["locked"] * 2  # refusals do not count again
    listed = lockable.cli("users", "list")
    assert re.search(rf"{re.escape(DSL)}\s+dsl\s+locked", listed.output)

    [alert] = lockable.capture.wait_for_notice("lockout")
    assert alert.rcpt_tos == [IT_ADMIN]
    message = email.message_from_bytes(alert.content, policy=email.policy.default)
    assert message["Subject"] == f"[schoolgate] Console sign-in locked: {DSL}"
    text = " ".join(alert.text.split())
    assert "came from 203.0.113.9" in text and "can still sign in" in text
    assert f"schoolgate users enable {DSL}" in text


def test_admins_are_alerted_once_per_lockout_period(lockable: Console):
    """A guesser locking address after address cannot flood the admins' mailboxes."""
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(3):
            _attempt(lockable, address, "guess")
    assert len(_actions(lockable, "account-locked")) == 2
    assert len(_lockout_alerts(lockable)) == 1  # queued with the first lock's audit row


def test_a_success_from_an_address_clears_its_count(lockable: Console):
    for _ in range(2):
        for _ in range(2):
            assert _attempt(lockable, USUAL, "typo").status_code == 400
        assert _attempt(lockable, USUAL, PASSWORD).status_code == 303
    assert _actions(lockable, "account-locked") == []


def test_guessing_from_many_addresses_locks_only_new_addresses(lockable: Console):
    """The account-wide limit (10 x lockout_after) never shuts the owner's address out."""
    for n in range(30):
        assert _attempt(lockable, f"198.51.100.{n + 1}", "guess").status_code == 400
    [lock] = _actions(lockable, "account-locked-new-addresses")
    assert lock.detail.startswith("30 failed sign-ins from 30 addresses")
    assert _attempt(lockable, "198.51.100.200", PASSWORD).status_code == 400
    assert _attempt(lockable, USUAL, PASSWORD).status_code == 303
    [alert] = lockable.capture.wait_for_notice("lockout")
    assert "from 30 network addresses" in " ".join(alert.text.split())


def test_another_account_is_not_affected(lockable: Console):
    lockable.add_user(ADMIN, "admin")
    for _ in range(3):
        _attempt(lockable, "203.0.113.9", "guess")
    assert _attempt(lockable, "203.0.113.9", PASSWORD, email=ADMIN).status_code == 303
