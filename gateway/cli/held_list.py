"""`schoolgate held list`: asked of the running gateway, else read from the database.

The gateway answers on its control socket (gateway/control/protocol.py), so this
command imports neither SQLAlchemy nor the hold store and costs a fraction of the CPU;
when no gateway answers for this data folder and database (stopped, or another
configuration), it reads the database itself, with the same output.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from gateway.cli.common import config_options, load_config, run
from gateway.config.settings import Config
from gateway.control.protocol import (
    ANOTHER_DATABASE,
    HELD_LIST,
    ControlRefused,
    ControlUnavailable,
    ask,
    database_fingerprint,
    socket_path,
)
from gateway.hold.status import HoldStatus

STATUS_CHOICES = [*HoldStatus.ORDER, "all"]


def _from_gateway(config: Config, statuses: list[str] | None, limit: int) -> list[Any] | None:
    try:
        return ask(
            socket_path(config.data_dir),
            HELD_LIST,
            {
                "statuses": statuses,
                "limit": limit,
                "database": database_fingerprint(config.db_url),
            },
        )
    except ControlUnavailable:
        return None
    except ControlRefused as exc:
        if str(exc) == ANOTHER_DATABASE:
            return None
        raise click.ClickException(f"the running gateway refused the question: {exc}") from None


def _from_database(config: Config, statuses: list[str] | None, limit: int) -> list[Any]:
    # Imported here, not at the top: only this path needs SQLAlchemy (start-up cost).
    from gateway.cli.held_access import with_holds

    async def work(store: Any, holds: Any) -> list[Any]:
        return [h.summary() for h in await holds.find(statuses=statuses, limit=limit)]

    return run(with_holds(config, work))


def line(item: dict[str, Any]) -> str:
    created = datetime.fromisoformat(item["created_at"])
    return (
        f"{item['id']}  {created:%Y-%m-%d %H:%M}  {item['action']:10} {item['status']:9} "
        f"{item['severity']:6} {item['mail_from']} -> {', '.join(item['recipients'])}  "
        f'"{item["subject"]}"  [{", ".join(item["rules"])}]'
    )


@click.command("list")
@config_options
@click.option("--status", type=click.Choice(STATUS_CHOICES), default="held", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--from-database",
    is_flag=True,
    help="Read the database even when the running gateway could answer.",
)
def list_held(
    config_path: Path | None,
    data_dir: Path | None,
    status: str,
    limit: int,
    as_json: bool,
    from_database: bool,
) -> None:
    """List held messages, newest first."""
    config = load_config(config_path, data_dir, check_detectors=False)
    statuses = None if status == "all" else [status]
    rows = None if from_database else _from_gateway(config, statuses, limit)
    if rows is None:
        rows = _from_database(config, statuses, limit)
    for item in rows:
        click.echo(json.dumps(item, ensure_ascii=False) if as_json else line(item))
    if not rows and not as_json:
        click.echo(f"no held messages with status {status}", err=True)
