"""`schoolgate held release|reject|delete`: decide on held mail, as the console does.

Each builds the hold workflow as the gateway builds it, refuses when it would deliver
somewhere the running gateway does not, and is written to the audit log."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from gateway.cli.common import async_command, config_options, load_config
from gateway.cli.database import open_store
from gateway.cli.held_show import actor
from gateway.delivery import next_hop_record
from gateway.hold.flow import HoldFlow, Result
from gateway.security.keyfiles import KeyFileError
from gateway.server import build_flow

T = TypeVar("T")


async def with_flow(
    config_path: Path | None,
    data_dir: Path | None,
    work: Callable[[HoldFlow], Awaitable[T]],
) -> T:
    """Run `work` on the held-mail workflow, built as the gateway builds it. It may
    deliver (a release, a notice to the sender), so it refuses when it would deliver
    somewhere the gateway does not."""
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


def _report(result: Result) -> None:
    click.echo(result.message)
    if not result.ok:
        sys.exit(1)


def _decision(name: str, summary: str) -> Callable[..., None]:
    @click.command(name, help=summary)
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
            result: Result = await action(hold_id, actor(by), reason)
            return result

        _report(await with_flow(config_path, data_dir, work))

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
