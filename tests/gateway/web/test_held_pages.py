"""Held mail over HTTP: the queue's filters, bulk decisions, and who sees what."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from models.schema import held_messages
from tests.gateway.web.console import (
    Console,
    csrf_from,
    email_for,
    post_form,
    running_console,
)


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
    token = csrf_from(admin, "/held")
    data: Any = {"csrf_token": token, "action": "release", "ids": ids, "back": "status=held"}
    response = admin.post("/held/bulk", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/held?status=held"
    assert "2 of 2 released." in admin.get(response.headers["location"]).text
    again = admin.post("/held/bulk", data=data)  # the same form, sent twice
    assert "2 of 2 released." in admin.get(again.headers["location"]).text
    queue.capture.wait_for(2)
    # Both released, each delivery recorded: the second form could send nothing more.
    assert [h.status for h in queue.holds()] == ["released", "released", "held"]
    delivered = [re.search(rb"Subject: (\w+)", m.content) for m in queue.capture.originals()]
    assert sorted(m.group(1) for m in delivered if m) == [b"First", b"Second"]


def test_bulk_reject_needs_a_reason_the_sender_is_told(queue: Console):
    admin = queue.sign_in(email_for("admin"))
    [first] = _ids(queue, "First")
    data: Any = {"csrf_token": csrf_from(admin, "/held"), "action": "reject", "ids": [first]}
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
    token = csrf_from(dsl, "/held")  # the queue page: another view would be audited
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


def test_a_release_cut_off_during_data_is_shown_as_possibly_delivered_twice(tmp_path):
    """The next hop hangs up during DATA, after it may have taken the message: the retry
    delivers it (nothing lost) and the admin's page says the recipients may have two."""
    with running_console(tmp_path, **{"hold.release_retry_minutes": 0.01}) as console:
        console.add_role_users()
        console.send("One KEYWORD-QUARANTINE", subject="First")
        hold = console.hold_with("First")
        admin = console.sign_in(email_for("admin"))
        page = f"/held/{hold.id}"
        assert "Possibly delivered twice" not in admin.get(page).text
        console.capture.handler.drop_data = 1
        post_form(admin, page, f"{page}/release", reason="checked")
        deadline = time.monotonic() + 30
        while console.hold_with("First").status != "released":
            assert time.monotonic() < deadline, console.hold_with("First")
            time.sleep(0.05)
        shown = admin.get(page).text
        assert "Possibly delivered twice" in shown
        assert "Delivery attempt 1" in shown
        assert [a.action for a in console.audit()].count("delivery-uncertain") == 1


def test_a_dsl_sees_why_each_finding_has_its_score(console: Console):
    """The finding's basis (what matched, the score it starts from, the context that
    moved it) is on the held message and the incident pages, folded away."""
    console.add_user(email_for("dsl"), "dsl")
    console.send("Notes KEYWORD-QUARANTINE-EXPLAINED", subject="Explained")
    hold = console.hold_with("Explained")
    dsl = console.sign_in(email_for("dsl"))
    for page in (dsl.get(f"/held/{hold.id}"), dsl.get(f"/incidents/{hold.journal_id}")):
        assert page.status_code == 200
        assert "Why this score (1.00)" in page.text
        assert "The test keyword: 0.80; written in capitals: +0.20." in page.text
    dsl.close()
