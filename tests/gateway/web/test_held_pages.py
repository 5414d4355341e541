"""Held mail over HTTP: the queue's filters, bulk decisions, and who sees what."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from models.schema import held_messages
from tests.gateway.web.console import Console, email_for, post_form


@pytest.fixture
def queue(console: Console) -> Console:
    console.add_role_users()
    console.send("One KEYWORD-QUARANTINE", subject="First")
    console.send("Two KEYWORD-QUARANTINE", subject="Second", to="gp@nhs.example")
    console.send("Three KEYWORD-CONFIRM", subject="Third", sender="ta@school.example")
    return console


def _subjects(page: str) -> list[str]:
    return re.findall(r'<td data-label="Subject">(?:<a [^>]*>)?([^<]+)<', page)


FILTERS = [
    # (query, subjects listed)
    ({}, ["Third", "Second", "First"]),  # held, newest first
    ({"action": "quarantine"}, ["Second", "First"]),  # kind
    ({"action": "confirm"}, ["Third"]),
    ({"rule": "keyword-confirm"}, ["Third"]),  # rule
    ({"sender": "TA@"}, ["Third"]),  # sender, ignoring case
    ({"recipient": "nhs.example"}, ["Second"]),  # recipient
    ({"from": "2000-01-01", "to": "2000-01-02"}, []),  # dates
    ({"status": "released"}, []),  # status
    ({"status": "all", "sender": "teacher"}, ["Second", "First"]),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[str(f[0]) for f in FILTERS])
def test_queue_filters(queue: Console, query: dict[str, str], expected: list[str]):
    client = queue.sign_in(email_for("auditor"))
    page = client.get("/held", params=query)
    assert page.status_code == 200
    assert _subjects(page.text) == expected
    assert 'href="/held/' not in page.text  # auditors get no links to content


def _ids(console: Console, *subjects: str) -> list[str]:
    return [console.hold_with(s).id for s in subjects]


def test_bulk_release_delivers_each_once(queue: Console):
    admin = queue.sign_in(email_for("admin"))
    ids = _ids(queue, "First", "Second")
    token = admin.cookies["sg_csrf"]
    data: Any = {"csrf_token": token, "action": "release", "ids": ids, "back": "status=held"}
    response = admin.post("/held/bulk", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/held?status=held"
    assert "2 of 2 released." in admin.get(response.headers["location"]).text
    again = admin.post("/held/bulk", data=data)  # the same form, sent twice
    assert "2 of 2 released." in admin.get(again.headers["location"]).text
    queue.capture.wait_for(2)
    time.sleep(1)
    delivered = [re.search(rb"Subject: (\w+)", m.content) for m in queue.capture.originals()]
    assert sorted(m.group(1) for m in delivered if m) == [b"First", b"Second"]
    assert [h.status for h in queue.holds()] == ["released", "released", "held"]


def test_bulk_reject_needs_a_reason_the_sender_is_told(queue: Console):
    admin = queue.sign_in(email_for("admin"))
    [first] = _ids(queue, "First")
    data: Any = {"csrf_token": admin.cookies["sg_csrf"], "action": "reject", "ids": [first]}
    refused = admin.post("/held/bulk", data=data)
    assert "0 of 1 rejected." in admin.get(refused.headers["location"]).text
    assert queue.hold_with("First").status == "held"
    done = admin.post("/held/bulk", data={**data, "reason": "Please use initials"})
    assert "1 of 1 rejected." in admin.get(done.headers["location"]).text
    [notice] = queue.capture.wait_for_notice("rejected")
    assert "Their reason: Please use initials" in notice.text
    assert queue.capture.originals() == []


def test_a_dsl_reads_the_message_but_cannot_decide(queue: Console):
    dsl = queue.sign_in(email_for("dsl"))
    [first] = _ids(queue, "First")
    page = dsl.get(f"/held/{first}")
    assert page.status_code == 200
    assert "One <mark" in page.text
    assert "Release and send" not in page.text
    token = dsl.cookies["sg_csrf"]
    refused = dsl.post(f"/held/{first}/release", data={"csrf_token": token, "reason": "DSL"})
    assert refused.status_code == 403
    assert queue.hold_with("First").status == "held"
    views = [(a.action, a.actor, a.role) for a in queue.audit() if a.action == "view"]
    assert views == [("view", email_for("dsl"), "dsl")]


def test_a_purged_message_shows_its_record_but_no_content(queue: Console):
    [first] = _ids(queue, "First")

    async def purge() -> None:
        store = queue.runner.gateway.store
        assert store is not None
        async with store.begin() as conn:
            await conn.execute(
                held_messages.update()
                .where(held_messages.c.id == first)
                .values(ciphertext=b"", purged_at=datetime.now(UTC) - timedelta(days=1))
            )

    queue.runner.run(purge())
    admin = queue.sign_in(email_for("admin"))
    page = admin.get(f"/held/{first}")
    assert page.status_code == 200
    assert "was erased" in page.text
    assert "One KEYWORD" not in page.text
    assert "view" not in [a.action for a in queue.audit()]
    assert queue.query(sa.select(held_messages.c.status).where(held_messages.c.id == first))


def test_the_alert_link_opens_the_message_after_signing_in(queue: Console):
    [first] = _ids(queue, "First")
    with queue.client() as client:
        response = client.get(f"/held/{first}")
        assert response.headers["location"] == f"/signin?next=%2Fheld%2F{first}"
        signed = post_form(
            client,
            response.headers["location"],
            "/signin",
            email=email_for("admin"),
            password="correct horse battery staple",
            next=f"/held/{first}",
        )
        assert signed.headers["location"] == f"/held/{first}"
