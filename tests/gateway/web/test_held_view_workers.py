"""Held messages are prepared for display in the scan workers, once per hold (issue 11,
point 1: six concurrent views of a big held PDF crashed the gateway's own process,
because the console parsed it there and PDFium is not thread-safe)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gateway.web.context import WebContext
from tests.gateway.web.console import Console, email_for


def _in_gateway_process(*_: Any, **__: Any) -> Any:
    raise AssertionError("a message was parsed in the gateway's own process")


def test_the_console_never_parses_a_message_in_the_gateway_process(
    console: Console, monkeypatch: pytest.MonkeyPatch
):
    """The gateway runs in this test's process; every parse_message reachable here is
    made to fail, so a page that shows the message proves it was parsed elsewhere."""
    console.add_role_users()
    console.send("Reading record for KEYWORD-QUARANTINE today", subject="Held for review")
    hold = console.hold_with("Held for review")
    for name, module in list(sys.modules.items()):
        if name.startswith("gateway") and hasattr(module, "parse_message"):
            monkeypatch.setattr(module, "parse_message", _in_gateway_process)
    admin = console.sign_in(email_for("admin"))
    page = admin.get(f"/held/{hold.id}")
    assert page.status_code == 200
    assert '<mark class="finding"' in page.text
    assert "KEYWORD-QUARANTINE" in page.text


def test_reviewers_opening_one_message_together_cost_one_preparation(console: Console):
    console.add_role_users()
    console.send("Minutes KEYWORD-QUARANTINE attached", subject="Opened by everyone")
    hold = console.hold_with("Opened by everyone")
    clients = [console.sign_in(email_for("admin")) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        pages = list(pool.map(lambda c: c.get(f"/held/{hold.id}"), clients))
    assert [p.status_code for p in pages] == [200] * 6
    assert all("KEYWORD-QUARANTINE" in p.text for p in pages)
    context: WebContext = console.app.state.ctx
    assert context.views.prepared == 1
