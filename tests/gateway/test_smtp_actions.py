"""Each action and each failure path through the real gateway, with the journal checked
in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
import sqlalchemy as sa

from models.schema import held_messages, journal
from tests.harness import CaptureServer, GatewayRunner
from tests.mail import email, wire

SENDER = "teacher@school.example"


def message(body: str, subject: str = "Hello") -> bytes:
    sender = f"Ms Teacher <{SENDER}>"
    return wire(
        email(body, subject=subject, sender=sender, to="parent@example.org", message_id=True)
    )


def journal_rows(gateway: GatewayRunner) -> list[Any]:
    async def query() -> list[Any]:
        assert gateway.gateway.store is not None
        async with gateway.gateway.store.connect() as conn:
            result = await conn.execute(sa.select(journal).order_by(journal.c.id))
            return list(result)

    return gateway.run(query())


def held_rows(gateway: GatewayRunner) -> list[Any]:
    async def query() -> list[Any]:
        assert gateway.gateway.store is not None
        async with gateway.gateway.store.connect() as conn:
            return list(await conn.execute(sa.select(held_messages)))

    return gateway.run(query())


def sendmail(port: int, raw: bytes) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        return client.sendmail(SENDER, ["parent@example.org"], raw)


def test_deliver_is_journalled(db_url: str, capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port, database_url=db_url)
    sendmail(gateway.port, message("Nothing to see here."))
    capture.wait_for(1)
    [row] = journal_rows(gateway)
    assert row.action == "deliver"
    assert row.outcome == "delivered"
    assert row.mail_from == SENDER
    assert row.recipients == ["parent@example.org"]
    assert row.subject == "Hello"
    assert row.rules == [] and row.findings == []
    assert row.client_address == "127.0.0.1"
    assert row.scan_ms is not None and row.scan_ms > 0
    assert row.total_ms >= row.scan_ms
    assert row.smtp_reply.startswith("250 2.0.0 Ok: queued as CAPTURED")


@pytest.mark.parametrize("action", ["confirm", "quarantine"])
def test_held_messages_are_stored_encrypted_and_answered_with_hold_id(
    action: str, db_url: str, capture: CaptureServer, start_gateway
):
    gateway = start_gateway(capture.port, database_url=db_url)
    body = f"Private notes KEYWORD-{action.upper()} about the class."
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
        client.ehlo()
        client.mail(SENDER)
        client.rcpt("parent@example.org")
        code, reply = client.data(message(body))
    assert code == 250
    [held] = held_rows(gateway)
    assert reply.decode().endswith(f"as {held.id}")
    assert held.action == action and held.status == "held"
    assert held.recipients == ["parent@example.org"]
    assert body.encode() not in held.ciphertext
    assert b"Private notes" not in held.ciphertext
    [notice] = capture.wait_for_notice(action)
    assert notice.rcpt_tos == [SENDER]
    assert capture.originals() == []
    [row] = journal_rows(gateway)
    assert (row.action, row.outcome, row.hold_id) == (action, "held", held.id)
    assert row.rules == [f"keyword-{action}"]
    assert row.findings[0]["type"] == "TEST_KEYWORD"
    assert "span" not in row.findings[0]
    original = gateway.run(gateway.gateway.handler.services.flow.holds.content(held.id))
    assert body.encode() in original


def test_reject_answers_550_with_the_rules_reason(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        sendmail(gateway.port, message("please KEYWORD-REJECT this"))
    assert refused.value.smtp_code == 550
    text = refused.value.smtp_error.decode()
    assert text.startswith("5.7.1 Not sent: The message contains the test keyword for reject.")
    assert 'Found: "KEYWORD-R****" in the message.' in text
    assert capture.messages == []
    [row] = journal_rows(gateway)
    assert (row.action, row.outcome) == ("reject", "rejected")


def test_most_severe_matching_rule_wins(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port)
    with pytest.raises(smtplib.SMTPDataError):
        sendmail(gateway.port, message("KEYWORD-NOTIFY and KEYWORD-REJECT and KEYWORD-CONFIRM"))
    [row] = journal_rows(gateway)
    assert row.action == "reject"
    assert sorted(row.rules) == ["keyword-confirm", "keyword-notify", "keyword-reject"]


def test_notify_delivers_with_verdict_header_then_reminds_the_sender(
    capture: CaptureServer, start_gateway
):
    gateway = start_gateway(capture.port)
    sendmail(gateway.port, message("KEYWORD-NOTIFY"))
    [got] = capture.wait_for(1)
    assert b"X-Schoolgate-Verdict: notify; id=" in got.content
    assert b"rules=keyword-notify" in got.content
    [reminder] = capture.wait_for_notice("notify")
    assert reminder.rcpt_tos == [SENDER]
    assert "was sent" in reminder.text


def test_audit_only_delivers_and_journals_what_would_have_happened(
    capture: CaptureServer, start_gateway
):
    gateway = start_gateway(capture.port, **{"policy.audit_only": True})
    assert sendmail(gateway.port, message("KEYWORD-REJECT")) == {}
    [got] = capture.wait_for(1)
    assert b"X-Schoolgate-Verdict: reject; id=" in got.content
    assert b"; audit-only\r\n" in got.content
    [row] = journal_rows(gateway)
    assert (row.action, row.audit_only, row.outcome) == ("reject", True, "delivered")


@pytest.mark.parametrize(
    ("keyword", "expected_error"),
    [
        ("KEYWORD-BOOM", "a detector failed: DetectorBoom"),  # detector raises
        ("KEYWORD-HANG", "scan took longer than 2 s"),  # detector hangs past the timeout
    ],
)
def test_detector_failure_gives_451_and_nothing_is_delivered(
    keyword: str, expected_error: str, capture: CaptureServer, start_gateway
):
    gateway = start_gateway(capture.port, **{"scan.timeout": 2})
    with pytest.raises(smtplib.SMTPDataError) as refused:
        sendmail(gateway.port, message(f"text {keyword} text"))
    assert refused.value.smtp_code == 451
    assert refused.value.smtp_error.startswith(b"4.7.0 ")
    assert capture.messages == []
    # the pool recovers (a hung worker is killed and replaced) and clean mail flows again
    assert sendmail(gateway.port, message("clean")) == {}
    assert len(capture.wait_for(1)) == 1
    first, second = journal_rows(gateway)
    assert first.outcome == "tempfailed" and first.action is None
    assert expected_error in first.error
    assert second.outcome == "delivered"


def test_subject_findings_are_redacted_in_the_journal(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port)
    sendmail(gateway.port, message("hi", subject="About KEYWORD-NOTIFY today"))
    capture.wait_for(1)
    [row] = journal_rows(gateway)
    assert row.subject == "About K**** today"


def test_a_scan_longer_than_the_idle_timeout_is_answered_and_journalled(
    capture: CaptureServer, start_gateway
):
    """The idle timeout is the client's; while the gateway scans, the client is waiting
    for it (issue 11, point 4: such a message was cut off with no reply and no row)."""
    gateway = start_gateway(capture.port, **{"smtp.idle_timeout": 1})
    assert sendmail(gateway.port, message("A long one KEYWORD-SLOW")) == {}
    [delivered] = capture.wait_for(1)
    assert b"KEYWORD-SLOW" in delivered.content
    [row] = journal_rows(gateway)
    assert row.outcome == "delivered" and row.scan_ms >= 1000
    # and an idle client is still closed after the timeout
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
        client.ehlo()
        assert client.sock is not None
        client.sock.settimeout(30)
        assert client.sock.recv(100) == b""  # the gateway hangs up on the idle client
