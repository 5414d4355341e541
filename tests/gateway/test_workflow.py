"""The action workflow end to end over real SMTP and HTTP: notices, confirm links,
quarantine alerts, release/reject/delete from the CLI, expiry, purge and retries."""

from __future__ import annotations

import re
import smtplib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gateway.cli import main as cli
from gateway.config.settings import ConfigError, validate
from gateway.hold import digest
from gateway.hold.housekeeping import Housekeeper
from models.schema import audit_log, held_messages, journal, notice_outbox
from tests.harness import KEYWORD_RULES, CaptureServer, GatewayRunner, free_port

SENDER = "teacher@school.example"
PARENT = "parent@example.org"


def workflow_gateway(
    start_gateway: Callable[..., GatewayRunner], capture: CaptureServer, **extra: Any
) -> GatewayRunner:
    web_port = free_port()
    settings: dict[str, Any] = {
        "school.name": "Test Primary",
        "school.domains": ["school.example"],
        "web.listen": f"127.0.0.1:{web_port}",
        "hold.housekeeping_interval": 0.3,
        "hold.release_retry_minutes": 0.005,
        "notices.admin_addresses": ["it@school.example"],
        "notices.dsl_addresses": ["dsl@school.example"],
        **extra,
    }
    return start_gateway(capture.port, **settings)


def send(port: int, body: str, subject: str = "Class news") -> tuple[int, str]:
    raw = (
        f"From: Ms Teacher <{SENDER}>\r\nTo: {PARENT}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{time.time_ns()}@school.example>\r\n\r\n{body}\r\n"
    ).encode()
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo()
        client.mail(SENDER)
        client.rcpt(PARENT)
        code, reply = client.data(raw)
    return code, reply.decode()


def query(gateway: GatewayRunner, statement: Any) -> list[Any]:
    async def run() -> list[Any]:
        assert gateway.gateway.store is not None
        async with gateway.gateway.store.connect() as conn:
            return list(await conn.execute(statement))

    return gateway.run(run())


def held_row(gateway: GatewayRunner) -> Any:
    [row] = query(gateway, sa.select(held_messages))
    return row


def audit_actions(gateway: GatewayRunner) -> list[tuple[str, str, str]]:
    rows = query(gateway, sa.select(audit_log).order_by(audit_log.c.id))
    return [(r.action, r.actor, r.detail) for r in rows]


def outbox_kinds(gateway: GatewayRunner) -> list[str]:
    """The kinds of notice ever queued (a hold queues its notices in its own transaction)."""
    return [r.kind for r in query(gateway, sa.select(notice_outbox).order_by(notice_outbox.c.id))]


def wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def links(notice_text: str) -> tuple[str, str]:
    send_url = re.search(r"(http://\S+/confirm/\S+/send)", notice_text)
    cancel_url = re.search(r"(http://\S+/confirm/\S+/cancel)", notice_text)
    assert send_url and cancel_url, notice_text
    return send_url.group(1), cancel_url.group(1)


def csrf_token(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return token.group(1)


def form_post(client: httpx.Client, url: str, **fields: str) -> httpx.Response:
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


# --- confirm ---------------------------------------------------------------------------


def test_confirm_send_anyway_delivers_exactly_once(
    db_url: str, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url)
    code, reply = send(gateway.port, "Trip list KEYWORD-CONFIRM attached")
    assert code == 250
    assert "held until you confirm it" in reply
    [notice] = capture.wait_for_notice("confirm")
    assert notice.rcpt_tos == [SENDER]
    text = notice.text
    assert 'Your email "Class news" to parent@example.org has NOT been sent yet' in text
    assert "The message contains the test keyword for confirm." in text
    assert "If you do nothing, the email will not be sent." in text
    send_url, _ = links(text)
    with httpx.Client(timeout=30) as client:
        # fetching the link (as a link scanner would) changes nothing
        assert client.get(send_url).status_code == 200
        assert held_row(gateway).status == "held"
        token = csrf_token(client, send_url)
        done = client.post(
            send_url, data={"csrf_token": token, "reason": "Parents asked for the full list"}
        )
        assert done.status_code == 200
        assert "Sent." in done.text
        [delivered] = capture.wait_for(1)
        assert delivered.rcpt_tos == [PARENT]
        assert delivered.content.startswith(b"X-Schoolgate-Released: hold=")
        # the trace of the original delivery attempt is kept (issue 11, point 17)
        head = delivered.content.split(b"\r\n\r\n", 1)[0]
        assert b"\r\nReceived: from " in head and b"(schoolgate " in head
        assert b"X-Schoolgate-Verdict: confirm; id=" in head
        assert b"Trip list KEYWORD-CONFIRM attached" in delivered.content
        # a second click on the same form
        again = client.post(send_url, data={"csrf_token": token, "reason": "again"})
    assert "already" in again.text.lower()
    # Released, its one delivery recorded: nothing is left that could send it again.
    assert [a for a, _, _ in audit_actions(gateway)].count("delivered") == 1
    assert len(capture.originals()) == 1
    row = held_row(gateway)
    assert (row.status, row.decided_by, row.decision_reason) == (
        "released",
        SENDER,
        "Parents asked for the full list",
    )
    assert ("override", SENDER, "Parents asked for the full list") in audit_actions(gateway)
    assert [a for a, _, _ in audit_actions(gateway)].count("delivered") == 1
    # the sender chose this themselves: no "released" notice on top
    assert capture.notices("released") == []


def test_send_anyway_needs_a_reason(capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-CONFIRM")
    send_url, _ = links(capture.wait_for_notice("confirm")[0].text)
    with httpx.Client(timeout=30) as client:
        response = form_post(client, send_url, reason="   ")
    assert response.status_code == 400
    assert "Please give a short reason." in response.text
    assert held_row(gateway).status == "held"


def test_dont_send_delivers_nothing(capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-CONFIRM")
    send_url, cancel_url = links(capture.wait_for_notice("confirm")[0].text)
    with httpx.Client(timeout=30) as client:
        response = form_post(client, cancel_url)
        assert "has not been sent" in response.text
        later = client.get(send_url)  # the other link no longer offers a choice
    assert "You chose not to send this email." in later.text
    assert held_row(gateway).status == "cancelled"  # final: nothing will send it now
    assert capture.originals() == []
    assert ("cancel", SENDER, "") in audit_actions(gateway)


def test_forms_without_csrf_token_are_refused(capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-CONFIRM")
    send_url, _ = links(capture.wait_for_notice("confirm")[0].text)
    with httpx.Client(timeout=30) as client:
        response = client.post(send_url, data={"reason": "forged"})
    assert response.status_code == 403
    assert held_row(gateway).status == "held"


def test_forged_link_is_refused(capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-CONFIRM")
    send_url, _ = links(capture.wait_for_notice("confirm")[0].text)
    forged = re.sub(r"/confirm/[^/]+/", "/confirm/eyJoIjoiMDFGT1JHRUQifQ.AAAA.BBBB/", send_url)
    response = httpx.get(forged, timeout=30)
    assert response.status_code == 404
    assert "not valid" in response.text


def test_unanswered_confirm_expires_and_the_sender_is_told(
    db_url: str, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(
        start_gateway, capture, database_url=db_url, **{"hold.confirm_hours": 0.0005}
    )
    send(gateway.port, "KEYWORD-CONFIRM")
    send_url, _ = links(capture.wait_for_notice("confirm")[0].text)
    [expired] = capture.wait_for_notice("expired")
    assert expired.rcpt_tos == [SENDER]
    assert "was not sent" in expired.text
    assert held_row(gateway).status == "expired"
    assert capture.originals() == []
    response = httpx.get(send_url, timeout=30)
    assert response.status_code in (200, 404)
    assert "expired" in response.text.lower() or "time to choose has passed" in response.text


# --- quarantine ------------------------------------------------------------------------


def _severity_rules(severity: str) -> list[dict[str, Any]]:
    return [dict(rule, severity=severity) for rule in KEYWORD_RULES]


def test_quarantine_tells_the_sender_and_alerts_reviewers_at_once_when_severe(
    capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture, rules=_severity_rules("high"))
    code, reply = send(gateway.port, "KEYWORD-QUARANTINE", subject="Report")
    assert code == 250
    assert "held for review" in reply
    [notice] = capture.wait_for_notice("quarantine")
    assert notice.rcpt_tos == [SENDER]
    # only admins can release: the notice names them, and says the DSL can see it
    assert "held for review by\nthe school's email administrator" in notice.text
    assert "the Designated Safeguarding Lead can also see it" in notice.text
    assert "within one school day" in notice.text
    [alert] = capture.wait_for_notice("alert")
    assert sorted(alert.rcpt_tos) == ["dsl@school.example", "it@school.example"]
    assert f"/held/{held_row(gateway).id}" in alert.text
    assert capture.originals() == []


def test_medium_severity_waits_for_the_digest(capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(
        start_gateway, capture, rules=_severity_rules("medium"), **{"notices.digest_time": "23:59"}
    )
    send(gateway.port, "KEYWORD-QUARANTINE")
    capture.wait_for_notice("quarantine")
    # An alert would have been queued in the hold's own transaction, with the notice.
    assert outbox_kinds(gateway) == ["quarantine"]
    assert capture.notices("alert") == []


def cli_run(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, [*args, "--config", str(tmp_path / "schoolgate.toml")])


def test_cli_release_is_idempotent_and_journalled(
    db_url: str, tmp_path: Path, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url)
    send(gateway.port, "Secret KEYWORD-QUARANTINE")
    hold_id = held_row(gateway).id
    listed = cli_run(tmp_path, "held", "list")
    assert listed.exit_code == 0, listed.output
    assert hold_id in listed.output and "quarantine" in listed.output
    first = cli_run(
        tmp_path, "held", "release", hold_id, "--reason", "checked with DSL", "--by", "Mr IT"
    )
    assert first.exit_code == 0, first.output
    assert "Sent." in first.output
    second = cli_run(tmp_path, "held", "release", hold_id, "--by", "Mr IT")
    assert second.exit_code == 0
    assert "already sent" in second.output
    [delivered] = capture.wait_for(1)
    assert (
        b"X-Schoolgate-Released: hold=" + hold_id.encode() + b"; by=Mr IT (command line)"
        in delivered.content
    )
    assert held_row(gateway).status == "released"  # its one delivery recorded
    assert len(capture.originals()) == 1
    actions = audit_actions(gateway)
    assert ("release", "Mr IT (command line)", "checked with DSL") in actions
    [released] = capture.wait_for_notice("released")
    assert "released by Mr IT (command line)" in released.text
    shown = cli_run(tmp_path, "held", "show", hold_id, "--json")
    assert '"status": "released"' in shown.output


def test_cli_reject_tells_the_sender_and_release_is_then_refused(
    tmp_path: Path, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-QUARANTINE")
    hold_id = held_row(gateway).id
    result = cli_run(tmp_path, "held", "reject", hold_id, "--reason", "Use initials please")
    assert result.exit_code == 0, result.output
    [rejected] = capture.wait_for_notice("rejected")
    assert "Their reason: Use initials please" in rejected.text
    refused = cli_run(tmp_path, "held", "release", hold_id)
    assert refused.exit_code == 1
    assert "it was rejected" in refused.output
    assert capture.originals() == []


def test_cli_delete_erases_the_content(tmp_path: Path, capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-QUARANTINE")
    hold_id = held_row(gateway).id
    assert cli_run(tmp_path, "held", "delete", hold_id, "--reason", "sent in error").exit_code == 0
    row = held_row(gateway)
    assert (row.status, row.ciphertext) == ("deleted", b"")
    raw = cli_run(tmp_path, "held", "show", hold_id, "--raw")
    assert raw.exit_code == 1
    assert "purged" in raw.output


def test_cli_show_raw_is_audited(tmp_path: Path, capture: CaptureServer, start_gateway):
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "Original text KEYWORD-QUARANTINE")
    hold_id = held_row(gateway).id
    result = cli_run(tmp_path, "held", "show", hold_id, "--raw", "--by", "auditor")
    assert result.exit_code == 0
    assert "Original text KEYWORD-QUARANTINE" in result.output
    assert ("view", "auditor (command line)", "raw message, CLI") in audit_actions(gateway)


def test_unknown_hold_id(tmp_path: Path, capture: CaptureServer, start_gateway):
    workflow_gateway(start_gateway, capture)
    result = cli_run(tmp_path, "held", "release", "01NOSUCHHOLD")
    assert result.exit_code == 1
    assert "No held message 01NOSUCHHOLD" in result.output


# --- retries, retention ------------------------------------------------------------------


def test_release_interrupted_mid_delivery_is_retried_and_delivered_once(
    db_url: str, tmp_path: Path, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url)
    send(gateway.port, "KEYWORD-QUARANTINE")
    hold_id = held_row(gateway).id
    capture.wait_for_notice("quarantine")
    capture.handler.drop_data = 1  # the next hop hangs up after the message was sent
    result = cli_run(tmp_path, "held", "release", hold_id)
    assert result.exit_code == 0, result.output
    assert "will keep trying" in result.output
    wait_until(lambda: held_row(gateway).status == "released")  # no retry is left
    assert len(capture.originals()) == 1
    row = held_row(gateway)
    assert row.release_attempts == 2
    actions = [a for a, _, _ in audit_actions(gateway)]
    assert actions.count("delivery-deferred") == 1
    assert actions.count("delivered") == 1


def test_retention_purges_content_and_expires_unreviewed_mail(
    db_url: str, tmp_path: Path, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url)
    send(gateway.port, "KEYWORD-QUARANTINE")
    row = held_row(gateway)

    async def age() -> None:  # as if `hold.retention_days` had passed
        assert gateway.gateway.store is not None
        async with gateway.gateway.store.begin() as conn:
            await conn.execute(
                held_messages.update().values(expires_at=sa.func.current_timestamp())
            )

    gateway.run(age())
    [expired] = capture.wait_for_notice("expired")
    assert "was not reviewed within 30 days" in expired.text
    wait_until(lambda: held_row(gateway).ciphertext == b"")
    after = held_row(gateway)
    assert (after.status, after.id) == ("expired", row.id)
    assert after.purged_at is not None
    actions = [a for a, _, _ in audit_actions(gateway)]
    assert "expired" in actions and "purged" in actions
    # the redacted record stays for the DSL log
    [journalled] = query(gateway, sa.select(journal))
    assert journalled.hold_id == row.id


def test_external_senders_get_no_notices(capture: CaptureServer, start_gateway):
    """Notices only go to the school's own staff: no backscatter to outside addresses."""
    gateway = workflow_gateway(start_gateway, capture)
    raw = (
        b"From: x@elsewhere.example\r\nTo: p@example.org\r\nSubject: s\r\n\r\n"
        b"KEYWORD-QUARANTINE\r\n"
    )
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail("x@elsewhere.example", [PARENT], raw)
    send(gateway.port, "KEYWORD-QUARANTINE")  # then one from the school's own staff
    [notice] = capture.wait_for_notice("quarantine")
    assert notice.rcpt_tos == [SENDER]
    # Both holds are stored, each with the notices it queued in the same transaction.
    assert len(query(gateway, sa.select(held_messages))) == 2
    assert outbox_kinds(gateway) == ["quarantine"]
    assert len(capture.notices("quarantine")) == 1


@pytest.mark.parametrize("severity", ["high"])
def test_notices_never_repeat_the_matched_text(
    severity: str, capture: CaptureServer, start_gateway
):
    gateway = workflow_gateway(start_gateway, capture, rules=_severity_rules(severity))
    send(gateway.port, "body KEYWORD-QUARANTINE", subject="About KEYWORD-QUARANTINE now")
    for kind in ("quarantine", "alert"):
        [notice] = capture.wait_for_notice(kind)
        assert b"KEYWORD-QUARANTINE" not in notice.content
        assert "K****" in notice.text


SCHOOL_ZONE = ZoneInfo("Europe/London")  # notices.timezone's default


def _today_at(hour: int, minute: int) -> datetime:
    """Today at hour:minute on the school's clock."""
    now = datetime.now(SCHOOL_ZONE)
    return now.replace(hour=hour, minute=minute, second=0, microsecond=0)


def test_daily_digest_goes_to_reviewers_once_a_day(
    db_url: str, capture: CaptureServer, start_gateway
):
    early = _today_at(6, 0)  # the gateway's own schedule stays before the 07:30 digest
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url, clock=lambda: early)
    send(gateway.port, "KEYWORD-QUARANTINE", subject="Waiting")
    send(gateway.port, "KEYWORD-CONFIRM", subject="Override")
    send_url, _ = links(capture.wait_for_notice("confirm")[0].text)
    with httpx.Client(timeout=30) as client:
        form_post(client, send_url, reason="Agreed with the head")
    capture.wait_for(1)
    flow = gateway.gateway.flow
    assert flow is not None
    keeper = Housekeeper(gateway.config, flow, flow.mailer)
    digest_time = _today_at(7, 31)
    assert gateway.run(keeper.send_digest_if_due(digest_time)) == 1
    assert gateway.run(keeper.send_digest_if_due(digest_time)) == 0  # one digest per day
    [digest] = capture.wait_for_notice("digest")
    assert sorted(digest.rcpt_tos) == ["dsl@school.example", "it@school.example"]
    text = digest.text
    assert "Held for review and still waiting: 1" in text
    [waiting] = [r for r in query(gateway, sa.select(held_messages)) if r.status == "held"]
    assert f"/held/{waiting.id}" in text
    assert '"Send anyway" overrides: 1' in text
    assert f"{SENDER} (" in text and "Agreed with the head" in text
    assert "Keyword quarantine: 1" in text  # the rule's title (its name in words)


def test_a_new_installation_sends_its_first_digest_at_the_next_digest_time(
    db_url: str, capture: CaptureServer, start_gateway
):
    """No "daily summary" of nothing the moment a new gateway starts after 07:30; a
    gateway that was down at the digest time sends that day's digest when it is back."""
    installed = _today_at(10, 0)
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url, clock=lambda: installed)
    flow = gateway.gateway.flow
    assert flow is not None
    keeper = Housekeeper(gateway.config, flow, flow.mailer)
    tomorrow = installed + timedelta(days=1)
    assert gateway.run(keeper.send_digest_if_due(installed)) == 0
    assert gateway.run(keeper.send_digest_if_due(installed.replace(hour=23))) == 0
    assert gateway.run(keeper.send_digest_if_due(tomorrow.replace(hour=7, minute=29))) == 0
    assert capture.notices("digest") == []
    # down at 07:30 tomorrow, back at 09:15: that day's digest goes then, once
    assert gateway.run(keeper.send_digest_if_due(tomorrow.replace(hour=9, minute=15))) == 1
    assert gateway.run(keeper.send_digest_if_due(tomorrow.replace(hour=9, minute=16))) == 0
    assert len(capture.wait_for_notice("digest")) == 1


def test_an_empty_digest_time_sends_no_digest(capture: CaptureServer, start_gateway):
    installed = _today_at(6, 0)
    gateway = workflow_gateway(
        start_gateway, capture, clock=lambda: installed, **{"notices.digest_time": ""}
    )
    flow = gateway.gateway.flow
    assert flow is not None
    keeper = Housekeeper(gateway.config, flow, flow.mailer)
    for days in range(3):
        later = installed + timedelta(days=days, hours=3)
        assert gateway.run(keeper.send_digest_if_due(later)) == 0


@pytest.mark.parametrize(
    ("utc", "zone", "day", "due"),
    [
        # 07:31 in London in winter (GMT) is 07:31 UTC
        (datetime(2026, 12, 2, 7, 31, tzinfo=UTC), "Europe/London", "2026-12-02", True),
        # 07:29 is not yet the time
        (datetime(2026, 12, 2, 7, 29, tzinfo=UTC), "Europe/London", "2026-12-02", False),
        # in summer (BST) 06:45 UTC is already 07:45 in London
        (datetime(2026, 6, 2, 6, 45, tzinfo=UTC), "Europe/London", "2026-06-02", True),
        # 23:50 UTC is the next morning in Auckland, after 07:30 there
        (datetime(2026, 12, 1, 23, 50, tzinfo=UTC), "Pacific/Auckland", "2026-12-02", True),
        # 23:00 the evening before in New York: that day's digest is due there
        (datetime(2026, 12, 2, 4, 0, tzinfo=UTC), "America/New_York", "2026-12-01", True),
    ],
)
def test_the_digest_runs_on_the_school_clock(utc: datetime, zone: str, day: str, due: bool):
    assert digest.schedule(utc, "07:30", ZoneInfo(zone)) == (day, due)


def test_an_unknown_time_zone_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="'Europe/Londn' is not a time zone name"):
        validate({"notices": {"timezone": "Europe/Londn"}}, "test configuration")


def test_the_cli_refuses_to_release_where_the_gateway_does_not_deliver(
    tmp_path: Path, capture: CaptureServer, start_gateway
):
    """A config file with no next hop would have "sent" the release into a local outbox
    folder while the gateway delivers to its next hop (issue 11, point 9)."""
    gateway = workflow_gateway(start_gateway, capture)
    send(gateway.port, "KEYWORD-QUARANTINE")
    hold_id = held_row(gateway).id
    elsewhere = tmp_path / "no-next-hop.toml"
    elsewhere.write_text(f'data_dir = "{tmp_path / "var"}"\n')
    refused = CliRunner().invoke(cli, ["held", "release", hold_id, "--config", str(elsewhere)])
    assert refused.exit_code == 1, refused.output
    assert "Nothing done: the running gateway delivers to SMTP next hop 127.0.0.1:" in (
        refused.output
    )
    assert "built-in outbox" in refused.output
    assert held_row(gateway).status == "held"
    assert not (tmp_path / "var" / "outbox").exists()
    listed = CliRunner().invoke(cli, ["held", "list", "--config", str(elsewhere)])
    assert listed.exit_code == 0 and hold_id in listed.output  # looking is fine
    assert cli_run(tmp_path, "held", "release", hold_id).exit_code == 0  # the same config
    assert len(capture.wait_for(1)) == 1


def test_a_hold_whose_headers_the_database_cannot_hold_as_they_are_is_still_stored(
    db_url: str, capture: CaptureServer, start_gateway
):
    """A NUL in the decoded subject and a From address longer than its column: PostgreSQL
    refuses both as they are. The journal writer cleaned such rows, but the hold path
    wrote its row raw, so the hold's transaction failed and the sender was told 451 on
    every retry: the message could never leave. One row builder now cleans for both."""
    gateway = workflow_gateway(start_gateway, capture, database_url=db_url)
    sender = "a" * 600 + "@school.example"
    raw = (
        f"From: {sender}\r\nTo: {PARENT}\r\nSubject: =?utf-8?q?Report=00for_the_DSL?=\r\n"
        f"Message-ID: <{time.time_ns()}@school.example>\r\n\r\nKEYWORD-QUARANTINE\r\n"
    ).encode()
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
        client.ehlo()
        client.mail(SENDER)
        client.rcpt(PARENT)
        code, reply = client.data(raw)
    assert code == 250, reply
    held = held_row(gateway)
    [row] = query(gateway, sa.select(journal).where(journal.c.hold_id == held.id))
    assert row.subject == "Reportfor the DSL"
    assert "\x00" not in held.subject
    assert len(row.header_from) <= 512 and row.header_from.startswith("aaaa")
