"""`schoolgate held ...`: list, inspect, release, reject and delete held mail."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from gateway import audit, next_hop_record
from gateway.audit import Actor
from gateway.cli.common import async_command, config_options, load_config, open_store
from gateway.holdflow import HoldFlow, Result
from gateway.keyfiles import KeyFileError
from gateway.notices import where
from gateway.quarantine import HeldMessage, HoldStatus, HoldStore
from gateway.store import Store

T = TypeVar("T")

STATUS_CHOICES = [
    HoldStatus.HELD,
    HoldStatus.RELEASING,
    *sorted(HoldStatus.FINAL),
    "all",
]


def _actor(by: str | None) -> Actor:
    return Actor(f"{by or getpass.getuser()} (command line)", "admin")


async def _with_holds(
    config_path: Path | None,
    data_dir: Path | None,
    work: Callable[[Store, HoldStore], Awaitable[T]],
) -> T:
    """Run `work` on the held messages alone (list, show): these send nothing, so the
    gateway's sending side (and the server module that builds it) is never loaded,
    nor are the detectors."""
    config = load_config(config_path, data_dir, check_detectors=False)
    store = await open_store(config)
    try:
        try:
            holds = HoldStore.for_config(store, config)
        except KeyFileError as exc:
            raise click.ClickException(str(exc)) from None
        return await work(store, holds)
    finally:
        await store.close()


async def _with_flow(
    config_path: Path | None,
    data_dir: Path | None,
    work: Callable[[HoldFlow], Awaitable[Any]],
) -> Any:
    """Run `work` on the held-mail workflow, built as the gateway builds it. It may
    deliver (a release, a notice to the sender), so it refuses when it would deliver
    somewhere the gateway does not."""
    from gateway.server import build_flow

    config = load_config(config_path, data_dir)
    store = await open_store(config)
    try:
        try:
            flow, _ = build_flow(config, store)
        except KeyFileError as exc:
            raise click.ClickException(str(exc)) from None
        problem = next_hop_record.mismatch(
            await next_hop_record.recorded(store), flow.next_hop.describe()
        )
        if problem is not None:
            raise click.ClickException(f"Nothing done: {problem}")
        result = await work(flow)
        await flow.mailer.flush()  # send notices now; the gateway retries any that fail
        return result
    finally:
        await store.close()


def _as_json(held: HeldMessage) -> dict[str, Any]:
    return {
        "id": held.id,
        "action": held.action,
        "status": held.status,
        "severity": held.severity,
        "created_at": held.created_at.isoformat(),
        "confirm_by": held.confirm_by.isoformat() if held.confirm_by else None,
        "expires_at": held.expires_at.isoformat(),
        "mail_from": held.mail_from,
        "recipients": list(held.recipients),
        "subject": held.subject,
        "size": held.size,
        "rules": list(held.rules),
        "findings": [{k: v for k, v in f.items() if k != "span"} for f in held.findings],
        "decided_by": held.decided_by,
        "decided_at": held.decided_at.isoformat() if held.decided_at else None,
        "decision_reason": held.decision_reason,
        "released_at": held.released_at.isoformat() if held.released_at else None,
        "delivery": held.delivery,
        "purged": held.purged_at is not None,
    }


@click.group()
def held() -> None:
    """Held mail: list it, look at it, release, reject or delete it.

    These act on the same database as the running gateway (give the same --config).
    Every action is written to the audit log with who did it and why.
    """


@held.command("list")
@config_options
@click.option("--status", type=click.Choice(STATUS_CHOICES), default="held", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@async_command
async def list_held(
    config_path: Path | None, data_dir: Path | None, status: str, limit: int, as_json: bool
) -> None:
    """List held messages, newest first."""

    async def work(store: Store, holds: HoldStore) -> list[HeldMessage]:
        statuses = None if status == "all" else [status]
        return await holds.find(statuses=statuses, limit=limit)

    rows = await _with_holds(config_path, data_dir, work)
    for item in rows:
        if as_json:
            click.echo(json.dumps(_as_json(item), ensure_ascii=False))
        else:
            click.echo(
                f"{item.id}  {item.created_at:%Y-%m-%d %H:%M}  {item.action:10} {item.status:9} "
                f"{item.severity:6} {item.mail_from} -> {', '.join(item.recipients)}  "
                f'"{item.subject}"  [{", ".join(item.rules)}]'
            )
    if not rows and not as_json:
        click.echo(f"no held messages with status {status}", err=True)


@held.command("show")
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
            await audit.log(store, _actor(by), "view", hold_id=hold_id, detail="raw message, CLI")
        return item, content

    item, content = await _with_holds(config_path, data_dir, work)
    if item is None:
        raise click.ClickException(f"no held message {hold_id}")
    if content is not None:
        sys.stdout.buffer.write(content)
        return
    if as_json:
        click.echo(json.dumps(_as_json(item), ensure_ascii=False, indent=1))
        return
    data = _as_json(item)
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


def _report(result: Result) -> None:
    click.echo(result.message)
    if not result.ok:
        sys.exit(1)


def _decision(name: str, summary: str) -> Callable[..., None]:
    @held.command(name, help=summary)
    @config_options
    @click.argument("hold_id")
    @click.option(
        "--reason", default="", help="Why (recorded, and for reject/delete told to the sender)."
    )
    @click.option("--by", help="Your name for the audit log (default: your login name).")
    @async_command
    async def command(
        config_path: Path | None, data_dir: Path | None, hold_id: str, reason: str, by: str | None
    ) -> None:
        async def work(flow: HoldFlow) -> Result:
            action = getattr(flow, name)
            return await action(hold_id, _actor(by), reason)

        _report(await _with_flow(config_path, data_dir, work))

    return command


release = _decision(
    "release",
    "Deliver a held message (its original bytes plus one trace header). Releasing twice "
    "delivers once. If the next mail server is down, the gateway keeps trying.",
)
reject = _decision("reject", "Do not deliver a held message; the sender is told, with --reason.")
delete = _decision(
    "delete", "Do not deliver, and erase the message's content now (its redacted record stays)."
)
