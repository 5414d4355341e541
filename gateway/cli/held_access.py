"""The hold store alone, for the commands that only look at held mail (list, show):
they send nothing, so neither the sending side nor the server module is loaded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from gateway.cli.database import open_store
from gateway.config.settings import Config
from gateway.hold.store import HoldStore
from gateway.security.keyfiles import KeyFileError
from gateway.storage.engine import Store

T = TypeVar("T")


async def with_holds(
    config: Config,
    work: Callable[[Store, HoldStore], Awaitable[T]],
) -> T:
    """Run `work` on the held messages alone (list, show): these send nothing, so the
    gateway's sending side (and the server module that builds it) is never loaded,
    nor are the detectors. `config` is loaded with check_detectors=False."""
    store = await open_store(config)
    try:
        try:
            holds = HoldStore.for_config(store, config)
        except KeyFileError as exc:
            raise click.ClickException(str(exc)) from None
        return await work(store, holds)
    finally:
        await store.close()
