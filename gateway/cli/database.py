"""Opening the gateway's database from a command, with its errors as command errors."""

from __future__ import annotations

import click

from gateway.config.settings import Config
from gateway.storage.engine import Store, StoreError


async def open_store(config: Config) -> Store:
    try:
        return await Store.open(config.db_url)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
