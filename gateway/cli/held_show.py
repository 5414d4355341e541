"""`schoolgate held show`: one held message, why it was held and what happened since."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click

from gateway.cli.common import async_command, config_options, load_config
from gateway.cli.held_access import with_holds
from gateway.hold.notices import where
from gateway.hold.store import HeldMessage, HoldStore
from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.storage.engine import Store


def actor(by: str | None) -> Actor:
    """Who acts, for the audit log: --by, else the login name, marked as the CLI."""
    return Actor(f"{by or getpass.getuser()} (command line)", "admin")


@click.command("show")
@config_options
@click.argument("hold_id")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--raw",
    is_flag=True,
    help="Print the original message (decrypted). This view is recorded in the audit log.",
)
@click.option("--by", help="Your name for the audit log (default: your login name).")
@async_command
async def show(
    config_path: Path | None,
    data_dir: Path | None,
    hold_id: str,
    as_json: bool,
    raw: bool,
    by: str | None,
) -> None:
    """Show one held message: why it was held, what was found, what happened since."""

    async def work(store: Store, holds: HoldStore) -> tuple[HeldMessage | None, bytes | None]:
        item = await holds.get(hold_id)
        content = None
        if item is not None and raw:
            if not item.content_available:
                raise click.ClickException(f"{hold_id} was purged; its content is gone")
            content = await holds.content(hold_id)
            await audit.log(store, actor(by), "view", hold_id=hold_id, detail="raw message, CLI")
        return item, content

    config = load_config(config_path, data_dir, check_detectors=False)
    item, content = await with_holds(config, work)
    if item is None:
        raise click.ClickException(f"no held message {hold_id}")
    if content is not None:
        sys.stdout.buffer.write(content)
        return
    if as_json:
        click.echo(json.dumps(item.summary(), ensure_ascii=False, indent=1))
        return
    data = item.summary()
    for key in (
        "id",
        "action",
        "status",
        "severity",
        "created_at",
        "confirm_by",
        "expires_at",
        "mail_from",
        "subject",
        "size",
        "decided_by",
        "decided_at",
        "decision_reason",
        "released_at",
    ):
        if data[key] not in (None, ""):
            click.echo(f"{key:16} {data[key]}")
    click.echo(f"{'recipients':16} {', '.join(item.recipients)}")
    click.echo(f"{'rules':16} {', '.join(item.rules)}")
    click.echo("findings:")
    for finding in item.findings:
        click.echo(
            f"  - {finding.get('type')} in {where(finding)}: {finding.get('evidence')} "
            f"({finding.get('explanation')})"
        )
    if item.delivery:
        click.echo(f"{'delivery':16} {json.dumps(item.delivery)}")
