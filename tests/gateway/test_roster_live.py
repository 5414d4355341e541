"""A running gateway picks up a roster imported with the CLI, without a restart, and the
default rules act on the pupil_name findings (SQLite and PostgreSQL)."""

from __future__ import annotations

import smtplib
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from gateway.cli import main
from models.schema import journal
from tests.harness import CaptureServer, GatewayRunner

SENDER = "teacher@school.example"


def letter(to: str, body: str) -> bytes:
    return (
        f"From: Ms Teacher <{SENDER}>\r\nTo: {to}\r\nSubject: Reading\r\n"
        f"Message-ID: <{time.time_ns()}@school.example>\r\n\r\n{body}\r\n"
    ).encode()


def send(gateway: GatewayRunner, to: str, body: str) -> None:
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
        client.sendmail(SENDER, [to], letter(to, body))


def journal_rows(gateway: GatewayRunner) -> list[Any]:
    async def query() -> list[Any]:
        assert gateway.gateway.store is not None
        async with gateway.gateway.store.connect() as conn:
            return list(await conn.execute(sa.select(journal).order_by(journal.c.id)))

    return gateway.run(query())


def wait_for_version(gateway: GatewayRunner, version: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    watcher = gateway.gateway.watcher
    assert watcher is not None
    while watcher.version != version and time.monotonic() < deadline:
        time.sleep(0.1)
    assert watcher.version == version


def test_an_imported_roster_is_used_without_a_restart(
    tmp_path: Path, capture: CaptureServer, start_gateway, db_url: str
):
    gateway = start_gateway(
        capture.port,
        database_url=db_url,
        rules=[],
        **{"detectors.enabled": ["pupil_name"], "detectors.plugins": []},
    )
    send(gateway, "parent@example.org", "Amelia Jones has read every book.")
    capture.wait_for(1)
    assert journal_rows(gateway)[-1].action == "deliver"  # no roster yet

    config = tmp_path / "cli.toml"
    config.write_text(f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{db_url}"\n')
    roster = tmp_path / "roster.csv"
    roster.write_text("Surname,Forename,Year\nJones,Amelia,5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["roster", "import", str(roster), "--config", str(config)])
    assert result.exit_code == 0, result.output
    wait_for_version(gateway, "r1-s0")  # directory.refresh_interval is 1 s in tests

    send(gateway, "parent@example.org", "Amelia Jones has read every book.")
    row = journal_rows(gateway)[-1]
    assert row.action == "confirm"
    assert row.rules == ["pupil-name-outside-school"]
    [finding] = row.findings
    assert finding["type"] == "PUPIL_FULL_NAME" and finding["evidence"] == "A**** J****"
    # held for the sender to confirm, not delivered: the only new mail is the notice
    [notice] = capture.wait_for_notice("confirm")
    assert notice.rcpt_tos == [SENDER]
    assert len(capture.originals()) == 1

    send(gateway, "head@school.example", "Amelia Jones has read every book.")
    capture.wait_for(2)
    row = journal_rows(gateway)[-1]
    assert row.action == "deliver"
    assert row.rules == ["pupil-name-inside-school"]  # delivered, and journalled
